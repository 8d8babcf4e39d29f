"""Orientation letters at the image's edges (A/P, R/L, S/I) from (0020,0037) Image Orientation Patient.

The volume's orientation is stored after the display flips (`StackGeometry.orientation`), so the
letters follow what is on screen: for an axial head CT in the radiological convention the
patient's right is on the left edge ("R") and anterior at the top ("A"). An oblique or tilted
direction gets a second letter for its next-largest component (e.g. "AS").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

EDGES = ("left", "right", "top", "bottom")
SECOND_LETTER = 0.2  # a component above this (≈ 12° off the main axis) adds its letter
_LETTERS = (("R", "L"), ("A", "P"), ("I", "S"))  # DICOM LPS: −x right, +x left, −y anterior, +y posterior, ±z


def direction_letters(vector: Sequence[float] | np.ndarray) -> str:
    """The patient direction of an LPS vector: its main letter, and a second one when it is oblique."""
    v = np.asarray(vector, dtype=float)
    norm = float(np.linalg.norm(v))
    if norm < 1e-9:
        return ""
    v = v / norm
    order = np.argsort(-np.abs(v))
    letters = [_LETTERS[axis][int(v[axis] > 0)] for axis in order if abs(v[axis]) > SECOND_LETTER]
    return "".join(letters[:2])


def edge_letters(orientation: Sequence[float] | np.ndarray) -> dict[str, str]:
    """Letters for each screen edge of an image whose columns advance along orientation[:3] (rightwards)
    and rows along orientation[3:] (downwards)."""
    row = np.asarray(orientation[:3], dtype=float)
    column = np.asarray(orientation[3:6], dtype=float)
    return {
        "left": direction_letters(-row),
        "right": direction_letters(row),
        "top": direction_letters(-column),
        "bottom": direction_letters(column),
    }
