"""Classifier on the CPU with a tiny random model: shapes, batching, progress, cancel, device."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ichviewer.core.inference import Classifier, choose_device
from ichviewer.core.progress import Cancelled


@pytest.fixture
def volume(round_head):  # type: ignore[no-untyped-def]
    return round_head(20)


class TestChooseDevice:
    def test_cpu_always_available(self):
        assert choose_device("cpu") == "cpu"

    def test_auto_picks_an_available_device(self):
        assert choose_device("auto") in ("cuda", "mps", "cpu")

    def test_unknown_device(self):
        with pytest.raises(ValueError, match="unknown device"):
            choose_device("tpu")


class TestPredict:
    def test_scores_every_slice_in_batches_with_progress(self, tiny_model_dir, volume):
        classifier = Classifier(tiny_model_dir, device="cpu")
        classifier.batch_size = 8
        seen, batches = [], []
        result = classifier.predict(
            volume, progress=lambda d, t, m: seen.append((d, t)), on_batch=lambda idx, s: batches.append(idx)
        )
        assert result.scores.shape == (20, 6)
        assert ((result.scores >= 0) & (result.scores <= 1)).all()
        assert [len(b) for b in batches] == [8, 8, 4]
        assert seen[-1] == (20, 20)
        assert result.sop_instance_uids == tuple(s.sop_instance_uid for s in volume.slices)
        assert result.device.startswith("CPU")

    def test_batched_equals_one_at_a_time(self, tiny_model_dir, volume):
        classifier = Classifier(tiny_model_dir, device="cpu")
        batched = classifier.predict(volume).scores
        classifier.batch_size = 1
        assert np.allclose(classifier.predict(volume).scores, batched, atol=1e-5)

    def test_cancel_stops_between_batches(self, tiny_model_dir, volume):
        classifier = Classifier(tiny_model_dir, device="cpu")
        classifier.batch_size = 4
        cancel = threading.Event()
        calls = []

        def on_batch(indices, scores):
            calls.append(indices)
            cancel.set()

        with pytest.raises(Cancelled):
            classifier.predict(volume, cancel=cancel, on_batch=on_batch)
        assert len(calls) == 1


class TestHeatmaps:
    def test_heatmaps_on_slice_grid_and_hooks_released(self, tiny_model_dir, volume):
        from ichviewer.core.gradcam import heatmaps

        classifier = Classifier(tiny_model_dir, device="cpu")
        maps = heatmaps(classifier, volume, [3, 7], "any")
        assert set(maps) == {3, 7}
        assert maps[3].shape == (96, 96) and maps[3].dtype == np.float32
        assert 0.0 <= maps[3].min() and maps[3].max() <= 1.0 + 1e-6
        assert maps[3][0, 0] == 0.0  # outside the head crop
        # hooks released: scoring still works and gives the same result as before
        assert classifier.predict(volume).scores.shape == (20, 6)
        assert not any(m._forward_hooks for m in classifier.network.modules())


def test_display_heatmaps_stop_at_the_head(tiny_model_dir, volume):
    """inside_head zeroes heat over the air but leaves it unchanged inside the head."""
    from ichviewer.core.gradcam import head_mask, heatmaps

    classifier = Classifier(tiny_model_dir, device="cpu")
    raw = heatmaps(classifier, volume, [5], "any")[5]
    shown = heatmaps(classifier, volume, [5], "any", inside_head=True)[5]
    mask = head_mask(volume.hu[5])
    yy, xx = np.mgrid[:96, :96]
    radius = np.hypot(yy - 48, xx - 48)  # the head is a disc of radius 40
    assert (mask[radius > 60] == 0).all() and (mask[radius < 30] > 0.99).all()
    assert np.allclose(shown, raw * mask) and (shown[radius > 60] == 0).all()
