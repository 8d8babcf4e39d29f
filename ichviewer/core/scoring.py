"""Score a loaded volume, taking the scores from the cache when this model already scored it.

Serves `ichviewer scan`, the viewer's AI worker and the evaluation of whole studies. The cache
is looked up with the model card's sha256 alone (`cached_scores`), so a study scored before
opens with its results without torch or the network being loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ichviewer.core.applicability import NotApplicable, applicability_problem
from ichviewer.core.progress import Cancel, Progress
from ichviewer.core.results import StudyResult, load_cached, save_cached
from ichviewer.core.volume import CTVolume

if TYPE_CHECKING:
    from ichviewer.core.inference import ScoringModel  # the cached path needs neither it nor torch


@dataclass(frozen=True, eq=False)
class ScoredVolume:
    """A loaded volume and its scores; `from_cache` tells whether the scores came from the cache."""

    volume: CTVolume
    result: StudyResult
    from_cache: bool


def check_applicable(volume: CTVolume) -> None:
    """Raise `NotApplicable` with the reason when the model must not judge `volume` (before cache or network)."""
    problem = applicability_problem(volume)
    if problem is not None:
        raise NotApplicable(problem)


def cached_scores(volume: CTVolume, model_sha256: str) -> ScoredVolume | None:
    """The cached scores of this model for `volume`'s slices, or None (no torch needed)."""
    cached = load_cached(tuple(s.sop_instance_uid for s in volume.slices), model_sha256)
    return None if cached is None else ScoredVolume(volume, cached, from_cache=True)


def score_volume(
    volume: CTVolume,
    classifier: ScoringModel,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    use_cache: bool = True,
    on_batch: Callable[[list[int], np.ndarray], None] | None = None,
) -> ScoredVolume:
    """Scores for `volume`: from the cache when `use_cache` and this model already scored these slices.

    Raises `NotApplicable` (with the reason) for a series the model must not judge.
    """
    check_applicable(volume)
    if use_cache:
        cached = cached_scores(volume, classifier.card.sha256)
        if cached is not None:
            return cached
    result = classifier.predict(volume, progress, cancel, on_batch)
    save_cached(result)  # fresh scores always replace what the cache held
    return ScoredVolume(volume, result, from_cache=False)
