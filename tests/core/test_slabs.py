"""Slabs along the normal: native series kept as they are, thin ones averaged, values mapped back."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.slabs import plan_slabs


def test_five_mm_series_is_used_slice_by_slice():
    plan = plan_slabs(np.arange(30) * 5.0)
    assert plan.native and plan.n_slabs == 30
    hu = np.arange(30, dtype=np.int16)[:, None, None] * np.ones((1, 4, 4), dtype=np.int16)
    assert plan.slab_hu(hu, 7)[0, 0] == 7
    values = np.random.default_rng(0).random((30, 6)).astype(np.float32)
    np.testing.assert_array_equal(plan.to_native(values), values)


def test_thin_series_becomes_5mm_slabs_whose_weights_cover_each_slab():
    positions = np.arange(240) * 0.625
    plan = plan_slabs(positions)
    assert not plan.native
    assert plan.n_slabs == 30  # 150 mm of slices, each 0.625 mm
    np.testing.assert_allclose(np.diff(plan.centres), 5.0)
    np.testing.assert_allclose(plan.weights.sum(axis=1), 1.0, rtol=1e-6)
    assert ((plan.weights > 0).sum(axis=1) == 8).all()  # 8 slices of 0.625 mm in each 5 mm slab


def test_slab_of_a_ramp_is_the_ramp_at_its_centre_and_values_come_back_linear():
    positions = np.arange(240) * 0.625
    plan = plan_slabs(positions)
    hu = np.broadcast_to(np.round(positions * 4).astype(np.int16)[:, None, None], (240, 2, 2))
    for k in (3, 15):
        assert plan.slab_hu(hu, k)[0, 0] == pytest.approx(plan.centres[k] * 4, abs=1.5)
    native = plan.to_native(plan.centres[:, None] * 2.0)[:, 0]
    inside = (positions >= plan.centres[0]) & (positions <= plan.centres[-1])
    np.testing.assert_allclose(native[inside], positions[inside] * 2.0, rtol=1e-5)
    assert native[0] == pytest.approx(plan.centres[0] * 2.0)  # held at the ends


def test_a_slab_inside_a_gap_takes_the_nearest_slice_and_labels_need_a_share():
    positions = np.r_[np.arange(20) * 1.0, 60.0 + np.arange(20) * 1.0]
    plan = plan_slabs(positions)
    assert np.isfinite(plan.weights).all() and (plan.weights.sum(axis=1) > 0.99).all()
    labels = np.zeros((40, 6), dtype=np.uint8)
    labels[10, 0] = 1  # one positive 1 mm slice: 20 % of its slab, below the 25 % share
    assert plan.slab_labels(labels)[:, 0].sum() == 0
    labels[11, 0] = 1
    assert plan.slab_labels(labels)[:, 0].sum() == 1
    assert plan.nearest_slab(10) == int(np.argmin(np.abs(plan.centres - 10.0)))
