"""Augmentation on HU batches: identity when off, left-right flips only, air padding, the 8-bit look."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ichviewer.core.windowing import AIR_HU
from ichviewer.training.augment import AugmentConfig, affine, augment, brain_only, intensity, lower_resolution

OFF = AugmentConfig.off()


def batch(n: int = 4, size: int = 32) -> torch.Tensor:
    """Asymmetric heads: a bright marker in the upper-left quadrant."""
    hu = torch.full((n, 1, size, size), float(AIR_HU))
    hu[:, :, 4:28, 4:28] = 35.0
    hu[:, :, 6:10, 6:10] = 1000.0
    return hu


class TestAugment:
    def test_off_leaves_the_batch_unchanged(self):
        hu = batch()
        assert torch.allclose(augment(hu, torch.ones(4, dtype=torch.bool), OFF), hu, atol=0.05)

    def test_default_keeps_shape_and_is_seeded(self):
        hu = batch()
        torch.manual_seed(0)
        a = augment(hu, torch.ones(4, dtype=torch.bool), AugmentConfig())
        torch.manual_seed(0)
        b = augment(hu, torch.ones(4, dtype=torch.bool), AugmentConfig())
        assert a.shape == hu.shape and torch.equal(a, b) and not torch.equal(a, hu)


class TestAffine:
    def test_flip_is_left_right_never_up_down(self):
        hu = batch()
        out = affine(hu, replace(OFF, p_flip=1.0))
        assert torch.allclose(out, hu.flip(-1), atol=0.05)  # marker moves to the upper right, stays at the top

    def test_shift_pads_with_air(self):
        hu = torch.full((2, 1, 16, 16), 35.0)
        torch.manual_seed(1)
        out = affine(hu, replace(OFF, shift=0.25, scale=0.0))
        assert (out < -1000).any()  # the image moved: air comes in from the edge, never zeros (0 HU)
        assert out.max() <= 35.0 + 1e-3 and not ((out > -1000) & (out < 30)).all()

    def test_rotation_is_small(self):
        torch.manual_seed(2)
        out = affine(batch(16), replace(OFF, rotate_deg=10.0))
        centre = out[:, :, 12:20, 12:20]  # the middle of the head stays head after ±10°
        assert torch.allclose(centre, torch.tensor(35.0), atol=0.5)


class TestLowerResolution:
    def test_blurs_chosen_samples_only(self):
        hu = batch(2)
        out = lower_resolution(hu, replace(OFF, p_resolution=1.0, resolution=(0.25, 0.25)))
        assert out.shape == hu.shape and not torch.allclose(out, hu)
        assert torch.equal(lower_resolution(hu, OFF), hu)


class TestIntensity:
    def test_offset_and_scale_about_brain_level(self):
        torch.manual_seed(3)
        hu = torch.full((64, 1, 2, 2), 40.0)
        out = intensity(hu, replace(OFF, hu_offset=5.0))
        assert out.min() >= 35.0 - 1e-4 and out.max() <= 45.0 + 1e-4
        out = intensity(hu, replace(OFF, hu_scale=0.5))
        assert torch.allclose(out, hu)  # 40 HU is the pivot: contrast changes, the level does not

    def test_noise_has_the_requested_size(self):
        torch.manual_seed(4)
        out = intensity(torch.zeros(8, 1, 64, 64), replace(OFF, p_noise=1.0, noise_hu=10.0))
        assert 1.0 < float(out.std()) < 10.0


class TestBrainOnly:
    def test_only_real_hu_samples_get_the_8_bit_look(self):
        hu = torch.linspace(-200, 300, 256).view(1, 1, 16, 16).repeat(2, 1, 1, 1)
        out = brain_only(hu, torch.tensor([True, False]), replace(OFF, p_brain_only=1.0))
        assert torch.equal(out[1], hu[1])
        values = out[0].unique().numpy()
        assert values.min() == AIR_HU and values.max() <= 80.0 + 1e-4
        assert np.all((values == AIR_HU) | (values > 0))  # near-black became air, like the PNG sources
