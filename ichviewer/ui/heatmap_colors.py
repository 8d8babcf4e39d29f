"""How Grad-CAM heatmaps look, the same on screen and in the PDF.

The perceptual 'turbo' map from pyqtgraph, with opacity rising with the heat and nothing
drawn below HEAT_FLOOR, so the brain stays readable under the overlay.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg

COLORMAP = "turbo"
HEAT_FLOOR = 0.2  # heat below this (of the slice's maximum) is not drawn


@lru_cache(maxsize=32)
def heat_lut(opacity: float) -> np.ndarray:
    """(256, 4) uint8 RGBA lookup table for heat 0..1 at the given overall opacity."""
    lut = pg.colormap.get(COLORMAP).getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.float32)
    ramp = np.clip((np.linspace(0, 1, 256) - HEAT_FLOOR) / (1 - HEAT_FLOOR), 0, 1)
    lut[:, 3] = 255 * opacity * np.sqrt(ramp)
    out = np.rint(lut).astype(np.uint8)
    out.setflags(write=False)
    return out


def blend(grey: np.ndarray, heat: np.ndarray, opacity: float) -> np.ndarray:
    """RGB uint8 (y, x, 3): a uint8 grey image with the heatmap (0..1) alpha-blended on top."""
    lut = heat_lut(round(float(opacity), 3))
    rgba = lut[np.clip(np.rint(heat * 255), 0, 255).astype(np.uint8)].astype(np.float32)
    alpha = rgba[..., 3:4] / 255.0
    base = np.repeat(grey[..., None].astype(np.float32), 3, axis=2)
    return np.rint(base * (1 - alpha) + rgba[..., :3] * alpha).astype(np.uint8)
