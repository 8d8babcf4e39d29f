"""MPR: exact reformats of untilted stacks, tilt correction, uneven spacing and gaps, view ↔ patient mapping."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.mpr import VIEWS, Mpr, stack_slice_maps
from ichviewer.core.windowing import AIR_HU

BONE_HU = 300


def grid_points(mpr: Mpr) -> np.ndarray:
    """Patient mm of every point of the reformat grid, (nz, ny, nx, 3)."""
    nz, ny, nx = mpr.grid_shape
    index = np.stack(np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij"), axis=-1)
    return (mpr.origin + (index * mpr.steps) @ mpr.axes).transpose(2, 1, 0, 3)


def image_points(mpr: Mpr, view, index: int) -> np.ndarray:
    h, w = mpr.image_shape(view)
    base, u_row, u_col = mpr.view_axes(view, index)
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    return base + rows[..., None] * u_row + cols[..., None] * u_col


def dice(a: np.ndarray, b: np.ndarray) -> float:
    return float(2 * (a & b).sum() / (a.sum() + b.sum()))


def linear_field(volume, gradient=(0.7, -1.3, 2.1), offset=5.0) -> np.ndarray:
    """float32 data whose value at every native voxel is an affine function of its patient position."""
    n, rows, cols = volume.hu.shape
    k, r, c = np.meshgrid(np.arange(n), np.arange(rows), np.arange(cols), indexing="ij")
    points = np.stack([volume.patient_point(int(kk), 0, 0) for kk in range(n)])[k]
    dy, dx = volume.geometry.pixel_spacing
    row_dir, col_dir = volume.geometry.orientation[:3], volume.geometry.orientation[3:]
    points = points + c[..., None] * dx * row_dir + r[..., None] * dy * col_dir
    return (points @ np.asarray(gradient) + offset).astype(np.float32)


class TestUntiltedPlanes:
    def test_coronal_and_sagittal_are_the_native_rows_and_columns(self, stack_volume) -> None:
        rng = np.random.default_rng(1)
        hu = rng.integers(-1000, 2000, size=(12, 20, 24), dtype=np.int16)
        volume = stack_volume(hu, np.arange(12) * 5.0, pixel_mm=0.5)
        mpr = Mpr.from_volume(volume)
        assert mpr.grid_shape == (12, 20, 24) and not mpr.tilt_corrected
        for r in (0, 7, 19):
            plane = mpr.plane(volume.hu, "coronal", r)
            np.testing.assert_array_equal(plane.image, hu[::-1, r, :])  # superior at the top
            assert not plane.missing.any() and plane.pixel_mm == (5.0, 0.5)
        for c in (0, 11, 23):
            plane = mpr.plane(volume.hu, "sagittal", c)
            np.testing.assert_array_equal(plane.image, hu[::-1, :, c])
            assert plane.pixel_mm == (5.0, 0.5) and plane.image.dtype == np.int16

    def test_edge_letters_come_from_the_geometry(self, stack_volume) -> None:
        from ichviewer.core.orientation import edge_letters

        mpr = Mpr.from_volume(stack_volume(np.zeros((4, 8, 8), np.int16), np.arange(4) * 5.0, tilt_deg=12.0))
        letters = {view: edge_letters(mpr.screen_orientation(view)) for view in VIEWS}
        assert letters["axial"] == {"left": "R", "right": "L", "top": "AS", "bottom": "PI"}  # the tilted native plane
        assert letters["coronal"] == {"left": "R", "right": "L", "top": "S", "bottom": "I"}  # upright after correction
        assert letters["sagittal"] == {"left": "A", "right": "P", "top": "S", "bottom": "I"}

    def test_axial_is_the_native_slice(self, stack_volume) -> None:
        hu = np.arange(3 * 4 * 5, dtype=np.int16).reshape(3, 4, 5)
        mpr = Mpr.from_volume(stack_volume(hu, np.arange(3) * 2.0))
        plane = mpr.plane(hu, "axial", 1)
        np.testing.assert_array_equal(plane.image, hu[1])
        assert plane.pixel_mm == (0.5, 0.5)

    def test_lower_resolution_maps_and_masks_follow_the_same_geometry(self, stack_volume) -> None:
        hu = np.zeros((6, 32, 32), dtype=np.int16)
        volume = stack_volume(hu, np.arange(6) * 5.0)
        mpr = Mpr.from_volume(volume)
        heat = np.zeros((6, 8, 8), dtype=np.float32)
        heat[2:4, 3, 5] = 1.0  # native rows 12–15, columns 20–23
        plane = mpr.plane(heat, "coronal", 13)
        assert plane.image.dtype == np.float32
        hot = np.argwhere(plane.image > 0.5)
        assert set(hot[:, 0]) == {5 - 2, 5 - 3} and set(hot[:, 1]) <= set(range(19, 25))
        mask = np.zeros((6, 32, 32), dtype=bool)
        mask[4, 10, 3] = True
        sagittal = mpr.plane(mask, "sagittal", 3)
        assert sagittal.image.dtype == bool and np.argwhere(sagittal.image).tolist() == [[1, 10]]

    def test_a_coarser_map_is_not_extrapolated_at_its_border(self, stack_volume) -> None:
        mpr = Mpr.from_volume(stack_volume(np.zeros((4, 32, 32), np.int16), np.arange(4) * 5.0))
        ramp = np.broadcast_to(np.arange(8, dtype=np.float32), (4, 8, 8))  # 0 … 7 across the columns
        plane = mpr.plane(np.ascontiguousarray(ramp), "coronal", 0)
        assert plane.image.min() == 0.0 and plane.image.max() == 7.0
        np.testing.assert_allclose(plane.image[0, 14:18], [3.125, 3.375, 3.625, 3.875])

    def test_one_slice_has_no_reformat(self, stack_volume) -> None:
        with pytest.raises(ValueError, match="at least two slices"):
            Mpr.from_volume(stack_volume(np.zeros((1, 4, 4), np.int16), np.zeros(1)))

    def test_index_outside_the_view_is_refused(self, stack_volume) -> None:
        mpr = Mpr.from_volume(stack_volume(np.zeros((3, 4, 4), np.int16), np.arange(3.0)))
        with pytest.raises(IndexError, match="coronal image 4"):
            mpr.plane(np.zeros((3, 4, 4), np.int16), "coronal", 4)


class TestTiltCorrection:
    @pytest.mark.parametrize("view", ["coronal", "sagittal"])
    def test_reformat_of_a_linear_field_is_exact(self, stack_volume, view) -> None:
        """Values that are affine in patient position come back exactly at every reformat pixel."""
        volume = stack_volume(np.zeros((10, 24, 20), np.int16), np.arange(10) * 3.0, tilt_deg=15.0, pixel_mm=0.8)
        data = linear_field(volume)
        mpr = Mpr.from_volume(volume)
        assert mpr.tilt_corrected and mpr.tilt_deg == pytest.approx(15.0, abs=0.01)
        for index in range(0, mpr.n_planes(view), 3):
            plane = mpr.plane(data, view, index)
            expected = image_points(mpr, view, index) @ np.array([0.7, -1.3, 2.1]) + 5.0
            ok = ~plane.missing
            assert ok.mean() > 0.5 and plane.tilt_corrected
            np.testing.assert_allclose(plane.image[ok], expected[ok], atol=2e-3)

    def test_reformat_axes_are_patient_axes(self, physical_heads) -> None:
        _, volume = physical_heads[15.0]
        mpr = Mpr.from_volume(volume)
        np.testing.assert_allclose(mpr.axes, np.eye(3), atol=1e-6)  # x left, y posterior, z up
        assert mpr.pixel_mm("sagittal") == pytest.approx((2.5, 1.2))

    def test_skull_of_the_tilted_head_matches_the_untilted_one(self, physical_heads) -> None:
        """Bone masks on the untilted head's grid: Dice ≥ 0.95 after tilt correction, far lower without it."""
        (_, straight), (_, tilted) = physical_heads[0.0], physical_heads[15.0]
        reference = Mpr.from_volume(straight)
        points = grid_points(reference)
        hu_straight, missing_straight = reference.sample(straight.hu, points)
        hu_tilted, missing_tilted = Mpr.from_volume(tilted).sample(tilted.hu, points)
        both = ~missing_straight & ~missing_tilted
        assert both.mean() > 0.8
        corrected = dice((hu_straight > BONE_HU) & both, (hu_tilted > BONE_HU) & both)
        uncorrected = dice(straight.hu > BONE_HU, tilted.hu > BONE_HU)  # tilted slices taken as untilted
        assert corrected >= 0.95
        assert uncorrected < 0.7
        for view in ("coronal", "sagittal"):
            index = reference.n_planes(view) // 2
            plane = reference.plane(straight.hu, view, index)
            values, missing = Mpr.from_volume(tilted).sample(tilted.hu, image_points(reference, view, index))
            ok = ~plane.missing & ~missing
            assert dice((plane.image > BONE_HU) & ok, (values > BONE_HU) & ok) >= 0.94

    def test_outside_the_tilted_stack_is_missing_air(self, physical_heads) -> None:
        _, tilted = physical_heads[15.0]
        mpr = Mpr.from_volume(tilted)
        plane = mpr.plane(tilted.hu, "sagittal", mpr.n_planes("sagittal") // 2)
        assert plane.missing[0, -1] and plane.missing[-1, 0]  # superior-posterior, inferior-anterior corners
        assert (plane.image[plane.missing] == AIR_HU).all()
        assert not plane.missing[plane.image.shape[0] // 2].any()


class TestUnevenSpacingAndGaps:
    def test_uneven_spacing_is_resampled_by_position(self, stack_volume) -> None:
        z = np.array([0.0, 4.6, 10.3, 15.0, 19.4, 25.2, 30.0])
        volume = stack_volume(np.zeros((7, 8, 8), np.int16), z)
        data = linear_field(volume, gradient=(0.0, 0.0, 1.0), offset=0.0)  # value = z in mm
        mpr = Mpr.from_volume(volume)
        assert mpr.native_map is None  # not evenly spaced: searched per point
        plane = mpr.plane(data, "coronal", 4)
        z_rows = image_points(mpr, "coronal", 4)[:, 0, 2]
        np.testing.assert_allclose(plane.image[:, 0], z_rows, atol=1e-4)
        np.testing.assert_allclose(np.diff(z_rows), -mpr.steps[2])  # a regular grid

    def test_a_gap_is_shown_as_a_gap(self, stack_volume) -> None:
        z = np.r_[np.arange(5) * 2.0, 20.0 + np.arange(5) * 2.0]  # 8…20 mm: five slices missing
        hu = np.full((10, 6, 6), 40, dtype=np.int16)
        volume = stack_volume(hu, z)
        mpr = Mpr.from_volume(volume)
        assert mpr.gap_after.tolist() == [False] * 4 + [True] + [False] * 4
        plane = mpr.plane(volume.hu, "sagittal", 2)
        z_rows = image_points(mpr, "sagittal", 2)[:, 0, 2]
        inside_gap = (z_rows > 8.0 + 1.0) & (z_rows < 20.0 - 1.0)
        assert inside_gap.sum() >= 4
        assert plane.missing[inside_gap].all() and (plane.image[inside_gap] == AIR_HU).all()
        assert not plane.missing[~inside_gap].any() and (plane.image[~inside_gap] == 40).all()

    def test_a_two_zone_protocol_is_not_a_row_of_gaps(self, stack_volume) -> None:
        """4 mm steps in the base and 7 mm above (a real GE head protocol): the 7 mm steps are interpolated,
        not shown as missing stripes every other row."""
        z = np.r_[np.arange(12) * 4.0, 44.0 + 3.0 + np.arange(12) * 7.0]
        hu = np.full((24, 6, 6), 40, dtype=np.int16)
        mpr = Mpr.from_volume(stack_volume(hu, z))
        assert not mpr.gap_after.any()
        plane = mpr.plane(hu, "coronal", 3)
        assert not plane.missing.any() and (plane.image == 40).all()

    def test_heat_on_some_slices_only_leaves_the_rest_missing(self, stack_volume) -> None:
        volume = stack_volume(np.zeros((5, 16, 16), np.int16), np.arange(5) * 5.0)
        heat = stack_slice_maps({1: np.full((4, 4), 0.5, np.float32), 2: np.ones((16, 16), np.float32)}, 5, (8, 8))
        assert heat.shape == (5, 8, 8) and np.isnan(heat[0]).all() and (heat[2] == 1).all()
        plane = Mpr.from_volume(volume).plane(heat, "coronal", 8)
        assert plane.missing[[0, 1, 4]].all()  # slices 4, 3, 0 (top first) have no map
        np.testing.assert_allclose(plane.image[2], 1.0)
        np.testing.assert_allclose(plane.image[3], 0.5)


class TestViewMapping:
    @pytest.mark.parametrize("tilt", [0.0, 15.0])
    def test_view_and_patient_round_trip(self, physical_heads, tilt) -> None:
        _, volume = physical_heads[tilt]
        mpr = Mpr.from_volume(volume)
        for view in VIEWS:
            index = mpr.n_planes(view) // 3
            point = mpr.view_to_patient(view, index, 40.0, 51.5)
            back = mpr.patient_to_view(point, view)
            assert (back.index, back.row, back.col) == pytest.approx((index, 40.0, 51.5), abs=1e-6)

    def test_axial_pixels_are_the_volumes_patient_points(self, physical_heads) -> None:
        _, volume = physical_heads[15.0]
        mpr = Mpr.from_volume(volume)
        np.testing.assert_allclose(mpr.view_to_patient("axial", 30, 12, 99), volume.patient_point(30, 12, 99))

    def test_a_click_moves_the_other_views_to_the_same_point(self, physical_heads) -> None:
        phantom, volume = physical_heads[15.0]
        mpr = Mpr.from_volume(volume)
        lesion = phantom.lesions[0]
        centre = np.array([lesion.x_mm, lesion.y_mm, lesion.z_mm])  # physical phantom: patient mm = anatomy mm
        sagittal = mpr.patient_to_view(centre, "sagittal")
        clicked = mpr.view_to_patient("sagittal", sagittal.index, sagittal.row, sagittal.col)
        assert np.linalg.norm(clicked - centre) <= mpr.steps[0] / 2 + 1e-6
        axial = mpr.patient_to_view(clicked, "axial")
        coronal = mpr.patient_to_view(clicked, "coronal")
        assert phantom.masks["intraparenchymal"][axial.index, round(axial.row), round(axial.col)]
        assert np.linalg.norm(mpr.view_to_patient("coronal", coronal.index, coronal.row, coronal.col) - clicked) < 1.3
        assert mpr.plane(volume.hu, "coronal", coronal.index).image[round(coronal.row), round(coronal.col)] > 50


class TestSliceLines:
    def test_untilted_slices_are_image_rows(self, stack_volume) -> None:
        mpr = Mpr.from_volume(stack_volume(np.zeros((8, 10, 12), np.int16), np.arange(8) * 5.0))
        lines = mpr.slice_lines("coronal", 3, [0, 5])
        assert [k for k, _ in lines] == [0, 5]
        (r0, c0), (r1, c1) = lines[1][1]
        assert (r0, r1) == pytest.approx((7 - 5, 7 - 5)) and (c0, c1) == (-0.5, 11.5)
        assert mpr.intersection("coronal", 3, "coronal", 4) is None  # parallel

    def test_tilted_slices_are_tilted_on_the_sagittal_image(self, physical_heads) -> None:
        _, volume = physical_heads[15.0]
        mpr = Mpr.from_volume(volume)
        [(_, ((r0, c0), (r1, c1)))] = mpr.slice_lines("sagittal", 96, [32])
        row_mm, col_mm = mpr.pixel_mm("sagittal")
        angle = np.degrees(np.arctan2((r1 - r0) * row_mm, (c1 - c0) * col_mm))
        assert abs(angle) == pytest.approx(15.0, abs=0.01)
        middle = mpr.view_to_patient("sagittal", 96, (r0 + r1) / 2, (c0 + c1) / 2)
        assert middle @ mpr.normal == pytest.approx(volume.slice_position(32), abs=1e-6)

    def test_crosshair_lines_cross_at_the_point(self, physical_heads) -> None:
        _, volume = physical_heads[15.0]
        mpr = Mpr.from_volume(volume)
        point = mpr.view_to_patient("axial", 30, 90.0, 70.0)
        coronal, sagittal = mpr.patient_to_view(point, "coronal"), mpr.patient_to_view(point, "sagittal")
        (a0, a1) = mpr.intersection("axial", 30, "coronal", coronal.index)
        (b0, b1) = mpr.intersection("axial", 30, "sagittal", sagittal.index)
        crossing = _crossing(np.array(a0), np.array(a1), np.array(b0), np.array(b1))
        assert np.linalg.norm(mpr.view_to_patient("axial", 30, *crossing) - point) < 1.0  # within a grid step


def _crossing(p0: np.ndarray, p1: np.ndarray, q0: np.ndarray, q1: np.ndarray) -> tuple[float, float]:
    def cross(u: np.ndarray, v: np.ndarray) -> float:
        return float(u[0] * v[1] - u[1] * v[0])

    d, e = p1 - p0, q1 - q0
    t = cross(q0 - p0, e) / cross(d, e)
    row, col = p0 + t * d
    return float(row), float(col)
