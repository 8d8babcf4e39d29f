"""Real mouse events on a pyqtgraph view, at image pixels: what a reader's clicks and drags send."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

LEFT = Qt.MouseButton.LeftButton
MOVE_MS = 20


def widget_point(graphics, view_box, frame, row: float, col: float) -> QPoint:  # type: ignore[no-untyped-def]
    """Viewport position of an image pixel (row, col) of the view drawn in `view_box`."""
    x, y = frame.to_view(row, col)
    scene = view_box.mapViewToScene(QPointF(x, y))
    return graphics.mapFromScene(scene)


def _send(viewport, kind: QEvent.Type, point: QPoint, button, buttons) -> None:  # type: ignore[no-untyped-def]
    global_point = viewport.mapToGlobal(point)
    event = QMouseEvent(kind, QPointF(point), QPointF(global_point), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)


def click(graphics, point: QPoint) -> None:  # type: ignore[no-untyped-def]
    viewport = graphics.viewport()
    _send(viewport, QEvent.Type.MouseButtonPress, point, LEFT, LEFT)
    _send(viewport, QEvent.Type.MouseButtonRelease, point, LEFT, Qt.MouseButton.NoButton)


def drag(graphics, start: QPoint, end: QPoint, steps: int = 6) -> None:  # type: ignore[no-untyped-def]
    """Press at `start`, move in steps with the button held, release at `end`.

    Moves are MOVE_MS apart: pyqtgraph drops mouse moves that come faster than its rate limit.
    """
    viewport = graphics.viewport()
    _send(viewport, QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    for k in range(1, steps + 1):
        QTest.qWait(MOVE_MS)
        point = QPoint(
            round(start.x() + (end.x() - start.x()) * k / steps), round(start.y() + (end.y() - start.y()) * k / steps)
        )
        _send(viewport, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, LEFT)
    _send(viewport, QEvent.Type.MouseButtonRelease, end, LEFT, Qt.MouseButton.NoButton)
