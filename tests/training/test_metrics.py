"""AUC, ROC, cluster bootstrap, counts, RSNA log loss and the threshold rules, against hand-computed values."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ichviewer.training.metrics import (
    auc,
    bootstrap_auc,
    choose_thresholds,
    counts_at,
    roc_curve,
    threshold_for_sensitivity,
    weighted_log_loss,
    youden_threshold,
)


def pairwise_auc(truth, score):
    pos = [s for t, s in zip(truth, score, strict=True) if t]
    neg = [s for t, s in zip(truth, score, strict=True) if not t]
    return np.mean([1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg)])


class TestAuc:
    def test_perfect_reversed_and_ties(self):
        assert auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
        assert auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
        assert auc([0, 1], [0.5, 0.5]) == 0.5

    def test_equals_pairwise_definition(self):
        rng = np.random.default_rng(0)
        truth = rng.integers(0, 2, 60)
        score = np.round(rng.random(60), 1)  # many ties
        assert math.isclose(auc(truth, score), pairwise_auc(truth, score))

    def test_one_class_is_nan(self):
        assert math.isnan(auc([1, 1], [0.2, 0.3]))


class TestRocCurve:
    def test_steps_from_origin_to_one(self):
        fpr, tpr = roc_curve(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
        assert fpr.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0]
        assert tpr.tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]

    def test_area_matches_auc(self):
        rng = np.random.default_rng(1)
        truth, score = rng.integers(0, 2, 200), rng.random(200)
        fpr, tpr = roc_curve(truth, score)
        assert math.isclose(np.trapezoid(tpr, fpr), auc(truth, score), abs_tol=1e-9)


class TestBootstrapAuc:
    def test_interval_contains_estimate_and_is_deterministic(self):
        rng = np.random.default_rng(2)
        truth = rng.integers(0, 2, 300)
        score = truth * 0.5 + rng.random(300)
        groups = np.arange(300) // 10
        low, high = bootstrap_auc(truth, score, groups, n=200, seed=0)
        assert low < auc(truth, score) < high
        assert (low, high) == bootstrap_auc(truth, score, groups, n=200, seed=0)

    def test_whole_groups_are_resampled(self):
        rng = np.random.default_rng(3)
        truth = np.repeat(np.tile([0, 1], 15), 10)  # 30 studies of 10 identical slices each
        score = np.repeat(rng.random(30), 10) + truth * 0.3
        by_slice = bootstrap_auc(truth, score, np.arange(300), n=300)
        by_study = bootstrap_auc(truth, score, np.repeat(np.arange(30), 10), n=300)
        once = bootstrap_auc(truth[::10], score[::10], np.arange(30), n=300)
        assert by_study[1] - by_study[0] > 2 * (by_slice[1] - by_slice[0])  # copies are not evidence
        assert np.allclose(by_study, once, atol=0.03)


class TestCountsAt:
    def test_counts_and_rates(self):
        c = counts_at([1, 1, 1, 0, 0], [0.9, 0.5, 0.2, 0.6, 0.1], 0.5)
        assert (c.tp, c.fn, c.tn, c.fp) == (2, 1, 1, 1)
        assert math.isclose(c.sensitivity, 2 / 3) and c.specificity == 0.5
        assert c.to_json()["sensitivity"] == 0.6667


class TestWeightedLogLoss:
    def test_rsna_weights_and_mask(self):
        truth = np.array([[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]], dtype=float)
        prob = np.full((2, 6), 0.5)
        prob[0, 0] = 0.9
        mask = np.ones((2, 6), dtype=bool)
        mask[1, 1:] = False  # second row: only "any" known (head_ct)
        first = (2 * -math.log(0.9) + 5 * -math.log(0.5)) / 7
        second = -math.log(0.5)
        assert math.isclose(weighted_log_loss(truth, prob, mask), (first + second) / 2)


class TestThresholdRules:
    def test_highest_threshold_keeping_sensitivity(self):
        truth = [1] * 10 + [0] * 5
        score = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.1] + [0.2] * 5
        assert threshold_for_sensitivity(truth, score, 0.9) == 0.3  # 9 of 10 positives at or above
        assert counts_at(truth, score, 0.3).sensitivity == 0.9

    def test_youden_picks_the_best_separation(self):
        assert youden_threshold([0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.7, 0.8, 0.3, 0.6]) == 0.6

    def test_choose_thresholds_rules_and_counts(self):
        rng = np.random.default_rng(4)
        n = 200
        truth = np.zeros((n, 6))
        truth[:80, 0] = 1
        truth[:40, 2] = 1  # intraparenchymal: enough positives for Youden
        truth[:3, 1] = 1  # epidural: too few, stays 0.5
        prob = np.clip(truth * 0.5 + rng.random((n, 6)) * 0.5, 0, 1)
        mask = np.ones((n, 6), dtype=bool)
        keys = ("any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural")
        thresholds, detail = choose_thresholds(truth, prob, mask, keys)
        assert detail["any"]["sensitivity"] >= 0.9 and detail["any"]["positives"] == 80
        assert detail["intraparenchymal"]["rule"] == "Youden's J"
        assert thresholds["epidural"] == 0.5 and detail["epidural"]["positives"] == 3
        assert thresholds["intraventricular"] == 0.5 and detail["intraventricular"]["positives"] == 0

    @pytest.mark.parametrize("value", [0.123456, 0.99999])
    def test_thresholds_round_down_so_the_chosen_score_still_counts(self, value):
        truth = np.array([[1.0], [0.0]])
        prob = np.array([[value], [0.0]])
        thresholds, detail = choose_thresholds(truth, prob, np.ones((2, 1), dtype=bool), ("any",))
        assert thresholds["any"] <= value and detail["any"]["tp"] == 1
