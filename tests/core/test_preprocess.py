"""The one model-input path: head crop, resize, window, normalise; crop boxes invert."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.model import ModelInput
from ichviewer.core.preprocess import (
    CropBox,
    context_indices,
    crop_square,
    head_box,
    model_batch,
    network_input,
    resized_hu,
)
from ichviewer.core.windowing import PRESETS

SPEC = ModelInput(
    windows=(PRESETS["brain"], PRESETS["subdural"], PRESETS["bone"]),
    size=32,
    context_slices=0,
    mean=(0.0, 0.0, 0.0),
    std=(1.0, 1.0, 1.0),
    crop_to_head=True,
)


def disc_slice(size=128, centre=(70, 60), radius=30, value=40, text_at=(5, 5)) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size]
    hu = np.full((size, size), -1000, np.int16)
    hu[(yy - centre[0]) ** 2 + (xx - centre[1]) ** 2 < radius**2] = value
    hu[text_at[0] : text_at[0] + 8, text_at[1] : text_at[1] + 8] = 200  # a bright letter in a corner
    return hu


class TestHeadBox:
    def test_square_around_largest_region_ignoring_small_marks(self):
        box = head_box(disc_slice())
        assert box.side == pytest.approx(60 * 1.08, abs=6)
        assert abs(box.top + box.side / 2 - 70) <= 4 and abs(box.left + box.side / 2 - 60) <= 4
        assert box.top > 13  # the corner mark is not inside the box

    def test_blank_slice_gives_whole_image(self):
        assert head_box(np.full((64, 48), -1000, np.int16)) == CropBox(0, -8, 64)


class TestCropSquare:
    def test_pads_outside_with_air(self):
        image = np.arange(16, dtype=np.int16).reshape(4, 4)
        out = crop_square(image, CropBox(-1, -1, 3))
        assert out.tolist() == [[-1024, -1024, -1024], [-1024, 0, 1], [-1024, 4, 5]]

    def test_paste_inverts_crop_geometry(self):
        box = CropBox(10, 20, 40)
        grid = np.ones((8, 8), np.float32)
        pasted = box.paste(grid, (64, 64))
        assert pasted[10:50, 20:60].min() == pytest.approx(1.0)
        assert pasted.sum() == pytest.approx(40 * 40)


class TestContextIndices:
    def test_clamped_at_ends(self):
        assert context_indices(0, 5, 1) == [0, 0, 1]
        assert context_indices(4, 5, 2) == [2, 3, 4, 4, 4]


class TestResizedHu:
    def test_head_fills_the_model_grid(self):
        hu = disc_slice()[None]
        image, box = resized_hu(hu, 0, SPEC)
        assert image.shape == (1, 32, 32)
        assert float(image[0, 16, 16]) == pytest.approx(40, abs=1)
        assert float(image[0, 0, 0]) < -900

    def test_context_stacks_neighbours(self):
        hu = np.stack([disc_slice(value=v) for v in (10, 40, 70)])
        spec = ModelInput(SPEC.windows, 32, 1, (0.0,) * 9, (1.0,) * 9, True)
        image, _ = resized_hu(hu, 1, spec)
        assert [round(float(image[k, 16, 16])) for k in range(3)] == [10, 40, 70]


class TestNetworkInput:
    def test_windows_then_normalises(self):
        import torch

        spec = ModelInput(SPEC.windows, 4, 0, (0.5, 0.0, 0.0), (0.5, 1.0, 1.0), True)
        hu = torch.full((1, 1, 4, 4), 40.0)
        x = network_input(hu, spec)
        assert x.shape == (1, 3, 4, 4)
        assert float(x[0, 0, 0, 0]) == pytest.approx(0.0)  # brain window mid-grey 0.5 → (0.5-0.5)/0.5
        assert float(x[0, 1, 0, 0]) == pytest.approx((40 + 20) / 200)
        assert float(x[0, 2, 0, 0]) == pytest.approx((40 + 800) / 2800)


class TestModelBatch:
    def test_batch_and_boxes(self):
        hu = np.stack([disc_slice(), disc_slice(centre=(40, 40), radius=20)])
        batch, boxes = model_batch(hu, [0, 1], SPEC)
        assert batch.shape == (2, 3, 32, 32)
        assert boxes[0] != boxes[1]

    def test_empty(self):
        batch, boxes = model_batch(np.zeros((1, 8, 8), np.int16), [], SPEC)
        assert batch.shape == (0, 3, 32, 32) and boxes == []
