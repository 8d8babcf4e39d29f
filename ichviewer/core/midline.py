"""Midline shift: how far the septum pellucidum lies from the ideal midline, and towards which side.

The reader marks the ideal midline by its anterior and posterior falx attachments and then the
septum pellucidum; the shift is the septum's perpendicular distance from that line, in mm on
the patient geometry (DICOM LPS: +x is the patient's left), signed towards the patient's left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

PATIENT_LEFT = np.array([1.0, 0.0, 0.0])  # LPS
NO_SHIFT_MM = 0.05  # below this the side is not stated

Side = Literal["left", "right", "none"]


@dataclass(frozen=True)
class Shift:
    """Signed shift (+ towards the patient's left), the side in words, and the foot of the perpendicular (mm)."""

    signed_mm: float
    side: Side
    foot: tuple[float, float, float]

    @property
    def mm(self) -> float:
        return abs(self.signed_mm)

    @property
    def text(self) -> str:
        """'4.2 mm towards the patient's left', as a panel or report shows it."""
        if self.side == "none":
            return f"{self.mm:.1f} mm (no shift)"
        return f"{self.mm:.1f} mm towards the patient's {self.side}"


def midline_shift(anterior: np.ndarray, posterior: np.ndarray, septum: np.ndarray) -> Shift:
    """The septum's perpendicular distance from the line through the falx attachments (patient mm, LPS)."""
    anterior, posterior, septum = (np.asarray(p, dtype=float) for p in (anterior, posterior, septum))
    axis = posterior - anterior
    length = float(np.linalg.norm(axis))
    if length < 1e-6:
        raise ValueError("the anterior and posterior falx points coincide: the midline is undefined")
    axis /= length
    foot = anterior + ((septum - anterior) @ axis) * axis
    offset = septum - foot
    left = PATIENT_LEFT - (PATIENT_LEFT @ axis) * axis  # the patient's left, across the midline
    distance = float(np.linalg.norm(offset))
    signed = distance if offset @ left >= 0 else -distance
    side: Side = "none" if distance < NO_SHIFT_MM else ("left" if signed > 0 else "right")
    return Shift(signed, side, (float(foot[0]), float(foot[1]), float(foot[2])))
