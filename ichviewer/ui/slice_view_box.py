"""The slice view's mouse map on a pyqtgraph ViewBox: left-drag W/L, wheel scroll, Ctrl+wheel zoom, left click.

Right-drag zooms about the point pressed, exponentially: ZOOM_DOUBLING_PX of drag up (or right)
doubles the zoom, the same distance down (or left) halves it (pyqtgraph's own rate was 1.02 per
pixel: 80 px gave 5×). Middle-drag pans (pyqtgraph's own handling). The drag direction for W/L
follows syngo/Horos: drag right = wider, drag down = higher level. While a measuring tool is in
hand (`tool_on`), the left drag draws instead (`toolDragged`, in view coordinates).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGraphicsSceneWheelEvent

WHEEL_STEP = 120  # one notch of a standard mouse wheel
ZOOM_DOUBLING_PX = 200  # right-drag distance that doubles (or halves) the zoom


class SliceViewBox(pg.ViewBox):
    """Emits `windowDragged(dx, dy, start, finish)` (screen px since the press), `scrolled(steps)`,
    `clicked(x, y)` and, with a tool in hand, `toolDragged(x, y, start, finish)` (view coordinates)."""

    windowDragged = Signal(float, float, bool, bool)
    toolDragged = Signal(float, float, bool, bool)
    clicked = Signal(float, float)
    scrolled = Signal(int)

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False, defaultPadding=0.0)
        self._wheel_rest = 0
        self.tool_on = False

    def mouseClickEvent(self, ev, axis=None) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            point = self.mapSceneToView(ev.scenePos())
            self.clicked.emit(point.x(), point.y())
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton and self.tool_on:
            ev.accept()
            if ev.isStart():  # the drag starts where the button went down, not where it was first noticed
                press = self.mapSceneToView(ev.buttonDownScenePos(Qt.MouseButton.LeftButton))
                self.toolDragged.emit(press.x(), press.y(), True, False)
            point = self.mapSceneToView(ev.scenePos())
            self.toolDragged.emit(point.x(), point.y(), False, ev.isFinish())
            return
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            delta = ev.screenPos() - ev.buttonDownScreenPos(Qt.MouseButton.LeftButton)
            self.windowDragged.emit(delta.x(), delta.y(), ev.isStart(), ev.isFinish())
            return
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            step = ev.screenPos() - ev.lastScreenPos()
            pixels = step.x() if abs(step.x()) > abs(step.y()) else -step.y()
            shrink = 2.0 ** (-pixels / ZOOM_DOUBLING_PX)  # the visible range shrinks as the zoom grows
            self.scaleBy(s=(shrink, shrink), center=self.mapToView(ev.buttonDownPos()))
            return
        super().mouseDragEvent(ev, axis)

    def wheelEvent(self, ev: QGraphicsSceneWheelEvent, axis=None) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis)
            return
        self._wheel_rest += ev.delta()
        steps = int(self._wheel_rest / WHEEL_STEP)
        if steps:
            self._wheel_rest -= steps * WHEEL_STEP
            self.scrolled.emit(steps)
        ev.accept()
