"""Predictions: scores and truth of one evaluation set, shared by evaluation, ROC plots and probes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Predictions:
    """Scores and truth of one evaluation set, one row per slice, image or study; columns in LABEL_KEYS order."""

    name: str
    unit: str
    scores: np.ndarray  # (n, 6) probabilities
    labels: np.ndarray  # (n, 6) 0/1
    mask: np.ndarray  # (n, 6) which labels are known
    groups: np.ndarray  # bootstrap unit of each row
    ids: np.ndarray
