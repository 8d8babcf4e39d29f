"""How Grad-CAM heatmaps look, the same on screen, in the PDF and in training's check grids.

The perceptual 'turbo' map (Google, Apache-2.0; the table in resources/colormaps/turbo.csv),
with opacity rising with the heat and nothing drawn below HEAT_FLOOR, so the brain stays
readable under the overlay. Plain numpy: the viewer hands the table to pyqtgraph as a LUT.
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache

import numpy as np

HEAT_FLOOR = 0.2  # heat below this (of the slice's maximum) is not drawn


@lru_cache(maxsize=1)
def turbo_rgb() -> np.ndarray:
    """(256, 3) float RGB in 0..1: the turbo colour map resampled to 256 entries."""
    path = importlib.resources.files("ichviewer") / "resources" / "colormaps" / "turbo.csv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith(";")]
    table = np.array([[float(v) for v in line.split(",")] for line in lines], dtype=np.float64)
    where = np.linspace(0.0, 1.0, len(table))
    x = np.linspace(0.0, 1.0, 256)
    return np.stack([np.interp(x, where, table[:, c]) for c in range(3)], axis=1)


@lru_cache(maxsize=32)
def heat_lut(opacity: float) -> np.ndarray:
    """(256, 4) uint8 RGBA lookup table for heat 0..1 at the given overall opacity."""
    lut = np.empty((256, 4), dtype=np.float64)
    lut[:, :3] = 255 * turbo_rgb()
    ramp = np.clip((np.linspace(0, 1, 256) - HEAT_FLOOR) / (1 - HEAT_FLOOR), 0, 1)
    lut[:, 3] = 255 * opacity * np.sqrt(ramp)
    out = np.rint(lut).astype(np.uint8)
    out.setflags(write=False)
    return out


def heat_levels(heat: np.ndarray) -> np.ndarray:
    """uint8 (y, x): heat 0..1 as the index into `heat_lut` (the viewer keeps maps in this form)."""
    return np.clip(np.rint(heat * 255.0), 0, 255).astype(np.uint8)


def blend(grey: np.ndarray, heat: np.ndarray, opacity: float) -> np.ndarray:
    """RGB uint8 (y, x, 3): a uint8 grey image with the heatmap (0..1) alpha-blended on top."""
    lut = heat_lut(round(float(opacity), 3))
    rgba = lut[heat_levels(heat)].astype(np.float32)
    alpha = rgba[..., 3:4] / 255.0
    base = np.repeat(grey[..., None].astype(np.float32), 3, axis=2)
    return np.rint(base * (1 - alpha) + rgba[..., :3] * alpha).astype(np.uint8)
