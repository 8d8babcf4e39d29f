"""The heatmap the reader asked for (on/off, which label, opacity) and the one cache of computed maps.

Maps are kept as uint8 heat levels (`heatmap_colors.heat_levels`) keyed by the slice's SOP
Instance UID and the label, so they stay right when a study is reopened or a series reloaded
with other slice numbers; the least recently used are dropped past `HEATMAP_CACHE_SIZE`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ichviewer.core.events import EventedModel
from ichviewer.core.labels import label as label_info
from ichviewer.core.results import StudyResult

STRONGEST = "strongest"  # the label choice "the strongest label, on flagged slices only"
HEATMAP_CACHE_SIZE = 64  # 64 maps of 512² uint8: 16 MiB
HeatKey = tuple[str, str]  # (SOP Instance UID, label)


@dataclass(eq=False)
class HeatmapChoice(EventedModel):
    """What the reader chose: show it or not, for which label, how opaque."""

    visible: bool = True
    label: str = STRONGEST
    opacity: float = 0.45

    def toggle_visible(self) -> None:
        """H: show / hide the heatmap."""
        self.visible = not self.visible

    def label_for(self, result: StudyResult | None, index: int) -> str | None:
        """The label whose Grad-CAM to draw on slice `index` (None: draw nothing there)."""
        if not self.visible or result is None:
            return None
        if self.label != STRONGEST:
            return self.label if self.label in result.labels else None
        if not result.slice_flags()[index]:
            return None
        return result.top_label(index)[0]


def heatmap_caption(choice: HeatmapChoice, label: str | None, shown: bool, pending: bool) -> str:
    """What the view says over the image: which label's map is drawn, or that it is being computed.

    Without it a reader cannot tell whether the heat shows the subdural or the subarachnoid
    label, nor whether a slice has no map or its map is still coming (1–6 s on a CPU).
    """
    if label is None or not (shown or pending):
        return ""
    how = "strongest label" if choice.label == STRONGEST else "chosen label"
    name = label_info(label).name
    return f"Heatmap: {name} ({how})" if shown else f"Computing heatmap ({name})…"


class HeatmapCache:
    """Computed heatmaps by (SOP Instance UID, label), and the keys asked of the worker but not back yet."""

    def __init__(self, size: int = HEATMAP_CACHE_SIZE) -> None:
        self.size = size
        self._maps: OrderedDict[HeatKey, np.ndarray] = OrderedDict()
        self._pending: set[HeatKey] = set()

    def get(self, key: HeatKey) -> np.ndarray | None:
        levels = self._maps.get(key)
        if levels is not None:
            self._maps.move_to_end(key)
        return levels

    def put(self, key: HeatKey, levels: np.ndarray) -> None:
        self._pending.discard(key)
        self._maps[key] = levels
        self._maps.move_to_end(key)
        while len(self._maps) > self.size:
            self._maps.popitem(last=False)

    def claim(self, key: HeatKey) -> bool:
        """True when `key` is neither cached nor already asked for: the caller asks the worker now."""
        if key in self._maps or key in self._pending:
            return False
        self._pending.add(key)
        return True

    def release(self, key: HeatKey) -> None:
        """The worker skipped `key` (the reader had moved on): ask again when that slice is shown again."""
        self._pending.discard(key)

    def pending(self, key: HeatKey) -> bool:
        """Asked of the worker and not back yet (the view says "computing heatmap…")."""
        return key in self._pending and key not in self._maps

    def forget_pending(self) -> None:
        """The worker dropped its queue (another study opened): ask again when needed."""
        self._pending.clear()

    def __len__(self) -> int:
        return len(self._maps)
