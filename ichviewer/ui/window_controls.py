"""Window/level controls: preset buttons and level/width fields, showing the state's window.

Buttons and typed values go to the state; the controls redraw from it (so a drag, a key or a
preset the series cannot give all end in the same display). While a field has focus, digits
type into it and never also pick a preset; every other key stays the viewer's shortcut (N, H,
[, ] …); Enter keeps the typed value and Escape drops it, and both hand the keys back to the
image (`finished`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
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


FIELD_KEYS = {Qt.Key.Key_Minus, Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Left, Qt.Key.Key_Right}
FIELD_KEYS |= {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End}
DONE_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape}


class WindowControls(QWidget):
    """A button per preset (and the scanner's window), level and width fields."""

    finished = Signal()  # Enter or Escape in a field: the keys go back to the image

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
            box.installEventFilter(self)
        layout.addSpacing(12)
        layout.addWidget(QLabel("Window"))
        layout.addWidget(self.level)
        layout.addWidget(self.width)
        state.display.events.window.connect(self._show)
        self._show(state.display.window)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """In a field: digits and editing keys are the field's, other keys the shortcuts'; Enter/Escape end it."""
        if not isinstance(event, QKeyEvent) or watched not in (self.level, self.width):
            return False
        key = Qt.Key(event.key())
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if event.type() == QEvent.Type.ShortcutOverride:
            if key in DONE_KEYS or (plain and (event.text().isdigit() or key in FIELD_KEYS)):
                event.accept()  # the field's: no shortcut (a digit never picks a preset while typing)
            else:
                event.ignore()  # not the field's: the viewer's shortcut runs
            return True
        if event.type() == QEvent.Type.KeyPress and key in DONE_KEYS:
            if key == Qt.Key.Key_Escape:
                self._show(self.state.display.window)  # drop what was typed
            else:
                watched.interpretText()  # type: ignore[attr-defined]
            self.finished.emit()
            return True
        return False

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
