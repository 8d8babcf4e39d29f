"""Grad-CAM heatmaps through pytorch-grad-cam: where the model looked for a label.

Heatmaps are coarse (Saporta et al. 2022; Arun et al. 2021): "where the model looked", not an
outline of the bleed. Rules from the library's issue tracker: never under no_grad/inference_mode
(#187, #381); target the raw logit of the label (#232); use it as a context manager so its
hooks are released (#483); its `__exit__` swallows IndexError, so we re-raise it ourselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from ichviewer.core.inference import Classifier
from ichviewer.core.model import ModelInput, target_layer
from ichviewer.core.preprocess import CropBox, head_region, model_batch
from ichviewer.core.progress import Cancel, Progress, check_cancel, report
from ichviewer.core.slab_inference import slab_frame
from ichviewer.core.volume import CTVolume

if TYPE_CHECKING:
    import torch


def heatmaps(
    classifier: Classifier,
    volume: CTVolume,
    indices: list[int],
    label: str,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    batch_size: int = 8,
    inside_head: bool = False,
) -> dict[int, np.ndarray]:
    """float32 heatmaps in 0..1 on each slice's own pixel grid (0 outside the model's crop).

    `inside_head` zeroes the heat over the air around the head, for display: the coarse 8×8
    grid otherwise paints a square into the background. The shortcut probe keeps it (False) to
    measure how much the model looks outside the head.
    """
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    card = classifier.card
    target = card.labels.index(label)
    network = classifier.network
    out: dict[int, np.ndarray] = {}
    shape = volume.hu.shape[1:]
    inputs = _input_maker(volume, card.input)
    with GradCAM(model=network, target_layers=[target_layer(network, card.architecture)]) as cam:
        for first in range(0, len(indices), batch_size):
            check_cancel(cancel)
            chunk = indices[first : first + batch_size]
            batch, boxes = inputs(chunk)
            batch = batch.to(classifier.device)
            try:
                grids = cam(input_tensor=batch, targets=[ClassifierOutputTarget(target)] * len(chunk))
            except IndexError as error:  # GradCAM.__exit__ would swallow it
                raise RuntimeError(f"Grad-CAM failed: {error}") from error
            for index, grid, box in zip(chunk, grids, boxes, strict=True):
                heat = box.paste(np.asarray(grid, dtype=np.float32), shape)
                out[index] = heat * head_mask(volume.hu[index]) if inside_head else heat
            report(progress, min(first + batch_size, len(indices)), len(indices), f"Heatmaps for {label}")
    return out


def _input_maker(volume: CTVolume, spec: ModelInput) -> Callable[[list[int]], tuple[torch.Tensor, list[CropBox]]]:
    """Network inputs for native slices: the slice itself, or (slab models) its nearest slab with its
    neighbours, whose slab-head logit is what the map explains (the sequence model adds no map)."""
    if spec.slab_mm is None:
        return lambda chunk: model_batch(volume.hu, chunk, spec)
    frame = slab_frame(volume, spec)
    return lambda chunk: (
        frame.with_neighbours(volume.hu, [frame.plan.nearest_slab(i) for i in chunk]),
        [frame.box] * len(chunk),
    )


def heatmaps_for(
    classifier: Classifier,
    volume: CTVolume,
    requests: list[tuple[int, str]],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    inside_head: bool = True,
) -> dict[int, np.ndarray]:
    """Heatmaps for (slice, label) pairs, batched per label (e.g. the PDF's key slices)."""
    by_label: dict[str, list[int]] = {}
    for index, label in requests:
        by_label.setdefault(label, []).append(index)
    out: dict[int, np.ndarray] = {}
    for label, indices in by_label.items():
        out.update(heatmaps(classifier, volume, indices, label, progress, cancel, inside_head=inside_head))
    return out


MASK_STEP = 4  # the mask is found on every 4th pixel: a few ms per heatmap instead of tens


def head_mask(hu: np.ndarray) -> np.ndarray:
    """float32 (y, x): 1 inside the head (`preprocess.head_region`, grown a little), 0 in the air, soft edge."""
    region = head_region(hu[::MASK_STEP, ::MASK_STEP])
    if not region.any():
        return np.ones(hu.shape, dtype=np.float32)
    region = ndimage.binary_dilation(region, iterations=2)  # 8 px: heat on the scalp's edge is kept
    soft = ndimage.gaussian_filter(region.astype(np.float32), 1.0)  # a smooth edge, not 4-pixel steps
    full = ndimage.zoom(soft, MASK_STEP, order=1)[: hu.shape[0], : hu.shape[1]]
    out = np.zeros(hu.shape, dtype=np.float32)
    out[: full.shape[0], : full.shape[1]] = np.clip(full, 0.0, 1.0)
    out[out < 0.02] = 0.0  # the blur's far tail: no faint veil over the air
    return out
