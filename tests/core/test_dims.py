"""The 3-D cursor: centred on a new volume, clamped, one event per real move."""

from __future__ import annotations

from ichviewer.core.dims import Dims


def test_reset_centres_and_clamps() -> None:
    dims = Dims()
    dims.reset((20, 64, 48))
    assert dims.point == (10, 32, 24) and dims.slice == 10 and dims.n_slices == 20
    dims.reset((5, 8, 8), point=(9, -3, 4))
    assert dims.point == (4, 0, 4)


def test_set_point_and_step_keep_the_cursor_inside() -> None:
    dims, seen = Dims(), []
    dims.reset((10, 16, 16))
    dims.events.point.connect(seen.append)
    dims.set_point(z=3)
    dims.step(-5)
    dims.step(-1)  # already at the bottom: no event
    dims.step(2, axis=2)
    dims.set_point(y=100)
    assert seen == [(3, 8, 8), (0, 8, 8), (0, 8, 10), (0, 15, 10)]


def test_empty_volume_keeps_zero() -> None:
    dims = Dims()
    dims.reset((0, 0, 0))
    dims.step(3)
    assert dims.point == (0, 0, 0)
