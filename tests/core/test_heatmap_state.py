"""Which label's heatmap a slice gets, and the one cache of computed maps."""

from __future__ import annotations

import numpy as np

from ichviewer.core.heatmap_state import STRONGEST, HeatmapCache, HeatmapChoice


class TestChoice:
    def test_strongest_label_on_flagged_slices_only(self, make_result):
        result = make_result(10, {(3, "any"): 0.9, (3, "subdural"): 0.8, (3, "epidural"): 0.6})
        choice = HeatmapChoice()
        assert choice.label == STRONGEST
        assert choice.label_for(result, 3) == "subdural" and choice.label_for(result, 4) is None
        assert choice.label_for(None, 3) is None

    def test_a_chosen_label_everywhere_unless_hidden_or_unknown(self, make_result):
        result = make_result(10)
        choice = HeatmapChoice(label="epidural")
        assert choice.label_for(result, 7) == "epidural"
        choice.toggle_visible()
        assert choice.label_for(result, 7) is None
        other = make_result(10, labels=("any",))
        assert HeatmapChoice(label="epidural").label_for(other, 7) is None


class TestCache:
    def test_claim_once_then_put_and_evict_oldest(self):
        cache = HeatmapCache(size=2)
        assert cache.claim(("a", "any")) and not cache.claim(("a", "any"))
        for uid in "abc":
            cache.put((uid, "any"), np.full((2, 2), 7, np.uint8))
            cache.get(("a", "any"))  # "a" stays recently used
        assert len(cache) == 2 and cache.get(("b", "any")) is None and cache.get(("a", "any")) is not None
        assert not cache.claim(("a", "any"))  # cached

    def test_a_released_key_may_be_asked_again_and_a_cached_one_stays(self):
        cache = HeatmapCache(size=2)
        assert cache.claim(("a", "any"))
        cache.release(("a", "any"))
        assert cache.claim(("a", "any"))
        cache.put(("b", "any"), np.zeros((2, 2), np.uint8))
        cache.release(("b", "any"))
        assert cache.get(("b", "any")) is not None and not cache.claim(("b", "any"))

    def test_forget_pending_allows_asking_again(self):
        cache = HeatmapCache()
        cache.claim(("a", "any"))
        cache.forget_pending()
        assert cache.claim(("a", "any"))
