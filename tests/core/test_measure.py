"""Measurements in mm on the real geometry: lengths on tilted and untilted heads, angles, regions, JSON, edits."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.measure import MeasurementError, from_json, measure, remeasure, to_json
from ichviewer.core.measurement_list import History
from ichviewer.core.mpr import Mpr, Plane
from ichviewer.core.synthetic.phantom import HEAD_HEIGHT_MM
from ichviewer.core.synthetic.shapes import HEAD_CY, head_semi_axes

SKIN_HU = -500.0  # halfway between air and scalp: where a reader puts the end of a head-size line


def edges(values: np.ndarray, threshold: float) -> tuple[float, float]:
    """Fractional positions of the first rise above and the last fall below `threshold` (linear between pixels)."""
    above = np.flatnonzero(values > threshold)
    first, last = above[0], above[-1]

    def crossing(i: int, j: int) -> float:
        return i + (threshold - values[i]) / (values[j] - values[i]) * (j - i)

    return crossing(first - 1, first), crossing(last, last + 1)


def through_the_bleed(physical_heads, tilt: float, view: str):  # type: ignore[no-untyped-def]
    """(lesion, mpr, centre, plane): the `view` plane through the first bleed's centre of the head at `tilt`."""
    phantom, volume = physical_heads[tilt]
    mpr = Mpr.from_volume(volume)
    lesion = phantom.lesions[0]
    centre = mpr.patient_to_view(np.array([lesion.x_mm, lesion.y_mm, lesion.z_mm]), view)
    return lesion, mpr, centre, mpr.plane(volume.hu, view, centre.index)


class TestLength:
    @pytest.mark.parametrize("tilt", [0.0, 15.0])
    def test_head_width_on_the_axial_slice(self, physical_heads, tilt) -> None:
        phantom, volume = physical_heads[tilt]
        mpr = Mpr.from_volume(volume)
        k = 27  # centre row at z = 67.5 mm, the head's widest level
        row = mpr.patient_to_view(np.array([0.0, HEAD_CY, 67.5]), "axial").row
        r = round(row)
        left, right = edges(volume.hu[k, r].astype(float), SKIN_HU)
        length = measure(mpr, "length", "axial", k, [(r, left), (r, right)])
        z = mpr.view_to_patient("axial", k, r, 96)[2]
        expected = 2 * head_semi_axes(z / HEAD_HEIGHT_MM)[0]
        assert length.value == pytest.approx(expected, abs=phantom.spec.pixel_mm)
        assert length.kind == "length" and length.placement.view == "axial" and length.placement.index == k

    @pytest.mark.parametrize("tilt", [0.0, 15.0])
    def test_head_length_on_the_sagittal_reformat(self, physical_heads, tilt) -> None:
        phantom, volume = physical_heads[tilt]
        mpr = Mpr.from_volume(volume)
        middle = mpr.patient_to_view(np.array([0.0, HEAD_CY, 67.5]), "sagittal")
        plane = mpr.plane(volume.hu, "sagittal", middle.index)
        r = round(middle.row)
        front, back = edges(plane.image[r].astype(float), SKIN_HU)
        length = measure(mpr, "length", "sagittal", middle.index, [(r, front), (r, back)])
        z = mpr.view_to_patient("sagittal", middle.index, r, 0)[2]
        assert length.value == pytest.approx(2 * head_semi_axes(z / HEAD_HEIGHT_MM)[1], abs=phantom.spec.pixel_mm)

    def test_bleed_height_on_the_tilted_coronal_reformat(self, physical_heads) -> None:
        lesion, mpr, centre, plane = through_the_bleed(physical_heads, 15.0, "coronal")
        column = plane.image[:, round(centre.col)].astype(float)
        top, bottom = edges(np.where(np.abs(np.arange(len(column)) - centre.row) < 20, column, 0), 45.0)
        height = measure(mpr, "length", "coronal", centre.index, [(top, centre.col), (bottom, centre.col)])
        assert height.value == pytest.approx(2 * lesion.z_half_mm, abs=mpr.pixel_mm("coronal")[0])

    @pytest.mark.parametrize("view", ["axial", "coronal", "sagittal"])
    def test_lengths_are_exact_on_the_image_grid(self, physical_heads, view) -> None:
        _, volume = physical_heads[15.0]
        mpr = Mpr.from_volume(volume)
        row_mm, col_mm = mpr.pixel_mm(view)
        length = measure(mpr, "length", view, 20, [(10.0, 20.0), (13.0, 24.0)])
        assert length.value == pytest.approx(np.hypot(3 * row_mm, 4 * col_mm), rel=1e-9)


class TestAngle:
    def test_native_slice_line_on_the_sagittal_is_at_the_tilt(self, physical_heads) -> None:
        _, volume = physical_heads[15.0]
        mpr = Mpr.from_volume(volume)
        [(_, ((r0, c0), (r1, c1)))] = mpr.slice_lines("sagittal", 96, [30])
        angle = measure(mpr, "angle", "sagittal", 96, [(r0, c0), (r1, c1), (r1, c0)])
        assert angle.value == pytest.approx(15.0, abs=1e-4)  # headers hold 6 decimals

    def test_right_angle_on_anisotropic_pixels(self, physical_heads) -> None:
        _, volume = physical_heads[0.0]
        mpr = Mpr.from_volume(volume)
        angle = measure(mpr, "angle", "coronal", 50, [(10, 30), (10, 10), (40, 10)])
        assert angle.value == pytest.approx(90.0)
        diagonal = measure(mpr, "angle", "coronal", 50, [(10, 30), (10, 10), (30, 30)])
        row_mm, col_mm = mpr.pixel_mm("coronal")
        assert diagonal.value == pytest.approx(np.degrees(np.arctan2(20 * row_mm, 20 * col_mm)))

    def test_an_arm_without_length_is_refused(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[0.0][1])
        with pytest.raises(MeasurementError, match="arms"):
            measure(mpr, "angle", "axial", 3, [(1, 1), (1, 1), (2, 2)])


class TestRegion:
    def test_known_values_and_pixel_count(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[0.0][1])
        image = np.zeros((192, 192), dtype=np.int16)
        image[11:21, 11:21] = np.arange(100, dtype=np.int16).reshape(10, 10)
        plane = Plane(image, np.zeros(image.shape, bool), "axial", 4, (1.2, 1.2), False)
        square = measure(mpr, "polygon", "axial", 4, [(10.5, 10.5), (10.5, 20.5), (20.5, 20.5), (20.5, 10.5)], plane)
        stats = square.stats
        assert stats is not None and stats.pixels == 100
        assert stats.area_mm2 == pytest.approx(100 * 1.2**2)
        assert (stats.mean, stats.min, stats.max) == (49.5, 0.0, 99.0)
        assert stats.sd == pytest.approx(np.arange(100).std(ddof=1))

    def test_ellipse_inside_the_bleed(self, physical_heads) -> None:
        lesion, mpr, centre, plane = through_the_bleed(physical_heads, 0.0, "axial")
        r, c = centre.row, centre.col
        ellipse = measure(mpr, "ellipse", "axial", centre.index, [(r - 4, c - 6), (r + 4, c + 6)], plane)
        stats = ellipse.stats
        assert stats is not None
        assert stats.area_mm2 == pytest.approx(np.pi * 4 * 6 * 1.2**2)
        assert abs(stats.pixels - np.pi * 4 * 6) < 0.15 * np.pi * 4 * 6
        assert stats.mean == pytest.approx(lesion.hu, abs=6.0)
        assert 3.0 < stats.sd < 12.0 and stats.min < stats.mean < stats.max
        assert "HU" in ellipse.label and "mm²" in ellipse.label

    def test_missing_pixels_are_left_out(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[15.0][1])
        image = np.full((30, 30), 100, dtype=np.int16)
        missing = np.zeros(image.shape, dtype=bool)
        missing[:, :10], image[:, :10] = True, -1024  # as a reformat fills what lies outside the stack
        plane = Plane(image, missing, "sagittal", 96, mpr.pixel_mm("sagittal"), True)
        half = measure(mpr, "ellipse", "sagittal", 96, [(5, 0), (25, 20)], plane)
        whole = measure(mpr, "ellipse", "sagittal", 96, [(5, 10), (25, 30)], plane)
        assert half.stats is not None and whole.stats is not None
        assert half.stats.mean == 100 and half.stats.min == 100
        assert half.stats.pixels < 0.6 * whole.stats.pixels
        assert half.stats.area_mm2 == pytest.approx(whole.stats.area_mm2)  # the drawn shape's area

    def test_a_region_needs_its_image(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[0.0][1])
        with pytest.raises(MeasurementError, match="needs the image"):
            measure(mpr, "ellipse", "axial", 3, [(1, 1), (5, 5)])


class TestMeasurementRecords:
    def test_json_round_trip_for_every_kind(self, physical_heads) -> None:
        _, volume = physical_heads[0.0]
        mpr = Mpr.from_volume(volume)
        plane = mpr.plane(volume.hu, "coronal", 60)
        made = [
            measure(mpr, "length", "axial", 3, [(1, 2), (3, 4)]),
            measure(mpr, "angle", "sagittal", 40, [(1, 2), (3, 4), (9, 1)]),
            measure(mpr, "ellipse", "coronal", 60, [(20, 30), (28, 50)], plane),
            measure(mpr, "polygon", "coronal", 60, [(20, 30), (28, 50), (40, 35)], plane),
            measure(mpr, "midline", "axial", 30, [(20, 96), (170, 96), (80, 100)]),
        ]
        for m in made:
            assert from_json(to_json(m)) == m
        assert len({m.id for m in made}) == len(made)

    def test_damaged_records_are_named(self) -> None:
        with pytest.raises(MeasurementError, match="damaged"):
            from_json({"kind": "length", "view": "axial"})
        with pytest.raises(MeasurementError, match="unknown measurement"):
            from_json({"kind": "volume", "view": "axial"})

    def test_remeasure_keeps_the_id(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[0.0][1])
        first = measure(mpr, "length", "axial", 3, [(0, 0), (0, 10)])
        moved = remeasure(mpr, first, [(0, 0), (0, 20)])
        assert moved.id == first.id and moved.value == pytest.approx(2 * first.value)

    def test_wrong_number_of_points(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[0.0][1])
        with pytest.raises(MeasurementError, match="needs 2 points"):
            measure(mpr, "length", "axial", 3, [(0, 0)])


class TestHistory:
    def test_add_edit_delete_undo_redo(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[0.0][1])
        a = measure(mpr, "length", "axial", 3, [(0, 0), (0, 10)])
        b = measure(mpr, "length", "axial", 4, [(0, 0), (5, 0)])
        history = History().add(a).add(b)
        assert [m.id for m in history.items] == [a.id, b.id]
        moved = remeasure(mpr, a, [(0, 0), (0, 30)])
        history = history.replace(moved).delete(b.id)
        assert history.items == (moved,)
        history = history.undo()
        assert history.items == (moved, b)
        history = history.undo()
        assert history.items == (a, b) and history.can_redo
        history = history.redo().redo()
        assert history.items == (moved,)
        assert history.redo() is history and not history.can_redo
        history = history.undo().undo().undo().undo()
        assert history.items == () and not history.can_undo
        assert history.undo() is history

    def test_a_new_edit_drops_the_redo_stack(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[0.0][1])
        a, b = (measure(mpr, "length", "axial", k, [(0, 0), (0, 10)]) for k in (3, 4))
        history = History().add(a).undo().add(b)
        assert history.items == (b,) and not history.can_redo

    def test_deleting_in_the_middle_restores_the_order(self, physical_heads) -> None:
        mpr = Mpr.from_volume(physical_heads[0.0][1])
        items = [measure(mpr, "length", "axial", k, [(0, 0), (0, 10)]) for k in range(3)]
        history = History()
        for m in items:
            history = history.add(m)
        history = history.delete(items[1].id).undo()
        assert history.items == tuple(items)
        with pytest.raises(KeyError):
            history.delete("no-such-id")
