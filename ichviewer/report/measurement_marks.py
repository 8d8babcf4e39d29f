"""Measurements drawn on an image of the PDF: each shape over the pixels it was placed on, with its number and value.

`ImageSpan` says which image pixels a rectangle of the page shows (a key slice's head crop or a
whole reformat), so the marks land where the reader put them in the viewer. Seeded regions are
outlined on every image they touch; the other measurements only on the image they were made on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF

from ichviewer.core.measure import Measurement
from ichviewer.core.mpr import Mpr, View
from ichviewer.core.region_outlines import RegionOutlines
from ichviewer.core.volume import CTVolume

LINE = QColor(255, 200, 40)
REGION = QColor(255, 70, 220)
TAG_BACK = QColor(0, 0, 0, 170)


@dataclass(frozen=True)
class ImageSpan:
    """A page rectangle showing image pixels from edge (top, left) over (rows × cols) pixels."""

    rect: QRectF
    top: float
    left: float
    rows: float
    cols: float

    def point(self, row: float, col: float) -> QPointF:
        """Page position of a pixel position (integers at pixel centres)."""
        x = self.rect.left() + (col + 0.5 - self.left) / self.cols * self.rect.width()
        y = self.rect.top() + (row + 0.5 - self.top) / self.rows * self.rect.height()
        return QPointF(x, y)


def draw_marks(
    painter: QPainter,
    span: ImageSpan,
    numbered: Sequence[tuple[int, Measurement]],
    view: View,
    index: int,
    volume: CTVolume,
    mpr: Mpr | None,
    outlines: RegionOutlines,
    font: QFont,
    unit: float,
) -> int:
    """Draw the measurements that belong on image `index` of `view`; returns how many were drawn."""
    painter.save()
    painter.setClipRect(span.rect)
    painter.setFont(font)
    drawn = 0
    for number, m in numbered:
        on_image = m.placement.view == view and m.placement.index == index
        if m.kind == "region":
            polygons = outlines.outlines(volume, mpr, m, view, index)
            painter.setPen(QPen(REGION, 1.2 * unit))
            for polygon in polygons:
                painter.drawPolygon(QPolygonF([span.point(r, c) for r, c in np.asarray(polygon)]))
            on_image = on_image or bool(polygons)
        if not on_image:
            continue
        drawn += 1
        painter.setPen(QPen(LINE, 1.2 * unit))
        points = [span.point(r, c) for r, c in m.placement.points]
        _shape(painter, m, points, span, mpr, unit)
        _tag(painter, f"{number}", points, unit)
    painter.restore()
    return drawn


def _shape(
    painter: QPainter, m: Measurement, points: list[QPointF], span: ImageSpan, mpr: Mpr | None, unit: float
) -> None:
    if m.kind == "length":
        painter.drawLine(points[0], points[1])
    elif m.kind == "abc":
        painter.drawLine(points[0], points[1])
        painter.drawLine(points[2], points[3])
    elif m.kind in ("angle", "midline"):
        painter.drawPolyline(QPolygonF(points))
        if m.kind == "midline" and mpr is not None:
            foot = mpr.patient_to_view(np.array(m.shift.foot), m.placement.view)
            painter.setPen(QPen(LINE, 0.8 * unit, Qt.PenStyle.DashLine))
            painter.drawLine(points[2], span.point(foot.row, foot.col))
    elif m.kind == "polygon":
        painter.drawPolygon(QPolygonF(points))
    elif m.kind == "ellipse":
        painter.drawEllipse(QRectF(points[0], points[1]).normalized())
    elif m.kind == "region":
        size = 3 * unit
        painter.drawLine(points[0] - QPointF(size, 0), points[0] + QPointF(size, 0))
        painter.drawLine(points[0] - QPointF(0, size), points[0] + QPointF(0, size))


def _tag(painter: QPainter, text: str, points: list[QPointF], unit: float) -> None:
    """The measurement's number in a small dark box above its topmost point."""
    top = min(points, key=lambda p: p.y())
    box = painter.boundingRect(QRectF(top.x(), top.y(), 0, 0), int(Qt.AlignmentFlag.AlignLeft), text)
    box = box.adjusted(-1.5 * unit, -1 * unit, 1.5 * unit, 1 * unit)
    box.moveBottomLeft(QPointF(top.x() + 2 * unit, top.y() - 2 * unit))
    painter.fillRect(box, TAG_BACK)
    painter.setPen(LINE)
    painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
