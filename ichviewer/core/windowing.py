"""Window/level: the linear grey ramp from `Window.lower` to `Window.upper` Hounsfield units.

`apply_window` (a lookup table, int16 → uint8) makes the grey of thumbnails, the PDF and
training's check images; `window_unit` makes the model's float channels. The screen calls
neither: the slice view gives pyqtgraph the int16 slice with `(lower, upper)` as its levels,
and pyqtgraph maps that range to grey when it paints, so a W/L change re-windows nothing in
Python. One ramp everywhere; pyqtgraph may round a pixel to the next grey level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

ArrayT = TypeVar("ArrayT")

AIR_HU = -1024  # the floor of the HU scale as stored: air, padding, outside the scan field


@dataclass(frozen=True)
class Window:
    """A linear grey ramp from `level - width/2` (black) to `level + width/2` (white), in HU."""

    level: float
    width: float
    name: str = "custom"

    def __post_init__(self) -> None:
        if not self.width >= 1:
            raise ValueError(f"window width must be at least 1 HU, got {self.width}")

    @property
    def lower(self) -> float:
        return self.level - self.width / 2

    @property
    def upper(self) -> float:
        return self.level + self.width / 2

    @property
    def title(self) -> str:
        """What an overlay shows, e.g. 'Brain  L 40  W 80'."""
        return f"{self.name.capitalize()}  L {self.level:g}  W {self.width:g}"

    def with_level_width(self, level: float, width: float) -> Window:
        """A custom window (after a drag or typed values), width kept at least 1 HU."""
        return Window(float(level), max(1.0, float(width)), "custom")


SCANNER = "scanner"  # not a preset: the series' own window, which it may or may not state

PRESETS: dict[str, Window] = {
    "brain": Window(40, 80, "brain"),
    "subdural": Window(80, 200, "subdural"),
    "bone": Window(600, 2800, "bone"),
    "stroke": Window(40, 40, "stroke"),
}


def preset(name: str) -> Window:
    """Return a preset by name; raise KeyError listing the presets otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown window {name!r}; presets: {', '.join(PRESETS)}") from None


def scanner_window(center: float | None, width: float | None) -> Window | None:
    """The series' own (0028,1050) Window Center / (0028,1051) Window Width, if usable."""
    if center is None or width is None or not np.isfinite(center) or not width >= 1:
        return None
    return Window(float(center), float(width), "scanner")


@lru_cache(maxsize=64)
def _lut(lower: float, upper: float) -> np.ndarray:
    """256 grey levels for every int16 value, indexed by the value's uint16 bit pattern."""
    values = np.arange(65536, dtype=np.uint16).view(np.int16).astype(np.float32)
    grey = (values - lower) * (255.0 / (upper - lower))
    lut = np.clip(np.rint(grey), 0, 255).astype(np.uint8)
    lut.setflags(write=False)
    return lut


def apply_window(hu: np.ndarray, window: Window) -> np.ndarray:
    """Window an int16 HU array of any shape to uint8 (≈1 ms for 512², no float copy)."""
    if hu.dtype != np.int16:
        raise TypeError(f"expected int16 HU, got {hu.dtype}")
    return _lut(window.lower, window.upper)[np.ascontiguousarray(hu).view(np.uint16)]


def window_stack(hu: np.ndarray, windows: Sequence[Window]) -> np.ndarray:
    """Stack windows as channels: (..., y, x) int16 → (..., C, y, x) uint8 (thumbnails, PDF)."""
    return np.stack([apply_window(hu, w) for w in windows], axis=-3)


def window_unit(hu: ArrayT, windows: Sequence[Window]) -> ArrayT:
    """The model's channels: the same ramps on float HU, 0..1, (..., y, x) → (..., C, y, x).

    Works on numpy arrays and torch tensors alike (training windows on the GPU), so the model
    sees exactly what inference computes.
    """
    values: Any = hu  # numpy array or torch tensor: both have `-`, `/` and `clip`
    ramps = [((values - w.lower) / w.width).clip(0.0, 1.0) for w in windows]
    if hasattr(hu, "detach"):  # torch.Tensor, without importing torch here
        import torch

        return torch.stack(ramps, dim=-3)  # type: ignore[return-value]
    return np.stack(ramps, axis=-3)  # type: ignore[return-value]
