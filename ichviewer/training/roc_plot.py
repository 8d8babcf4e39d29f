"""ROC curves of every evaluation set, one panel per set, drawn with QPainter into a PNG (no matplotlib)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from ichviewer.core.labels import LABEL_KEYS, label
from ichviewer.qt_setup import FONT_FAMILY, ensure_gui_application
from ichviewer.training.metrics import auc, roc_curve

if TYPE_CHECKING:
    from ichviewer.training.evaluate import Predictions

PANEL = 460
COLUMNS = 3


def write_roc_png(sets: list[Predictions], path: Path, title: str) -> Path:
    """One panel per set with a curve per label that has positives and negatives; AUC and counts in the legend."""
    ensure_gui_application()
    rows = math.ceil(len(sets) / COLUMNS)
    image = QImage(COLUMNS * PANEL, rows * PANEL + 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(QFont(FONT_FAMILY, 13, QFont.Weight.Bold))
    painter.drawText(QRectF(0, 0, image.width(), 36), Qt.AlignmentFlag.AlignCenter, title)
    for i, predictions in enumerate(sets):
        _panel(painter, QRectF((i % COLUMNS) * PANEL, 40 + (i // COLUMNS) * PANEL, PANEL, PANEL), predictions)
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise OSError(f"{path}: could not write the ROC plot")
    return path


def _panel(painter: QPainter, rect: QRectF, p: Predictions) -> None:
    plot = QRectF(rect.left() + 50, rect.top() + 30, rect.width() - 70, rect.width() - 200)

    def point(fpr: float, tpr: float) -> QPointF:
        return QPointF(plot.left() + fpr * plot.width(), plot.bottom() - tpr * plot.height())

    painter.setFont(QFont(FONT_FAMILY, 10, QFont.Weight.Bold))
    painter.setPen(QColor(20, 20, 20))
    painter.drawText(QRectF(rect.left(), rect.top() + 4, rect.width(), 22), Qt.AlignmentFlag.AlignCenter,
                     f"{p.name} ({len(p.ids)} {p.unit} rows)")
    painter.setFont(QFont(FONT_FAMILY, 8))
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        painter.setPen(QPen(QColor(225, 225, 225), 1))
        painter.drawLine(point(v, 0), point(v, 1))
        painter.drawLine(point(0, v), point(1, v))
        painter.setPen(QColor(80, 80, 80))
        painter.drawText(QRectF(plot.left() - 40, point(0, v).y() - 8, 34, 16), Qt.AlignmentFlag.AlignRight, f"{v:.2f}")
        painter.drawText(QRectF(point(v, 0).x() - 20, plot.bottom() + 2, 40, 16), Qt.AlignmentFlag.AlignCenter, f"{v:.2f}")
    painter.drawText(QRectF(plot.left(), plot.bottom() + 16, plot.width(), 16), Qt.AlignmentFlag.AlignCenter,
                     "1 − specificity")
    painter.save()
    painter.translate(rect.left() + 10, plot.center().y())
    painter.rotate(-90)
    painter.drawText(QRectF(-60, -8, 120, 16), Qt.AlignmentFlag.AlignCenter, "sensitivity")
    painter.restore()
    painter.setPen(QPen(QColor(150, 150, 150), 1, Qt.PenStyle.DashLine))
    painter.drawLine(point(0, 0), point(1, 1))
    legend_y = plot.bottom() + 40
    for k, key in enumerate(LABEL_KEYS):
        known = p.mask[:, k]
        y, s = p.labels[known, k], p.scores[known, k]
        n_pos, n_neg = int((y > 0).sum()), int((y == 0).sum())
        colour = QColor(label(key).colour).darker(120)
        if n_pos and n_neg:
            fpr, tpr = roc_curve(y, s)
            path = QPainterPath(point(fpr[0], tpr[0]))
            for a, b in zip(fpr[1:], tpr[1:]):
                path.lineTo(point(a, b))
            painter.setPen(QPen(colour, 2.4 if key == "any" else 1.4))
            painter.drawPath(path)
            text = f"{label(key).name}: AUC {auc(y, s):.3f}  ({n_pos} pos / {n_neg} neg)"
        elif known.any():
            text = f"{label(key).name}: no AUC ({n_pos} pos / {n_neg} neg)"
        else:
            continue
        painter.setPen(QPen(colour, 3))
        painter.drawLine(QPointF(plot.left(), legend_y + 7), QPointF(plot.left() + 16, legend_y + 7))
        painter.setPen(QColor(30, 30, 30))
        painter.drawText(QRectF(plot.left() + 22, legend_y, plot.width(), 16), Qt.AlignmentFlag.AlignLeft, text)
        legend_y += 17
