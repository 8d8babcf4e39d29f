"""The synthetic head CT: deterministic, anatomically plausible HU, masks consistent with labels."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.labels import LABEL_KEYS, SUBTYPE_KEYS
from ichviewer.core.synthetic.phantom import (
    MIN_LABEL_VOXELS,
    PhantomSpec,
    generate_phantom,
    random_spec,
    write_phantom_study,
)
from ichviewer.core.synthetic.shapes import HEAD_CY


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


class TestMeasurementTruthOptions:
    """Options added for measurement tests; the defaults above keep drawing exactly what they drew before."""

    def test_midline_shift_moves_the_ventricles_not_the_falx(self) -> None:
        spec = PhantomSpec(seed=4, n_slices=9, size=128, pixel_mm=1.8, noise_hu=0.0)
        straight = generate_phantom(spec)
        shifted = generate_phantom(PhantomSpec(**{**spec.__dict__, "midline_shift_mm": 5.4}))
        x = (np.arange(128) - 63.5) * 1.8
        y = x[:, None] + 0 * x[None, :]
        deep = (np.abs(y - HEAD_CY + 10) < 20) & (np.abs(x[None, :]) < 30)  # frontal horns and third ventricle

        def csf_x(image: np.ndarray) -> float:
            csf = deep & (image < 15)
            return float(np.broadcast_to(x[None, :], image.shape)[csf].mean())

        assert csf_x(shifted.hu[4]) - csf_x(straight.hu[4]) == pytest.approx(5.4, abs=0.5)
        front = y < HEAD_CY - 45  # the anterior fissure and falx stay on x = 0
        np.testing.assert_array_equal(straight.hu[4][front], shifted.hu[4][front])
        np.testing.assert_array_equal(straight.hu[1], shifted.hu[1])  # skull base: nothing supratentorial

    def test_physical_geometry_puts_the_bleed_where_the_headers_say(self, tmp_path) -> None:
        from ichviewer.core.volume import load_folder_volume

        spec = PhantomSpec(
            seed=21,
            n_slices=33,
            size=128,
            pixel_mm=1.8,
            tilt_deg=15.0,
            anatomy_step_mm=1.0,
            subtypes=("intraparenchymal",),
        )
        phantom = generate_phantom(spec)
        volume = load_folder_volume(write_phantom_study(phantom, tmp_path / "t"))
        assert volume.geometry.tilt_deg == pytest.approx(15.0, abs=0.01)
        np.testing.assert_allclose(volume.geometry.positions[0], spec.dicom_origin(), atol=1e-3)
        lesion = phantom.lesions[0]
        voxels = np.argwhere(phantom.masks["intraparenchymal"])
        centroid = np.mean([volume.patient_point(int(k), r, c) for k, r, c in voxels], axis=0)
        np.testing.assert_allclose(centroid, [lesion.x_mm, lesion.y_mm, lesion.z_mm], atol=1.0)
        ellipsoid_ml = 4 / 3 * np.pi * lesion.size_mm * lesion.extent_mm * lesion.z_half_mm / 1000
        assert phantom.volume_ml("intraparenchymal") == pytest.approx(ellipsoid_ml, rel=0.06)
        assert spec.voxel_mm3 == pytest.approx(1.8**2 * 5.0 * np.cos(np.radians(15.0)))

    def test_physical_slices_are_spaced_along_the_table_around_the_head_centre(self) -> None:
        spec = PhantomSpec(seed=1, n_slices=5, slice_mm=10.0, anatomy_step_mm=2.0)
        np.testing.assert_allclose(spec.table_mm(), [60.0, 70.0, 80.0, 90.0, 100.0])
        assert PhantomSpec(seed=1).dicom_origin() is None  # the default geometry keeps the writer's own
        with pytest.raises(ValueError, match="anatomy_step_mm"):
            PhantomSpec(seed=1, anatomy_step_mm=9.0)
