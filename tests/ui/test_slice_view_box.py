"""The slice view's mouse map: wheel notches become slice steps, half notches add up, Ctrl+wheel zooms."""

from __future__ import annotations

from ichviewer.ui.slice_view_box import SliceViewBox
from tests.ui.qt_input import send_wheel


def test_half_notches_add_up_to_one_step(qtbot) -> None:  # type: ignore[no-untyped-def]
    import pyqtgraph as pg

    view = pg.GraphicsView()
    box = SliceViewBox()
    view.setCentralItem(box)
    qtbot.addWidget(view)
    view.resize(200, 200)
    view.show()
    qtbot.waitExposed(view)
    steps: list[int] = []
    box.scrolled.connect(steps.append)
    for delta in (60, 60, -120, 240):
        send_wheel(view.viewport(), delta)
    assert steps == [1, -1, 2]
