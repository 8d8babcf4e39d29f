"""The two bleed volume estimates as measurements: ABC/2 from two lengths, and a region grown from a seed.

They live in the measurement list with the other measurements (same undo, store, panel, PDF).
ABC/2 is placed on an axial slice as four points, A's two ends then B's, and needs the number of
slices the bleed spans: the reader's count, which starts as the slices a seeded region grown where
A and B cross touches (1 when that point is not in the bleed's HU range). The seeded region is
placed where the reader clicked, on any view, and keeps its native seed voxel, HU range and box,
so it can be grown again to draw its outline and after an edit. Both are labelled as estimates.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import numpy as np

from ichviewer.core.bleed_volume import DEFAULT_HU_RANGE, Box, SeededRegion, abc_over_2, grow_region
from ichviewer.core.measure import BleedSettings, Measurement, MeasurementError, measure, placed, remeasure
from ichviewer.core.mpr import Mpr, Pixel, Plane, View
from ichviewer.core.volume import CTVolume

EDGE_WARNING = "the region reaches its box: enlarge the box"


def abc_estimate(
    volume: CTVolume,
    mpr: Mpr,
    index: int,
    points: Sequence[Pixel],
    slices: int | None = None,
    id: str | None = None,
) -> Measurement:
    """ABC/2 on axial slice `index` from A's and B's ends (four points) and the slices the bleed spans."""
    points = tuple(points)
    if len(points) != 4:
        raise MeasurementError(f"ABC/2 needs A's and B's ends (4 points), got {len(points)}")
    a = measure(mpr, "length", "axial", index, points[:2])
    b = measure(mpr, "length", "axial", index, points[2:])
    if min(a.value or 0.0, b.value or 0.0) <= 0:
        raise MeasurementError("ABC/2 needs A and B to have a length")
    spacing = float(volume.geometry.spacing)
    count = suggested_slices(volume, index, points) if slices is None else int(slices)
    try:
        estimate = abc_over_2(a, b, count, spacing)
    except ValueError as error:
        raise MeasurementError(str(error)) from None
    bleed = BleedSettings(slices=count, spacing_mm=spacing, warnings=estimate.warnings)
    where = placed(mpr, "axial", index, points)
    return Measurement(id or uuid.uuid4().hex, "abc", where, estimate.volume_ml, bleed=bleed)


def abc_diameters(m: Measurement) -> tuple[float, float, float]:
    """(A, B, C) in mm of an ABC/2 measurement."""
    if m.kind != "abc" or m.bleed is None:
        raise MeasurementError(f"a {m.kind} measurement has no ABC/2 diameters")
    p = [np.array(q) for q in m.placement.patient]
    return float(np.linalg.norm(p[1] - p[0])), float(np.linalg.norm(p[3] - p[2])), m.bleed.slices * m.bleed.spacing_mm


def suggested_slices(volume: CTVolume, index: int, points: Sequence[Pixel]) -> int:
    """The slices a region grown (default HU range) where A and B cross touches; 1 when that is no bleed."""
    row, col = _crossing(np.array(points, dtype=float))
    rows, cols = volume.hu.shape[1:]
    seed = (index, int(np.clip(round(row), 0, rows - 1)), int(np.clip(round(col), 0, cols - 1)))
    try:
        return max(1, len(grow_region(volume, seed).slices))
    except ValueError:
        return 1


def _crossing(points: np.ndarray) -> tuple[float, float]:
    """Where segment A (points 0-1) crosses segment B (points 2-3); A's middle when they do not cross."""
    p, r = points[0], points[1] - points[0]
    q, s = points[2], points[3] - points[2]
    denominator = r[0] * s[1] - r[1] * s[0]
    if abs(denominator) > 1e-9:
        t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / denominator
        u = ((q - p)[0] * r[1] - (q - p)[1] * r[0]) / denominator
        if 0 <= t <= 1 and 0 <= u <= 1:
            return float(p[0] + t * r[0]), float(p[1] + t * r[1])
    middle = p + r / 2
    return float(middle[0]), float(middle[1])


def region_estimate(
    volume: CTVolume,
    mpr: Mpr,
    view: View,
    index: int,
    point: Pixel,
    hu_range: tuple[float, float] = DEFAULT_HU_RANGE,
    box: Box | None = None,
    id: str | None = None,
) -> Measurement:
    """A region grown from the voxel nearest to `point` on image `index` of `view`; MeasurementError says why not."""
    where = placed(mpr, view, index, [point])
    seed = mpr.nearest_voxel(np.array(where.patient[0]))
    try:
        region = grow_region(volume, seed, hu_range, box)
    except ValueError as error:
        raise MeasurementError(str(error)) from None
    b = region.box
    bleed = BleedSettings(
        slices=len(region.slices),
        seed=seed,
        hu_range=region.hu_range,
        box=(b.slices, b.rows, b.cols),
        voxels=region.voxels,
        warnings=(EDGE_WARNING,) if region.reaches_box_edge(volume.hu.shape) else (),
    )
    return Measurement(id or uuid.uuid4().hex, "region", where, region.volume_ml, bleed=bleed)


def grown(volume: CTVolume, m: Measurement) -> SeededRegion:
    """The region of a seeded-region measurement, grown again from its settings (to draw its outline)."""
    bleed = m.bleed
    if m.kind != "region" or bleed is None or bleed.seed is None or bleed.hu_range is None or bleed.box is None:
        raise MeasurementError(f"a {m.kind} measurement has no seeded region")
    return grow_region(volume, bleed.seed, bleed.hu_range, Box(*bleed.box))


def with_settings(
    volume: CTVolume,
    mpr: Mpr,
    m: Measurement,
    slices: int | None = None,
    hu_range: tuple[float, float] | None = None,
    box: Box | None = None,
) -> Measurement:
    """The same estimate (same id and place) with the reader's new slice count, HU range or box."""
    where, bleed = m.placement, m.bleed
    if bleed is None:
        raise MeasurementError(f"a {m.kind} measurement has no estimate settings")
    if m.kind == "abc":
        return abc_estimate(volume, mpr, where.index, where.points, slices or bleed.slices, id=m.id)
    current = Box(*bleed.box) if bleed.box is not None else None
    return region_estimate(
        volume,
        mpr,
        where.view,
        where.index,
        where.points[0],
        hu_range or bleed.hu_range or DEFAULT_HU_RANGE,
        box or current,
        id=m.id,
    )


def moved(
    volume: CTVolume, mpr: Mpr, m: Measurement, points: Sequence[Pixel], plane: Plane | None = None
) -> Measurement:
    """Any measurement with its points moved on its image (a handle dragged): same id, values measured again."""
    where = m.placement
    if m.kind == "abc":
        return abc_estimate(volume, mpr, where.index, points, m.bleed.slices if m.bleed else None, id=m.id)
    if m.kind == "region":
        return region_estimate(
            volume,
            mpr,
            where.view,
            where.index,
            points[0],
            m.bleed.hu_range if m.bleed and m.bleed.hu_range else DEFAULT_HU_RANGE,
            id=m.id,
        )
    return remeasure(mpr, m, list(points), plane)
