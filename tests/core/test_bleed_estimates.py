"""Bleed volume estimates as measurements: a seeded region clicked on any view, ABC/2 from four points, edits."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.bleed_estimates import (
    EDGE_WARNING,
    abc_diameters,
    abc_estimate,
    grown,
    moved,
    region_estimate,
    suggested_slices,
    with_settings,
)
from ichviewer.core.bleed_volume import Box
from ichviewer.core.measure import MeasurementError, from_json, measure, to_json
from ichviewer.core.mpr import Mpr


def lesion_centre(phantom) -> np.ndarray:  # type: ignore[no-untyped-def]
    lesion = phantom.lesions[0]
    return np.array([lesion.x_mm, lesion.y_mm, lesion.z_mm])


class TestRegionEstimate:
    @pytest.mark.parametrize("view", ["axial", "coronal", "sagittal"])
    def test_a_click_in_the_bleed_on_any_view_is_within_10_percent(self, physical_heads, view) -> None:
        phantom, volume = physical_heads[15.0]
        mpr = Mpr.from_volume(volume)
        at = mpr.patient_to_view(lesion_centre(phantom), view)
        m = region_estimate(volume, mpr, view, at.index, (at.row, at.col))
        assert m.kind == "region" and m.placement.view == view
        assert m.value == pytest.approx(phantom.volume_ml("intraparenchymal"), rel=0.10)
        assert m.bleed is not None and m.bleed.hu_range == (45.0, 100.0) and m.bleed.warnings == ()
        assert phantom.masks["intraparenchymal"][m.bleed.seed]
        assert m.label.startswith("Seeded region estimate") and "mL" in m.label
        assert grown(volume, m).voxels == m.bleed.voxels

    def test_a_click_outside_the_range_says_why(self, physical_heads) -> None:
        _, volume = physical_heads[0.0]
        mpr = Mpr.from_volume(volume)
        with pytest.raises(MeasurementError, match="outside 45–100 HU"):
            region_estimate(volume, mpr, "axial", 32, (5.0, 5.0))

    def test_a_narrower_range_and_a_small_box_change_the_estimate(self, physical_heads) -> None:
        phantom, volume = physical_heads[0.0]
        mpr = Mpr.from_volume(volume)
        at = mpr.patient_to_view(lesion_centre(phantom), "axial")
        m = region_estimate(volume, mpr, "axial", at.index, (at.row, at.col))
        narrow = with_settings(volume, mpr, m, hu_range=(60.0, 100.0))
        assert narrow.id == m.id and narrow.value < m.value and narrow.bleed.hu_range == (60.0, 100.0)  # type: ignore[union-attr,operator]
        k, r, c = m.bleed.seed  # type: ignore[union-attr,misc]
        small = with_settings(volume, mpr, m, box=Box((k - 1, k + 2), (r - 3, r + 4), (c - 3, c + 4)))
        assert small.value < m.value and EDGE_WARNING in small.bleed.warnings  # type: ignore[union-attr,operator]

    def test_json_round_trip(self, physical_heads) -> None:
        phantom, volume = physical_heads[0.0]
        mpr = Mpr.from_volume(volume)
        at = mpr.patient_to_view(lesion_centre(phantom), "coronal")
        m = region_estimate(volume, mpr, "coronal", at.index, (at.row, at.col))
        assert from_json(to_json(m)) == m
        damaged = to_json(m)
        del damaged["value"]
        with pytest.raises(MeasurementError, match="without its value"):
            from_json(damaged)


class TestAbcEstimate:
    def test_diameters_and_the_suggested_slice_count(self, physical_heads) -> None:
        phantom, volume = physical_heads[0.0]
        mpr = Mpr.from_volume(volume)
        at = mpr.patient_to_view(lesion_centre(phantom), "axial")
        r, c = at.row, at.col
        points = [(r, c - 8), (r, c + 8), (r - 5, c), (r + 5, c)]
        m = abc_estimate(volume, mpr, at.index, points)
        spanned = int(phantom.masks["intraparenchymal"].any(axis=(1, 2)).sum())
        assert m.bleed is not None and abs(m.bleed.slices - spanned) <= 2
        assert m.bleed.slices == suggested_slices(volume, at.index, points)
        a, b, c_mm = abc_diameters(m)
        assert (a, b) == pytest.approx((16 * 1.2, 10 * 1.2)) and c_mm == pytest.approx(m.bleed.slices * 2.5)
        assert m.value == pytest.approx(a * b * c_mm / 2 / 1000)
        assert m.label == f"ABC/2 estimate {m.value:.1f} mL"
        assert from_json(to_json(m)) == m

    def test_outside_a_bleed_c_starts_at_one_slice_and_the_reader_sets_it(self, physical_heads) -> None:
        _, volume = physical_heads[0.0]
        mpr = Mpr.from_volume(volume)
        m = abc_estimate(volume, mpr, 30, [(10, 10), (10, 30), (0, 20), (20, 20)])
        assert m.bleed is not None and m.bleed.slices == 1
        edited = with_settings(volume, mpr, m, slices=6)
        assert edited.id == m.id and edited.value == pytest.approx(6 * m.value)  # type: ignore[operator]

    def test_oblique_diameters_are_warned_and_wrong_point_counts_refused(self, physical_heads) -> None:
        _, volume = physical_heads[0.0]
        mpr = Mpr.from_volume(volume)
        m = abc_estimate(volume, mpr, 30, [(10, 10), (10, 30), (10, 12), (20, 22)], slices=3)
        assert any("not perpendicular" in w for w in m.bleed.warnings)  # type: ignore[union-attr]
        with pytest.raises(MeasurementError, match="4 points"):
            abc_estimate(volume, mpr, 30, [(10, 10), (10, 30)])
        with pytest.raises(MeasurementError, match="core.bleed_estimates"):
            measure(mpr, "abc", "axial", 30, [(10, 10), (10, 30)])


def test_moving_points_measures_again_with_the_same_id(physical_heads) -> None:
    phantom, volume = physical_heads[0.0]
    mpr = Mpr.from_volume(volume)
    length = measure(mpr, "length", "sagittal", 40, [(10, 10), (10, 20)])
    longer = moved(volume, mpr, length, [(10, 10), (10, 30)])
    assert longer.id == length.id and longer.value == pytest.approx(2 * length.value)  # type: ignore[operator]
    abc = abc_estimate(volume, mpr, 30, [(10, 10), (10, 30), (0, 20), (20, 20)], slices=4)
    wider = moved(volume, mpr, abc, [(10, 10), (10, 50), (0, 20), (20, 20)])
    assert wider.bleed.slices == 4 and wider.value == pytest.approx(2 * abc.value)  # type: ignore[union-attr,operator]
    at = mpr.patient_to_view(lesion_centre(phantom), "axial")
    region = region_estimate(volume, mpr, "axial", at.index, (at.row, at.col))
    nudged = moved(volume, mpr, region, [(at.row + 1, at.col)])
    assert nudged.id == region.id and nudged.value == pytest.approx(region.value, rel=0.02)  # type: ignore[arg-type]


def test_a_region_is_outlined_on_every_image_it_touches(physical_heads) -> None:
    from ichviewer.core.region_outlines import RegionOutlines

    phantom, volume = physical_heads[15.0]
    mpr = Mpr.from_volume(volume)
    at = mpr.patient_to_view(lesion_centre(phantom), "axial")
    m = region_estimate(volume, mpr, "axial", at.index, (at.row, at.col))
    outlines = RegionOutlines()
    region = outlines.region(volume, m)
    assert outlines.region(volume, m) is region  # grown once
    for k in region.slices:
        assert outlines.outlines(volume, mpr, m, "axial", k)
    assert outlines.outlines(volume, mpr, m, "axial", region.slices[-1] + 2) == []
    for view in ("coronal", "sagittal"):
        through = mpr.patient_to_view(np.array(volume.patient_point(*m.bleed.seed)), view)  # type: ignore[misc,union-attr]
        polygons = outlines.outlines(volume, mpr, m, view, through.index)
        assert polygons and any(len(p) >= 4 for p in polygons)
        assert outlines.outlines(volume, mpr, m, view, 0) == []  # an image far from the bleed
