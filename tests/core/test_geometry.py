"""Stack geometry from headers alone: order on the normal, duplicates, gaps, tilt, flips."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.dicom.records import SliceHeader
from ichviewer.core.geometry import plan_stack
from ichviewer.core.synthetic.memory_stack import AXIAL, slice_header


def header(k: int, z: float | None, orientation=AXIAL, rows=64, columns=64, y: float = 0.0, **kw) -> SliceHeader:
    position = None if z is None else (-100.0, y, z)
    return slice_header(k, position, orientation=orientation, rows=rows, columns=columns, **kw)


class TestPlanStack:
    def test_orders_on_position_not_instance_number_or_name(self):
        rng = np.random.default_rng(0)
        zs = rng.permutation(10) * 5.0
        slices = [header(k, float(z), instance_number=int(100 - z)) for k, z in enumerate(zs)]
        geometry = plan_stack(slices)
        assert [s.position[2] for s in geometry.slices] == [i * 5.0 for i in range(10)]
        assert geometry.spacing == pytest.approx(5.0)
        assert geometry.warnings == ()

    def test_slice_zero_is_inferior_even_if_normal_points_down(self):
        flipped = (1.0, 0.0, 0.0, 0.0, -1.0, 0.0)  # normal (0, 0, -1): rows run anterior
        geometry = plan_stack([header(k, 5.0 * k, orientation=flipped) for k in range(5)])
        assert geometry.slices[0].position[2] == 0.0
        assert geometry.flip_rows and not geometry.flip_columns

    def test_duplicate_positions_are_reported_and_dropped(self):
        slices = [header(k, 5.0 * k) for k in range(6)] + [header(99, 10.0)]
        geometry = plan_stack(slices)
        assert geometry.n_slices == 6
        assert len(geometry.rejected) == 1
        assert "duplicate slice" in geometry.rejected[0].reason
        assert geometry.rejected[0].path.name == "slice099.dcm"

    def test_gap_reports_missing_slices(self):
        zs = [0, 5, 10, 25, 30, 35]
        geometry = plan_stack([header(k, float(z)) for k, z in enumerate(zs)])
        assert any("about 2 slices missing" in w and "between slices 3 and 4" in w for w in geometry.warnings)

    def test_uneven_spacing_is_reported(self):
        zs = [0, 5, 10, 13, 18, 23, 28]
        geometry = plan_stack([header(k, float(z)) for k, z in enumerate(zs)])
        assert any(w.startswith("Uneven slice spacing") for w in geometry.warnings)

    def test_other_size_is_rejected_with_both_sizes(self):
        slices = [header(k, 5.0 * k) for k in range(5)] + [header(9, 50.0, rows=32, columns=32)]
        geometry = plan_stack(slices)
        assert geometry.n_slices == 5
        assert "32×32" in geometry.rejected[0].reason and "64×64" in geometry.rejected[0].reason

    def test_other_orientation_is_rejected(self):
        coronal = (1.0, 0.0, 0.0, 0.0, 0.0, -1.0)
        slices = [header(k, 5.0 * k) for k in range(5)] + [header(7, 0.0, orientation=coronal)]
        geometry = plan_stack(slices)
        assert geometry.n_slices == 5
        assert "orientation differs" in geometry.rejected[0].reason

    def test_gantry_tilt_measured_from_sheared_positions(self):
        tilt = np.radians(15)
        tilted = (1.0, 0.0, 0.0, 0.0, float(np.cos(tilt)), float(-np.sin(tilt)))
        geometry = plan_stack([header(k, 5.0 * k, orientation=tilted) for k in range(8)])
        assert geometry.tilt_deg == pytest.approx(15.0, abs=0.01)
        assert geometry.spacing == pytest.approx(5.0 * np.cos(tilt))
        assert any("Gantry tilt of 15.0°" in w for w in geometry.warnings)

    def test_oblique_stack_advancing_along_its_normal_is_not_tilt(self):
        angle = np.radians(20)
        oblique = (1.0, 0.0, 0.0, 0.0, float(np.cos(angle)), float(-np.sin(angle)))
        normal = np.cross(oblique[:3], oblique[3:])
        slices = [
            header(k, float(5 * k * normal[2]), orientation=oblique, y=float(5 * k * normal[1])) for k in range(6)
        ]
        geometry = plan_stack(slices)
        assert geometry.tilt_deg == pytest.approx(0.0, abs=0.01)
        assert geometry.obliquity_deg == pytest.approx(20.0, abs=0.01)

    def test_without_positions_falls_back_to_instance_number_with_warning(self):
        slices = [header(k, None, instance_number=10 - k) for k in range(4)]
        geometry = plan_stack(slices)
        assert [s.instance_number for s in geometry.slices] == [7, 8, 9, 10]
        assert "ordered by Instance Number" in geometry.warnings[0]

    def test_flipped_columns_keep_patient_coordinates_right(self):
        mirrored = (-1.0, 0.0, 0.0, 0.0, 1.0, 0.0)  # columns run to the patient's right
        geometry = plan_stack([header(k, 5.0 * k, orientation=mirrored) for k in range(3)])
        assert geometry.flip_columns
        # pixel (row 0, col 0) of the flipped array is the last column of the file
        assert geometry.positions[0][0] == pytest.approx(-100.0 - 63 * 0.5)
        assert tuple(geometry.orientation[:3]) == (1.0, 0.0, 0.0)

    def test_empty_series_raises(self):
        with pytest.raises(ValueError, match="without images"):
            plan_stack([])


class TestSpacingWarnings:
    def test_two_zone_protocol_is_one_line_not_a_line_per_gap(self):
        zs = [2.5 * k for k in range(16)] + [37.5 + 1.0 + 5.0 * k for k in range(20)]  # base, one step, above
        geometry = plan_stack([header(k, z) for k, z in enumerate(zs)])
        (warning,) = geometry.warnings
        assert "2.5 mm in slices 1–16" in warning and "5.0 mm in slices 17–36" in warning
        assert "two-zone protocol" in warning and "missing" in warning

    def test_repeated_gaps_share_one_line_naming_each_place(self):
        zs = [5.0 * k for k in range(12) if k not in (3, 8)]
        geometry = plan_stack([header(k, z) for k, z in enumerate(zs)])
        (gaps,) = [w for w in geometry.warnings if w.startswith("Gaps")]
        assert "between slices 3 and 4, 7 and 8" in gaps and "about 1 slice missing at each" in gaps

    def test_gaps_that_differ_only_by_jitter_share_one_line(self):
        """Real positions wobble by a few hundredths of a mm: 9.96 and 10.04 mm gaps are the same kind of gap."""
        steps = [5.0] * 10 + [10.0, 5.0, 5.0] * 5 + [5.0] * 5
        jitter = np.random.default_rng(0).uniform(-0.08, 0.08, len(steps))
        zs = np.cumsum([0.0, *(np.array(steps) + jitter)])
        geometry = plan_stack([header(k, float(z)) for k, z in enumerate(zs)])
        (gaps,) = [w for w in geometry.warnings if "missing" in w]
        assert gaps.startswith(
            "Gaps of 9.9–10.1 mm between slices 11 and 12, 14 and 15, 17 and 18, 20 and 21, 23 and 24"
        )
        assert gaps.count("about 1 slice missing at each") == 1

    def test_a_single_gap_keeps_its_own_sentence(self):
        zs = [0.0, 5.0, 10.0, 25.0, 30.0]
        geometry = plan_stack([header(k, z) for k, z in enumerate(zs)])
        assert geometry.warnings[0].startswith("Gap of 15.0 mm between slices 3 and 4")
        assert "about 2 slices missing (half-copied study?)" in geometry.warnings[0]
