"""The slider follows the state's slice and sets it; flagged slices of the AI result become ticks."""

from __future__ import annotations

import numpy as np

from ichviewer.core.jobs import ANALYSIS
from ichviewer.core.state import ViewerState
from ichviewer.ui.slice_slider import SliceSlider


def test_slider_and_state_move_together(qtbot, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState(auto_analyse=False)
    slider = SliceSlider(state)
    qtbot.addWidget(slider)
    job = state.open_folder(tmp_path)
    state.load_done(job, make_volume(np.zeros((20, 8, 8), np.int16)))
    assert (slider.maximum(), slider.value()) == (19, 10)
    slider.setValue(3)
    assert state.slice_index == 3
    state.step(5)
    assert slider.value() == 8
    state.analysis_done(state.jobs.start(ANALYSIS), make_result(20, {(2, "any"): 0.9, (7, "any"): 0.8}), False)
    assert slider.marks("flagged") == [2, 7]
    state.open_folder(tmp_path)
    assert slider.marks("flagged") == [] and slider.maximum() == 0
