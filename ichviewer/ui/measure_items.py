"""One measurement drawn on a view as pyqtgraph items: editable handles on its points and a label with its value.

Lengths are line segments, angles and midline shifts open polylines (the midline's perpendicular
from the septum dashed), ellipses a box-handled ellipse, freehand regions closed polylines, ABC/2
its two diameters, a seeded region its seed (movable) and its outline on this image, with its box
while it is selected. Dragging a handle ends in `on_edit(measurement, points)` (image pixels) and
resizing a selected region's box by its corners in `on_box(measurement, rows, cols)`; the caller
measures again. Only handles move: a press inside a shape still draws or drags the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg

from ichviewer.core.measure import Measurement
from ichviewer.core.measurement_report import image_label
from ichviewer.core.mpr import Mpr, Pixel
from ichviewer.ui.view_pixels import PixelFrame

COLOUR = "#ffd24d"
SELECTED = "#ff8c1a"
REGION = "#ff5cf0"

OnEdit = Callable[[Measurement, list[Pixel]], None]
OnBox = Callable[[Measurement, tuple[int, int], tuple[int, int]], None]


class _FixedPolyLine(pg.PolyLineROI):
    """A polyline whose vertices move but are never added or removed (angles and midlines have fixed points)."""

    def segmentClicked(self, segment, ev=None, pos=None) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if ev is not None:
            ev.accept()

    def addSegment(self, h1, h2, index=None) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().addSegment(h1, h2, index)
        for handle in (h1, h2):
            handle.setDeletable(False)


class _BoxEllipse(pg.EllipseROI):
    """An axis-aligned ellipse with a handle on two opposite corners of its box (no rotation)."""

    def _addHandles(self) -> None:  # noqa: N802
        self.addScaleHandle([1, 1], [0, 0])
        self.addScaleHandle([0, 0], [1, 1])


class DrawnMeasurement:
    """The items of one measurement on one image, added to `view_box`; `remove()` takes them away."""

    def __init__(
        self,
        view_box: pg.ViewBox,
        m: Measurement,
        frame: PixelFrame,
        selected: bool,
        outlines: Sequence[np.ndarray],
        on_image: bool,
        on_edit: OnEdit,
        on_box: OnBox,
        mpr: Mpr | None,
    ) -> None:
        self.view_box, self.m, self.frame = view_box, m, frame
        self.items: list[pg.GraphicsObject] = []
        self.rois: list[pg.ROI] = []
        self.label: pg.TextItem | None = None
        self._on_edit, self._on_box = on_edit, on_box
        colour = SELECTED if selected else COLOUR
        pen = pg.mkPen(colour, width=2.5 if selected else 1.6)
        if outlines:
            self._outline(outlines, selected)
        if on_image:
            self._shape(pen, mpr)
            self._label(colour)
        if selected and m.kind == "region" and m.placement.view == "axial" and on_image:
            self._box()

    # --- building ---------------------------------------------------------------------------------
    def _xy(self, pixels: Sequence[Pixel]) -> list[tuple[float, float]]:
        return [self.frame.to_view(r, c) for r, c in pixels]

    def _add(self, item: pg.GraphicsObject) -> pg.GraphicsObject:
        item.setZValue(30)
        self.view_box.addItem(item, ignoreBounds=True)
        self.items.append(item)
        return item

    def _roi(self, roi: pg.ROI, finished: Callable[[], None]) -> None:
        roi.sigRegionChangeFinished.connect(lambda *_: finished())
        self._add(roi)
        self.rois.append(roi)

    def _shape(self, pen: pg.QtGui.QPen, mpr: Mpr | None) -> None:
        m, points = self.m, self.m.placement.points
        if m.kind in ("length", "abc"):
            for pair in (points[:2], points[2:4]) if m.kind == "abc" else (points,):
                self._roi(pg.LineSegmentROI(self._xy(pair), pen=pen, movable=False), self._edited)
        elif m.kind in ("angle", "midline", "polygon"):
            roi = _FixedPolyLine(self._xy(points), closed=m.kind == "polygon", pen=pen, movable=False)
            self._roi(roi, self._edited)
            if m.kind == "midline" and mpr is not None:
                self._perpendicular(mpr)
        elif m.kind == "ellipse":
            (x0, y0), (x1, y1) = self._xy(points)
            roi = _BoxEllipse(
                (min(x0, x1), min(y0, y1)), (abs(x1 - x0), abs(y1 - y0)), pen=pen, movable=False, rotatable=False
            )
            self._roi(roi, self._edited)
        elif m.kind == "region":
            target = pg.TargetItem(pos=self._xy(points)[0], size=11, pen=pen, movable=True)
            target.sigPositionChangeFinished.connect(lambda *_: self._edited())
            self._add(target)

    def _perpendicular(self, mpr: Mpr) -> None:
        """The septum's distance to the midline, dashed, from the septum to its foot on the line."""
        where = self.m.placement
        foot = mpr.patient_to_view(np.array(self.m.shift.foot), where.view)
        xs, ys = zip(*self._xy([where.points[2], (foot.row, foot.col)]), strict=True)
        self._add(
            pg.PlotCurveItem(list(xs), list(ys), pen=pg.mkPen(COLOUR, width=1.2, style=pg.QtCore.Qt.PenStyle.DashLine))
        )

    def _outline(self, outlines: Sequence[np.ndarray], selected: bool) -> None:
        xs, ys = [], []
        for polygon in outlines:
            x, y = self.frame.xy(np.vstack([polygon, polygon[:1]]))
            xs += [*x, np.nan]
            ys += [*y, np.nan]
        pen = pg.mkPen(REGION, width=2.2 if selected else 1.4)
        self._add(pg.PlotCurveItem(np.array(xs), np.array(ys), pen=pen, connect="finite"))

    def _label(self, colour: str) -> None:
        text = pg.TextItem(image_label(self.m), color=colour, anchor=(0, 1), fill=pg.mkBrush(0, 0, 0, 150))
        r, c = min(self.m.placement.points)  # above the topmost point
        x, y = self.frame.to_view(r, c)
        text.setPos(x, y - 2 * self.frame.row_mm)
        self._add(text)
        self.label = text

    def _box(self) -> None:
        """A seeded region's box (rows and columns; slices in the panel) as a rectangle with corner handles."""
        bleed = self.m.bleed
        if bleed is None or bleed.box is None:
            return
        _, (r0, r1), (c0, c1) = bleed.box
        f = self.frame
        roi = pg.RectROI(
            (c0 * f.col_mm, r0 * f.row_mm),
            ((c1 - c0) * f.col_mm, (r1 - r0) * f.row_mm),
            pen=pg.mkPen(REGION, style=pg.QtCore.Qt.PenStyle.DashLine),
            movable=False,
        )
        roi.addScaleHandle([0, 0], [1, 1])
        self._roi(roi, lambda: self._boxed(roi))

    # --- edits ------------------------------------------------------------------------------------
    def points(self) -> list[Pixel]:
        """The measurement's points as the handles now stand, in image pixels."""
        if self.m.kind == "region":
            target = next(item for item in self.items if isinstance(item, pg.TargetItem))
            position = target.pos()
            return [self.frame.to_pixel(position.x(), position.y())]
        if self.m.kind == "ellipse":
            roi = self.rois[0]
            (x, y), (w, h) = roi.pos(), roi.size()
            return [self.frame.to_pixel(x, y), self.frame.to_pixel(x + w, y + h)]
        points: list[Pixel] = []
        for roi in self.rois:
            if isinstance(roi, pg.RectROI):
                continue
            for handle in roi.getHandles():
                where = roi.mapToParent(handle.pos())
                points.append(self.frame.to_pixel(where.x(), where.y()))
        return points

    def _edited(self) -> None:
        self._on_edit(self.m, self.points())

    def _boxed(self, roi: pg.RectROI) -> None:
        (x, y), (w, h) = roi.pos(), roi.size()
        f = self.frame
        rows = (round(y / f.row_mm), round((y + h) / f.row_mm))
        cols = (round(x / f.col_mm), round((x + w) / f.col_mm))
        self._on_box(self.m, rows, cols)

    def remove(self) -> None:
        for item in self.items:
            self.view_box.removeItem(item)
        self.items, self.rois = [], []
