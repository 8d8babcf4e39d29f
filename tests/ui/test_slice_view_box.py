"""The slice view's mouse map: wheel notches become slice steps, half notches add up, Ctrl+wheel zooms."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from ichviewer.ui.slice_view_box import SliceViewBox


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
    viewport = view.viewport()
    centre = QPointF(100, 100)
    for delta in (60, 60, -120, 240):
        event = QWheelEvent(
            centre,
            viewport.mapToGlobal(centre),
            QPoint(),
            QPoint(0, delta),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(viewport, event)
    assert steps == [1, -1, 2]
