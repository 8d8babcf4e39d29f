"""StudyResult: flags, label summaries, key findings, JSON round trip and the cache keyed by slices + model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.results import StudyResult, cache_path, load_cached, save_cached


def result(scores=None, uids=("1.1", "1.2", "1.3"), sha="a" * 64) -> StudyResult:
    scores = np.array(
        scores
        if scores is not None
        else [
            [0.1, 0.0, 0.05, 0.0, 0.0, 0.02],
            [0.9, 0.1, 0.8, 0.2, 0.1, 0.1],
            [0.6, 0.7, 0.1, 0.0, 0.0, 0.65],
        ],
        dtype=np.float32,
    )
    return StudyResult(
        series_uid="1",
        sop_instance_uids=uids,
        slice_positions=np.array([0.0, 5.0, 10.0]),
        labels=LABEL_KEYS,
        thresholds=(0.5, 0.5, 0.5, 0.5, 0.5, 0.7),
        scores=scores,
        model_name="m",
        model_version="1",
        model_sha256=sha,
        device="CPU",
        elapsed_s=1.0,
        created="2026-11-23T10:00:00+00:00",
    )


class TestStudyResult:
    def test_flags_and_flagged_slices(self):
        r = result()
        assert r.flagged_slices() == [1, 2]
        assert r.flags[2].tolist() == [True, True, False, False, False, False]  # subdural 0.65 < 0.7

    def test_a_subtype_alone_flags_nothing_and_the_study_verdict_follows_the_flags(self):
        lone = result([[0.2, 0.0, 0.9, 0.0, 0.0, 0.0], [0.3, 0.0, 0.0, 0.0, 0.0, 0.0], [0.1, 0.0, 0.0, 0.0, 0.0, 0.0]])
        assert lone.flagged_slices() == [] and not lone.flags.any()  # IPH 0.9 without "any": no flag
        assert not lone.study.suspected and lone.study.headline == "Hemorrhage not detected"
        assert lone.label_summaries()[2].slices_over == 0
        study = result().study
        assert study.suspected and study.flagged_slices == 2 and study.score == pytest.approx(0.9)
        assert study.subtypes == ["intraparenchymal", "epidural"]  # strongest first; SDH 0.65 < 0.7
        assert study.headline == "Hemorrhage suspected (IPH, EDH)"
        assert result().to_json()["study"]["suspected"] is True

    def test_next_flagged_wraps_both_ways(self):
        r = result()
        assert r.next_flagged(0, +1) == 1
        assert r.next_flagged(1, +1) == 2
        assert r.next_flagged(2, +1) == 1  # wraps to the first flagged
        assert r.next_flagged(1, -1) == 2  # wraps to the last flagged
        assert result(np.zeros((3, 6))).next_flagged(0, +1) is None

    def test_top_label_prefers_subtype_over_threshold(self):
        r = result()
        assert r.top_label(1) == ("intraparenchymal", pytest.approx(0.8))
        assert r.top_label(2) == ("epidural", pytest.approx(0.7))
        assert r.top_label(0)[0] == "any"

    def test_label_summaries(self):
        rows = {row.label: row for row in result().label_summaries()}
        assert rows["any"].max_score == pytest.approx(0.9) and rows["any"].max_slice == 1
        assert rows["any"].slices_over == 2 and rows["any"].verdict == "flagged"
        assert rows["subdural"].slices_over == 0 and not rows["subdural"].positive

    def test_key_findings_highest_first_and_limited(self, make_result):
        r = make_result(12, {(3, "any"): 0.7, (5, "any"): 0.95, (8, "any"): 0.8})
        assert r.key_findings(2) == [(5, "any"), (8, "any")]
        assert [f.slice for f in r.key_findings()] == [5, 8, 3]

    def test_key_findings_cover_every_flagged_subtype_before_repeating_one(self, make_result):
        """A large subdural on many slices must not push a small epidural out of the report."""
        scores = {(i, key): 0.99 for i in range(4, 14) for key in ("any", "subdural")}
        scores.update({(17, "any"): 0.7, (17, "epidural"): 0.8})
        findings = make_result(20, scores).key_findings(3)
        assert findings[0] == (4, "subdural") and (17, "epidural") in findings and len(findings) == 3

    def test_describe(self):
        assert result().describe() == "Hemorrhage suspected (IPH, EDH): 2 of 3 slices flagged"
        assert result(np.zeros((3, 6))).describe() == "Hemorrhage not detected (3 slices analysed)"

    def test_json_round_trip(self):
        r = result()
        back = StudyResult.from_json(json.loads(json.dumps(r.to_json())))
        assert np.allclose(back.scores, r.scores, atol=1e-6)
        assert back.sop_instance_uids == r.sop_instance_uids
        assert back.thresholds == r.thresholds

    def test_json_rejects_other_format(self):
        data = result().to_json()
        data["format_version"] = 99
        with pytest.raises(ValueError, match="unsupported result format"):
            StudyResult.from_json(data)


class TestCache:
    def test_round_trip(self):
        r = result()
        path = save_cached(r)
        assert path.is_file()
        assert np.allclose(load_cached(r.sop_instance_uids, r.model_sha256).scores, r.scores)

    def test_other_model_or_other_slices_miss(self):
        r = result()
        save_cached(r)
        assert load_cached(r.sop_instance_uids, "b" * 64) is None
        assert load_cached(r.sop_instance_uids[:2], r.model_sha256) is None

    def test_corrupt_cache_file_is_a_miss(self):
        r = result()
        path = cache_path(r.sop_instance_uids, r.model_sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{broken")
        assert load_cached(r.sop_instance_uids, r.model_sha256) is None
