"""8-bit brain-window images ↔ HU: the reconstruction of PNG sources and its simulation on real HU.

`head_ct` and `rsna_png` are slices already windowed to 8 bits (about L40/W80). We read them
back as HU on the brain window's ramp, with near-black pixels (JPEG noise in the air) set to
air. `brain_window_only` does the same to real HU through a given (jittered) window, so the
"reconstructed" look is produced for every source and cannot tell the network which source,
and hence which label prior, an image comes from. Works on numpy arrays and torch tensors.
"""

from __future__ import annotations

from typing import TypeVar

from ichviewer.core.windowing import AIR_HU, PRESETS

ArrayT = TypeVar("ArrayT")

BRAIN = PRESETS["brain"]  # the window the PNGs are read back through (L40/W80: 0..80 HU)
BLACK_LEVEL = 10  # grey values below this are air (JPEG noise in the black around the head)


def grey_to_hu(grey: ArrayT) -> ArrayT:
    """HU of 8-bit brain-window grey values: v < 10 → air, else L + (v/255 − 0.5)·W (float)."""
    hu = BRAIN.level + (grey / 255.0 - 0.5) * BRAIN.width  # type: ignore[operator]
    return _where(grey < BLACK_LEVEL, AIR_HU, hu)  # type: ignore[operator]


def brain_window_only(hu: ArrayT, lower: ArrayT | float, width: ArrayT | float) -> ArrayT:
    """What real HU look like after an 8-bit export through window [lower, lower+width] and `grey_to_hu`."""
    grey = (((hu - lower) / width).clip(0.0, 1.0) * 255.0).round()  # type: ignore[operator]
    return grey_to_hu(grey)


def _where(condition: ArrayT, value: float, other: ArrayT) -> ArrayT:
    if hasattr(other, "detach"):  # torch.Tensor, without importing torch here
        return other.masked_fill(condition, value)  # type: ignore[attr-defined,no-any-return]
    import numpy as np

    return np.where(condition, value, other)  # type: ignore[return-value]
