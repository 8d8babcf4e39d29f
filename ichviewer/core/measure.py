"""Measurements on any view, in mm on the real geometry: length, angle, ellipse and freehand regions, midline shift.

Each measurement is a frozen dataclass: a stable id (kept through edits and saving), where it
was placed (view, image index, its points as image pixels and as patient mm) and its values.
The two bleed volume estimates ("abc", "region") are measurements too, so they share the list,
the undo and the store; `core/bleed_estimates.py` makes them, with what they were made from in
`bleed` (`BleedSettings`).
Distances and angles are taken between patient points, so they are right on tilted stacks and
on reformats drawn at any aspect; region statistics come from the view's image (interpolated
HU on coronal/sagittal reformats, missing pixels left out). `remeasure` moves points and keeps
the id; `to_json`/`from_json` give the stored form.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast, get_args

import numpy as np

from ichviewer.core.midline import Shift, midline_shift
from ichviewer.core.mpr import VIEWS, Mpr, Pixel, Plane, View

Kind = Literal["length", "angle", "ellipse", "polygon", "midline", "abc", "region"]
BLEED_KINDS = ("abc", "region")  # volume estimates, made by core.bleed_estimates
POINTS = {"length": 2, "angle": 3, "ellipse": 2, "midline": 3}  # polygons: 3 or more
Point3 = tuple[float, float, float]


class MeasurementError(ValueError):
    """A measurement that cannot be made or read back; the message says why."""


@dataclass(frozen=True)
class Placement:
    """Where a measurement lies: view, image index (native slice for axial), points as (row, col) and as mm."""

    view: View
    index: int
    points: tuple[Pixel, ...]
    patient: tuple[Point3, ...]  # mm, DICOM LPS


@dataclass(frozen=True)
class RegionStats:
    """HU statistics of the pixels whose centres lie inside a region, and its area."""

    pixels: int
    area_mm2: float  # of the drawn shape (ellipse or polygon), not of the pixels
    mean: float | None
    sd: float | None  # sample standard deviation
    min: float | None
    max: float | None


VoxelRange = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]  # half-open (slices, rows, columns)


@dataclass(frozen=True)
class BleedSettings:
    """What a volume estimate was made from: ABC/2's slice count, a seeded region's seed, HU range and box."""

    slices: int  # abc: the slices the bleed spans (C = slices × spacing); region: the slices it touches
    spacing_mm: float = 0.0  # abc: between slices
    seed: tuple[int, int, int] | None = None  # region: native (slice, row, column)
    hu_range: tuple[float, float] | None = None  # region
    box: VoxelRange | None = None  # region: on the native stack
    voxels: int = 0  # region
    warnings: tuple[str, ...] = ()  # what makes the estimate less reliable


@dataclass(frozen=True)
class Measurement:
    """One measurement; `value` is mm (length, midline shift: signed towards the patient's left), degrees
    (angle) or mL (abc, region: estimates)."""

    id: str
    kind: Kind
    placement: Placement
    value: float | None = None
    stats: RegionStats | None = None  # ellipse and polygon
    bleed: BleedSettings | None = None  # abc and region

    @property
    def label(self) -> str:
        """What a panel lists, e.g. 'Length 23.4 mm' or 'Ellipse 40.1 HU ± 6.2, 120 mm²'."""
        if self.kind == "length":
            return f"Length {self.value:.1f} mm"
        if self.kind == "angle":
            return f"Angle {self.value:.1f}°"
        if self.kind == "midline":
            return f"Midline shift {self.shift.text}"
        if self.kind == "abc":
            return f"ABC/2 estimate {self.value:.1f} mL"
        if self.kind == "region":
            return f"Seeded region estimate {self.value:.1f} mL"
        stats = self.stats
        assert stats is not None
        name = "Ellipse" if self.kind == "ellipse" else "Freehand"
        if stats.mean is None:
            return f"{name} {stats.area_mm2:.0f} mm² (no pixels)"
        return f"{name} {stats.mean:.1f} HU ± {stats.sd or 0:.1f}, {stats.area_mm2:.0f} mm²"

    @property
    def shift(self) -> Shift:
        """The midline shift with its side (midline measurements only)."""
        if self.kind != "midline":
            raise MeasurementError(f"a {self.kind} measurement has no midline shift")
        return midline_shift(*(np.array(p) for p in self.placement.patient))


def placed(mpr: Mpr, view: View, index: int, points: list[Pixel] | tuple[Pixel, ...]) -> Placement:
    """Where points placed on image `index` of `view` are, in pixels and in patient mm."""
    pixels = tuple((float(r), float(c)) for r, c in points)
    patient = tuple(_point3(mpr.view_to_patient(view, index, r, c)) for r, c in pixels)
    return Placement(view, index, pixels, patient)


def measure(
    mpr: Mpr,
    kind: Kind,
    view: View,
    index: int,
    points: list[Pixel] | tuple[Pixel, ...],
    plane: Plane | None = None,
    id: str | None = None,
) -> Measurement:
    """Measure `kind` from points placed on image `index` of `view`.

    Lengths: two ends. Angles: end, vertex, end. Midline: anterior falx, posterior falx,
    septum pellucidum. Ellipse: two opposite corners of its box in the image. Polygon: three
    or more vertices. Regions need the view's `plane` (its image and missing pixels).
    """
    points = tuple((float(r), float(c)) for r, c in points)
    expected = POINTS.get(kind)
    if kind not in get_args(Kind) or view not in VIEWS:
        raise MeasurementError(f"unknown measurement {kind!r} on view {view!r}")
    if kind in BLEED_KINDS:
        raise MeasurementError(f"a {kind} estimate needs the volume: core.bleed_estimates makes it")
    if (expected is not None and len(points) != expected) or (kind == "polygon" and len(points) < 3):
        raise MeasurementError(f"a {kind} needs {expected or 'at least 3'} points, got {len(points)}")
    where = placed(mpr, view, index, points)
    ident = id or uuid.uuid4().hex
    p = [np.array(q) for q in where.patient]
    if kind == "length":
        return Measurement(ident, kind, where, float(np.linalg.norm(p[1] - p[0])))
    if kind == "angle":
        return Measurement(ident, kind, where, _angle_deg(p[0] - p[1], p[2] - p[1]))
    if kind == "midline":
        return Measurement(ident, kind, where, midline_shift(p[0], p[1], p[2]).signed_mm)
    if plane is None or (plane.view, plane.index) != (view, index):
        raise MeasurementError(f"a {kind} region needs the image of {view} {index} for its statistics")
    return Measurement(ident, kind, where, stats=region_stats(plane, kind, points))


def remeasure(mpr: Mpr, old: Measurement, points: list[Pixel], plane: Plane | None = None) -> Measurement:
    """The same measurement (same id, view and image) with its points moved: an edit."""
    return measure(mpr, old.kind, old.placement.view, old.placement.index, points, plane, id=old.id)


def region_stats(plane: Plane, kind: Kind, points: tuple[Pixel, ...]) -> RegionStats:
    """HU statistics inside an ellipse (two box corners) or polygon on a view image; area from the shape in mm²."""
    row_mm, col_mm = plane.pixel_mm
    corners = np.array(points)
    if kind == "ellipse":
        (r0, c0), (r1, c1) = corners
        centre, radii = ((r0 + r1) / 2, (c0 + c1) / 2), (abs(r1 - r0) / 2, abs(c1 - c0) / 2)
        area = float(np.pi * radii[0] * row_mm * radii[1] * col_mm)
    else:
        rows_mm, cols_mm = corners[:, 0] * row_mm, corners[:, 1] * col_mm
        area = float(abs(np.dot(rows_mm, np.roll(cols_mm, -1)) - np.dot(cols_mm, np.roll(rows_mm, -1))) / 2)
    h, w = plane.image.shape
    low = np.clip(np.floor(corners.min(axis=0)).astype(int), 0, [h - 1, w - 1])
    high = np.clip(np.ceil(corners.max(axis=0)).astype(int), 0, [h - 1, w - 1])
    rows, cols = np.mgrid[low[0] : high[0] + 1, low[1] : high[1] + 1]
    if kind == "ellipse":
        inside = ((rows - centre[0]) / max(radii[0], 1e-9)) ** 2 + ((cols - centre[1]) / max(radii[1], 1e-9)) ** 2 <= 1
    else:
        inside = _inside_polygon(rows, cols, corners)
    window = (slice(low[0], high[0] + 1), slice(low[1], high[1] + 1))
    values = plane.image[window][inside & ~plane.missing[window]].astype(np.float64)
    if values.size == 0:
        return RegionStats(0, area, None, None, None, None)
    sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
    return RegionStats(int(values.size), area, float(values.mean()), sd, float(values.min()), float(values.max()))


def _inside_polygon(rows: np.ndarray, cols: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Even-odd rule: pixel centres (rows, cols) inside the closed polygon `vertices` (m, 2) of (row, col)."""
    inside = np.zeros(rows.shape, dtype=bool)
    for (r0, c0), (r1, c1) in zip(vertices, np.roll(vertices, -1, axis=0), strict=True):
        if r0 == r1:
            continue
        crosses = (rows >= min(r0, r1)) & (rows < max(r0, r1))
        col_at = c0 + (rows - r0) * (c1 - c0) / (r1 - r0)
        inside ^= crosses & (cols < col_at)
    return inside


def _angle_deg(u: np.ndarray, v: np.ndarray) -> float:
    norms = float(np.linalg.norm(u) * np.linalg.norm(v))
    if norms < 1e-12:
        raise MeasurementError("an angle needs its two arms to have a length")
    return float(np.degrees(np.arccos(np.clip(u @ v / norms, -1.0, 1.0))))


def _point3(p: np.ndarray) -> Point3:
    return (float(p[0]), float(p[1]), float(p[2]))


def to_json(m: Measurement) -> dict[str, Any]:
    """The measurement as plain JSON types (the store and the report write this)."""
    out: dict[str, Any] = {
        "id": m.id,
        "kind": m.kind,
        "view": m.placement.view,
        "index": m.placement.index,
        "points": [list(p) for p in m.placement.points],
        "patient_mm": [list(p) for p in m.placement.patient],
    }
    if m.value is not None:
        out["value"] = m.value
    if m.stats is not None:
        out["stats"] = {
            "pixels": m.stats.pixels,
            "area_mm2": m.stats.area_mm2,
            "mean": m.stats.mean,
            "sd": m.stats.sd,
            "min": m.stats.min,
            "max": m.stats.max,
        }
    if m.bleed is not None:
        out["bleed"] = {key: _plain(value) for key, value in asdict(m.bleed).items() if value is not None}
    return out


def _plain(value: Any) -> Any:
    """Tuples as lists, all the way down (JSON has no tuples)."""
    return [_plain(v) for v in value] if isinstance(value, (tuple, list)) else value


def _bleed_from_json(data: dict[str, Any]) -> BleedSettings:
    seed, hu, box = data.get("seed"), data.get("hu_range"), data.get("box")
    return BleedSettings(
        slices=int(data["slices"]),
        spacing_mm=float(data.get("spacing_mm", 0.0)),
        seed=None if seed is None else (int(seed[0]), int(seed[1]), int(seed[2])),
        hu_range=None if hu is None else (float(hu[0]), float(hu[1])),
        box=None if box is None else cast(VoxelRange, tuple((int(lo), int(hi)) for lo, hi in box)),
        voxels=int(data.get("voxels", 0)),
        warnings=tuple(str(w) for w in data.get("warnings", ())),
    )


def from_json(data: dict[str, Any]) -> Measurement:
    """A measurement from `to_json`'s form; MeasurementError names what is wrong."""
    try:
        kind, view = data["kind"], data["view"]
        if kind not in get_args(Kind) or view not in VIEWS:
            raise MeasurementError(f"unknown measurement {kind!r} on view {view!r}")
        points = tuple((float(r), float(c)) for r, c in data["points"])
        patient = tuple(_point3(np.asarray(p, dtype=float)) for p in data["patient_mm"])
        where = Placement(cast(View, view), int(data["index"]), points, patient)
        stats = RegionStats(**data["stats"]) if "stats" in data else None
        value = float(data["value"]) if data.get("value") is not None else None
        bleed = _bleed_from_json(data["bleed"]) if "bleed" in data else None
        if kind in BLEED_KINDS and (bleed is None or value is None):
            raise MeasurementError(f"{kind} estimate without its value or settings")
        return Measurement(str(data["id"]), cast(Kind, kind), where, value, stats, bleed)
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, MeasurementError):
            raise
        raise MeasurementError(f"measurement record is damaged ({type(error).__name__}: {error})") from None
