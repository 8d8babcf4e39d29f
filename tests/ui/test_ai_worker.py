"""The AI worker answers the state's requests in its thread: scores in batches, heatmaps, cache, cancel, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.ai_state import ModelStatus, Phase
from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.requests import HeatmapRequest
from ichviewer.core.state import ViewerState
from ichviewer.core.thread_priority import this_thread_nice
from ichviewer.ui.ai_worker import AIWorker
from tests.worklist_folder import OracleClassifier


@pytest.fixture
def volume(make_volume):  # type: ignore[no-untyped-def]
    hu = np.full((10, 80, 80), -1000, np.int16)
    yy, xx = np.mgrid[:80, :80]
    hu[:, (yy - 40) ** 2 + (xx - 40) ** 2 < 30**2] = 35
    return make_volume(hu, uid="1.2.826.0.1.3680043.8.498.55")


@pytest.fixture
def served(qtbot, tiny_model_dir):  # type: ignore[no-untyped-def]
    """A state with a running worker on the tiny model; the worker is stopped afterwards."""
    state = ViewerState(auto_analyse=False)
    worker = AIWorker(state, str(tiny_model_dir), "cpu")
    worker.start()
    qtbot.waitUntil(lambda: state.model.status is ModelStatus.READY, timeout=60_000)
    yield state, worker
    state.close()
    worker.stop()
    assert not worker.running()


def test_scores_arrive_in_batches_then_the_result_then_a_heatmap(qtbot, served, volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state, worker = served
    state.load_done(state.open_folder(tmp_path), volume)
    batches: list[int] = []
    state.events.ai.connect(lambda run: run.phase is Phase.RUNNING and batches.append(len(run.scored())))
    state.analyse(use_cache=False)
    qtbot.waitUntil(lambda: state.ai.phase is Phase.DONE, timeout=60_000)
    assert state.result.scores.shape == (10, 6) and not state.ai.from_cache
    assert max(batches) == 10
    state.heatmap.label = "any"
    qtbot.waitUntil(lambda: state.current_heatmap() is not None, timeout=60_000)
    key, levels = state.current_heatmap()
    assert key == (volume.slices[5].sop_instance_uid, "any") and levels.shape == (80, 80)
    state.analyse(use_cache=True)
    qtbot.waitUntil(lambda: state.ai.phase is Phase.DONE, timeout=60_000)
    assert state.ai.from_cache


def test_a_cancelled_analysis_delivers_nothing(qtbot, served, volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state, _ = served
    state.load_done(state.open_folder(tmp_path), volume)
    results = []
    state.events.ai.connect(lambda run: run.result is not None and results.append(run.result))
    first = state.analyse(use_cache=False)
    state.analyse(use_cache=False)  # cancels the first
    qtbot.waitUntil(lambda: state.ai.phase is Phase.DONE, timeout=60_000)
    qtbot.wait(200)
    assert first.cancelled and len(results) == 1


def test_an_error_is_logged_and_shown(qtbot, served, volume, tmp_path, monkeypatch, log_file) -> None:  # type: ignore[no-untyped-def]
    from ichviewer.core import scoring

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(scoring, "score_volume", broken)
    state, _ = served
    state.load_done(state.open_folder(tmp_path), volume)
    state.analyse(use_cache=False)
    qtbot.waitUntil(lambda: state.ai.phase is Phase.FAILED, timeout=60_000)
    assert state.ai.message == "Analysis failed: RuntimeError: CUDA out of memory"
    text = log_file()
    assert "Traceback" in text and "CUDA out of memory" in text


def test_a_broken_model_makes_the_ai_unavailable_when_first_needed(qtbot, tiny_model_dir, tmp_path, volume) -> None:  # type: ignore[no-untyped-def]
    broken = shutil.copytree(tiny_model_dir, tmp_path / "broken")
    (broken / "model.safetensors").write_bytes(b"truncated")
    state = ViewerState(auto_analyse=False)
    worker = AIWorker(state, str(broken), "cpu")
    worker.start()
    qtbot.waitUntil(lambda: state.model.status is ModelStatus.READY, timeout=60_000)  # the card alone is fine
    assert state.model.device == "" and worker.classifier is None
    state.load_done(state.open_folder(tmp_path), volume)
    state.analyse(use_cache=False)
    qtbot.waitUntil(lambda: state.model.status is ModelStatus.UNAVAILABLE, timeout=60_000)
    assert "sha256" in state.model.error and "model.safetensors" in state.model.error
    assert state.analyse() is None  # nothing more is asked of the worker
    state.close()
    worker.stop()
    assert not worker.running()


def test_a_broken_card_makes_the_ai_unavailable_at_start(qtbot, tiny_model_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = shutil.copytree(tiny_model_dir, tmp_path / "broken")
    (broken / "metadata.json").write_text("{")
    state = ViewerState()
    worker = AIWorker(state, str(broken), "cpu")
    worker.start()
    qtbot.waitUntil(lambda: state.model.status is ModelStatus.UNAVAILABLE, timeout=60_000)
    assert "metadata.json" in state.model.error
    worker.thread.wait(5000)
    assert not worker.running()


def test_the_network_loads_with_the_first_analysis_and_runs_below_the_gui(qtbot, served, volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state, worker = served
    assert worker.classifier is None and state.model.device == ""
    state.load_done(state.open_folder(tmp_path), volume)
    state.analyse(use_cache=False)
    qtbot.waitUntil(lambda: state.ai.phase is Phase.DONE, timeout=60_000)
    assert worker.classifier is not None and state.model.device.startswith("CPU")
    if sys.platform.startswith("linux"):
        gui, ai = this_thread_nice() or 0, _nice_of_thread("ichviewer-ai")
        assert ai > gui or ai == 19  # below the GUI thread (by BACKGROUND_NICE when nothing else renices them)
        child = os.getpriority(os.PRIO_PROCESS, worker.classifier._process.pid)  # the network's own process
        assert child > gui or child == 19


def test_a_classifier_process_that_died_is_replaced_on_the_next_request(qtbot, served, volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state, worker = served
    state.load_done(state.open_folder(tmp_path), volume)
    state.analyse(use_cache=False)
    qtbot.waitUntil(lambda: state.ai.phase is Phase.DONE, timeout=60_000)
    first = worker.classifier
    first._process.kill()  # between two analyses: out of memory, a crash in torch
    first._process.join()
    state.analyse(use_cache=False)
    qtbot.waitUntil(lambda: state.ai.phase is Phase.DONE and worker.classifier is not first, timeout=60_000)
    assert worker.classifier.alive and state.ai.result is not None


def _nice_of_thread(name: str) -> int:
    """The nice value of this process's thread called `name` (Linux /proc; Qt names threads by objectName)."""
    for task in Path("/proc/self/task").iterdir():
        if (task / "comm").read_text().strip() == name:
            return int((task / "stat").read_text().rsplit(")", 1)[1].split()[16])
    raise AssertionError(f"no thread called {name}")


CHILD = """
import json, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from ichviewer.core.ai_state import Phase
from ichviewer.ui.main_window import MainWindow
window = MainWindow(device="cpu", model_dir=sys.argv[2])
window.open_folder(sys.argv[1])
deadline = time.monotonic() + 60
while window.state.ai.phase is not Phase.DONE and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
ai = window.state.ai
print(json.dumps({"phase": ai.phase.value, "from_cache": ai.from_cache, "torch": "torch" in sys.modules}))
window.close()
"""


def test_a_study_scored_before_opens_with_its_results_without_torch(tiny_model_dir, write_study) -> None:  # type: ignore[no-untyped-def]
    from ichviewer.core.inference import Classifier
    from ichviewer.core.scoring import score_volume
    from ichviewer.core.volume import load_folder_volume

    folder = write_study(n=12, size=64)
    score_volume(load_folder_volume(folder), Classifier(tiny_model_dir, "cpu"))  # fills the cache
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(tiny_model_dir)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome == {"phase": "done", "from_cache": True, "torch": False}


def test_of_the_slices_queued_while_scrolling_only_the_last_is_computed(qtbot, volume, tmp_path, make_result) -> None:  # type: ignore[no-untyped-def]
    state = ViewerState(auto_analyse=False)
    state.model_ready("m 1", "", LABEL_KEYS)
    worker = AIWorker(state, None, "cpu")  # not started: its queue is served here, on this thread
    served: list[int] = []
    worker._serve = lambda request: served.append(request.index)  # type: ignore[method-assign]
    asked: list[HeatmapRequest] = []
    state.events.heatmap_requested.connect(asked.append)
    state.load_done(state.open_folder(tmp_path), volume)
    state.heatmap.label = "any"
    state.analysis_done(state.analyse(), make_result(10), False)
    for index in (6, 7, 8):
        state.set_slice(index)
    assert [r.index for r in asked] == [5, 6, 7, 8]
    worker._serve_heatmaps()
    assert served == [8]
    qtbot.waitUntil(lambda: state.heatmaps.claim((volume.slices[5].sop_instance_uid, "any")), timeout=5000)
    for index in (6, 7):  # released: the state asks again when the reader comes back
        assert state.heatmaps.claim((volume.slices[index].sop_instance_uid, "any"))
    assert not state.heatmaps.claim((volume.slices[8].sop_instance_uid, "any"))  # still being computed


def test_a_report_request_of_a_cancelled_job_is_answered_with_none(qtbot, served, volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The PDF export waits for its heatmaps: a dropped request must still be answered, or it waits forever."""
    from ichviewer.core.results import KeyFinding

    state, worker = served
    state.load_done(state.open_folder(tmp_path), volume)
    job = state.jobs.start("analysis")
    state.jobs.cancel()  # as opening another study does, before the worker gets to the request
    with qtbot.waitSignal(worker.reportHeatmapsReady, timeout=30_000) as answer:
        worker.request_report(job, volume, [KeyFinding(5, "any")])
    assert answer.args == [job, None]


class GatedOracle(OracleClassifier):
    """The oracle, holding its first study in mid-scoring until `gate` opens; `order` lists the series it scored."""

    def __init__(self, gate: threading.Event, entered: threading.Event) -> None:
        super().__init__()
        self.gate, self.entered, self.order = gate, entered, []

    def predict(self, volume, progress=None, cancel=None, on_batch=None):  # type: ignore[no-untyped-def]
        self.order.append(volume.series.uid)
        if len(self.order) == 1:
            self.entered.set()
            assert self.gate.wait(30)
            progress(1, 2, "Analysed 1 of 2 batches")  # between two batches: the reader's requests are served
        return super().predict(volume, progress, cancel, on_batch)


def test_the_worklist_runs_on_the_same_worker_and_the_readers_study_goes_first(
    qtbot, mixed_studies, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from ichviewer.core.dicom.index import index_folder
    from ichviewer.core.study_loading import load_series
    from ichviewer.core.worklist import Worklist
    from ichviewer.core.worklist_rows import Status
    from ichviewer.ui import ai_worker

    monkeypatch.setenv("ICHVIEWER_CACHE", str(tmp_path / "cache"))  # scores computed here, not other tests' cache
    gate, entered = threading.Event(), threading.Event()
    oracle = GatedOracle(gate, entered)
    monkeypatch.setattr(ai_worker, "open_classifier", lambda *args: oracle)  # one model, counted by its calls
    state = ViewerState()
    state.heatmap.visible = False  # the oracle has no network for Grad-CAM
    worker = AIWorker(state, None, "cpu")
    worker.start()
    try:
        qtbot.waitUntil(lambda: state.model.status is ModelStatus.READY, timeout=30_000)
        index = index_folder(mixed_studies)
        state.load_indexed(state.open_folder(mixed_studies), index)
        worklist = Worklist(index, "truth")
        state.start_worklist(worklist)
        assert entered.wait(30)  # the worker is in the middle of the worklist's first study
        first = oracle.order[0]
        series = next(s for s in index.series if s.uid != first and s.modality == "CT" and len(s.slices) == 12)
        job = state.open_series(series)
        state.load_done(job, load_series(index, series))  # the reader opens another study: its analysis is requested
        gate.set()
        qtbot.waitUntil(lambda: state.ai.phase is Phase.DONE, timeout=30_000)
        finished = (Status.DONE, Status.FAILED, Status.NOT_APPLICABLE)
        qtbot.waitUntil(lambda: all(r.status in finished for r in worklist.rows.values()), timeout=60_000)
        qtbot.waitUntil(lambda: worklist.queue is None, timeout=30_000)  # ends after its last row
        assert oracle.order[:2] == [first, series.uid]  # served between the batches of the worklist's study
        assert sorted(oracle.order) == sorted(r.series_uid for r in worklist.rows.values() if r.series_uid)
        assert state.status.startswith("Worklist analysed")
    finally:
        gate.set()
        state.close()
        worker.stop()
    assert not worker.running()
