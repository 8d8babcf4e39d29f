"""Score plot, findings panel and the AI worker, offscreen (the main window has its own tests)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.results import StudyResult
from ichviewer.ui.analysis_worker import AnalysisWorker
from ichviewer.ui.findings_panel import FindingsPanel
from ichviewer.ui.score_plot import ScorePlot


def fake_result(n: int = 20) -> StudyResult:
    scores = np.full((n, 6), 0.05, np.float32)
    scores[[5, 6, 12], 0] = [0.9, 0.7, 0.8]
    scores[[5, 6], 5] = [0.85, 0.6]
    scores[12, 2] = 0.75
    return StudyResult(
        series_uid="1",
        sop_instance_uids=tuple(str(i) for i in range(n)),
        slice_positions=np.arange(n) * 5.0,
        labels=LABEL_KEYS,
        thresholds=(0.5,) * 6,
        scores=scores,
        model_name="m",
        model_version="1",
        model_sha256="d" * 64,
        device="CPU",
        elapsed_s=0.1,
        created="2026-11-23T10:00:00+00:00",
    )


@pytest.fixture
def volume(make_volume):
    hu = np.full((10, 80, 80), -1000, np.int16)
    yy, xx = np.mgrid[:80, :80]
    hu[:, (yy - 40) ** 2 + (xx - 40) ** 2 < 30**2] = 35
    return make_volume(hu)


class TestScorePlot:
    def test_curves_thresholds_and_flag_shading(self, qtbot):
        plot = ScorePlot()
        qtbot.addWidget(plot)
        result = fake_result()
        plot.set_result(result)
        x, y = plot.curves["any"].getData()
        assert x.tolist() == list(range(1, 21)) and y[5] == pytest.approx(0.9)
        assert plot.thresholds["any"].value() == pytest.approx(0.5)
        assert plot.flag_bars.opts["x"].tolist() == [6.0, 7.0, 13.0]
        assert plot.curves["any"].isVisible() and not plot.curves["subdural"].isVisible()
        plot.toggles["subdural"].setChecked(True)
        assert plot.curves["subdural"].isVisible() and plot.thresholds["subdural"].isVisible()

    def test_click_requests_that_slice(self, qtbot):
        plot = ScorePlot()
        qtbot.addWidget(plot)
        plot.resize(400, 250)
        plot.show()
        plot.set_result(fake_result())
        qtbot.waitExposed(plot)
        view = plot.plot.getViewBox()
        scene_point = view.mapViewToScene(QPointF(13, 0.5))
        widget_point = plot.plot.mapFromScene(scene_point)
        with qtbot.waitSignal(plot.sliceRequested) as signal:
            qtbot.mouseClick(plot.plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_point)
        assert signal.args == [12]

    def test_cursor_follows_without_echo(self, qtbot):
        plot = ScorePlot()
        qtbot.addWidget(plot)
        plot.set_result(fake_result())
        with qtbot.assertNotEmitted(plot.sliceRequested):
            plot.set_current(7)
        assert plot.cursor.value() == 8

    def test_partial_scores_draw_what_is_done(self, qtbot):
        plot = ScorePlot()
        qtbot.addWidget(plot)
        plot.clear(20)
        scores = np.zeros((20, 6), np.float32)
        done = np.zeros(20, bool)
        done[:8] = True
        plot.set_partial(scores, done, LABEL_KEYS)
        assert len(plot.curves["any"].getData()[0]) == 8


class TestFindingsPanel:
    def test_summary_and_flagged_list(self, qtbot):
        panel = FindingsPanel()
        qtbot.addWidget(panel)
        panel.set_result(fake_result())
        assert panel.verdict.text() == "3 of 20 slices flagged (IPH, SDH)"
        assert panel.table.item(0, 1).text() == "0.90" and panel.table.item(0, 2).text() == "3"
        assert panel.flagged.count() == 3
        assert "SDH" in panel.flagged.item(0).text() and "Slice   6" in panel.flagged.item(0).text()
        with qtbot.waitSignal(panel.sliceRequested) as signal:
            panel.flagged.itemClicked.emit(panel.flagged.item(2))
        assert signal.args == [12]
        panel.set_current(6)
        assert panel.flagged.currentRow() == 1


class TestAnalysisWorker:
    def test_analyses_with_partial_results_then_heatmap(self, qtbot, tiny_model_dir, volume):
        worker = AnalysisWorker(str(tiny_model_dir), "cpu")
        try:
            partial = []
            worker.partial.connect(lambda g, idx, s: partial.append(idx))
            worker.start()
            with qtbot.waitSignal(worker.finished, timeout=60_000) as done:
                worker.analyse(7, volume, use_cache=False)
            generation, result, cached = done.args
            assert generation == 7 and not cached and result.scores.shape == (10, 6)
            assert sorted(i for chunk in partial for i in chunk) == list(range(10))
            with qtbot.waitSignal(worker.heatmapReady, timeout=60_000) as heat:
                worker.request_heatmap(7, volume, 4, "any")
            assert heat.args[:3] == [7, 4, "any"] and heat.args[3].shape == (80, 80)
            with qtbot.waitSignal(worker.finished, timeout=60_000) as again:
                worker.analyse(8, volume, use_cache=True)
            assert again.args[2] is True  # from the cache
        finally:
            worker.stop()
        assert not worker.thread.isRunning()

    def test_cancelled_analysis_emits_nothing(self, qtbot, tiny_model_dir, volume):
        worker = AnalysisWorker(str(tiny_model_dir), "cpu")
        try:
            with qtbot.waitSignal(worker.modelReady, timeout=60_000):
                worker.start()
            finished = []
            worker.finished.connect(lambda g, r, c: finished.append(g))
            worker.analyse(1, volume, use_cache=False)
            worker.analyse(2, volume, use_cache=False)  # cancels generation 1
            qtbot.waitUntil(lambda: 2 in finished, timeout=60_000)
            assert finished == [2] or finished == [1, 2]  # 1 may have finished before the cancel landed
        finally:
            worker.stop()

    def test_broken_model_reports_and_thread_ends(self, qtbot, tiny_model_dir, tmp_path):
        broken = shutil.copytree(tiny_model_dir, tmp_path / "broken")
        (broken / "model.safetensors").write_bytes(b"truncated")
        worker = AnalysisWorker(str(broken), "cpu")
        with qtbot.waitSignal(worker.modelFailed, timeout=60_000) as failed:
            worker.start()
        assert "sha256" in failed.args[0] and "model.safetensors" in failed.args[0]
        worker.thread.wait(5000)
        assert not worker.thread.isRunning()
