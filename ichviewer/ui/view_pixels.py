"""Image pixels ↔ view box coordinates: every view draws its image in mm, one pixel = its size in mm.

Core measures in image pixels with integers at pixel centres (row, col); a view box has x to the
right and y down in mm from the image's outer corner. Items drawn over an image (crosshair,
measurements, outlines) go through here so they sit exactly on the pixels they mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PixelFrame:
    """One image's pixel size: (mm per row, mm per column)."""

    row_mm: float
    col_mm: float

    def to_view(self, row: float, col: float) -> tuple[float, float]:
        """View (x, y) of a pixel position."""
        return (col + 0.5) * self.col_mm, (row + 0.5) * self.row_mm

    def to_pixel(self, x: float, y: float) -> tuple[float, float]:
        """Pixel (row, col) of a view position."""
        return y / self.row_mm - 0.5, x / self.col_mm - 0.5

    def xy(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """View x and y arrays of (k, 2) (row, col) pixel positions."""
        pixels = np.asarray(pixels, dtype=float).reshape(-1, 2)
        return (pixels[:, 1] + 0.5) * self.col_mm, (pixels[:, 0] + 0.5) * self.row_mm


VIEW_COLOURS = {"axial": "#f0c419", "coronal": "#3aa7ff", "sagittal": "#3fd07a"}  # each view's lines on the others
