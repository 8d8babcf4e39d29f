"""In-memory stacks: the geometry the headers state is the one the viewer reads back from them."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.synthetic.memory_stack import memory_volume, slice_header, stack_headers


def test_a_volume_reads_back_its_spacing_pixels_and_order() -> None:
    hu = np.zeros((6, 16, 12), np.int16)
    volume = memory_volume(hu, np.array([0.0, 2.5, 5.0, 7.5, 10.0, 12.5]), pixel_mm=0.8)
    assert volume.spacing == pytest.approx((2.5, 0.8, 0.8)) and volume.n_slices == 6
    assert [s.instance_number for s in volume.slices] == [1, 2, 3, 4, 5, 6] and not volume.geometry.warnings


def test_a_tilted_stack_is_read_as_tilted_and_states_its_tilt() -> None:
    headers = stack_headers((8, 32, 32), np.arange(8) * 3.0, tilt_deg=15.0, origin=(-20.0, -30.0))
    assert headers[0].gantry_tilt == 15.0 and headers[0].position == pytest.approx(
        (-20.0, -30.0 * np.cos(np.radians(15)), 0.0)
    )
    volume = memory_volume(np.zeros((8, 32, 32), np.int16), np.arange(8) * 3.0, tilt_deg=15.0)
    assert volume.geometry.tilt_deg == pytest.approx(15.0, abs=0.01)


def test_fields_replace_the_defaults() -> None:
    header = slice_header(4, None, rows=2, rescale_intercept=-1024.0)
    assert header.position is None and header.rows == 2 and header.rescale_intercept == -1024.0
    assert header.instance_number == 5 and header.path.name == "slice004.dcm" and header.columns == 64
