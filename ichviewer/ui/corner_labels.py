"""The four overlay texts in the corners of a view (texts from core.overlay_text), drawn as QLabels.

Each corner gets at most CORNER_SHARE of the view's width and wraps within it, so on a narrow
view the patient's name never runs into the series description and the centre stays free for
the orientation letters.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel, QWidget

from ichviewer.core.overlay_text import CORNERS
from ichviewer.ui.view_badges import outlined

MARGIN = 8
CORNER_SHARE = 0.42


class CornerLabels:
    """Labels over `host`; `set_texts` touches only the labels whose text changed (scrolling stays cheap)."""

    def __init__(self, host: QWidget) -> None:
        self.host = host
        self.labels = {corner: self._make(corner) for corner in CORNERS}

    def _make(self, corner: str) -> QLabel:
        label = QLabel(self.host)
        label.setObjectName("overlayText")
        label.setProperty("corner", corner)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        horizontal = Qt.AlignmentFlag.AlignRight if corner.endswith("right") else Qt.AlignmentFlag.AlignLeft
        vertical = Qt.AlignmentFlag.AlignBottom if corner.startswith("bottom") else Qt.AlignmentFlag.AlignTop
        label.setAlignment(horizontal | vertical)
        label.setWordWrap(True)
        label.hide()
        return outlined(label)

    def set_texts(self, texts: dict[str, str], visible: bool) -> None:
        for corner, label in self.labels.items():
            text = texts.get(corner, "")
            if text != label.text():
                label.setText(text)
                self._place(corner, label)
            shown = visible and bool(text)
            if shown != label.isVisible():
                label.setVisible(shown)

    def text(self, corner: str) -> str:
        """The text of one corner as displayed ('' when hidden)."""
        label = self.labels[corner]
        return label.text() if label.isVisible() else ""

    def place(self) -> None:
        """Keep every label in its corner (after a resize)."""
        for corner, label in self.labels.items():
            self._place(corner, label)

    def _place(self, corner: str, label: QLabel) -> None:
        limit = max(80, int(self.host.width() * CORNER_SHARE))
        natural = label.fontMetrics().boundingRect(QRect(0, 0, 100_000, 100_000), 0, label.text()).width() + 4
        width = min(natural, limit)
        label.resize(width, label.heightForWidth(width))
        width, height = self.host.width(), self.host.height()
        x = width - label.width() - MARGIN if corner.endswith("right") else MARGIN
        y = height - label.height() - MARGIN if corner.startswith("bottom") else MARGIN
        label.move(max(0, x), max(0, y))
