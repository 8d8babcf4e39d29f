"""Left-drag window/level on any view: screen pixels since the press → a new window in the state."""

from __future__ import annotations

from ichviewer.core.state import ViewerState
from ichviewer.core.windowing import Window


class WindowDrag:
    """Connect to a `SliceViewBox.windowDragged`; the window at the press is the base of the whole drag."""

    def __init__(self, state: ViewerState) -> None:
        self.state = state
        self._start: Window | None = None

    def __call__(self, dx: float, dy: float, start: bool, finish: bool) -> None:
        if start or self._start is None:
            self._start = self.state.display.window
        base = self._start
        rate = max(1.0, base.width / 100.0)  # HU per screen pixel, coarser for wide windows
        self.state.display.window = base.with_level_width(base.level + dy * rate, base.width + dx * rate)
        if finish:
            self._start = None
