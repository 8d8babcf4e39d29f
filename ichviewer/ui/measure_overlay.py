"""The measurements on one view: those placed on the image on screen, and seeded regions touching it.

Subscribed to the measurement list, the selection, the view's image index and the volume; items
are rebuilt only when what this image shows changed (scrolling past images without measurements
costs a comparison). A change of the list may come from a handle being dragged on this very view,
so those rebuilds wait for the event loop (the item is not deleted inside its own signal).
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, QTimer

from ichviewer.core.measure import Measurement
from ichviewer.core.mpr import View
from ichviewer.core.region_outlines import RegionOutlines
from ichviewer.core.state import ViewerState
from ichviewer.ui.measure_items import DrawnMeasurement, OnBox, OnEdit
from ichviewer.ui.view_pixels import PixelFrame


class MeasureOverlay(QObject):
    """Draws `state.measurements` that belong on the image `view` shows."""

    def __init__(
        self,
        state: ViewerState,
        view: View,
        view_box: pg.ViewBox,
        frame: Callable[[], PixelFrame | None],
        outlines: RegionOutlines,
        on_edit: OnEdit,
        on_box: OnBox,
    ) -> None:
        super().__init__(view_box)
        self.state, self.view, self.view_box, self.frame, self.outlines = state, view, view_box, frame, outlines
        self.on_edit, self.on_box = on_edit, on_box
        self.drawn: list[DrawnMeasurement] = []
        self._shown: tuple[object, ...] = ()
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.refresh)
        state.measurements.events.history.connect(lambda _: self._later.start())
        state.measurements.events.selected.connect(lambda _: self._later.start())
        state.planes.events.indices.connect(lambda _: self.refresh())
        state.events.volume.connect(lambda _: self.refresh())
        state.display.events.show_overlays.connect(lambda _: self.refresh())
        state.display.events.layout.connect(lambda _: self.refresh())

    def ids(self) -> list[str]:
        """Measurements drawn now (with their points or as an outline), in list order."""
        return [d.m.id for d in self.drawn]

    def redraw(self) -> None:
        """Build the items again even if the list did not change (after the event loop)."""
        self._shown = ()
        self._later.start()

    def refresh(self) -> None:
        volume, mpr, frame = self.state.volume, self.state.planes.mpr, self.frame()
        index = self.state.planes.index(self.view)
        selected = self.state.measurements.selected
        wanted: list[tuple[Measurement, bool, list]] = []
        widget = self.view_box.getViewWidget()
        shown = widget is not None and widget.isVisible()  # a hidden reformat view does no work
        if volume is not None and frame is not None and self.state.display.show_overlays and shown:
            for m in self.state.measurements.items:
                on_image = m.placement.view == self.view and m.placement.index == index
                outlines = self.outlines.outlines(volume, mpr, m, self.view, index) if m.kind == "region" else []
                if on_image or outlines:
                    wanted.append((m, on_image, outlines))
        drawn = (index, selected, frame, tuple((m, on_image, len(outlines)) for m, on_image, outlines in wanted))
        if drawn == self._shown:
            return
        self._shown = drawn
        for drawn in self.drawn:
            drawn.remove()
        self.drawn = [
            DrawnMeasurement(
                self.view_box, m, frame, m.id == selected, outlines, on_image, self.on_edit, self.on_box, mpr
            )
            for m, on_image, outlines in wanted
            if frame is not None
        ]
        self._unstack_labels()

    def _unstack_labels(self) -> None:
        """Move a value label up past the labels already placed that it would cover (measurements close together)."""
        placed: list[QRectF] = []
        _, pixel_height = self.view_box.viewPixelSize()
        for drawn in self.drawn:
            label = drawn.label
            if label is None:
                continue
            for _ in range(len(placed)):
                rect = label.sceneBoundingRect()
                if not any(rect.intersects(other) for other in placed):
                    break
                label.setPos(label.pos().x(), label.pos().y() - (rect.height() + 2) * pixel_height)
            placed.append(label.sceneBoundingRect())
