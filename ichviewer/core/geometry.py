"""Slice-stack geometry from headers: order along the slice normal, spacing, tilt, display flips.

Follows what 3D Slicer's DICOMScalarVolumePlugin does: keep one orientation and image size,
sort on the position projected on the normal (never on file name or Instance Number alone),
check the spacing with a tolerance, and attach problems as warnings instead of raising.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ichviewer.core.dicom.records import SkippedFile, SliceHeader
from ichviewer.core.dicom.stacks import SAME_POSITION_MM

DUPLICATE_TOLERANCE_MM = SAME_POSITION_MM
SPACING_TOLERANCE = 0.05  # relative deviation from the median spacing still called "even"
ORIENTATION_TOLERANCE = 2e-3  # on direction cosines (≈0.1°); headers round to ~6 digits
TILT_REPORT_DEG = 0.5
ZONE_MIN_GAPS = 3
GAP_FACTOR = 1.5  # a step between slices above this × the median spacing is a gap (slices missing)


@dataclass(frozen=True, eq=False)
class StackGeometry:
    """Where each kept slice sits, in volume order (index 0 = most inferior for axial series).

    `orientation` and `positions` describe the array *after* the display flips, so that
    `positions[k] + row * dy * col_dir + col * dx * row_dir` is the patient point (mm, LPS)
    of pixel (k, row, col) of the volume.
    """

    slices: tuple[SliceHeader, ...]
    rejected: tuple[SkippedFile, ...]
    rows: int
    columns: int
    pixel_spacing: tuple[float, float]  # (between rows, between columns), mm
    orientation: np.ndarray  # (6,) row direction then column direction, after flips
    positions: np.ndarray  # (n, 3) first-pixel position of each slice, after flips
    normal: np.ndarray  # (3,) unit, pointing from slice 0 towards the last slice
    slice_positions: np.ndarray  # (n,) mm along the normal
    spacing: float  # median distance between neighbouring slices along the normal, mm
    tilt_deg: float  # angle between the normal and the direction the slices advance
    obliquity_deg: float  # angle between the normal and the nearest patient axis
    flip_rows: bool
    flip_columns: bool
    warnings: tuple[str, ...]

    @property
    def n_slices(self) -> int:
        return len(self.slices)

    @property
    def gap_after(self) -> np.ndarray:
        """(n−1,) bool: slices are missing between slice k and k+1 (what reformats and volumes never bridge)."""
        return slice_gaps(self.slice_positions)


def slice_gaps(slice_positions: np.ndarray) -> np.ndarray:
    """Per step between neighbouring slices, True where it is over GAP_FACTOR × the median spacing;
    never in a protocol of spacing zones (e.g. 4 mm in the base, 7 mm above), whose wide steps
    are the protocol, not missing slices."""
    steps = np.diff(np.asarray(slice_positions, dtype=float))
    if len(steps) == 0 or _spacing_zones(steps) is not None:
        return np.zeros(len(steps), dtype=bool)
    return steps > GAP_FACTOR * float(np.median(steps))


def plan_stack(slices: Sequence[SliceHeader]) -> StackGeometry:
    """Choose, order and measure the slices of one series from their headers alone."""
    warnings: list[str] = []
    rejected: list[SkippedFile] = []
    kept = list(slices)
    if not kept:
        raise ValueError("a series without images cannot be stacked")

    size = Counter((s.rows, s.columns) for s in kept).most_common(1)[0][0]
    n_main = sum((s.rows, s.columns) == size for s in kept)
    for s in kept:
        if (s.rows, s.columns) != size:
            rejected.append(
                SkippedFile(
                    s.path, f"image is {s.columns}×{s.rows} pixels; the other {n_main} slices are {size[1]}×{size[0]}"
                )
            )
    kept = [s for s in kept if (s.rows, s.columns) == size]

    oriented = [s for s in kept if s.orientation is not None and s.position is not None]
    if oriented:
        reference = Counter(tuple(np.round(s.orientation or (), 3)) for s in oriented).most_common(1)[0][0]
        for s in kept:
            if s.orientation is None or s.position is None:
                rejected.append(
                    SkippedFile(
                        s.path, "no (0020,0032)/(0020,0037) position or orientation: cannot be placed in the stack"
                    )
                )
            elif not _same_orientation(s.orientation, reference):
                rejected.append(
                    SkippedFile(s.path, "orientation differs from the rest of the series (another stack or a scout)")
                )
        kept = [s for s in oriented if _same_orientation(s.orientation, reference)]
        # the rounded key only groups; directions come from the headers' full precision
        row_dir, col_dir = _orthonormal(np.mean([s.orientation for s in kept if s.orientation], axis=0))
        normal = np.cross(row_dir, col_dir)
        if normal[int(np.argmax(np.abs(normal)))] < 0:
            normal = -normal  # slice 0 inferior (axial), right (sagittal), anterior (coronal)
        distance = np.array([np.dot(s.position, normal) for s in kept if s.position])
        order = np.lexsort((np.array([s.instance_number or 0 for s in kept]), distance))
        kept = [kept[i] for i in order]
        distance = distance[order]
        kept, distance, duplicates = _drop_duplicates(kept, distance)
        rejected.extend(duplicates)
        positions = np.array([s.position for s in kept], dtype=float)
    else:
        warnings.append(
            "No (0020,0032) Image Position Patient in this series: slices are ordered by Instance "
            "Number and distances between them are unknown."
        )
        kept.sort(key=lambda s: (s.instance_number is None, s.instance_number or 0))
        row_dir, col_dir = np.eye(3)[0], np.eye(3)[1]
        normal = np.eye(3)[2]
        step = next((s.slice_thickness for s in kept if s.slice_thickness), 1.0)
        distance = np.arange(len(kept), dtype=float) * step
        positions = np.zeros((len(kept), 3))
        positions[:, 2] = distance

    spacing, spacing_warnings = _check_spacing(distance)
    warnings.extend(spacing_warnings)
    tilt = _tilt_deg(positions, normal)
    if tilt > TILT_REPORT_DEG:
        stated = kept[0].gantry_tilt
        stated_text = f"; the scanner states {stated:g}°" if stated else ""
        warnings.append(
            f"Gantry tilt of {tilt:.1f}° (slices advance at an angle to their normal{stated_text}). "
            "Slices are shown as acquired; distances along the stack are measured on the normal."
        )
    obliquity = float(np.degrees(np.arccos(np.clip(np.max(np.abs(normal)), -1, 1))))

    pixel_spacing = _pixel_spacing(kept, warnings)
    flip_rows, flip_columns, transposed = _display_flips(row_dir, col_dir, normal)
    if transposed:
        warnings.append("Unusual in-plane orientation (rows run head-to-foot or front-to-back): shown as stored.")
    dy, dx = pixel_spacing
    if flip_columns:
        positions = positions + (size[1] - 1) * dx * row_dir
        row_dir = -row_dir
    if flip_rows:
        positions = positions + (size[0] - 1) * dy * col_dir
        col_dir = -col_dir
    return StackGeometry(
        slices=tuple(kept),
        rejected=tuple(rejected),
        rows=size[0],
        columns=size[1],
        pixel_spacing=pixel_spacing,
        orientation=np.concatenate([row_dir, col_dir]),
        positions=positions,
        normal=normal,
        slice_positions=distance,
        spacing=spacing,
        tilt_deg=tilt,
        obliquity_deg=obliquity,
        flip_rows=flip_rows,
        flip_columns=flip_columns,
        warnings=tuple(warnings),
    )


def _same_orientation(orientation: Sequence[float] | None, reference: Sequence[float]) -> bool:
    return (
        orientation is not None and float(np.max(np.abs(np.subtract(orientation, reference)))) <= ORIENTATION_TOLERANCE
    )


def _orthonormal(orientation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    row, col = orientation[:3], orientation[3:]
    row = row / np.linalg.norm(row)
    col = col - np.dot(col, row) * row
    return row, col / np.linalg.norm(col)


def _drop_duplicates(
    slices: list[SliceHeader], distance: np.ndarray
) -> tuple[list[SliceHeader], np.ndarray, list[SkippedFile]]:
    """Keep the first slice at each position; the others are reported as duplicates."""
    keep = [0] if len(slices) else []
    rejected = []
    for i in range(1, len(slices)):
        if abs(distance[i] - distance[keep[-1]]) < DUPLICATE_TOLERANCE_MM:
            first = slices[keep[-1]]
            rejected.append(
                SkippedFile(
                    slices[i].path,
                    f"duplicate slice: same position ({distance[i]:.2f} mm) as {first.path.name}",
                )
            )
        else:
            keep.append(i)
    return [slices[i] for i in keep], distance[keep], rejected


def _check_spacing(distance: np.ndarray) -> tuple[float, list[str]]:
    """Median spacing and warnings: spacing zones (a protocol), gaps (missing slices), uneven spacing."""
    if len(distance) < 2:
        return 0.0, []
    gaps = np.diff(distance)
    spacing = float(np.median(gaps))
    zones = _spacing_zones(gaps)
    if zones is not None:
        return spacing, [_zones_text(zones)]
    tolerance = max(DUPLICATE_TOLERANCE_MM, SPACING_TOLERANCE * spacing)
    warnings = _gap_warnings(gaps, spacing)
    uneven = (np.abs(gaps - spacing) > tolerance) & (gaps <= spacing * GAP_FACTOR)
    if uneven.any():
        warnings.append(f"Uneven slice spacing: {gaps.min():.2f} to {gaps.max():.2f} mm (median {spacing:.2f} mm).")
    return spacing, warnings


def _gap_warnings(gaps: np.ndarray, spacing: float) -> list[str]:
    """One line per number of slices missing, naming every place (sizes that differ by jitter share it)."""
    by_missing: dict[int, list[int]] = {}
    for i in np.flatnonzero(gaps > spacing * GAP_FACTOR):
        by_missing.setdefault(int(round(gaps[i] / spacing)) - 1, []).append(int(i))
    lines = []
    for missing, where in sorted(by_missing.items()):
        places = ", ".join(f"{i + 1} and {i + 2}" for i in where)
        low, high = (round(float(f(gaps[where])), 1) for f in (np.min, np.max))
        size = f"{low:.1f}" if low == high else f"{low:.1f}–{high:.1f}"
        each = " at each" if len(where) > 1 else ""
        lines.append(
            f"Gap{'s' if len(where) > 1 else ''} of {size} mm between slices {places} (expected {spacing:.1f} mm): "
            f"about {missing} slice{'s' if missing != 1 else ''} missing{each} (half-copied study?)."
        )
    return lines


def _spacing_zones(gaps: np.ndarray) -> list[tuple[int, int, float]] | None:
    """(first gap, end gap, spacing) of runs of even spacing when the stack is made of such zones, else None.

    A zone is at least ZONE_MIN_GAPS gaps within SPACING_TOLERANCE of each other; between two
    zones at most one odd gap (the step from one table increment to the next) is allowed.
    """
    runs: list[tuple[int, int, float]] = []
    start = 0
    for i in range(1, len(gaps) + 1):
        if i == len(gaps) or abs(gaps[i] - gaps[start]) > SPACING_TOLERANCE * gaps[start]:
            runs.append((start, i, float(np.median(gaps[start:i]))))
            start = i
    zones = [r for r in runs if r[1] - r[0] >= ZONE_MIN_GAPS]
    if len(zones) < 2 or len({round(z[2], 1) for z in zones}) < 2:
        return None
    between = [r for r in runs if r not in zones]
    if any(r[1] - r[0] > 1 for r in between) or zones[0][0] > 1 or zones[-1][1] < len(gaps) - 1:
        return None
    return zones


def _zones_text(zones: list[tuple[int, int, float]]) -> str:
    parts = ", ".join(f"{spacing:.1f} mm in slices {first + 1}–{end + 1}" for first, end, spacing in zones)
    kind = "two-zone" if len(zones) == 2 else f"{len(zones)}-zone"
    return f"Slice spacing changes along the stack: {parts} — a {kind} protocol rather than missing slices?"


def _tilt_deg(positions: np.ndarray, normal: np.ndarray) -> float:
    """Angle between the slice normal and the line through the first and last slice positions."""
    if len(positions) < 2:
        return 0.0
    advance = positions[-1] - positions[0]
    length = float(np.linalg.norm(advance))
    if length < 1e-6:
        return 0.0
    cosine = abs(float(np.dot(advance / length, normal)))
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))


def _pixel_spacing(slices: list[SliceHeader], warnings: list[str]) -> tuple[float, float]:
    values = [s.pixel_spacing for s in slices if s.pixel_spacing and min(s.pixel_spacing) > 0]
    if not values:
        warnings.append("No (0028,0030) Pixel Spacing: distances and sizes are shown in pixels (1 mm assumed).")
        return 1.0, 1.0
    row, col = Counter(values).most_common(1)[0][0]
    return float(row), float(col)


def _display_flips(row_dir: np.ndarray, col_dir: np.ndarray, normal: np.ndarray) -> tuple[bool, bool, bool]:
    """Flips that put the patient's left on the screen's right and anterior at the top.

    Only axial stacks are flipped; returns (flip_rows, flip_columns, transposed).
    """
    if int(np.argmax(np.abs(normal))) != 2:
        return False, False, False
    row_axis, col_axis = int(np.argmax(np.abs(row_dir))), int(np.argmax(np.abs(col_dir)))
    if (row_axis, col_axis) != (0, 1):
        return False, False, True
    return bool(col_dir[1] < 0), bool(row_dir[0] < 0), False
