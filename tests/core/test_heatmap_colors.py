"""The heat colour table, heat as uint8 levels, and the blend the PDF and training's check grids draw."""

from __future__ import annotations

import numpy as np

from ichviewer.core.heatmap_colors import HEAT_FLOOR, blend, heat_levels, heat_lut


def test_levels_round_and_clip() -> None:
    assert heat_levels(np.array([-0.5, 0.0, 0.5, 1.0, 2.0])).tolist() == [0, 0, 128, 255, 255]


def test_lut_is_transparent_below_the_floor_and_scales_with_opacity() -> None:
    lut = heat_lut(0.5)
    assert lut.shape == (256, 4) and lut.dtype == np.uint8
    assert lut[: int(HEAT_FLOOR * 255), 3].max() == 0
    assert lut[255, 3] == round(255 * 0.5)


def test_blend_keeps_grey_where_cold_and_colours_where_hot() -> None:
    grey = np.full((2, 2), 100, np.uint8)
    heat = np.array([[0.0, 0.1], [0.9, 1.0]], np.float32)
    rgb = blend(grey, heat, 0.6)
    assert rgb.shape == (2, 2, 3) and (rgb[0] == 100).all()
    assert int(rgb[1, 1].max()) - int(rgb[1, 1].min()) > 50
