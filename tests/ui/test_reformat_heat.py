"""The heatmap volume of the reformats: maps of the flagged slices asked for once while shown, stacked as they come."""

from __future__ import annotations

import numpy as np

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.state import ViewerState
from ichviewer.ui.reformat_heat import ReformatHeat


def test_flagged_slices_are_asked_for_once_and_stacked(qtbot, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState()
    state.model_ready("m 1", "CPU", LABEL_KEYS)
    volume = make_volume(np.full((20, 32, 32), 35, np.int16))
    state.load_done(state.open_folder(tmp_path), volume)
    asked: list[int] = []
    state.events.heatmap_requested.connect(lambda request: asked.append(request.index))
    heat = ReformatHeat(state)
    state.analysis_done(state.jobs.current("analysis"), make_result(20, {(4, "any"): 0.9, (5, "any"): 0.8}), False)
    asked.clear()  # the state asked for the slice on screen itself
    heat.want(True)
    assert sorted(asked) == [4, 5] and heat.slices() == [4, 5]
    heat.want(True)
    assert sorted(asked) == [4, 5]  # once each
    assert heat.volume is None
    with qtbot.waitSignal(heat.changed, timeout=2000):
        for k in (4, 5):
            state.heatmap_done(
                state.jobs.current("analysis"), volume.slices[k].sop_instance_uid, "any", np.ones((32, 32))
            )
    assert heat.volume is not None and heat.volume.shape == (20, 128, 128)
    assert np.isnan(heat.volume[3]).all() and np.allclose(heat.volume[4], 1.0, atol=1 / 255)
    state.heatmap.toggle_visible()
    assert heat.volume is None and heat.slices() == []
