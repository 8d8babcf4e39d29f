"""The AI dock's heatmap controls and the state's heatmap choice show and set each other."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ichviewer.core.heatmap_state import STRONGEST
from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
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


def test_notice_on_top(qtbot) -> None:  # type: ignore[no-untyped-def]
    dock = AIDock(ViewerState())
    qtbot.addWidget(dock)
    assert NOT_FOR_CLINICAL_USE.lower() in dock.findChild(QLabel, "aiNotice").text()
