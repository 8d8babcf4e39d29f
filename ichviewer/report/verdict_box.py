"""The verdict box at the top of the PDF's first page: the study headline large in its tone's colour, then the
score against the threshold, the flagged slices and the analysed series (`core.verdict_text`).

A grey box with a bar of the tone's colour on its left, so it does not read as the red intended-use
notice below it; as tall as its text, measured before drawing.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen

from ichviewer.core.verdict_text import ALARM, CALM, VerdictText
from ichviewer.report.pdf_canvas import PdfCanvas

TONE_COLOURS = {ALARM: QColor(170, 20, 20), CALM: QColor(20, 110, 40)}
NEUTRAL_COLOUR = QColor(150, 90, 0)  # not applicable: no answer, the reader reads the images alone
HEADLINE_PT, DETAILS_PT = 15.0, 9.5


def draw_verdict_box(canvas: PdfCanvas, y: float, verdict: VerdictText) -> float:
    """Draw the box at `y` across the page; returns where the next block starts."""
    a, pt = canvas.area, canvas.pt
    colour = TONE_COLOURS.get(verdict.tone, NEUTRAL_COLOUR)
    left, width = a.left() + pt(14), a.width() - pt(22)
    details = "\n".join(verdict.details)
    headline_h = canvas.measure(width, verdict.headline, HEADLINE_PT, bold=True)
    details_h = canvas.measure(width, details, DETAILS_PT) if details else 0.0
    box = QRectF(a.left(), y, a.width(), headline_h + details_h + pt(16 + (4 if details else 0)))
    canvas.painter.setPen(QPen(QColor(200, 200, 205), pt(0.8)))
    canvas.painter.setBrush(QColor(246, 246, 248))
    canvas.painter.drawRect(box)
    canvas.painter.setBrush(Qt.BrushStyle.NoBrush)
    canvas.painter.fillRect(QRectF(box.left(), box.top(), pt(5), box.height()), colour)
    top = y + pt(8)
    canvas.text(QRectF(left, top, width, headline_h + pt(2)), verdict.headline, HEADLINE_PT, True, colour)
    if details:
        canvas.text(QRectF(left, top + headline_h + pt(4), width, details_h + pt(2)), details, DETAILS_PT)
    return box.bottom() + pt(10)
