"""The AI dock: the verdict first, the notice, the heatmap controls and the state's heatmap choice showing and
setting each other, and no scores shown when the AI is not applicable."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel

from ichviewer.core.heatmap_state import STRONGEST
from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.state import ViewerState
from ichviewer.ui.ai_dock import AIDock


def test_controls_and_state_agree(qtbot) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState()
    state.heatmap.opacity = 0.3
    dock = AIDock(state)
    qtbot.addWidget(dock)
    assert dock.heat_box.isChecked() and dock.heat_label.currentData() == STRONGEST and dock.opacity.value() == 30
    dock.heat_label.setCurrentIndex(dock.heat_label.findData("epidural"))
    dock.opacity.setValue(70)
    dock.heat_box.setChecked(False)
    assert (state.heatmap.label, state.heatmap.opacity, state.heatmap.visible) == ("epidural", 0.7, False)
    assert dock.legend.opacity == 0.7
    state.heatmap.toggle_visible()  # the H key
    assert dock.heat_box.isChecked()


def test_notice_under_the_verdict(qtbot) -> None:  # type: ignore[no-untyped-def]
    dock = AIDock(ViewerState())
    qtbot.addWidget(dock)
    assert NOT_FOR_CLINICAL_USE.lower() in dock.findChild(QLabel, "aiNotice").text()


def test_the_verdict_comes_first_and_not_applicable_hides_the_scores(qtbot, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState(auto_analyse=False)
    dock = AIDock(state)
    qtbot.addWidget(dock)
    dock.show()
    first = dock.widget().layout().itemAt(0).widget()
    assert first is dock.verdict
    state.model_ready("m 1", "CPU", LABEL_KEYS)
    state.load_done(state.open_folder(tmp_path), make_volume(np.zeros((20, 8, 8), np.int16)))
    state.analysis_done(state.analyse(), make_result(20, {(5, "any"): 0.9}), False)
    notice = dock.findChild(QLabel, "aiNotice")
    assert dock.plot.isVisible() and dock.findings.isVisible() and notice.isVisible()
    assert dock.verdict.headline.text() == "Hemorrhage suspected"
    state.analysis_not_applicable(state.analyse(), "only 3 % of the scanned object is brain-like tissue")
    assert dock.verdict.headline.text() == "AI not applicable: only 3 % of the scanned object is brain-like tissue"
    assert not dock.plot.isVisible() and not dock.findings.isVisible() and not dock.heat_box.isVisible()
    assert notice.isVisible() and dock.verdict.isVisible()
    state.analysis_done(state.analyse(), make_result(20), False)
    assert dock.plot.isVisible() and dock.verdict.headline.text() == "Hemorrhage not detected"


def test_a_short_dock_scrolls_the_scores_instead_of_squeezing_them(qtbot, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """At 1024×700 the verdict, the notice and every score widget's minimum did not fit: the plot's toggles were
    drawn over the plot. The verdict stays whole on top; the scores below scroll."""
    state = ViewerState(auto_analyse=False)
    dock = AIDock(state)
    qtbot.addWidget(dock)
    dock.resize(266, 560)
    dock.show()
    state.model_ready("m 1", "CPU", LABEL_KEYS)
    state.load_done(state.open_folder(tmp_path), make_volume(np.zeros((20, 8, 8), np.int16)))
    state.analysis_done(state.analyse(), make_result(20, {(5, "any"): 0.9, (5, "subdural"): 0.9}), False)
    qtbot.wait(20)
    inner, view = dock.scores.widget(), dock.scores.viewport()
    assert inner.height() >= inner.minimumSizeHint().height() > view.height()
    assert dock.scores.verticalScrollBar().maximum() > 0 and inner.width() == view.width()
    assert dock.plot.plot.height() >= dock.plot.plot.minimumHeight()
    assert dock.verdict.geometry().bottom() < dock.scores.geometry().top()
    dock.resize(266, 1400)
    qtbot.wait(20)
    assert inner.height() == view.height() and dock.scores.verticalScrollBar().maximum() == 0
