"""The study verdict at the top of the AI dock: "Hemorrhage suspected (SDH, IPH)" large, in the alarm colour.

Built from the viewer state: the run's result (`core.verdict_text`), "AI not applicable: <reason>",
or what the AI is doing while there is no answer. The headline's colour comes from the theme's
style sheet by its `tone` property (alarm, calm, neutral), so it reads in both themes.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ichviewer.core.ai_state import Phase, findings_message
from ichviewer.core.state import ViewerState
from ichviewer.core.verdict_text import NEUTRAL, VerdictText, not_applicable_text, study_verdict_text


class VerdictPanel(QWidget):
    """A large headline and, below it, the score against the threshold, the flagged slices and the series."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.headline = QLabel()
        self.headline.setObjectName("verdictHeadline")
        self.headline.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("verdictDetails")
        self.details.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 2)
        layout.setSpacing(2)
        layout.addWidget(self.headline)
        layout.addWidget(self.details)
        self.shown: VerdictText | None = None
        state.events.ai.connect(lambda _: self._refresh())
        state.events.model.connect(lambda _: self._refresh())
        self._refresh()

    def verdict(self) -> VerdictText:
        """What the state's AI run says of the study on screen."""
        run = self.state.ai
        if run.phase is Phase.NOT_APPLICABLE:
            return not_applicable_text(run.message, self.state.volume)
        if run.result is not None:
            return study_verdict_text(run.result, self.state.volume)
        return VerdictText(findings_message(self.state.model, run), NEUTRAL)

    def _refresh(self) -> None:
        verdict = self.verdict()
        if verdict == self.shown:
            return
        self.shown = verdict
        self.headline.setText(verdict.headline)
        self.headline.setProperty("tone", verdict.tone)
        self.headline.style().unpolish(self.headline)  # the style sheet's [tone="…"] rule applies anew
        self.headline.style().polish(self.headline)
        self.details.setText("\n".join(verdict.details))
        self.details.setVisible(bool(verdict.details))
