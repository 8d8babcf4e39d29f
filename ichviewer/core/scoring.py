"""Score a loaded volume, taking the scores from the cache when this model already scored it.

Serves `ichviewer scan`, the viewer's AI worker and the evaluation of whole studies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ichviewer.core.applicability import NotApplicable, applicability_problem
from ichviewer.core.inference import Classifier
from ichviewer.core.progress import Cancel, Progress
from ichviewer.core.results import StudyResult, load_cached, save_cached
from ichviewer.core.volume import CTVolume


@dataclass(frozen=True, eq=False)
class ScoredVolume:
    """A loaded volume and its scores; `from_cache` tells whether the scores came from the cache."""

    volume: CTVolume
    result: StudyResult
    from_cache: bool


def score_volume(
    volume: CTVolume,
    classifier: Classifier,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    use_cache: bool = True,
    on_batch: Callable[[list[int], np.ndarray], None] | None = None,
) -> ScoredVolume:
    """Scores for `volume`: from the cache when `use_cache` and this model already scored these slices.

    Raises `NotApplicable` (with the reason) for a series the model must not judge.
    """
    problem = applicability_problem(volume)
    if problem is not None:
        raise NotApplicable(problem)
    uids = tuple(s.sop_instance_uid for s in volume.slices)
    if use_cache:
        cached = load_cached(uids, classifier.card.sha256)
        if cached is not None:
            return ScoredVolume(volume, cached, from_cache=True)
    result = classifier.predict(volume, progress, cancel, on_batch)
    save_cached(result)  # fresh scores always replace what the cache held
    return ScoredVolume(volume, result, from_cache=False)
