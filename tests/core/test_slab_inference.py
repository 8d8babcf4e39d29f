"""The slab model through the app's own path: any thickness in, one score per native slice out."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.gradcam import heatmaps
from ichviewer.core.inference import Classifier
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom


@pytest.fixture(scope="module")
def classifier(tiny_slab_model_dir):
    return Classifier(tiny_slab_model_dir, device="cpu")


@pytest.fixture(scope="module")
def thick_hu() -> np.ndarray:
    return generate_phantom(PhantomSpec(seed=5, n_slices=24, size=96, pixel_mm=2.4, subtypes=("subdural",))).hu


def test_every_native_slice_gets_scores(classifier, make_volume, thick_hu):
    result = classifier.predict(make_volume(thick_hu, spacing=5.0, pixel=2.4))
    assert result.scores.shape == (24, 6) and np.isfinite(result.scores).all()
    assert ((result.scores >= 0) & (result.scores <= 1)).all()
    assert result.extra["series"]["slices"] == 24


def test_a_thin_copy_of_the_same_head_gets_the_same_study_scores(classifier, make_volume, thick_hu):
    thin = np.repeat(thick_hu, 8, axis=0)  # each 5 mm slice as eight 0.625 mm slices
    thick_result = classifier.predict(make_volume(thick_hu, spacing=5.0, pixel=2.4))
    thin_result = classifier.predict(make_volume(thin, spacing=0.625, pixel=2.4, uid="1.2.826.0.1.3680043.8.498.2"))
    assert thin_result.scores.shape == (192, 6)
    np.testing.assert_allclose(thin_result.scores.max(axis=0), thick_result.scores.max(axis=0), atol=1e-4)
    assert thin_result.study.suspected == thick_result.study.suspected


def test_a_heatmap_per_requested_native_slice_on_its_own_grid(classifier, make_volume, thick_hu):
    volume = make_volume(np.repeat(thick_hu, 4, axis=0), spacing=1.25, pixel=2.4)
    maps = heatmaps(classifier, volume, [0, 40, 95], "subdural")
    assert sorted(maps) == [0, 40, 95]
    assert all(m.shape == volume.hu.shape[1:] and m.dtype == np.float32 for m in maps.values())
