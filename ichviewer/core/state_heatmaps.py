"""The heatmap part of the viewer state: which map the slice on screen shows, asking the worker for it, its arrival.

A mixin of `ViewerState` (core/state.py), kept apart so each stays readable; it uses the state's volume,
cursor, AI run, model, jobs, heatmap choice and cache, and emits `heatmap_requested` / `heatmap_ready`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ichviewer.core.ai_state import AIRun, ModelInfo, ModelStatus
from ichviewer.core.dims import Dims
from ichviewer.core.heatmap_colors import heat_levels
from ichviewer.core.heatmap_state import HeatKey, HeatmapCache, HeatmapChoice, heatmap_caption
from ichviewer.core.jobs import ANALYSIS, Job, Jobs
from ichviewer.core.requests import HeatmapRequest

if TYPE_CHECKING:
    from ichviewer.core.volume import CTVolume


class HeatmapIntent:
    """current_heatmap, heatmap_caption, request_heatmap and the worker's heatmap results."""

    volume: CTVolume | None
    dims: Dims
    ai: AIRun
    model: ModelInfo
    jobs: Jobs
    heatmap: HeatmapChoice
    heatmaps: HeatmapCache
    events: Any

    def current_heatmap(self) -> tuple[HeatKey, np.ndarray] | None:
        """((SOP Instance UID, label), uint8 heat levels) to draw over the slice on screen, or None."""
        if self.volume is None:
            return None
        index = self.dims.slice
        label = self.heatmap.label_for(self.ai.result, index)
        if label is None:
            return None
        key = (self.volume.slices[index].sop_instance_uid, label)
        levels = self.heatmaps.get(key)
        return None if levels is None else (key, levels)

    def heatmap_caption(self) -> str:
        """The heatmap's label over the image ("Heatmap: Subdural (strongest label)"), or "Computing heatmap…"."""
        if self.volume is None:
            return ""
        index = self.dims.slice
        label = self.heatmap.label_for(self.ai.result, index)
        key = (self.volume.slices[index].sop_instance_uid, label or "")
        return heatmap_caption(self.heatmap, label, self.heatmaps.get(key) is not None, self.heatmaps.pending(key))

    def request_heatmap(self, index: int | None = None) -> None:
        """Ask the worker for a slice's heatmap (default: the current one) when the choice wants one it lacks."""
        job = self.jobs.current(ANALYSIS)
        if self.volume is None or job is None or self.model.status is not ModelStatus.READY:
            return
        index = self.dims.slice if index is None else index
        label = self.heatmap.label_for(self.ai.result, index)
        if label is not None and self.heatmaps.claim((self.volume.slices[index].sop_instance_uid, label)):
            self.events.heatmap_requested.emit(HeatmapRequest(job, self.volume, index, label))

    def heatmap_done(self, job: Job, sop_instance_uid: str, label: str, heat: np.ndarray) -> None:
        """A float 0..1 Grad-CAM map arrived: keep it (as uint8 levels) and tell the views."""
        if self.jobs.is_current(job):
            key = (sop_instance_uid, label)
            self.heatmaps.put(key, heat_levels(heat))
            self.events.heatmap_ready.emit(key)

    def heatmap_skipped(self, job: Job, sop_instance_uid: str, label: str) -> None:
        """The worker dropped a request for a slice the reader had already left; revisiting it asks again."""
        if self.jobs.is_current(job):
            self.heatmaps.release((sop_instance_uid, label))
            if self.volume is not None and self.volume.slices[self.dims.slice].sop_instance_uid == sop_instance_uid:
                self.request_heatmap()  # back on that slice meanwhile
