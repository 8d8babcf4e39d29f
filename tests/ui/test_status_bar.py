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
    assert bar.notice.text() == NOT_FOR_CLINICAL_USE and bar.ai_status.full_text() == "AI: loading model…"
    state.loading = LoadProgress(True, 3, 10, "Loaded slice 3 of 10")
    assert bar.progress.isVisible() and bar.progress.value() == 3 and bar.message.full_text() == "Loaded slice 3 of 10"
    state.loading = LoadProgress()
    state.status = "Axial: 10 slices"
    assert not bar.progress.isVisible() and bar.message.full_text() == "Axial: 10 slices"
    state.model_ready("ichnet 1.0", "CPU (2 threads)", LABEL_KEYS)
    assert bar.ai_status.full_text() == "AI: ichnet 1.0 on CPU (2 threads)"
    state.model_failed("model.safetensors: sha256 mismatch")
    assert bar.ai_status.full_text().startswith("AI unavailable") and "sha256" in bar.ai_status.toolTip()


def test_a_long_message_does_not_widen_the_window(qtbot) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState()
    bar = ViewerStatusBar(state)
    qtbot.addWidget(bar)
    narrow = bar.minimumSizeHint().width()
    state.status = "Opening " + "/a-very-deep/folder" * 20 + "…"
    assert bar.minimumSizeHint().width() == narrow and bar.message.toolTip() == state.status


def test_at_1024_pixels_long_texts_end_in_an_ellipsis_and_the_notice_stays_whole(qtbot) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState()
    bar = ViewerStatusBar(state)
    qtbot.addWidget(bar)
    bar.resize(1024, 30)
    bar.show()
    qtbot.waitExposed(bar)
    state.model_ready("ichnet-lite0 1.0.0", "CPU (2 threads)", LABEL_KEYS)
    state.status = "Flagged region 1 of 2: slices 18–33, peak at slice 18 " + "and a long folder path " * 6
    for label in (bar.message, bar.ai_status):
        assert label.geometry().right() <= bar.width() and label.width() > 100
    assert bar.message.text().endswith("…") and bar.message.full_text() == bar.message.toolTip() == state.status
    assert bar.notice.width() >= bar.notice.sizeHint().width() and bar.notice.geometry().right() <= bar.width()
