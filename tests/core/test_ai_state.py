"""AI run snapshots (partial scores by label name, result, failure) and the words the views show for them."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.ai_state import AIRun, ModelInfo, ModelStatus, Phase, findings_message, status_line
from ichviewer.core.labels import LABEL_KEYS

READY = ModelInfo(ModelStatus.READY, "ichnet-test 1.0", "CPU (2 threads)", LABEL_KEYS)


class TestAIRun:
    def test_scores_so_far_by_label(self):
        labels = ("subdural", "any")  # a card with another order and fewer labels
        run = AIRun.queued(6).with_scores([4, 5], np.array([[0.9, 0.2], [0.8, 0.3]]), labels)
        run = run.with_scores([0], np.array([[0.1, 0.7]]), labels)
        assert run.phase is Phase.RUNNING and run.scored().tolist() == [0, 4, 5]
        assert run.column("any").tolist() == pytest.approx([0.7, 0.2, 0.3])
        assert run.column("subdural").tolist() == pytest.approx([0.1, 0.9, 0.8])
        assert run.column("epidural") is None

    def test_finished_replaces_the_partial_scores(self, make_result):
        result = make_result(6, {(2, "any"): 0.9})
        run = AIRun.queued(6).with_scores([0], np.zeros((1, 6)), LABEL_KEYS).finished(result, from_cache=True)
        assert run.phase is Phase.DONE and run.partial is None and run.from_cache
        assert run.scored().tolist() == list(range(6)) and run.column("any")[2] == pytest.approx(0.9)

    def test_a_report_is_written_of_a_result_or_of_why_the_ai_is_not_applicable(self, make_result):
        assert not AIRun().reportable and not AIRun.queued(6).reportable
        assert AIRun.queued(6).finished(make_result(6), False).reportable
        assert AIRun.queued(6).stopped(Phase.NOT_APPLICABLE, "a scout").reportable
        assert not AIRun.queued(6).stopped(Phase.FAILED, "Analysis failed: boom").reportable

    def test_a_failure_keeps_a_result_already_shown(self, make_result):
        run = AIRun.queued(6).finished(make_result(6), False).stopped(Phase.FAILED, "Heatmap failed: boom")
        assert run.result is not None and run.message == "Heatmap failed: boom" and not run.busy


class TestWords:
    def test_status_line_through_a_run(self, make_result):
        assert status_line(ModelInfo(), AIRun())[0] == "AI: loading model…"
        assert status_line(READY, AIRun()) == ("AI: ichnet-test 1.0 on CPU (2 threads)",) * 2
        running = AIRun.queued(20).with_progress(8, 20, "Analysed 8 of 20 slices")
        assert status_line(READY, running)[0] == "AI: Analysed 8 of 20 slices (8/20) on CPU (2 threads)"
        done = AIRun.queued(20).finished(make_result(20, {(3, "any"): 0.9}), from_cache=True)
        assert status_line(READY, done)[0] == (
            "AI: Hemorrhage suspected · 1 of 20 slices flagged (from cache, CPU (2 threads))"
        )
        calm = AIRun.queued(20).finished(make_result(20, {(3, "subdural"): 0.9}), from_cache=False)
        assert (
            status_line(READY, calm)[0]
            == "AI: Hemorrhage not detected · 0 of 20 slices flagged (in 0.5 s, CPU (2 threads))"
        )
        not_applicable = AIRun.queued(20).stopped(Phase.NOT_APPLICABLE, "a sharp (bone) reconstruction kernel")
        assert status_line(READY, not_applicable) == ("AI not applicable: a sharp (bone) reconstruction kernel",) * 2
        failed = AIRun().stopped(Phase.FAILED, "Analysis failed: RuntimeError: out of memory")
        assert status_line(READY, failed) == ("AI: Analysis failed", failed.message)
        assert status_line(ModelInfo(ModelStatus.OFF), AIRun()) == ("", "")

    def test_status_line_before_the_network_is_loaded(self, make_result):
        card_only = ModelInfo(ModelStatus.READY, "ichnet-test 1.0", "", LABEL_KEYS)
        assert status_line(card_only, AIRun()) == (
            "AI: ichnet-test 1.0",
            "ichnet-test 1.0: the network loads when a study is first analysed",
        )
        assert status_line(card_only, AIRun.queued(20))[0] == "AI: loading the network…"
        done = AIRun.queued(20).finished(make_result(20, {(3, "any"): 0.9}), from_cache=True)
        assert status_line(card_only, done)[0] == "AI: Hemorrhage suspected · 1 of 20 slices flagged (from cache)"

    def test_unavailable_model(self):
        model = ModelInfo(ModelStatus.UNAVAILABLE, error="model.safetensors is truncated")
        assert status_line(model, AIRun()) == ("AI unavailable (the viewer works without it)", model.error)
        assert findings_message(model, AIRun()) == "AI unavailable: model.safetensors is truncated"

    def test_findings_message(self):
        assert findings_message(READY, AIRun()) == "No analysis yet"
        assert findings_message(READY, AIRun.queued(3)) == "Analysing…"
        assert findings_message(READY, AIRun().stopped(Phase.NOT_APPLICABLE, "an MR series")) == (
            "AI not applicable: an MR series"
        )
