"""8-bit brain-window reconstruction and its simulation agree, on numpy and torch alike."""

from __future__ import annotations

import numpy as np
import torch

from ichviewer.training.brain_png import brain_window_only, grey_to_hu


class TestGreyToHu:
    def test_ramp_and_black_is_air(self):
        grey = np.array([0.0, 9.0, 10.0, 127.5, 255.0])
        assert np.allclose(grey_to_hu(grey), [-1024, -1024, 10 / 255 * 80, 40, 80])

    def test_torch_equals_numpy(self):
        grey = np.arange(256, dtype=np.float32)
        assert np.allclose(grey_to_hu(torch.from_numpy(grey)).numpy(), grey_to_hu(grey))


class TestBrainWindowOnly:
    def test_equals_reading_back_an_8_bit_export(self):
        hu = np.linspace(-1100, 1500, 2000, dtype=np.float32)
        lower, width = 5.0, 70.0
        exported = np.rint(np.clip((hu - lower) / width, 0, 1) * 255)  # what the PNG sources hold
        assert np.allclose(brain_window_only(hu, lower, width), grey_to_hu(exported))

    def test_brain_window_values_and_air(self):
        out = brain_window_only(np.array([-50.0, 0.0, 40.0, 90.0]), 0.0, 80.0)
        assert out[0] == -1024 and out[1] == -1024  # below the window and near-black become air
        assert np.isclose(out[2], 40, atol=0.2) and out[3] == 80

    def test_per_sample_windows_broadcast_on_torch(self):
        hu = torch.full((2, 1, 4, 4), 40.0)
        out = brain_window_only(
            hu, torch.tensor([0.0, 30.0]).view(2, 1, 1, 1), torch.tensor([80.0, 20.0]).view(2, 1, 1, 1)
        )
        assert torch.allclose(out[0], torch.tensor(40.0), atol=0.2)
        assert torch.allclose(out[1], torch.tensor(40.0), atol=0.2)  # 40 HU is mid-window for L40/W20 too
