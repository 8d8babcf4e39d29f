"""Images embedded in the PDF: uint8 grey or RGB pixels as a QImage at twice their resolution, smoothly scaled."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage


def embedded_image(pixels: np.ndarray) -> QImage:
    """QImage (own copy) at twice the resolution, smoothly scaled, from grey or RGB uint8."""
    pixels = np.ascontiguousarray(pixels)
    height, width = pixels.shape[:2]
    if pixels.ndim == 2:
        image = QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8)
    else:
        image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.scaled(
        2 * width, 2 * height, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
