"""Colour legend for the Grad-CAM overlay: the heat colour map as drawn over a brain-window grey."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from ichviewer.core.heatmap_colors import blend

CAPTION = "Grad-CAM: where the model looked — not the outline of a bleed"


class HeatLegend(QWidget):
    """A strip low → high heat, blended over mid-grey exactly as the overlay is, with a caption."""

    def __init__(self, opacity: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opacity = opacity
        self.setMinimumHeight(38)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(CAPTION)

    def set_opacity(self, opacity: float) -> None:
        self.opacity = opacity
        self.update()

    def strip(self, width: int) -> np.ndarray:
        """RGB (1, width, 3): heat 0..1 over a brain-window grey (what the reader sees on tissue)."""
        heat = np.linspace(0.0, 1.0, max(width, 2), dtype=np.float32)[None, :]
        grey = np.full(heat.shape, 110, dtype=np.uint8)
        return np.ascontiguousarray(blend(grey, heat, self.opacity))

    def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        painter = QPainter(self)
        bar = QRectF(40, 2, max(self.width() - 80, 10), 12)
        rgb = self.strip(int(bar.width()))
        image = QImage(rgb.data, rgb.shape[1], 1, rgb.shape[1] * 3, QImage.Format.Format_RGB888)
        painter.drawImage(bar, image)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(QRectF(0, 0, 38, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "low")
        painter.drawText(
            QRectF(bar.right() + 4, 0, 40, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "high"
        )
        painter.setPen(QColor(self.palette().windowText().color()).darker(130))
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(QRectF(0, 18, self.width(), self.height() - 18), flags, CAPTION)
        painter.end()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        """Two caption lines when one does not fit (a narrow dock on a small screen), never a cut caption."""
        lines = 1 if self.fontMetrics().horizontalAdvance(CAPTION) <= self.width() else 2
        height = 20 + lines * self.fontMetrics().lineSpacing()
        if self.minimumHeight() != height:
            self.setMinimumHeight(height)
        super().resizeEvent(event)
