"""The AI worker answers the state's requests in its thread: scores in batches, heatmaps, cache, cancel, errors."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from ichviewer.core.ai_state import ModelStatus, Phase
from ichviewer.core.state import ViewerState
from ichviewer.ui.ai_worker import AIWorker


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
    state.analyse()
    qtbot.waitUntil(lambda: state.ai.phase is Phase.FAILED, timeout=60_000)
    assert state.ai.message == "Analysis failed: RuntimeError: CUDA out of memory"
    text = log_file()
    assert "Traceback" in text and "CUDA out of memory" in text


def test_a_broken_model_makes_the_ai_unavailable(qtbot, tiny_model_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = shutil.copytree(tiny_model_dir, tmp_path / "broken")
    (broken / "model.safetensors").write_bytes(b"truncated")
    state = ViewerState()
    worker = AIWorker(state, str(broken), "cpu")
    worker.start()
    qtbot.waitUntil(lambda: state.model.status is ModelStatus.UNAVAILABLE, timeout=60_000)
    assert "sha256" in state.model.error and "model.safetensors" in state.model.error
    worker.thread.wait(5000)
    assert not worker.running()


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
