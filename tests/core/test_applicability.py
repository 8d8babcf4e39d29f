"""'AI not applicable' for series the model must not judge, with a reason a reader understands."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ichviewer.core.applicability import applicability_problem
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom


@pytest.fixture(scope="module")
def head_hu() -> np.ndarray:
    return generate_phantom(PhantomSpec(seed=3, n_slices=24, size=128, pixel_mm=1.8, slice_mm=6.5)).hu


def test_a_head_ct_is_applicable(head_hu, make_volume):
    assert applicability_problem(make_volume(head_hu, spacing=6.5, pixel=1.8)) is None


def test_a_few_centimetres_are_not_enough(head_hu, make_volume):
    problem = applicability_problem(make_volume(head_hu[10:14], spacing=6.5, pixel=1.8))
    assert problem is not None and "covers 26 mm" in problem


def test_a_bone_kernel_series_is_refused(head_hu, make_volume):
    volume = make_volume(head_hu, spacing=6.5, pixel=1.8)
    volume = replace(volume, series=replace(volume.series, kernel="BONE", description="Head 1mm bone"))
    assert "bone" in (applicability_problem(volume) or "")


def test_a_plastic_phantom_without_brain_tissue_is_refused(make_volume):
    y, x = np.mgrid[-1:1:128j, -1:1:128j]
    r = x**2 + (y / 1.2) ** 2
    plastic = np.where(r < 0.7, 120, np.where(r < 0.8, 700, -1000)).astype(np.int16)  # acrylic in a shell
    problem = applicability_problem(make_volume(np.repeat(plastic[None], 24, axis=0), spacing=5.0, pixel=1.6))
    assert problem is not None and "brain-like tissue" in problem and "phantom" in problem


def test_body_ct_is_refused(make_volume):
    y, x = np.mgrid[-1:1:128j, -1:1:128j]
    trunk = np.where((x / 0.9) ** 2 + (y / 0.6) ** 2 < 1, 35, -1000).astype(np.int16)
    problem = applicability_problem(make_volume(np.repeat(trunk[None], 24, axis=0), spacing=5.0, pixel=3.5))
    assert problem is not None and "wider than a head" in problem
