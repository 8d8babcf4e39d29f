"""The status bar, built from the viewer state: its message, the loader's progress, the AI's state and
the research-use notice (always visible).

The message and the AI status share what the notice leaves (3 : 2) and end in "…" when the
window is narrow (their tooltips hold the whole text), instead of being cut mid-word.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar, QWidget

from ichviewer.core.ai_state import status_line
from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.state import LoadProgress, ViewerState


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when narrower than its text (`full_text()` keeps the whole of it)."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.installEventFilter(self)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self and event.type() == QEvent.Type.Resize:
            self._elide()
        return False

    def _elide(self) -> None:
        width = self.contentsRect().width()
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(width, 0)))


class ViewerStatusBar(QStatusBar):
    """Message on the left; load progress, AI status and the notice on the right."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.message = ElidedLabel()  # a long message (a deep folder path) never widens the window
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.ai_status = ElidedLabel()
        self.ai_status.setObjectName("aiStatus")
        self.notice = QLabel(NOT_FOR_CLINICAL_USE)
        self.notice.setObjectName("researchNotice")
        self.addWidget(self.message, 3)
        self.addWidget(self.ai_status, 2)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.notice)
        state.events.status.connect(self._show_message)
        state.events.loading.connect(self._on_loading)
        state.events.model.connect(lambda _: self._on_ai())
        state.events.ai.connect(lambda _: self._on_ai())
        self._show_message(state.status)
        self._on_ai()

    def _show_message(self, text: str) -> None:
        self.message.set_full_text(text)

    def _on_loading(self, loading: LoadProgress) -> None:
        self.progress.setVisible(loading.busy)
        self.progress.setRange(0, max(loading.total, 1))
        self.progress.setValue(loading.done)
        if loading.message:
            self._show_message(loading.message)

    def _on_ai(self) -> None:
        text, tooltip = status_line(self.state.model, self.state.ai)
        self.ai_status.set_full_text(text)
        self.ai_status.setToolTip(tooltip)
        self.ai_status.setVisible(bool(text))
