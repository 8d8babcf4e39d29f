"""Window/level controls: preset buttons and level/width fields, kept in sync with drags."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QSpinBox, QToolButton, QWidget

from ichviewer.core.windowing import PRESETS, Window

# (preset name, button text, key) — "scanner" is the series' own (0028,1050)/(0028,1051)
PRESET_KEYS: tuple[tuple[str, str, str], ...] = (
    ("brain", "Brain", "1"),
    ("subdural", "Subdural", "2"),
    ("bone", "Bone", "3"),
    ("stroke", "Stroke", "4"),
    ("scanner", "Scanner", "0"),
)


class WindowControls(QWidget):
    """Emits `presetRequested(name)` for a button and `windowRequested(Window)` for typed values."""

    presetRequested = Signal(str)
    windowRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
            button.clicked.connect(lambda _=False, n=name: self.presetRequested.emit(n))
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
        self.set_window(PRESETS["brain"])

    def set_window(self, window: Window) -> None:
        """Show `window` without emitting (called after drags and presets)."""
        for box, value in ((self.level, window.level), (self.width, window.width)):
            box.blockSignals(True)
            box.setValue(round(value))
            box.blockSignals(False)
        for name, button in self.buttons.items():
            button.setChecked(name == window.name)

    def _typed(self) -> None:
        self.windowRequested.emit(Window(float(self.level.value()), float(self.width.value()), "custom"))
