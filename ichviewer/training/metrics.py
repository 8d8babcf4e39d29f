"""Figures for a binary label: AUC (with a cluster bootstrap CI), ROC, counts at a threshold,
the RSNA weighted log loss, and the threshold rules applied on validation data. numpy only."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import rankdata

RSNA_WEIGHTS = (2.0, 1.0, 1.0, 1.0, 1.0, 1.0)  # any, then the five subtypes
EPS = 1e-7


def auc(truth: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half); nan without both classes."""
    truth = np.asarray(truth) > 0
    n_pos, n_neg = int(truth.sum()), int((~truth).sum())
    if n_pos == 0 or n_neg == 0:
        return math.nan
    ranks = rankdata(score)
    return float((ranks[truth].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def roc_curve(truth: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate) at every distinct score, from (0, 0) to (1, 1)."""
    truth = np.asarray(truth) > 0
    order = np.argsort(-np.asarray(score), kind="stable")
    s, t = np.asarray(score)[order], truth[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # last index of each distinct score
    tp, fp = np.cumsum(t)[last], np.cumsum(~t)[last]
    return np.r_[0.0, fp / max(1, (~t).sum())], np.r_[0.0, tp / max(1, t.sum())]


def bootstrap_auc(
    truth: np.ndarray, score: np.ndarray, groups: np.ndarray, n: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """95 % percentile interval of the AUC, resampling whole groups (studies or images) with replacement."""
    truth, score = np.asarray(truth), np.asarray(score)
    names, index = np.unique(np.asarray(groups), return_inverse=True)
    members = [np.flatnonzero(index == g) for g in range(len(names))]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n):
        rows = np.concatenate([members[g] for g in rng.integers(0, len(names), len(names))])
        value = auc(truth[rows], score[rows])
        if not math.isnan(value):
            values.append(value)
    if len(values) < n // 2:
        return math.nan, math.nan
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


@dataclass(frozen=True)
class Counts:
    """Confusion counts at a threshold (score ≥ threshold is positive)."""

    threshold: float
    tp: int
    fn: int
    tn: int
    fp: int

    @property
    def sensitivity(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else math.nan

    @property
    def specificity(self) -> float:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else math.nan

    def to_json(self) -> dict[str, float | int]:
        return {**asdict(self), "sensitivity": _round(self.sensitivity), "specificity": _round(self.specificity)}


def counts_at(truth: np.ndarray, score: np.ndarray, threshold: float) -> Counts:
    truth, flagged = np.asarray(truth) > 0, np.asarray(score) >= threshold
    return Counts(
        float(threshold),
        int((truth & flagged).sum()),
        int((truth & ~flagged).sum()),
        int((~truth & ~flagged).sum()),
        int((~truth & flagged).sum()),
    )


def weighted_log_loss(
    truth: np.ndarray, prob: np.ndarray, mask: np.ndarray, weights: tuple[float, ...] = RSNA_WEIGHTS
) -> float:
    """RSNA 2019 metric: per image the weighted mean BCE over its known labels ("any" ×2), then the mean."""
    p = np.clip(np.asarray(prob, dtype=np.float64), EPS, 1 - EPS)
    y = np.asarray(truth, dtype=np.float64)
    w = np.asarray(weights)[None, : y.shape[1]] * np.asarray(mask, dtype=np.float64)
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    known = w.sum(axis=1) > 0
    return float(((bce * w).sum(axis=1)[known] / w.sum(axis=1)[known]).mean()) if known.any() else math.nan


def threshold_for_sensitivity(truth: np.ndarray, score: np.ndarray, target: float) -> float:
    """The highest threshold whose sensitivity is at least `target` (the k-th highest positive score)."""
    positives = np.sort(np.asarray(score)[np.asarray(truth) > 0])[::-1]
    if len(positives) == 0:
        return math.nan
    return float(positives[max(0, math.ceil(target * len(positives)) - 1)])


def youden_threshold(truth: np.ndarray, score: np.ndarray) -> float:
    """The threshold (a score value) maximising sensitivity + specificity − 1; the highest on ties."""
    truth, score = np.asarray(truth) > 0, np.asarray(score)
    if truth.all() or not truth.any():
        return math.nan
    candidates = np.unique(score)[::-1]
    best, best_j = float(candidates[0]), -math.inf
    for t in candidates:
        c = counts_at(truth, score, float(t))
        j = c.sensitivity + c.specificity - 1
        if j > best_j + 1e-12:
            best, best_j = float(t), j
    return best


def _round(value: float, digits: int = 4) -> float | None:
    return None if math.isnan(value) else round(float(value), digits)


ANY_SENSITIVITY = 0.90
MIN_TUNING_POSITIVES = 10
THRESHOLD_RULE = (
    f"Chosen on the validation split (real sources pooled, phantom excluded): 'any' = the highest threshold "
    f"keeping validation sensitivity >= {ANY_SENSITIVITY:.2f} (a flagging tool should not miss bleeds); each subtype = "
    f"Youden's J (sensitivity + specificity - 1) maximum when validation has >= {MIN_TUNING_POSITIVES} positives, "
    f"else 0.5 (not tuned)."
)


def choose_thresholds(
    truth: np.ndarray, prob: np.ndarray, mask: np.ndarray, labels: tuple[str, ...]
) -> tuple[dict[str, float], dict[str, dict[str, object]]]:
    """Thresholds by THRESHOLD_RULE and, per label, how each was chosen with its validation counts."""
    thresholds: dict[str, float] = {}
    detail: dict[str, dict[str, object]] = {}
    for k, key in enumerate(labels):
        known = mask[:, k]
        y, s = truth[known, k], prob[known, k]
        n_pos = int((y > 0).sum())
        if key == "any" and n_pos:
            value, how = threshold_for_sensitivity(y, s, ANY_SENSITIVITY), f"sensitivity >= {ANY_SENSITIVITY:.2f}"
        elif key != "any" and n_pos >= MIN_TUNING_POSITIVES and n_pos < len(y):
            value, how = youden_threshold(y, s), "Youden's J"
        else:
            value, how = 0.5, f"default: {n_pos} validation positives"
        thresholds[key] = math.floor(float(value) * 1e4) / 1e4  # down, so the chosen score still counts
        detail[key] = {
            "rule": how,
            "positives": n_pos,
            "negatives": int(len(y) - n_pos),
            "auc": _round(auc(y, s)),
            **counts_at(y, s, thresholds[key]).to_json(),
        }
    return thresholds, detail
