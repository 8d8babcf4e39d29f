"""StudyResult: flags, label summaries, key findings, JSON round trip and the cache keyed by slices + model."""

from __future__ import annotations

import json
from dataclasses import replace

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

    def test_next_flagged_goes_to_the_peak_of_the_next_region_and_wraps(self):
        r = result()
        assert r.flagged_regions() == [(1, 2, 1)]  # slices 1-2, 'any' 0.9 on slice 1 is the peak
        assert r.next_flagged(0, +1) == 1
        assert r.next_flagged(2, +1) == 1  # one region: wraps to its peak
        assert r.next_flagged(0, -1) == 1
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

    def test_key_findings_highest_first_and_limited_then_listed_head_to_foot(self, make_result):
        r = make_result(12, {(3, "any"): 0.7, (5, "any"): 0.95, (8, "any"): 0.8})
        assert r.key_findings(2) == [(8, "any"), (5, "any")]  # the two strongest, superior first
        assert [f.slice for f in r.key_findings()] == [8, 5, 3]

    def test_key_findings_cover_every_flagged_subtype_before_repeating_one(self, make_result):
        """A large subdural on many slices must not push a small epidural out of the report."""
        scores = {(i, key): 0.99 for i in range(4, 14) for key in ("any", "subdural")}
        scores.update({(17, "any"): 0.7, (17, "epidural"): 0.8})
        findings = make_result(20, scores).key_findings(3)
        assert (4, "subdural") in findings and (17, "epidural") in findings and len(findings) == 3

    def test_key_findings_of_one_label_are_at_least_10_mm_apart(self, make_result):
        """Neighbouring slices of one bleed are near-duplicates: 5 mm slices, so every other one at most."""
        scores = {(i, key): 0.99 - 0.01 * abs(i - 8) for i in range(4, 14) for key in ("any", "subdural")}
        findings = make_result(20, scores).key_findings(6)
        slices = [f.slice for f in findings]
        assert slices == sorted(slices, reverse=True)  # head to foot
        gaps = np.abs(np.diff([5.0 * i for i in slices]))
        assert len(slices) >= 3 and gaps.min() >= 10.0
        assert 8 in slices  # the peak is kept

    def test_one_definition_of_a_flagged_slice_in_headline_table_and_list(self, make_result):
        """A slice only the subdural score passes is not flagged (no lone subtype flag makes a study suspected);
        with "any" over its threshold it is, and the 'any' row, the headline and the list count it alike."""
        lone = make_result(28, {(10, "subdural"): 0.8, (10, "any"): 0.3})
        rows = {row.label: row for row in lone.label_summaries()}
        assert lone.flagged_slices() == [] and rows["any"].slices_over == rows["subdural"].slices_over == 0
        assert lone.describe() == "Hemorrhage not detected (28 slices analysed)"
        r = make_result(28, {(10, "subdural"): 0.8, (10, "any"): 0.6})
        rows = {row.label: row for row in r.label_summaries()}
        assert r.flagged_slices() == [10]
        assert rows["any"].slices_over == len(r.flagged_slices()) == 1 and rows["any"].positive
        assert rows["subdural"].slices_over == 1
        assert r.describe() == "Hemorrhage suspected (SDH): 1 of 28 slices flagged"
        assert r.slice_flags().sum() == 1

    def test_every_subtype_row_counts_at_most_the_flagged_slices(self, make_result):
        scores = {(i, "subdural"): 0.9 for i in range(5, 15)} | {(i, "any"): 0.9 for i in range(3, 12)}
        r = make_result(30, scores)
        rows = {row.label: row for row in r.label_summaries()}
        assert rows["any"].slices_over == len(r.flagged_slices()) == 9  # slices 3-11: "any" decides
        assert rows["subdural"].slices_over == 7  # 5-11: subdural on flagged slices only
        assert all(row.slices_over <= rows["any"].slices_over for row in rows.values())

    def test_top_label_breaks_a_printed_tie_by_calibrated_margin(self, make_result):
        """IPH 0.9999 (threshold 0.5) and SAH 0.996 (threshold 0.2) both print as 1.00.

        Score minus threshold would pick SAH (0.80 > 0.50); in log-odds IPH is further over its threshold.
        """
        r = make_result(3, {(1, "intraparenchymal"): 0.9999, (1, "subarachnoid"): 0.996, (1, "any"): 0.99})
        thresholds = tuple(0.2 if key == "subarachnoid" else 0.5 for key in r.labels)
        r = replace(r, thresholds=thresholds)
        assert r.top_label(1)[0] == "intraparenchymal"
        margins = r.margins()
        assert margins[1, r.labels.index("intraparenchymal")] > margins[1, r.labels.index("subarachnoid")] > 0

    def test_flagged_regions_and_their_peaks(self, make_result):
        scores = {(i, "any"): 0.6 for i in range(2, 9)} | {(6, "any"): 0.95} | {(i, "any"): 0.7 for i in (14, 15)}
        r = make_result(20, scores)
        assert r.flagged_regions() == [(2, 8, 6), (14, 15, 14)]
        assert r.next_flagged(3, +1) == 14  # from inside the first region straight to the next one
        assert r.next_flagged(14, +1) == 6  # wraps
        assert r.next_flagged(15, -1) == 6
        assert r.next_flagged(4, -1) == 14  # wraps backwards
        assert r.next_flagged(0, +1) == 6  # the region's peak, not its first slice

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


def test_the_cache_gives_back_the_very_scores_it_was_given():
    """Reopening a study shows the same scores, not ones rounded to 6 decimals (0.000061 vs 0.0000610824)."""
    scores = np.array([[6.10823772e-05, 0.5, 0.25, 1e-7, 0.9999999, 0.3333333]], dtype=np.float32)
    r = result(np.repeat(scores, 3, axis=0))
    save_cached(r)
    back = load_cached(r.sop_instance_uids, r.model_sha256)
    assert back is not None and np.array_equal(back.scores, r.scores)
