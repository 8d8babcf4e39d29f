"""Side docks that leave the image the space on a small screen (1024×700 laptops, projectors).

The series and AI docks keep the widths a reader gives them until together they would take more
than SIDE_SHARE of the window; then they are narrowed to the shares below, so the image keeps at
least 1 − SIDE_SHARE of the width. Docks tabbed with the series dock (the measurements) share its
column and its width. Ctrl+B hides them all (View ▸ Image only) and shows them again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

SIDE_SHARE = 0.42  # the most the side docks may take together before they are narrowed
SERIES_SHARE, AI_SHARE = 0.16, 0.26  # what each gets when narrowed
MIN_SERIES, MIN_AI = 120, 250  # below these a dock is unusable: closing it (Ctrl+B) is the way


def fitted_widths(window_width: int) -> tuple[int, int]:
    """(series dock, AI dock) widths for a window `window_width` pixels wide whose docks took too much."""
    return max(MIN_SERIES, int(window_width * SERIES_SHARE)), max(MIN_AI, int(window_width * AI_SHARE))


class DockLayout(QObject):
    """Watches the window's size and narrows its left/right docks when the image would get too little."""

    def __init__(
        self, window: QMainWindow, series: QDockWidget, ai: QDockWidget | None, tabbed: tuple[QDockWidget, ...] = ()
    ) -> None:
        super().__init__(window)
        self.window, self.series, self.ai = window, series, ai
        self.tabbed = tabbed  # docks tabbed with the series dock (measurements): one column, sized and hidden with it
        self._hidden: list[QDockWidget] = []
        self._front: QDockWidget | None = None  # the tab on top when Ctrl+B hid the column
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.fit()
        return False

    def side_width(self) -> int:
        """Pixels the visible side docks take now."""
        return sum(d.width() for d in self._docks() if d.isVisible() and not d.isFloating())

    def fit(self) -> None:
        """Narrow the docks when together they take more than SIDE_SHARE of the window."""
        width = self.window.width()
        if self.side_width() <= SIDE_SHARE * width:
            return
        series, ai = fitted_widths(width)
        docks = [d for d in self._docks() if d.isVisible() and not d.isFloating()]
        sizes = [ai if d is self.ai else series for d in docks]
        self.window.resizeDocks(docks, sizes, Qt.Orientation.Horizontal)

    def toggle(self) -> None:
        """Ctrl+B: hide the side docks (the image takes the window), or bring back the ones hidden."""
        if self._hidden:
            for dock in self._hidden:
                dock.show()
            if self._front is not None:
                self._front.raise_()
            self._hidden, self._front = [], None
            self.fit()
            return
        self._front = next((d for d in (self.series, *self.tabbed) if not d.visibleRegion().isEmpty()), None)
        docks = (self.series, *self.tabbed, self.ai)
        self._hidden = [d for d in docks if d is not None and d.toggleViewAction().isChecked()]
        for dock in self._hidden:
            dock.hide()

    def _docks(self) -> list[QDockWidget]:
        """The left column's tab on top (the series dock or one tabbed with it) and the AI dock."""
        left = next((d for d in (self.series, *self.tabbed) if d.isVisible()), self.series)
        return [d for d in (left, self.ai) if d is not None]
