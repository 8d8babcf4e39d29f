"""Midline shift: perpendicular distance and side, and a phantom with a known shift measured from its pixels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from ichviewer.core.measure import measure
from ichviewer.core.midline import midline_shift
from ichviewer.core.mpr import Mpr
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.synthetic.shapes import HEAD_CY

CSF_BELOW_HU = 18.0  # ventricle CSF (6 HU) against the septum's tissue (≥ 25 HU)


class TestMidlineShift:
    def test_perpendicular_distance_and_side(self) -> None:
        anterior, posterior = np.array([0.0, -80.0, 50.0]), np.array([0.0, 90.0, 50.0])
        left = midline_shift(anterior, posterior, np.array([4.0, -10.0, 50.0]))
        assert left.signed_mm == pytest.approx(4.0) and left.side == "left"
        assert left.foot == pytest.approx((0.0, -10.0, 50.0))
        assert left.text == "4.0 mm towards the patient's left"
        right = midline_shift(anterior, posterior, np.array([-2.5, 30.0, 50.0]))
        assert right.signed_mm == pytest.approx(-2.5) and right.side == "right"
        assert midline_shift(anterior, posterior, np.array([0.0, 5.0, 50.0])).side == "none"

    def test_oblique_midline(self) -> None:
        angle = np.radians(10)  # head turned: the midline runs at 10° to the y axis
        axis = np.array([np.sin(angle), np.cos(angle), 0.0])
        across = np.array([np.cos(angle), -np.sin(angle), 0.0])  # towards the patient's left
        anterior, posterior = -80 * axis, 90 * axis
        shift = midline_shift(anterior, posterior, 12 * axis + 5.0 * across)
        assert shift.signed_mm == pytest.approx(5.0) and shift.side == "left"

    def test_coinciding_falx_points_are_refused(self) -> None:
        with pytest.raises(ValueError, match="coincide"):
            midline_shift(np.zeros(3), np.zeros(3), np.ones(3))


class TestPhantomShift:
    @pytest.mark.parametrize("tilt", [0.0, 15.0])
    def test_known_shift_within_1_mm(self, physical_heads, tilt) -> None:
        """Falx attachments where the phantom draws the falx (x = 0); the septum found between the frontal horns."""
        phantom, volume = physical_heads[tilt]
        mpr = Mpr.from_volume(volume)
        k = 32  # slice through the frontal horns (80 mm up)
        z = volume.patient_point(k, 0, 0)[2]
        anterior = mpr.patient_to_view(np.array([0.0, HEAD_CY - 70.0, z]), "axial")
        posterior = mpr.patient_to_view(np.array([0.0, HEAD_CY + 75.0, z]), "axial")
        row, col = _septum(volume.hu[k], mpr.patient_to_view(np.array([0.0, HEAD_CY - 16.0, z]), "axial").row)
        points = [(anterior.row, anterior.col), (posterior.row, posterior.col), (row, col)]
        shift = measure(mpr, "midline", "axial", k, points)
        truth = phantom.spec.midline_shift_mm  # towards the patient's left
        assert truth > 0 and shift.value == pytest.approx(truth, abs=1.0)
        assert shift.shift.side == "left" and "left" in shift.label

    @pytest.mark.parametrize("truth", [0.0, -4.0])
    def test_no_shift_and_a_shift_to_the_right(self, stack_volume, truth) -> None:
        phantom = generate_phantom(PhantomSpec(seed=4, n_slices=9, size=192, pixel_mm=1.2, midline_shift_mm=truth))
        volume = stack_volume(phantom.hu, np.arange(9) * 20.0, pixel_mm=1.2)  # slice 4: half way up the head
        mpr = Mpr.from_volume(volume)
        centre, px = (192 - 1) / 2, 1.2
        row, col = _septum(phantom.hu[4], centre + (HEAD_CY - 16.0) / px)
        ends = [(centre + (HEAD_CY - 70.0) / px, centre), (centre + (HEAD_CY + 75.0) / px, centre)]
        shift = measure(mpr, "midline", "axial", 4, [*ends, (row, col)])
        assert shift.value == pytest.approx(truth, abs=1.0)
        if truth:
            assert shift.shift.side == "right"


def _septum(image: np.ndarray, row: float) -> tuple[float, float]:
    """Midpoint of the tissue gap between the two frontal horns on the image row `row` (3 rows averaged)."""
    r = round(row)
    profile = image[r - 1 : r + 2].astype(float).mean(axis=0)
    centre = image.shape[1] / 2
    near = np.abs(np.arange(len(profile)) - centre) < 30
    labels, n = ndimage.label((profile < CSF_BELOW_HU) & near)
    horns = sorted(ndimage.find_objects(labels), key=lambda s: s[0].stop - s[0].start)[-2:]
    (first, second) = sorted(horns, key=lambda s: s[0].start)
    inner_left, inner_right = first[0].stop - 1, second[0].start  # the last CSF pixel, the first CSF pixel again

    def crossing(i: int, j: int) -> float:
        return i + (CSF_BELOW_HU - profile[i]) / (profile[j] - profile[i]) * (j - i)

    return float(r), (crossing(inner_left, inner_left + 1) + crossing(inner_right - 1, inner_right)) / 2
