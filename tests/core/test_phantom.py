"""The synthetic head CT: deterministic, anatomically plausible HU, masks consistent with labels."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.labels import LABEL_KEYS, SUBTYPE_KEYS
from ichviewer.core.synthetic.phantom import MIN_LABEL_VOXELS, PhantomSpec, generate_phantom, random_spec


@pytest.fixture(scope="module")
def all_five():
    return generate_phantom(PhantomSpec(seed=5, n_slices=16, size=192, pixel_mm=1.2, subtypes=SUBTYPE_KEYS))


class TestGeneratePhantom:
    def test_same_seed_same_volume(self) -> None:
        spec = PhantomSpec(seed=9, n_slices=6, size=96, pixel_mm=2.4, subtypes=("epidural",))
        a, b = generate_phantom(spec), generate_phantom(spec)
        np.testing.assert_array_equal(a.hu, b.hu)
        np.testing.assert_array_equal(a.masks["epidural"], b.masks["epidural"])
        c = generate_phantom(PhantomSpec(seed=10, n_slices=6, size=96, pixel_mm=2.4, subtypes=("epidural",)))
        assert not np.array_equal(a.hu, c.hu)

    def test_shapes_and_types(self, all_five) -> None:
        assert all_five.hu.shape == (16, 192, 192) and all_five.hu.dtype == np.int16
        assert all_five.slice_labels.shape == (16, 6) and all_five.slice_labels.dtype == np.uint8
        assert set(all_five.masks) == set(LABEL_KEYS)

    def test_tissue_values(self, all_five) -> None:
        hu = all_five.hu
        assert np.median(hu[:, :5, :5]) < -950  # air in the corners
        assert hu.max() > 1200  # cortical bone
        mid = hu[9]  # ventricle level
        brainish = mid[(mid > 10) & (mid < 60)]
        assert 25 < np.median(brainish) < 42

    @pytest.mark.parametrize("kind", SUBTYPE_KEYS)
    def test_each_subtype_is_acute_blood_inside_the_skull(self, all_five, kind: str) -> None:
        mask = all_five.masks[kind]
        assert mask.sum() > 100
        assert 50 <= all_five.hu[mask].mean() <= 90
        # inside the skull: no blood at the image border, and bone surrounds it radially
        assert not mask[:, :10].any() and not mask[:, -10:].any() and not mask[:, :, :10].any()
        slices = np.flatnonzero(all_five.slice_labels[:, LABEL_KEYS.index(kind)])
        assert len(slices) >= 1 and np.array_equal(slices, np.arange(slices[0], slices[-1] + 1))  # contiguous

    def test_labels_match_masks(self, all_five) -> None:
        for j, key in enumerate(LABEL_KEYS):
            counts = all_five.masks[key].reshape(16, -1).sum(axis=1)
            np.testing.assert_array_equal(all_five.slice_labels[:, j], (counts > 0).astype(np.uint8))
            assert counts[counts > 0].min(initial=MIN_LABEL_VOXELS) >= MIN_LABEL_VOXELS or key == "any"
        union = np.logical_or.reduce([all_five.masks[k] for k in SUBTYPE_KEYS])
        np.testing.assert_array_equal(all_five.masks["any"], union)
        assert 0 < all_five.slice_labels[:, 0].sum() < 16  # some slices stay clean

    def test_epidural_hugs_the_inner_table(self, all_five) -> None:
        k = int(np.argmax(all_five.masks["epidural"].reshape(16, -1).sum(axis=1)))
        mask = all_five.masks["epidural"][k]
        from scipy import ndimage

        ring = ndimage.binary_dilation(mask, iterations=2) & ~mask
        assert (all_five.hu[k][ring] > 300).any()  # bone next to the clot

    def test_no_hemorrhage_without_subtypes(self) -> None:
        phantom = generate_phantom(PhantomSpec(seed=1, n_slices=6, size=96, pixel_mm=2.4))
        assert not phantom.slice_labels.any() and not phantom.masks["any"].any()

    def test_unknown_subtype_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown subtype"):
            PhantomSpec(seed=1, subtypes=("chronic",))


class TestRandomSpec:
    def test_deterministic_and_valid(self) -> None:
        assert random_spec(3) == random_spec(3)
        specs = [random_spec(s) for s in range(20)]
        assert all(set(s.subtypes) <= set(SUBTYPE_KEYS) for s in specs)
        assert len({s.subtypes for s in specs}) > 3
