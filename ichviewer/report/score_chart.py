"""The per-slice score chart drawn with QPainter: vector lines, sharp at any print size.

Used by the PDF; the viewer draws the same data live with pyqtgraph.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

from ichviewer.core.labels import label
from ichviewer.core.results import StudyResult
from ichviewer.core.slice_ticks import slice_ticks

FEW_SLICES = 3


def draw_score_chart(painter: QPainter, rect: QRectF, result: StudyResult, font: QFont, unit: float) -> None:
    """Scores of every label along the slices in `rect`; `unit` is one typographic point in device pixels."""
    painter.save()
    small = QFont(font)
    small.setPointSizeF(7)
    painter.setFont(small)
    metrics_h = 10 * unit
    plot = QRectF(
        rect.left() + 30 * unit,
        rect.top() + 4 * unit,
        rect.width() - 34 * unit,
        rect.height() - 3 * metrics_h - 10 * unit,
    )
    n = result.n_slices

    def x_of(index: float) -> float:
        """The centre of slice `index`'s column: n equal columns fill the plot, one slice included."""
        return plot.left() + (index + 0.5) / max(n, 1) * plot.width()

    def y_of(score: float) -> float:
        return plot.bottom() - score * plot.height()

    flagged = result.slice_flags()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 77, 77, 40))
    half = plot.width() / max(n, 1) / 2
    for i in np.flatnonzero(flagged):
        painter.drawRect(QRectF(x_of(i) - half, plot.top(), 2 * half, plot.height()))

    grid = QPen(QColor(200, 200, 200), 0.4 * unit)
    painter.setPen(grid)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for score in (0.0, 0.25, 0.5, 0.75, 1.0):
        painter.drawLine(QPointF(plot.left(), y_of(score)), QPointF(plot.right(), y_of(score)))
        painter.setPen(QColor(60, 60, 60))
        painter.drawText(
            QRectF(rect.left(), y_of(score) - 5 * unit, 26 * unit, 10 * unit),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"{score:.2f}",
        )
        painter.setPen(grid)
    painter.setPen(QColor(60, 60, 60))
    for tick in slice_ticks(n, 12):
        painter.drawText(
            QRectF(x_of(tick - 1) - 12 * unit, plot.bottom() + 2 * unit, 24 * unit, metrics_h),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            str(tick),
        )
    painter.drawText(
        QRectF(plot.left(), plot.bottom() + 3 * unit + metrics_h, plot.width(), metrics_h),
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
        "slice (1 = most inferior); shaded: slices over a threshold",
    )

    for key in result.labels[::-1]:  # "any" drawn last, on top
        colour = QColor(label(key).colour).darker(115)
        is_any = key == "any"
        column = result.column(key)
        path = QPainterPath(QPointF(x_of(0), y_of(float(column[0]))))
        for i in range(1, n):
            path.lineTo(QPointF(x_of(i), y_of(float(column[i]))))
        painter.setPen(QPen(colour, (1.6 if is_any else 0.8) * unit))
        painter.drawPath(path)
        if n <= FEW_SLICES:  # a line needs two points: each score is a dot as well
            painter.setBrush(colour)
            for i in range(n):
                painter.drawEllipse(QPointF(x_of(i), y_of(float(column[i]))), 2 * unit, 2 * unit)
            painter.setBrush(Qt.BrushStyle.NoBrush)
    threshold = result.threshold("any") if "any" in result.labels else 0.5
    dashed = QPen(QColor(label("any").colour).darker(115), 0.8 * unit, Qt.PenStyle.DashLine)
    painter.setPen(dashed)
    painter.drawLine(QPointF(plot.left(), y_of(threshold)), QPointF(plot.right(), y_of(threshold)))

    legend_x = plot.left()
    legend_y = plot.bottom() + 6 * unit + 2 * metrics_h
    for key in result.labels:
        painter.setPen(QPen(QColor(label(key).colour).darker(115), 2 * unit))
        painter.drawLine(QPointF(legend_x, legend_y + 4 * unit), QPointF(legend_x + 10 * unit, legend_y + 4 * unit))
        painter.setPen(QColor(30, 30, 30))
        text = label(key).name
        painter.drawText(
            QRectF(legend_x + 12 * unit, legend_y - 1 * unit, 80 * unit, metrics_h), Qt.AlignmentFlag.AlignLeft, text
        )
        legend_x += 22 * unit + painter.fontMetrics().horizontalAdvance(text)
    painter.setPen(dashed)
    painter.drawLine(QPointF(legend_x, legend_y + 4 * unit), QPointF(legend_x + 10 * unit, legend_y + 4 * unit))
    painter.setPen(QColor(30, 30, 30))
    painter.drawText(
        QRectF(legend_x + 12 * unit, legend_y - 1 * unit, 120 * unit, metrics_h),
        Qt.AlignmentFlag.AlignLeft,
        f"threshold (any) {threshold:.2f}",
    )
    painter.restore()
