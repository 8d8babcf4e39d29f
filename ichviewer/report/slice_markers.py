"""Orientation letters drawn at the edges of a key image in the PDF (the viewer's, from core.orientation)."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen


def draw_edge_letters(painter: QPainter, image: QRectF, letters: dict[str, str], font: QFont, size_px: float) -> None:
    """Each edge's letter inside `image`, `size_px` high: light letters outlined in black, readable on bone."""
    scaled = QFont(font)
    scaled.setPixelSize(max(1, round(size_px)))
    metrics = QFontMetricsF(scaled)
    inset = size_px / 3
    inner = image.adjusted(inset, inset, -inset, -inset)
    outline, fill = QPen(QColor(0, 0, 0), max(1.0, size_px / 6)), QColor(255, 240, 170)
    painter.save()
    for edge, text in letters.items():
        if not text:
            continue
        width, ascent = metrics.horizontalAdvance(text), metrics.ascent()
        x = {"left": inner.left(), "right": inner.right() - width}.get(edge, inner.center().x() - width / 2)
        y = {"top": inner.top() + ascent, "bottom": inner.bottom() - metrics.descent()}.get(
            edge, inner.center().y() + ascent / 2
        )
        path = QPainterPath()
        path.addText(x, y, scaled, text)
        painter.strokePath(path, outline)  # the outline first, the fill on top: thin strokes keep their light core
        painter.fillPath(path, fill)
    painter.restore()
