"""The score plot draws the state's AI run by label name (any card order), and a click sets the state's slice."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from ichviewer.core.jobs import ANALYSIS
from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.state import ViewerState
from ichviewer.ui.score_plot import ScorePlot


@pytest.fixture
def state(make_volume, tmp_path) -> ViewerState:  # type: ignore[no-untyped-def]
    state = ViewerState(auto_analyse=False)
    state.load_done(state.open_folder(tmp_path), make_volume(np.zeros((20, 8, 8), np.int16)))
    return state


@pytest.fixture
def plot(qtbot, state) -> ScorePlot:  # type: ignore[no-untyped-def]
    plot = ScorePlot(state)
    qtbot.addWidget(plot)
    return plot


def test_partial_scores_are_drawn_by_label_name_in_the_cards_order(plot, state) -> None:  # type: ignore[no-untyped-def]
    card_order = tuple(reversed(LABEL_KEYS))  # 'subdural' first, 'any' last
    state.model_ready("other 1.0", "CPU", card_order)
    job = state.analyse()
    scores = np.zeros((8, 6), np.float32)
    scores[:, card_order.index("any")] = 0.7
    scores[:, card_order.index("subdural")] = 0.2
    state.analysis_scores(job, list(range(8)), scores)
    x, y = plot.curves["any"].getData()
    assert x.tolist() == list(range(1, 9)) and y == pytest.approx([0.7] * 8)
    assert plot.curves["subdural"].getData()[1] == pytest.approx([0.2] * 8)


def test_result_curves_thresholds_and_flag_shading(plot, state, make_result) -> None:  # type: ignore[no-untyped-def]
    result = make_result(20, {(5, "any"): 0.9, (6, "any"): 0.7, (12, "any"): 0.8, (5, "subdural"): 0.85})
    state.analysis_done(state.jobs.start(ANALYSIS), result, False)
    x, y = plot.curves["any"].getData()
    assert x.tolist() == list(range(1, 21)) and y[5] == pytest.approx(0.9)
    assert plot.thresholds["any"].value() == pytest.approx(0.5)
    assert plot.flag_bars.opts["x"].tolist() == [6.0, 7.0, 13.0]
    assert plot.curves["any"].isVisible() and not plot.curves["subdural"].isVisible()
    plot.toggles["subdural"].setChecked(True)
    assert plot.curves["subdural"].isVisible() and plot.thresholds["subdural"].isVisible()


def test_click_sets_the_slice_and_the_cursor_follows(qtbot, plot, state, make_result) -> None:  # type: ignore[no-untyped-def]
    plot.resize(400, 250)
    plot.show()
    qtbot.waitExposed(plot)
    state.analysis_done(state.jobs.start(ANALYSIS), make_result(20), False)
    point = plot.plot.mapFromScene(plot.plot.getViewBox().mapViewToScene(QPointF(13, 0.5)))
    qtbot.mouseClick(plot.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert state.slice_index == 12
    state.set_slice(7)
    assert plot.cursor.value() == 8


@pytest.mark.parametrize("n", [1, 2, 36])
def test_slice_ticks_are_whole_slice_numbers(qtbot, make_volume, tmp_path, make_result, n) -> None:  # type: ignore[no-untyped-def]
    """A one-slice study used to get ticks at 1.2, 1.4 …; every tick is now a slice that exists."""
    state = ViewerState(auto_analyse=False)
    plot = ScorePlot(state)
    qtbot.addWidget(plot)
    plot.resize(400, 250)
    plot.show()
    qtbot.waitExposed(plot)
    state.load_done(state.open_folder(tmp_path), make_volume(np.zeros((n, 8, 8), np.int16)))
    state.analysis_done(state.jobs.start(ANALYSIS), make_result(n, {(0, "any"): 0.9}), False)
    axis = plot.plot.getAxis("bottom")
    low, high = plot.plot.getViewBox().viewRange()[0]
    values = [v for _, level in axis.tickValues(low, high, axis.width()) for v in level]
    assert values and all(float(v).is_integer() and 1 <= v <= n for v in values)
    if n == 1:
        assert plot.curves["any"].opts["symbol"] == "o"  # one point: drawn as a dot
