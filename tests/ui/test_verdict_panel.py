"""The verdict panel: the study verdict from the state's run, "AI not applicable: …", or what the AI is doing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtGui import QColor, QPalette

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.state import ViewerState
from ichviewer.ui.theme import style_sheet
from ichviewer.ui.verdict_panel import VerdictPanel

FACTS = {"number": 3, "description": "Head 5mm", "slices": 20, "spacing_mm": 5.0, "thickness_mm": 5.0, "tilt_deg": 0.0}


def opened(qtbot, make_volume, tmp_path):  # type: ignore[no-untyped-def]
    """A panel on a state with a model and a 20-slice volume (automatic analysis off)."""
    state = ViewerState(auto_analyse=False)
    panel = VerdictPanel(state)
    qtbot.addWidget(panel)
    state.model_ready("m 1", "CPU", LABEL_KEYS)
    state.load_done(state.open_folder(tmp_path), make_volume(np.zeros((20, 8, 8), np.int16)))
    return state, panel


def colour(label) -> QColor:  # type: ignore[no-untyped-def]
    return label.palette().color(QPalette.ColorRole.WindowText)


def test_suspected_then_not_detected_through_the_state(qtbot, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state, panel = opened(qtbot, make_volume, tmp_path)
    assert panel.headline.text() == "Automatic analysis is off (AI ▸ Analyse again)"
    job = state.analyse()
    assert panel.headline.text() == "Analysing…" and panel.headline.property("tone") == "neutral"
    assert panel.details.isHidden()
    scores = {(5, "any"): 0.9, (5, "subdural"): 0.85, (12, "any"): 0.8, (12, "intraparenchymal"): 0.75}
    state.analysis_done(job, replace(make_result(20, scores), extra={"series": FACTS}), False)
    assert panel.headline.text() == "Hemorrhage suspected (SDH, IPH)" and panel.headline.property("tone") == "alarm"
    assert panel.details.text().splitlines() == [
        "Study score 0.90 (threshold 0.50) · 2 of 20 slices flagged",
        "Series 3 'Head 5mm' analysed (5.0 mm, 20 slices)",
    ]
    state.analysis_done(state.analyse(), make_result(20, {(5, "subdural"): 0.9}), False)
    assert panel.headline.text() == "Hemorrhage not detected" and panel.headline.property("tone") == "calm"
    assert "0 of 20 slices flagged" in panel.details.text() and "Series 1 'synthetic' analysed" in panel.details.text()


def test_not_applicable_says_why_and_names_the_series(qtbot, make_volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state, panel = opened(qtbot, make_volume, tmp_path)
    state.analysis_not_applicable(state.analyse(), "a sharp (bone) reconstruction kernel")
    assert panel.headline.text() == "AI not applicable: a sharp (bone) reconstruction kernel"
    assert panel.headline.property("tone") == "neutral"
    assert panel.details.text() == "Series 1 'synthetic' not analysed (5.0 mm, 20 slices)"


def test_the_theme_colours_the_headline_large(qtbot, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for theme, alarm, calm in (("dark", "#ff6b6b", "#7ee07e"), ("light", "#c0141e", "#1e7a2e")):
        state, panel = opened(qtbot, make_volume, tmp_path)
        panel.setStyleSheet(style_sheet(theme))
        state.analysis_done(state.analyse(), make_result(20, {(5, "any"): 0.9}), False)
        assert colour(panel.headline).name() == alarm
        assert panel.headline.font().pointSizeF() >= 1.4 * panel.details.font().pointSizeF()
        state.analysis_done(state.analyse(), make_result(20), False)
        assert colour(panel.headline).name() == calm
