"""Scores of a slab-and-sequence model for every native slice of a volume.

The volume's slices become 5 mm slabs along the normal (core.slabs), each slab is cut from one
physical square around the study's head (the card's mm per pixel, core.preprocess), windowed,
passed through the trunk in batches (progress and cancel between batches, provisional scores
of the slab head for the plot as it fills), then the whole study through fusion and the
sequence model; the final per-slab scores come back onto every native slice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import numpy as np

from ichviewer.core.model import ModelInput
from ichviewer.core.preprocess import CropBox, network_input, physical_box, resized_crop, study_centre
from ichviewer.core.progress import Cancel, Progress, check_cancel, report
from ichviewer.core.slabs import SLAB_MM, SlabPlan, plan_slabs
from ichviewer.core.volume import CTVolume

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class SlabFrame:
    """Where a volume's slabs lie (along the normal) and the square they are cut from (in plane)."""

    plan: SlabPlan
    box: CropBox
    spec: ModelInput

    def images(self, hu: np.ndarray, slabs: list[int]) -> torch.Tensor:
        """Float HU (k, S, S) of the slabs `slabs` on the model grid."""
        return resized_crop(np.stack([self.plan.slab_hu(hu, k) for k in slabs]), self.box, self.spec.size)

    def with_neighbours(self, hu: np.ndarray, slabs: list[int]) -> torch.Tensor:
        """The network input (k, 3·W, S, S) of slabs with the slab below and above (ends: themselves)."""
        last = self.plan.n_slabs - 1
        triples = [i for k in slabs for i in (max(k - 1, 0), k, min(k + 1, last))]
        windowed = network_input(self.images(hu, triples)[:, None], self.spec.per_slab())
        return windowed.reshape(len(slabs), -1, *windowed.shape[-2:])


_FRAMES: WeakKeyDictionary[CTVolume, dict[ModelInput, SlabFrame]] = WeakKeyDictionary()


def slab_frame(volume: CTVolume, spec: ModelInput) -> SlabFrame:
    """The slab plan and the in-plane square of a volume for a card's input, kept while the volume lives:
    every heatmap of a slice needs it, and finding the head's centre over the stack takes tens of ms."""
    frames = _FRAMES.setdefault(volume, {})
    if spec not in frames:
        plan = plan_slabs(volume.geometry.slice_positions, spec.slab_mm or SLAB_MM)
        box = physical_box(study_centre(volume.hu), volume.geometry.pixel_spacing, spec)
        frames[spec] = SlabFrame(plan, box, spec)
    return frames[spec]


def slab_scores(
    network: torch.nn.Module,
    spec: ModelInput,
    volume: CTVolume,
    device: str,
    batch_size: int,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    on_batch: Callable[[list[int], np.ndarray], None] | None = None,
) -> np.ndarray:
    """Sigmoid scores (n_native, n_labels) from the sequence model, mapped onto the native slices."""
    import torch

    frame = slab_frame(volume, spec)
    n = frame.plan.n_slabs
    maps = []
    report(progress, 0, n, "Analysing slabs")
    with (
        torch.inference_mode(),
        torch.autocast(device_type="cuda", dtype=torch.float16, enabled=device == "cuda"),
    ):
        for first in range(0, n, batch_size):
            check_cancel(cancel)
            slabs = list(range(first, min(first + batch_size, n)))
            x = network_input(frame.images(volume.hu, slabs)[:, None], spec.per_slab()).to(device)
            if device == "cpu":
                x = x.contiguous(memory_format=torch.channels_last)
            maps.append(network.trunk_maps(x))  # type: ignore[operator]
            report(progress, slabs[-1] + 1, n, f"Analysed {slabs[-1] + 1} of {n} slabs")
        check_cancel(cancel)
        _, final_logits = network.study(torch.cat(maps))  # type: ignore[operator]
    native = frame.plan.to_native(torch.sigmoid(final_logits.float()).cpu().numpy())
    if on_batch is not None:
        on_batch(list(range(volume.n_slices)), native.copy())
    return native
