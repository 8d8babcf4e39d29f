"""Window/level controls: preset buttons and level/width fields, showing the state's window.

Buttons and typed values go to the state; the controls redraw from it (so a drag, a key or a
preset the series cannot give all end in the same display).
"""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QSpinBox, QToolButton, QWidget

from ichviewer.core.state import ViewerState
from ichviewer.core.windowing import SCANNER, Window

# (preset name, button text, key) — "scanner" is the series' own (0028,1050)/(0028,1051)
PRESET_KEYS: tuple[tuple[str, str, str], ...] = (
    ("brain", "Brain", "1"),
    ("subdural", "Subdural", "2"),
    ("bone", "Bone", "3"),
    ("stroke", "Stroke", "4"),
    (SCANNER, "Scanner", "0"),
)


class WindowControls(QWidget):
    """A button per preset (and the scanner's window), level and width fields."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("windowControls")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        self.buttons: dict[str, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)
        for name, text, key in PRESET_KEYS:
            button = QToolButton()
            button.setText(f"{text} {key}")
            button.setToolTip(f"{text} window (key {key})")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, n=name: self._preset(n))
            self._group.addButton(button)
            layout.addWidget(button)
            self.buttons[name] = button
        self.level = QSpinBox()
        self.level.setRange(-1024, 4000)
        self.level.setPrefix("L ")
        self.level.setToolTip("Window level (centre), HU")
        self.width = QSpinBox()
        self.width.setRange(1, 8000)
        self.width.setPrefix("W ")
        self.width.setToolTip("Window width, HU")
        for box in (self.level, self.width):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._typed)
        layout.addSpacing(12)
        layout.addWidget(QLabel("Window"))
        layout.addWidget(self.level)
        layout.addWidget(self.width)
        state.display.events.window.connect(self._show)
        self._show(state.display.window)

    def _preset(self, name: str) -> None:
        self.state.apply_preset(name)
        self._show(self.state.display.window)  # unchanged when the series states no window

    def _show(self, window: Window) -> None:
        for box, value in ((self.level, window.level), (self.width, window.width)):
            box.blockSignals(True)
            box.setValue(round(value))
            box.blockSignals(False)
        for name, button in self.buttons.items():
            button.setChecked(name == window.name)

    def _typed(self) -> None:
        self.state.display.window = Window(float(self.level.value()), float(self.width.value()), "custom")
