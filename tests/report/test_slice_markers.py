"""Orientation letters on the PDF's key images: one at each edge, light on a dark image."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from ichviewer.qt_setup import ensure_gui_application, load_fonts
from ichviewer.report.slice_markers import draw_edge_letters


def test_a_letter_at_each_edge_and_none_in_the_middle() -> None:
    ensure_gui_application()
    image = QImage(300, 300, QImage.Format.Format_RGB32)
    image.fill(QColor(0, 0, 0))
    painter = QPainter(image)
    draw_edge_letters(
        painter, QRectF(0, 0, 300, 300), {"left": "R", "right": "L", "top": "A", "bottom": "P"}, QFont(load_fonts()), 24
    )
    painter.end()
    grey = np.array([[QColor(image.pixel(x, y)).value() for x in range(0, 300, 2)] for y in range(0, 300, 2)])
    bright = grey > 200
    edge = {
        "left": bright[60:90, :20],
        "right": bright[60:90, -20:],
        "top": bright[:20, 60:90],
        "bottom": bright[-20:, 60:90],
    }
    assert all(region.any() for region in edge.values()), {k: int(v.sum()) for k, v in edge.items()}
    assert not bright[40:110, 40:110].any()
