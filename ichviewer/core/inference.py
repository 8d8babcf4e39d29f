"""Classifier: score every slice of a CTVolume with the bundled (or any carded) model.

Batched, under torch.inference_mode, on the best device available (CUDA with fp16 autocast,
then Apple MPS, then CPU); progress per batch; cancellable between batches. The network's
hooks for Grad-CAM live on the same object, so one worker owns a Classifier and runs scoring
and heatmaps one after the other (pytorch-grad-cam hooks are not thread-safe).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ichviewer.core.devices import DEVICES
from ichviewer.core.model import ModelCard, load_model
from ichviewer.core.preprocess import model_batch
from ichviewer.core.progress import Cancel, Progress, check_cancel, report
from ichviewer.core.results import StudyResult
from ichviewer.core.volume import CTVolume

if TYPE_CHECKING:
    import torch


def choose_device(preference: str = "auto") -> str:
    """'cuda', 'mps' or 'cpu': the preference if available, else the best one present."""
    import torch

    if preference not in DEVICES:
        raise ValueError(f"unknown device {preference!r}; choose one of {', '.join(DEVICES)}")
    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    if preference == "cuda" and not cuda:
        raise ValueError("device 'cuda' requested but no CUDA GPU is available")
    if preference == "mps" and not mps:
        raise ValueError("device 'mps' requested but Apple MPS is not available")
    if preference != "auto":
        return preference
    return "cuda" if cuda else "mps" if mps else "cpu"


class ScoringModel(Protocol):
    """What scoring, triage and the viewer's AI worker need of a model: the in-process `Classifier`,
    or `core.classifier_process.ClassifierProcess` (the same model in a child process)."""

    card: ModelCard

    @property
    def device_label(self) -> str: ...

    def predict(
        self,
        volume: CTVolume,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        on_batch: Callable[[list[int], np.ndarray], None] | None = None,
    ) -> StudyResult: ...

    def heatmaps(
        self, volume: CTVolume, requests: list[tuple[int, str]], inside_head: bool = True, cancel: Cancel | None = None
    ) -> dict[int, np.ndarray]: ...


class Classifier:
    """A loaded model on a device; `predict` scores a volume, `network` serves Grad-CAM."""

    def __init__(self, model_dir: str | Path | None = None, device: str = "auto") -> None:
        import torch

        self.network, self.card = load_model(model_dir)
        self.device = choose_device(device)
        self.network.to(self.device)
        if self.device == "cpu":
            self.network = self.network.to(memory_format=torch.channels_last)
        self.batch_size = 64 if self.device == "cuda" else 16

    @property
    def device_label(self) -> str:
        """What the status bar shows, e.g. 'CUDA NVIDIA H100 (fp16)' or 'CPU (2 threads)'."""
        import torch

        if self.device == "cuda":
            return f"CUDA {torch.cuda.get_device_name(0)} (fp16)"
        if self.device == "mps":
            return "Apple MPS"
        return f"CPU ({torch.get_num_threads()} threads)"

    def scores(self, batch: torch.Tensor) -> np.ndarray:
        """Sigmoid probabilities (N, n_labels) for a prepared input batch."""
        import torch

        with (
            torch.inference_mode(),
            torch.autocast(device_type="cuda", dtype=torch.float16, enabled=self.device == "cuda"),
        ):
            x = batch.to(self.device, non_blocking=True)
            if self.device == "cpu":
                x = x.contiguous(memory_format=torch.channels_last)
            logits = self.network(x)
        return torch.sigmoid(logits.float()).cpu().numpy()

    def predict(
        self,
        volume: CTVolume,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        on_batch: Callable[[list[int], np.ndarray], None] | None = None,
    ) -> StudyResult:
        """Score every slice; `on_batch(indices, scores)` lets a viewer fill its plot as it goes."""
        start = time.perf_counter()
        if self.card.input.slab_mm is not None:
            from ichviewer.core.slab_inference import slab_scores

            scores = slab_scores(
                self.network, self.card.input, volume, self.device, self.batch_size, progress, cancel, on_batch
            )
        else:
            scores = self._slice_scores(volume, progress, cancel, on_batch)
        return StudyResult(
            series_uid=volume.series.uid,
            sop_instance_uids=tuple(s.sop_instance_uid for s in volume.slices),
            slice_positions=volume.geometry.slice_positions.copy(),
            labels=self.card.labels,
            thresholds=tuple(self.card.threshold(k) for k in self.card.labels),
            scores=scores,
            model_name=self.card.name,
            model_version=self.card.version,
            model_sha256=self.card.sha256,
            device=self.device_label,
            elapsed_s=time.perf_counter() - start,
            created=datetime.now().astimezone().isoformat(timespec="seconds"),
            extra={"series": series_facts(volume)},
        )

    def heatmaps(
        self, volume: CTVolume, requests: list[tuple[int, str]], inside_head: bool = True, cancel: Cancel | None = None
    ) -> dict[int, np.ndarray]:
        """Grad-CAM maps for (slice, label) pairs (`core.gradcam.heatmaps_for`)."""
        from ichviewer.core.gradcam import heatmaps_for

        return heatmaps_for(self, volume, requests, cancel=cancel, inside_head=inside_head)

    def _slice_scores(
        self,
        volume: CTVolume,
        progress: Progress | None,
        cancel: Cancel | None,
        on_batch: Callable[[list[int], np.ndarray], None] | None,
    ) -> np.ndarray:
        """A slice model's scores: every native slice on its own, in batches."""
        n = volume.n_slices
        scores = np.zeros((n, len(self.card.labels)), dtype=np.float32)
        report(progress, 0, n, "Analysing slices")
        for first in range(0, n, self.batch_size):
            check_cancel(cancel)
            indices = list(range(first, min(first + self.batch_size, n)))
            batch, _ = model_batch(volume.hu, indices, self.card.input)
            scores[indices] = self.scores(batch)
            if on_batch is not None:
                on_batch(indices, scores[indices].copy())
            report(progress, indices[-1] + 1, n, f"Analysed {indices[-1] + 1} of {n} slices")
        return scores


def series_facts(volume: CTVolume) -> dict[str, object]:
    """Which series was analysed, in the words a reader checks it by."""
    series = volume.series
    return {
        "number": getattr(series, "number", None),
        "description": getattr(series, "description", ""),
        "slices": volume.n_slices,
        "spacing_mm": round(float(volume.geometry.spacing), 3),
        "thickness_mm": volume.thickness,
        "tilt_deg": round(float(volume.geometry.tilt_deg), 1),
    }
