"""score_volume: fresh scores are cached; the second call comes from the cache unless told not to."""

from __future__ import annotations

import numpy as np

from ichviewer.core.inference import Classifier
from ichviewer.core.scoring import score_volume


def test_second_scoring_comes_from_the_cache(tiny_model_dir, make_volume) -> None:  # type: ignore[no-untyped-def]
    volume = make_volume(np.full((12, 64, 64), 35, np.int16), uid="1.2.826.0.1.3680043.8.498.77")  # 60 mm: judged
    classifier = Classifier(tiny_model_dir, device="cpu")
    batches: list[list[int]] = []
    first = score_volume(volume, classifier, on_batch=lambda indices, scores: batches.append(indices))
    again = score_volume(volume, classifier)
    fresh = score_volume(volume, classifier, use_cache=False)
    assert not first.from_cache and again.from_cache and not fresh.from_cache
    assert sorted(i for batch in batches for i in batch) == list(range(12))
    np.testing.assert_allclose(again.result.scores, first.result.scores, atol=1e-6)
    assert again.volume is volume
