"""The crosshair: where the other views' images cross this one, drawn as lines in their colours (MPR layout only).

The cursor (`state.planes`) picks each view's image; the lines are `Mpr.intersection` of those
images with the one on screen, so on a tilted series the axial level is a tilted line on the
reformats. Hidden in the axial-only layout and without a reformat grid.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg

from ichviewer.core.mpr import VIEWS, View
from ichviewer.core.state import ViewerState
from ichviewer.ui.view_pixels import VIEW_COLOURS, PixelFrame


class Crosshair:
    """Two lines over `view_box`: the images of the two other views."""

    def __init__(
        self, state: ViewerState, view: View, view_box: pg.ViewBox, frame: Callable[[], PixelFrame | None]
    ) -> None:
        self.state, self.view, self.frame = state, view, frame
        self.lines: dict[View, pg.PlotCurveItem] = {}
        for other in VIEWS:
            if other != view:
                line = pg.PlotCurveItem(pen=pg.mkPen(VIEW_COLOURS[other], width=1.2))
                line.setZValue(20)
                line.setVisible(False)
                view_box.addItem(line, ignoreBounds=True)
                self.lines[other] = line
        state.planes.events.indices.connect(lambda _: self.refresh())
        state.display.events.layout.connect(lambda _: self.refresh())
        state.events.volume.connect(lambda _: self.refresh())

    def refresh(self) -> None:
        mpr, frame = self.state.planes.mpr, self.frame()
        shown = self.state.display.layout == "mpr" and mpr is not None and frame is not None
        index = self.state.planes.index(self.view)
        for other, line in self.lines.items():
            ends = mpr.intersection(self.view, index, other, self.state.planes.index(other)) if shown else None  # type: ignore[union-attr]
            if ends is None or frame is None:
                line.setVisible(False)
                continue
            x, y = frame.xy(np.array(ends))
            line.setData(x, y)
            line.setVisible(True)

    def visible_lines(self) -> dict[View, tuple[np.ndarray, np.ndarray]]:
        """The lines on screen as view (x, y) arrays, by the view they stand for (tests read them)."""
        return {other: line.getData() for other, line in self.lines.items() if line.isVisible()}
