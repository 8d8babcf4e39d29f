"""Grad-CAM heatmaps: one per slice asked, in the slice's grid, 0..1, none over the air when asked so."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.gradcam import head_mask, heatmaps, heatmaps_for
from ichviewer.core.inference import Classifier


@pytest.fixture(scope="module")
def classifier(tiny_model_dir) -> Classifier:  # type: ignore[no-untyped-def]
    return Classifier(tiny_model_dir, device="cpu")


@pytest.fixture
def volume(make_volume):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(2)
    hu = np.full((6, 96, 80), -1000, np.int16)
    yy, xx = np.mgrid[:96, :80]
    head = ((yy - 48) / 28.0) ** 2 + ((xx - 40) / 22.0) ** 2 < 1
    hu[:, head] = rng.normal(40, 8, size=(6, int(head.sum()))).astype(np.int16)
    return make_volume(hu)


def test_maps_in_the_slice_grid_between_zero_and_one(classifier, volume) -> None:  # type: ignore[no-untyped-def]
    progress: list[tuple[int, int]] = []
    maps = heatmaps(classifier, volume, [1, 4], "subdural", progress=lambda d, t, m: progress.append((d, t)))
    assert sorted(maps) == [1, 4] and progress[-1] == (2, 2)
    for heat in maps.values():
        assert heat.shape == (96, 80) and heat.dtype == np.float32
        assert heat.min() >= 0.0 and heat.max() <= 1.0 + 1e-6


def test_inside_head_leaves_the_air_cold(classifier, volume) -> None:  # type: ignore[no-untyped-def]
    air = volume.hu[2] < -500
    plain = heatmaps(classifier, volume, [2], "any")[2]
    inside = heatmaps(classifier, volume, [2], "any", inside_head=True)[2]
    corners = np.zeros_like(air)
    corners[:6, :6] = corners[-6:, -6:] = True
    assert inside[corners & air].max() == 0.0
    assert np.all(inside <= plain + 1e-6)


def test_requests_for_several_labels(classifier, volume) -> None:  # type: ignore[no-untyped-def]
    maps = heatmaps_for(classifier, volume, [(0, "any"), (3, "epidural"), (5, "any")])
    assert sorted(maps) == [0, 3, 5]


def test_head_mask_is_one_inside_and_zero_far_outside(volume) -> None:  # type: ignore[no-untyped-def]
    mask = head_mask(volume.hu[0])
    assert mask[48, 40] == pytest.approx(1.0) and mask[0, 0] == 0.0
    assert head_mask(np.full((32, 32), -1000, np.int16)).min() == 1.0  # no head found: nothing masked
