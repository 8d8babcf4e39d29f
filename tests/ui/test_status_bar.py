"""The status bar shows the state: its message, the loader's progress, the AI's status; the notice always."""

from __future__ import annotations

from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.state import LoadProgress, ViewerState
from ichviewer.ui.status_bar import ViewerStatusBar


def test_message_progress_and_ai(qtbot) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState()
    bar = ViewerStatusBar(state)
    qtbot.addWidget(bar)
    bar.show()
    assert bar.notice.text() == NOT_FOR_CLINICAL_USE and bar.ai_status.text() == "AI: loading model…"
    state.loading = LoadProgress(True, 3, 10, "Loaded slice 3 of 10")
    assert bar.progress.isVisible() and bar.progress.value() == 3 and bar.message.text() == "Loaded slice 3 of 10"
    state.loading = LoadProgress()
    state.status = "Axial: 10 slices"
    assert not bar.progress.isVisible() and bar.message.text() == "Axial: 10 slices"
    state.model_ready("ichnet 1.0", "CPU (2 threads)", LABEL_KEYS)
    assert bar.ai_status.text() == "AI: ichnet 1.0 on CPU (2 threads)"
    state.model_failed("model.safetensors: sha256 mismatch")
    assert bar.ai_status.text().startswith("AI unavailable") and "sha256" in bar.ai_status.toolTip()


def test_a_long_message_does_not_widen_the_window(qtbot) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState()
    bar = ViewerStatusBar(state)
    qtbot.addWidget(bar)
    narrow = bar.minimumSizeHint().width()
    state.status = "Opening " + "/a-very-deep/folder" * 20 + "…"
    assert bar.minimumSizeHint().width() == narrow and bar.message.toolTip() == state.status
