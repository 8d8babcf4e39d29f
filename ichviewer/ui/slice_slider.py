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
        flagged = run.result.flagged_slices() if run.result is not None else []
        if flagged != self.marks("flagged"):
            self.set_marks(flagged, FLAG_COLOUR, key="flagged")

    def set_count(self, n_slices: int) -> None:
        """Slices 0 … n_slices − 1; marks are cleared (they belonged to the old series)."""
        self.setRange(0, max(0, n_slices - 1))
        self.setEnabled(n_slices > 1)
        self._marks.clear()
        self.update()

    def set_marks(self, indices: list[int], color: QColor | str | Qt.GlobalColor, key: str = "default") -> None:
        """Paint a tick at each slice index in `color`; `key` keeps several sets apart."""
        if indices:
            self._marks[key] = (sorted(set(int(i) for i in indices)), QColor(color))
        else:
            self._marks.pop(key, None)
        self.update()

    def marks(self, key: str = "default") -> list[int]:
        return list(self._marks.get(key, ([], None))[0])

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._marks or self.maximum() <= self.minimum():
            return
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
        painter = QPainter(self)
        low, high, right = self.minimum(), self.maximum(), self.width()
        for indices, color in self._marks.values():
            if not indices:
                continue
            painter.setPen(QPen(color, 2))
            # one tick per distinct pixel row, drawn in one call: repainted on every scroll step
            rows = {
                span.top() + QStyle.sliderPositionFromValue(low, high, i, span.height(), upsideDown=True)
                for i in indices
            }
            painter.drawLines([QLine(x0, y, x1, y) for y in rows for x0, x1 in ((0, 6), (right - 7, right - 1))])
        painter.end()
