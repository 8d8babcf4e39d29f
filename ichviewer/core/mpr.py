"""Coronal and sagittal reformats (MPR) of an axial stack, at true aspect and corrected for gantry tilt.

The reformats sample a regular grid aligned to the stack: x along the native rows (to the
patient's left), z along the table (the way the slices advance, superior up) and y
perpendicular to both (posterior). On an untilted stack the grid is the native voxel grid. A
tilted gantry advances the slices along the table at an angle to their normal; sampling the
native slices at grid points shifts each native row along the stack in proportion to its
distance from the centre (the shear dcm2niix applies), so coronal and sagittal images are true
anatomical planes. Between neighbouring slices values are interpolated linearly in position,
which also resamples uneven spacing and spacing zones; across a gap (`StackGeometry.gap_after`:
slices missing) nothing is interpolated: those pixels are filled (air for HU) and flagged `missing`, as is
everything beyond the outer slices' centres. View names assume an axial acquisition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
from scipy import ndimage

from ichviewer.core.geometry import TILT_REPORT_DEG, StackGeometry
from ichviewer.core.stack_sampling import SNAP, affine_field, finish, interpolate, sheared_plane, snapped
from ichviewer.core.volume import CTVolume

View = Literal["axial", "coronal", "sagittal"]
VIEWS: tuple[View, ...] = ("axial", "coronal", "sagittal")

Pixel = tuple[float, float]  # (row, col) in a view's image


@dataclass(frozen=True)
class ViewPoint:
    """Where a patient point falls in a view: image index (native slice or reformat plane), row, column."""

    view: View
    index: int
    row: float
    col: float


@dataclass(frozen=True, eq=False)
class Plane:
    """One view image with what a viewer needs to draw it at true aspect."""

    image: np.ndarray  # (rows, cols); coronal/sagittal: superior at the top
    missing: np.ndarray  # bool (rows, cols): no data here (outside the stack or in a gap)
    view: View
    index: int
    pixel_mm: tuple[float, float]  # (mm per image row, mm per image column)
    tilt_corrected: bool  # a gantry tilt was corrected: the view says so


@dataclass(frozen=True, eq=False)
class Mpr:
    """The native stack's geometry and the reformat grid: images of every view and patient mm ↔ view pixels."""

    native_shape: tuple[int, int, int]  # (slices, rows, columns)
    pixel_spacing: tuple[float, float]  # native (between rows, between columns), mm
    positions: np.ndarray  # (n, 3) first-pixel position of each native slice, mm (LPS)
    row_dir: np.ndarray  # (3,) native columns advance along this (patient left for axial)
    col_dir: np.ndarray  # (3,) native rows advance along this (posterior for axial)
    normal: np.ndarray  # (3,) unit, slice 0 → last
    slice_positions: np.ndarray  # (n,) mm along the normal
    gap_after: np.ndarray  # (n−1,) bool: the distance to the next slice is a gap
    spacing: float  # median distance between slices along the normal, mm
    axes: np.ndarray  # (3, 3) rows: grid x (= row_dir), y, z (table, superior); orthonormal
    origin: np.ndarray  # (3,) patient mm of grid point (0, 0, 0)
    steps: np.ndarray  # (3,) mm between grid points along x, y, z
    grid_shape: tuple[int, int, int]  # (nz, ny, nx)
    tilt_deg: float
    native_map: np.ndarray | None  # (3, 4), evenly spaced stacks only: (k, r, c) = M·(p·normal, p·col, p·row, 1)

    @classmethod
    def from_volume(cls, volume: CTVolume) -> Mpr:
        return cls.from_geometry(volume.geometry)

    @classmethod
    def from_geometry(cls, geometry: StackGeometry) -> Mpr:
        """Build the grid around the whole stack; needs at least two slices."""
        n, rows, cols = geometry.n_slices, geometry.rows, geometry.columns
        if n < 2:
            raise ValueError("a reformat needs at least two slices")
        dy, dx = geometry.pixel_spacing
        row_dir = np.asarray(geometry.orientation[:3], dtype=float)
        col_dir = np.asarray(geometry.orientation[3:], dtype=float)
        positions = np.asarray(geometry.positions, dtype=float)
        ex = row_dir / np.linalg.norm(row_dir)
        advance = positions[-1] - positions[0]
        ez = advance - (advance @ ex) * ex
        ez /= np.linalg.norm(ez)
        ey = np.cross(ez, ex)
        ey = ey if ey @ col_dir >= 0 else -ey
        axes = np.stack([ex, ey, ez])
        steps = np.array([dx, dy, float(np.median(np.diff(positions @ ez)))])
        corners = np.array(
            [
                positions[k] + c * dx * row_dir + r * dy * col_dir
                for k in (0, n - 1)
                for r in (0, rows - 1)
                for c in (0, cols - 1)
            ]
        )
        low, high = (corners @ axes.T).min(axis=0), (corners @ axes.T).max(axis=0)
        size = np.floor((high - low) / steps + 1e-6).astype(int) + 1
        step = advance / (n - 1)
        regular = np.abs(positions - (positions[0] + np.arange(n)[:, None] * step)).max() < 1e-3
        return cls(
            native_shape=(n, rows, cols),
            pixel_spacing=(dy, dx),
            positions=positions,
            row_dir=row_dir,
            col_dir=col_dir,
            normal=np.asarray(geometry.normal, dtype=float),
            slice_positions=np.asarray(geometry.slice_positions, dtype=float),
            gap_after=geometry.gap_after,
            spacing=float(geometry.spacing),
            axes=axes,
            origin=low @ axes,
            steps=steps,
            grid_shape=(int(size[2]), int(size[1]), int(size[0])),
            tilt_deg=float(geometry.tilt_deg),
            native_map=_native_map(geometry, positions, row_dir, col_dir) if regular else None,
        )

    @property
    def tilt_corrected(self) -> bool:
        return self.tilt_deg > TILT_REPORT_DEG

    @property
    def directions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The projections `native_coordinates` takes: normal, column and row directions."""
        return self.normal, self.col_dir, self.row_dir

    # --- views: image pixel (row, col) of image `index` ↦ p = base + row·u_row + col·u_col ----
    def n_planes(self, view: View) -> int:
        """How many images a view scrolls through."""
        return {"axial": self.native_shape[0], "coronal": self.grid_shape[1], "sagittal": self.grid_shape[2]}[view]

    def image_shape(self, view: View) -> tuple[int, int]:
        nz, ny, nx = self.grid_shape
        return {"axial": self.native_shape[1:], "coronal": (nz, nx), "sagittal": (nz, ny)}[view]

    def pixel_mm(self, view: View) -> tuple[float, float]:
        """(mm per image row, mm per image column): the aspect a view is drawn at."""
        sx, sy, sz = (float(v) for v in self.steps)
        return {"axial": self.pixel_spacing, "coronal": (sz, sx), "sagittal": (sz, sy)}[view]

    def view_axes(self, view: View, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(base, u_row, u_col) of image `index` of `view`: patient mm of pixel (0, 0) and per row and column."""
        if view == "axial":
            dy, dx = self.pixel_spacing
            return self.positions[index], dy * self.col_dir, dx * self.row_dir
        ex, ey, ez = self.axes
        sx, sy, sz = self.steps
        top = self.origin + (self.grid_shape[0] - 1) * sz * ez
        if view == "coronal":
            return top + index * sy * ey, -sz * ez, sx * ex
        return top + index * sx * ex, -sz * ez, sy * ey

    def screen_orientation(self, view: View) -> np.ndarray:
        """A view's (rightwards, downwards) unit directions in patient LPS, ordered as (0020,0037)
        orders them, so `orientation.edge_letters` names the view's edges from the geometry itself."""
        _, u_row, u_col = self.view_axes(view, 0)
        return np.concatenate([u_col / np.linalg.norm(u_col), u_row / np.linalg.norm(u_row)])

    def view_to_patient(self, view: View, index: int, row: float, col: float) -> np.ndarray:
        """Patient point (mm, LPS) of a pixel position (fractional allowed) of a view image."""
        base, u_row, u_col = self.view_axes(view, index)
        return cast(np.ndarray, base + row * u_row + col * u_col)

    def patient_to_view(self, point: np.ndarray, view: View) -> ViewPoint:
        """The image of `view` nearest to `point` and the point's (row, col) in it: where a crosshair goes."""
        point = np.asarray(point, dtype=float)
        if view == "axial":
            k = np.interp(point @ self.normal, self.slice_positions, np.arange(self.native_shape[0], dtype=float))
        else:
            axis = 1 if view == "coronal" else 0
            k = (point - self.origin) @ self.axes[axis] / self.steps[axis]
        index = int(np.clip(np.round(k), 0, self.n_planes(view) - 1))
        base, u_row, u_col = self.view_axes(view, index)
        d = point - base
        return ViewPoint(view, index, float(d @ u_row / (u_row @ u_row)), float(d @ u_col / (u_col @ u_col)))

    def nearest_voxel(self, point: np.ndarray) -> tuple[int, int, int]:
        """The native voxel (slice, row, column) nearest to a patient point, clamped into the stack."""
        point = np.asarray(point, dtype=float)
        k, r, c, _ = self.native_coordinates(*(np.asarray(point @ d) for d in self.directions))
        n, rows, cols = self.native_shape
        return (
            int(np.clip(np.rint(k), 0, n - 1)),
            int(np.clip(np.rint(r), 0, rows - 1)),
            int(np.clip(np.rint(c), 0, cols - 1)),
        )

    def intersection(self, view: View, index: int, other: View, other_index: int) -> tuple[Pixel, Pixel] | None:
        """Where image `other_index` of `other` crosses image `index` of `view`: two (row, col) ends on its border.

        Crosshair lines, and native slice levels on coronal/sagittal images (tilted when the
        gantry was). None when the planes are parallel.
        """
        if other == "axial":
            m, c = self.normal, float(self.slice_positions[other_index])
        else:
            m = self.axes[1] if other == "coronal" else self.axes[0]
            c = float(self.view_axes(other, other_index)[0] @ m)
        base, u_row, u_col = self.view_axes(view, index)
        a, b, offset = float(u_row @ m), float(u_col @ m), c - float(base @ m)
        h, w = self.image_shape(view)
        if max(abs(a), abs(b)) < 1e-9:
            return None
        if abs(a) >= abs(b):
            return ((offset + 0.5 * b) / a, -0.5), ((offset - (w - 0.5) * b) / a, w - 0.5)
        return (-0.5, (offset + 0.5 * a) / b), (h - 0.5, (offset - (h - 0.5) * a) / b)

    def slice_lines(self, view: View, index: int, slices: list[int]) -> list[tuple[int, tuple[Pixel, Pixel]]]:
        """Native slices (e.g. the flagged ones) as lines on a coronal/sagittal image: (slice, ends)."""
        lines = [(k, self.intersection(view, index, "axial", k)) for k in slices]
        return [(k, ends) for k, ends in lines if ends is not None]

    # --- sampling -----------------------------------------------------------------------------
    def plane(self, data: np.ndarray, view: View, index: int, order: int = 1, fill: float | None = None) -> Plane:
        """Image `index` of `view` for `data` (n, h, w): the native slice for axial, a reformat otherwise.

        `data` is the HU volume or anything stacked on its slices (a heatmap volume, a mask);
        another in-plane size is matched by pixel centres. Order 1 is linear, 0 nearest
        (booleans always). Missing pixels get `fill` (default: air for int16 HU, NaN for
        floats, else 0).
        """
        if not 0 <= index < self.n_planes(view):
            raise IndexError(f"{view} image {index} is outside 0..{self.n_planes(view) - 1}")
        if view == "axial":
            image = data[index]
            return Plane(image, np.zeros(image.shape, dtype=bool), view, index, self.pixel_mm(view), False)
        base, u_row, u_col = self.view_axes(view, index)
        h, w = self.image_shape(view)
        if self.native_map is None:
            fields = (affine_field(base @ d, u_row @ d, u_col @ d, h, w) for d in self.directions)
            native = self.native_coordinates(*fields)
        else:  # (k, r, c) are affine in (row, col): terms[i] = (constant, per row, per column)
            along = np.stack(self.directions, axis=1)
            terms = self.native_map @ np.array([[*(base @ along), 1], [*(u_row @ along), 0], [*(u_col @ along), 0]]).T
            terms = np.where(np.abs(terms - np.rint(terms)) < SNAP, np.rint(terms), terms)
            (_, k_row, _), (_, r_row, _), (_, c_row, c_col) = terms
            native_grid = data.shape[1:] == self.native_shape[1:] and data.dtype != bool
            if order == 1 and native_grid and not (r_row or c_row or c_col) and k_row and float(k_row).is_integer():
                values, missing = sheared_plane(data, terms, (h, w))
                image, missing = finish(values, missing, data.dtype, fill)
                return Plane(image, missing, view, index, self.pixel_mm(view), self.tilt_corrected)
            k, r, c = (affine_field(const, a, b, h, w) for const, a, b in terms)
            native = self._bounded(k, r, c, np.zeros((1, 1), dtype=bool))
        image, missing = self._resample(data, native, (h, w), order, fill)
        return Plane(image, missing, view, index, self.pixel_mm(view), self.tilt_corrected)

    def sample(
        self, data: np.ndarray, points: np.ndarray, order: int = 1, fill: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Values of `data` (n, h, w) at patient points (..., 3) and where they are missing (as `plane`)."""
        points = np.asarray(points, dtype=float)
        native = self.native_coordinates(*(points @ d for d in self.directions))
        return self._resample(data, native, points.shape[:-1], order, fill)

    def native_coordinates(
        self, s: np.ndarray, along_col: np.ndarray, along_row: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Fractional native (slice, row, col), clipped into the stack, and `missing`, of points given by projections.

        `s` = p·normal, `along_col` = p·col_dir, `along_row` = p·row_dir, broadcastable to each
        other; the results keep the smallest shape that holds them. A point within half the
        median spacing of a slice next to a gap takes that slice; deeper in the gap it is missing.
        """
        if self.native_map is not None:
            m = self.native_map
            k, r, c = (m[i, 0] * s + m[i, 1] * along_col + m[i, 2] * along_row + m[i, 3] for i in range(3))
            return self._bounded(k, r, c, np.zeros((1, 1), dtype=bool))
        sp, n, half = self.slice_positions, self.native_shape[0], self.spacing / 2
        k0 = np.clip(np.searchsorted(sp, s) - 1, 0, n - 2)
        t = (s - sp[k0]) / (sp[k0 + 1] - sp[k0])
        missing = np.zeros(np.shape(s), dtype=bool)
        gap = self.gap_after[k0]
        if gap.any():
            near_low, near_high = s - sp[k0] <= half, sp[k0 + 1] - s <= half
            t = np.where(gap & near_low, 0.0, np.where(gap & near_high, 1.0, t))
            missing = gap & ~near_low & ~near_high
        t = np.clip(t, 0.0, 1.0)
        dy, dx = self.pixel_spacing
        r = (along_col - _slice_origin(self.positions @ self.col_dir, k0, t)) / dy
        c = (along_row - _slice_origin(self.positions @ self.row_dir, k0, t)) / dx
        k, r, c, missing = self._bounded(k0 + t, r, c, missing)
        return snapped(k), snapped(r), snapped(c), missing

    def _bounded(
        self, k: np.ndarray, r: np.ndarray, c: np.ndarray, missing: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Mark points beyond the outer slices' centres or the image missing, and clip into the stack."""
        n, rows, cols = self.native_shape
        outside = (k < -1e-6) | (k > n - 1 + 1e-6) | (r < -0.5) | (r > rows - 0.5) | (c < -0.5) | (c > cols - 0.5)
        return np.clip(k, 0, n - 1), np.clip(r, 0, rows - 1), np.clip(c, 0, cols - 1), missing | outside

    def _resample(
        self,
        data: np.ndarray,
        native: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        shape: tuple[int, ...],
        order: int,
        fill: float | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        k, r, c, missing = native
        _, rows, cols = self.native_shape
        if data.shape[1:] != (rows, cols):  # same pixel centres on a coarser or finer grid; no extrapolation
            r = np.clip((r + 0.5) * data.shape[1] / rows - 0.5, 0, data.shape[1] - 1)
            c = np.clip((c + 0.5) * data.shape[2] / cols - 0.5, 0, data.shape[2] - 1)
        source = data.view(np.uint8) if data.dtype == bool else data
        values = interpolate(source, k, r, c, 0 if data.dtype == bool else order)
        return finish(np.broadcast_to(values, shape), np.broadcast_to(missing, shape), data.dtype, fill)


def _native_map(geometry: StackGeometry, positions: np.ndarray, row_dir: np.ndarray, col_dir: np.ndarray) -> np.ndarray:
    """(3, 4) M with (k, r, c) = M·(p·normal, p·col_dir, p·row_dir, 1) on an evenly spaced stack.

    k is unclipped; r and c are measured from the slice origin moving linearly with k.
    """
    n = len(positions)
    sp = np.asarray(geometry.slice_positions, dtype=float)
    per_mm = (n - 1) / (sp[-1] - sp[0])
    step = (positions[-1] - positions[0]) / (n - 1)
    dy, dx = geometry.pixel_spacing
    k = np.array([per_mm, 0.0, 0.0, -sp[0] * per_mm])
    r = (np.array([0.0, 1.0, 0.0, -positions[0] @ col_dir]) - k * (step @ col_dir)) / dy
    c = (np.array([0.0, 0.0, 1.0, -positions[0] @ row_dir]) - k * (step @ row_dir)) / dx
    return np.stack([k, r, c])


def _slice_origin(along: np.ndarray, k0: np.ndarray, t: np.ndarray) -> np.ndarray | float:
    """The slices' first-pixel projection at fractional slice k0 + t (a constant when the stack does not drift)."""
    if np.ptp(along) < 1e-9:
        return float(along[0])
    return cast(np.ndarray, along[k0] + t * (along[k0 + 1] - along[k0]))


def stack_slice_maps(maps: dict[int, np.ndarray], n_slices: int, shape: tuple[int, int]) -> np.ndarray:
    """Per-slice maps (heatmaps by slice index) as one float32 (n, h, w) volume, NaN on slices without one.

    Maps of another size are resized linearly to `shape`; a `shape` smaller than the slices
    keeps the volume small (Grad-CAM maps are coarse). Reformat it with `Mpr.plane`: pixels
    next to a slice without a map come out missing.
    """
    volume = np.full((n_slices, *shape), np.nan, dtype=np.float32)
    for index, heat in maps.items():
        heat = np.asarray(heat, dtype=np.float32)
        if heat.shape != shape:
            zoom = (shape[0] / heat.shape[0], shape[1] / heat.shape[1])
            heat = ndimage.zoom(heat, zoom, order=1, grid_mode=True, mode="nearest")
        volume[index] = heat
    return volume
