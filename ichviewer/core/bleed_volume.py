"""Bleed volume, two estimates: ABC/2 from a reader's lengths, and a region grown from a seed in an HU range.

Both are estimates and are labelled so. ABC/2 (Kothari et al., Stroke 1996): A is the largest
diameter on the slice where the bleed is largest, B the largest diameter perpendicular to it
on that slice, C the number of slices the bleed spans × the slice spacing; A·B·C/2 stands for
an ellipsoid's π·A·B·C/6, so on a true ellipsoid it reads 3/π − 1 = −4.5 % low, and counting C
in whole slices adds up to ± one spacing. The seeded region takes the voxels connected (by
faces) to a seed within an HU range (default 45–100 HU) inside a box, after a 3×3 in-plane
median that keeps pixel noise from joining the bleed to grey matter; it never crosses a gap
in the stack. A bleed larger than the box (a convexity subdural spans half the head) is cut
at its faces: `reaches_box_edge` says so, and the reader enlarges the box. Its volume is its
voxels on the real slice spacing; its outline on every slice follows exactly the voxels counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ichviewer.core.measure import Measurement
from ichviewer.core.outline import mask_outlines
from ichviewer.core.volume import CTVolume

ABC_LABEL = "ABC/2 estimate"
REGION_LABEL = "Seeded region estimate"
DEFAULT_HU_RANGE = (45.0, 100.0)
DEFAULT_BOX_MM = 90.0  # edge of the default box around the seed: holds a bleed of ~150 mL centred on it
PERPENDICULAR_TOLERANCE_DEG = 15.0
FACES = ndimage.generate_binary_structure(3, 1)

Voxel = tuple[int, int, int]  # (slice, row, column) on the native stack


@dataclass(frozen=True)
class AbcEstimate:
    """ABC/2 in mL from its three diameters; warnings say what makes it less reliable."""

    a_mm: float
    b_mm: float
    c_mm: float
    slices: int
    volume_ml: float
    warnings: tuple[str, ...] = ()
    label: str = ABC_LABEL


def abc_over_2(a: Measurement, b: Measurement, slices: int, spacing_mm: float) -> AbcEstimate:
    """ABC/2 from two length measurements on one image and the number of slices the bleed spans."""
    if a.kind != "length" or b.kind != "length" or a.value is None or b.value is None:
        raise ValueError("ABC/2 needs two length measurements (A and B)")
    if slices < 1 or spacing_mm <= 0:
        raise ValueError(f"ABC/2 needs the bleed on at least one slice of known spacing, got {slices} × {spacing_mm}")
    warnings = []
    if (a.placement.view, a.placement.index) != (b.placement.view, b.placement.index):
        warnings.append("A and B are not on the same image")
    angle = _angle_between(a, b)
    if abs(angle - 90.0) > PERPENDICULAR_TOLERANCE_DEG:
        warnings.append(f"A and B are {angle:.0f}° apart, not perpendicular")
    c_mm = slices * spacing_mm
    return AbcEstimate(a.value, b.value, c_mm, slices, a.value * b.value * c_mm / 2 / 1000.0, tuple(warnings))


def _angle_between(a: Measurement, b: Measurement) -> float:
    u, v = (np.array(m.placement.patient[1]) - np.array(m.placement.patient[0]) for m in (a, b))
    cosine = abs(float(u @ v)) / float(np.linalg.norm(u) * np.linalg.norm(v) or 1.0)
    return float(np.degrees(np.arccos(np.clip(cosine, 0.0, 1.0))))


@dataclass(frozen=True)
class Box:
    """Half-open index ranges on the native stack: (start, stop) for slices, rows and columns."""

    slices: tuple[int, int]
    rows: tuple[int, int]
    cols: tuple[int, int]

    @property
    def window(self) -> tuple[slice, slice, slice]:
        return slice(*self.slices), slice(*self.rows), slice(*self.cols)

    @property
    def origin(self) -> Voxel:
        return self.slices[0], self.rows[0], self.cols[0]

    def clipped(self, shape: tuple[int, ...]) -> Box:
        """The part of the box inside a stack of `shape`."""
        ranges = [
            (max(0, lo), min(size, hi))
            for (lo, hi), size in zip((self.slices, self.rows, self.cols), shape, strict=True)
        ]
        return Box(*ranges)

    def contains(self, voxel: Voxel) -> bool:
        return all(lo <= v < hi for v, (lo, hi) in zip(voxel, (self.slices, self.rows, self.cols), strict=True))


def default_box(volume: CTVolume, seed: Voxel, edge_mm: float = DEFAULT_BOX_MM) -> Box:
    """A box of about `edge_mm` on each side centred on the seed, clipped to the stack."""
    spacing, dy, dx = volume.spacing
    half = [max(1, round(edge_mm / 2 / step)) for step in (spacing or 1.0, dy, dx)]
    ranges = [(v - h, v + h + 1) for v, h in zip(seed, half, strict=True)]
    return Box(*ranges).clipped(volume.hu.shape)


@dataclass(frozen=True, eq=False)
class SeededRegion:
    """The grown region (a mask over its box) and its volume; `outlines()` for drawing it."""

    seed: Voxel
    hu_range: tuple[float, float]
    box: Box
    mask: np.ndarray  # bool, the box's shape
    volume_ml: float
    label: str = REGION_LABEL

    @property
    def voxels(self) -> int:
        return int(self.mask.sum())

    @property
    def slices(self) -> tuple[int, ...]:
        """Native slices the region touches."""
        touched = np.flatnonzero(self.mask.any(axis=(1, 2)))
        return tuple(int(k) + self.box.slices[0] for k in touched)

    def reaches_box_edge(self, shape: tuple[int, ...]) -> bool:
        """Whether the region touches a face of its box inside the stack of `shape`: it may go on (enlarge the box)."""
        faces = []
        for axis, (low, high) in enumerate((self.box.slices, self.box.rows, self.box.cols)):
            if low > 0:
                faces.append(np.take(self.mask, 0, axis=axis))
            if high < shape[axis]:
                faces.append(np.take(self.mask, -1, axis=axis))
        return any(face.any() for face in faces)

    def outlines(self) -> dict[int, list[np.ndarray]]:
        """Per native slice it touches, closed polygons (m, 2) in that slice's (row, col) pixel coordinates."""
        k0, r0, c0 = self.box.origin
        return {k: [p + (r0, c0) for p in mask_outlines(self.mask[k - k0])] for k in self.slices}


def grow_region(
    volume: CTVolume,
    seed: Voxel,
    hu_range: tuple[float, float] = DEFAULT_HU_RANGE,
    box: Box | None = None,
) -> SeededRegion:
    """Voxels connected to `seed` within `hu_range` inside `box` (default: `default_box`).

    ValueError when the seed is not within the range. The region stays within the run of
    slices around the seed that has no gap in it.
    """
    low, high = sorted(hu_range)
    seed = (int(seed[0]), int(seed[1]), int(seed[2]))
    box = (box or default_box(volume, seed)).clipped(volume.hu.shape)
    if not box.contains(seed):
        raise ValueError(f"the seed {seed} lies outside the box {box}")
    box = _without_gaps(volume, box, seed[0])
    hu = ndimage.median_filter(volume.hu[box.window], size=(1, 3, 3), mode="nearest")
    local = tuple(v - o for v, o in zip(seed, box.origin, strict=True))
    value = float(hu[local])
    if not low <= value <= high:
        raise ValueError(
            f"the seed (slice {seed[0] + 1}, row {seed[1]}, column {seed[2]}) is {value:.0f} HU, outside "
            f"{low:g}–{high:g} HU: click inside the hyperdense area or widen the range"
        )
    labels, _ = ndimage.label((hu >= low) & (hu <= high), structure=FACES)
    mask = labels == labels[local]
    dy, dx = volume.geometry.pixel_spacing
    thickness = _slab_thickness(volume)[box.window[0]]
    volume_ml = float(mask.sum(axis=(1, 2)) @ thickness) * dy * dx / 1000.0
    return SeededRegion(seed, (low, high), box, mask, volume_ml)


def _slab_thickness(volume: CTVolume) -> np.ndarray:
    """mm of stack each native slice stands for: half the way to each neighbour, a gap counted as the median spacing."""
    positions = np.asarray(volume.geometry.slice_positions, dtype=float)
    spacing = float(volume.geometry.spacing) or 1.0
    distances = np.diff(positions)
    gaps = np.where(volume.geometry.gap_after, spacing, distances)
    return (np.r_[spacing, gaps] + np.r_[gaps, spacing]) / 2


def _without_gaps(volume: CTVolume, box: Box, seed_slice: int) -> Box:
    """The box narrowed to the slices around the seed that no gap separates from it."""
    gap_after = volume.geometry.gap_after
    first, stop = box.slices
    while first < seed_slice and gap_after[first:seed_slice].any():
        first += 1
    while stop - 1 > seed_slice and gap_after[seed_slice : stop - 1].any():
        stop -= 1
    return Box((first, stop), box.rows, box.cols)
