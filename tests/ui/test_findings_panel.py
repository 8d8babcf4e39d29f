"""The findings panel shows the state's result (empty without one) and sets the slice on a click."""

from __future__ import annotations

import numpy as np

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.state import ViewerState
from ichviewer.ui.findings_panel import FindingsPanel


def test_summary_list_clicks_and_highlight(qtbot, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState(auto_analyse=False)
    panel = FindingsPanel(state)
    qtbot.addWidget(panel)
    assert panel.table.rowCount() == 0 and panel.flagged.count() == 0
    state.model_ready("m 1", "CPU", LABEL_KEYS)
    state.load_done(state.open_folder(tmp_path), make_volume(np.zeros((20, 8, 8), np.int16)))
    job = state.analyse()
    scores = {(5, "any"): 0.9, (6, "any"): 0.7, (12, "any"): 0.8, (5, "subdural"): 0.85, (6, "subdural"): 0.6}
    state.analysis_done(job, make_result(20, {**scores, (12, "intraparenchymal"): 0.75}), False)
    assert panel.table.item(0, 1).text() == "0.90" and panel.table.item(0, 2).text() == "3"
    assert panel.flagged.count() == 3 and "SDH" in panel.flagged.item(0).text()
    panel.flagged.itemClicked.emit(panel.flagged.item(2))
    assert state.slice_index == 12
    state.set_slice(6)
    assert panel.flagged.currentRow() == 1
    panel.table.cellClicked.emit(5, 0)  # subdural's row: its highest slice
    assert state.slice_index == 5


def test_a_new_analysis_empties_the_table_and_list(qtbot, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState(auto_analyse=False)
    panel = FindingsPanel(state)
    qtbot.addWidget(panel)
    state.model_ready("m 1", "CPU", LABEL_KEYS)
    state.load_done(state.open_folder(tmp_path), make_volume(np.zeros((20, 8, 8), np.int16)))
    state.analysis_done(state.analyse(), make_result(20, {(5, "any"): 0.9}), False)
    assert panel.flagged.count() == 1
    state.analyse(use_cache=False)
    assert panel.table.rowCount() == 0 and panel.flagged.count() == 0 and panel.result is None
