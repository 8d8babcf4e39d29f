"""The heat legend: the overlay's colours over tissue grey, at the reader's opacity."""

from __future__ import annotations

from ichviewer.ui.heat_legend import HeatLegend


def test_strip_from_grey_to_colour_following_the_opacity(qtbot) -> None:  # type: ignore[no-untyped-def]
    legend = HeatLegend(0.2)
    qtbot.addWidget(legend)
    faint = legend.strip(100)
    assert faint.shape == (1, 100, 3) and (faint[0, 0] == 110).all()  # no heat: the grey shows
    legend.set_opacity(0.8)
    strong = legend.strip(100)
    assert abs(int(strong[0, -1, 0]) - 110) > abs(int(faint[0, -1, 0]) - 110)  # hot end: more colour
