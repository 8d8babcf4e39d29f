"""The vertical slice slider beside the image, with coloured tick marks (e.g. flagged slices).

Slice 0 (most inferior for axial head CT) is at the bottom, so moving the handle up moves up
through the head, as the Up arrow and the wheel do.
"""

from __future__ import annotations

from PySide6.QtCore import QLine, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget


class SliceSlider(QSlider):
    """A QSlider over slice indices that can paint marks: `set_marks(indices, color)`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("sliceSlider")
        self.setRange(0, 0)
        self.setPageStep(10)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        self.setMinimumWidth(22)
        self._marks: dict[str, tuple[list[int], QColor]] = {}

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
