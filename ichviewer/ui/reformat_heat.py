"""The heatmap on the coronal and sagittal views: the per-slice Grad-CAM maps stacked along the normal.

Maps exist per native slice and only once the AI worker has computed them, so while the reformats
are on screen with the heatmap on, the maps of the flagged slices (the most suspicious
`MAX_SLICES`, so the state's cache can hold them) are asked for once each; as they arrive they are
stacked (`core.mpr.stack_slice_maps`, on a coarse grid: Grad-CAM maps are coarse) and the views
reformat the stack like the image. Slices without a map stay empty on the reformats.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ichviewer.core.heatmap_state import HEATMAP_CACHE_SIZE
from ichviewer.core.mpr import stack_slice_maps
from ichviewer.core.state import ViewerState

MAX_SLICES = HEATMAP_CACHE_SIZE - 16  # the current axial slice's maps need room in the cache too
GRID = (128, 128)
REBUILD_MS = 150  # maps arriving together are stacked once


class ReformatHeat(QObject):
    """`volume`: float32 (n, 128, 128) heat 0..1, NaN where no map is known (None: no maps); `changed`: rebuilt."""

    changed = Signal()

    def __init__(self, state: ViewerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.volume: np.ndarray | None = None
        self.wanted = False  # a reformat with the heatmap on is on screen
        self._asked: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REBUILD_MS)
        self._timer.timeout.connect(self.rebuild)
        state.events.heatmap_ready.connect(lambda _: self._timer.start())
        state.events.ai.connect(lambda _: self._restart())
        state.events.volume.connect(lambda _: self._restart())
        for event in (state.heatmap.events.visible, state.heatmap.events.label):
            event.connect(lambda _: self._restart())

    def want(self, wanted: bool) -> None:
        """Reformat views say whether they show the heatmap now; while they do, missing maps are asked for."""
        self.wanted = wanted
        if wanted:
            self._ask()

    def slices(self) -> list[int]:
        """Native slices whose map the reformats show: flagged ones, most suspicious first, at most MAX_SLICES."""
        result = self.state.ai.result
        if result is None or self.state.volume is None or not self.state.heatmap.visible:
            return []
        chosen = [k for k in range(result.n_slices) if self.state.heatmap.label_for(result, k) is not None]
        chosen.sort(key=lambda k: -result.top_label(k)[1])
        return sorted(chosen[:MAX_SLICES])

    def rebuild(self) -> None:
        """Stack the maps known now; None when there are none."""
        volume, result = self.state.volume, self.state.ai.result
        maps: dict[int, np.ndarray] = {}
        if volume is not None and result is not None:
            for k in self.slices():
                label = self.state.heatmap.label_for(result, k)
                levels = self.state.heatmaps.get((volume.slices[k].sop_instance_uid, label or ""))
                if levels is not None:
                    maps[k] = levels.astype(np.float32) / 255.0
        self.volume = stack_slice_maps(maps, volume.n_slices, GRID) if maps and volume is not None else None
        self.changed.emit()

    def _restart(self) -> None:
        self._asked.clear()
        self.rebuild()
        if self.wanted:
            self._ask()

    def _ask(self) -> None:
        for k in self.slices():
            if k not in self._asked:
                self._asked.add(k)
                self.state.request_heatmap(k)
