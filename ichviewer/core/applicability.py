"""Whether the hemorrhage model may judge a series at all, and if not, why ("AI not applicable: …").

The model knows non-contrast axial head CT in a soft-tissue kernel covering the brain. It must
not answer for a plastic phantom, a scout, a bone-kernel-only series, body CT or a series of a
few centimetres: its scores there mean nothing, and a reader would take them at face value.
Checked from the headers and a few slices' HU (milliseconds), before any scoring.
"""

from __future__ import annotations

import numpy as np

from ichviewer.core.preprocess import head_region
from ichviewer.core.volume import CTVolume

MIN_COVERAGE_MM = 50.0  # a head CT covers 120–180 mm; a few centimetres is a localised or partial scan
MAX_HEAD_WIDTH_MM = 300.0  # wider than any head: body or neck CT
MIN_BRAIN_FRACTION = 0.25  # share of the head's pixels at 15–50 HU (grey and white matter) in the mid stack
BRAIN_HU = (15, 50)
SAMPLES = 8  # slices of the middle half looked at
STEP = 2  # every 2nd pixel


class NotApplicable(Exception):
    """The series is not one the model can judge; the message says why, in a reader's words."""


def applicability_problem(volume: CTVolume) -> str | None:
    """Why the model must not judge `volume`, or None when it may."""
    series = volume.series
    orientation = series.orientation_label
    if orientation not in ("axial", "unknown"):
        return f"a {orientation} series (the model reads axial slices)"
    coverage = float(np.ptp(volume.geometry.slice_positions)) + float(volume.geometry.spacing or 0.0)
    if volume.n_slices < 2 or coverage < MIN_COVERAGE_MM:
        return f"the series covers {coverage:.0f} mm along the head (at least {MIN_COVERAGE_MM:.0f} mm needed)"
    if series.looks_like_bone_kernel:
        return "a sharp (bone) reconstruction kernel; the model reads soft-tissue (brain) kernels"
    width, brain = _head_measures(volume)
    if width > MAX_HEAD_WIDTH_MM:
        return f"the body is {width:.0f} mm wide, wider than a head (body or neck CT?)"
    if brain < MIN_BRAIN_FRACTION:
        return (
            f"only {100 * brain:.0f} % of the scanned object is brain-like tissue ({BRAIN_HU[0]}–{BRAIN_HU[1]} HU): "
            "a phantom, or not a head CT"
        )
    return None


def _head_measures(volume: CTVolume) -> tuple[float, float]:
    """(widest head extent in mm, median brain-tissue share of the head) over slices of the middle half."""
    n = volume.n_slices
    picks = np.unique(np.linspace(n // 4, max(n // 4, 3 * n // 4 - 1), SAMPLES).round().astype(int))
    pixel_mm = float(np.mean(volume.geometry.pixel_spacing)) * STEP
    widths, shares = [0.0], []
    for k in picks:
        hu = volume.hu[k, ::STEP, ::STEP]
        region = head_region(hu)
        if not region.any():
            continue
        rows, cols = np.flatnonzero(region.any(axis=1)), np.flatnonzero(region.any(axis=0))
        widths.append(max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) * pixel_mm)
        inside = hu[region]
        shares.append(float(((inside >= BRAIN_HU[0]) & (inside <= BRAIN_HU[1])).mean()))
    return max(widths), float(np.median(shares)) if shares else 0.0
