"""The status bar, built from the viewer state: its message, the loader's progress, the AI's state and
the research-use notice (always visible)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar, QWidget

from ichviewer.core.ai_state import status_line
from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.state import LoadProgress, ViewerState


class ViewerStatusBar(QStatusBar):
    """Message on the left; load progress, AI status and the notice on the right."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.message = QLabel()
        # a long message (a deep folder path) is cut at the window's edge, not a reason to widen the window
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.ai_status = QLabel()
        self.ai_status.setObjectName("aiStatus")
        self.notice = QLabel(NOT_FOR_CLINICAL_USE)
        self.notice.setObjectName("researchNotice")
        self.addWidget(self.message, 1)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.ai_status)
        self.addPermanentWidget(self.notice)
        state.events.status.connect(self._show_message)
        state.events.loading.connect(self._on_loading)
        state.events.model.connect(lambda _: self._on_ai())
        state.events.ai.connect(lambda _: self._on_ai())
        self._show_message(state.status)
        self._on_ai()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setToolTip(text)

    def _on_loading(self, loading: LoadProgress) -> None:
        self.progress.setVisible(loading.busy)
        self.progress.setRange(0, max(loading.total, 1))
        self.progress.setValue(loading.done)
        if loading.message:
            self._show_message(loading.message)

    def _on_ai(self) -> None:
        text, tooltip = status_line(self.state.model, self.state.ai)
        self.ai_status.setText(text)
        self.ai_status.setToolTip(tooltip)
        self.ai_status.setVisible(bool(text))
