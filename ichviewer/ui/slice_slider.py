"""The vertical slice slider beside the image, with a tick at every flagged slice.

Built from the viewer state: its range follows the volume, its handle the cursor's slice, its
ticks the AI result; moving it sets the state's slice. Slice 0 (most inferior for axial head CT)
is at the bottom, so moving the handle up moves up through the head, as the Up arrow and the
wheel do.
"""

from __future__ import annotations

from PySide6.QtCore import QLine, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget

from ichviewer.core.ai_state import AIRun
from ichviewer.core.state import ViewerState
from ichviewer.core.volume import CTVolume

FLAG_COLOUR = "#ff5c5c"


class SliceSlider(QSlider):
    """A QSlider over slice indices that paints marks (`set_marks(indices, color, key)`)."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.state = state
        self.setObjectName("sliceSlider")
        self.setRange(0, 0)
        self.setPageStep(10)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        self.setMinimumWidth(22)
        self._marks: dict[str, tuple[list[int], QColor]] = {}
        self._result: object = None  # the AI result whose flags the ticks show
        self._marks_version = 0  # changes with every set of marks: the tick lines are worked out again
        self._ticks: tuple[tuple[object, ...], list[tuple[QColor, list[QLine]]]] | None = None  # (geometry, lines)
        self.valueChanged.connect(state.set_slice)
        state.events.volume.connect(self._on_volume)
        state.dims.events.point.connect(lambda _: self._show_slice())
        state.events.ai.connect(self._on_ai)

    def _on_volume(self, volume: CTVolume | None) -> None:
        self.blockSignals(True)
        self.set_count(volume.n_slices if volume is not None else 0)
        self.blockSignals(False)
        self._show_slice()

    def _show_slice(self) -> None:
        self.blockSignals(True)
        self.setValue(self.state.dims.slice)
        self.blockSignals(False)

    def _on_ai(self, run: AIRun) -> None:
        if run.result is self._result:
            return  # progress or partial scores: the ticks are the result's
        self._result = run.result
        flagged = run.result.flagged_slices() if run.result is not None else []
        if flagged != self.marks("flagged"):
            self.set_marks(flagged, FLAG_COLOUR, key="flagged")

    def set_count(self, n_slices: int) -> None:
        """Slices 0 … n_slices − 1; marks are cleared (they belonged to the old series)."""
        self.setRange(0, max(0, n_slices - 1))
        self.setEnabled(n_slices > 1)
        self._marks.clear()
        self._marks_version += 1
        self.update()

    def set_marks(self, indices: list[int], color: QColor | str | Qt.GlobalColor, key: str = "default") -> None:
        """Paint a tick at each slice index in `color`; `key` keeps several sets apart."""
        if indices:
            self._marks[key] = (sorted(set(int(i) for i in indices)), QColor(color))
        else:
            self._marks.pop(key, None)
        self._marks_version += 1
        self.update()

    def marks(self, key: str = "default") -> list[int]:
        return list(self._marks.get(key, ([], None))[0])

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._marks or self.maximum() <= self.minimum():
            return
        painter = QPainter(self)
        for color, lines in self._tick_lines():
            painter.setPen(QPen(color, 2))
            painter.drawLines(lines)
        painter.end()

    def _tick_lines(self) -> list[tuple[QColor, list[QLine]]]:
        """One tick per distinct pixel row per set of marks, worked out again only when marks or geometry change.

        The handle moves on every scroll step and repaints the slider; the ticks stay where they are.
        """
        key = (self.size(), self.minimum(), self.maximum(), self._marks_version)
        if self._ticks is not None and self._ticks[0] == key:
            return self._ticks[1]
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        span = QRect(
            groove.left(),
            groove.top() + handle.height() // 2,
            groove.width(),
            max(1, groove.height() - handle.height()),
        )
        low, high, right = self.minimum(), self.maximum(), self.width()
        drawn = []
        for indices, color in self._marks.values():
            rows = {
                span.top() + QStyle.sliderPositionFromValue(low, high, i, span.height(), upsideDown=True)
                for i in indices
            }
            drawn.append(
                (color, [QLine(x0, y, x1, y) for y in sorted(rows) for x0, x1 in ((0, 6), (right - 7, right - 1))])
            )
        self._ticks = (key, drawn)
        return drawn
