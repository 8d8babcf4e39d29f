"""Stored values to HU: rescale, padding to air, and refusal of values no CT image has."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ichviewer.core.dicom.decode import UnreadablePixels
from ichviewer.core.dicom.hu import stored_to_hu
from ichviewer.core.dicom.records import SliceHeader
from ichviewer.core.synthetic.memory_stack import slice_header

BASE = slice_header(0, rows=2, columns=3)


def test_integer_and_fractional_rescale() -> None:
    stored = np.array([[0, 1024, 1064], [2048, 3000, 100]], dtype=np.uint16)
    hu = stored_to_hu(stored, replace(BASE, rescale_intercept=-1024.0))
    assert hu.dtype == np.int16 and hu.tolist() == [[-1024, 0, 40], [1024, 1976, -924]]
    half = stored_to_hu(np.array([[80, -1, 2], [3, 4, 5]], np.int16), replace(BASE, rescale_slope=0.5))
    assert half.tolist() == [[40, 0, 1], [2, 2, 2]]  # rint, half to even


def test_padding_and_values_below_air_become_air() -> None:
    stored = np.array([[-2000, -1500, 40], [0, -3000, 10]], dtype=np.int16)
    hu = stored_to_hu(stored, replace(BASE, pixel_padding=(-2000, -2000)))
    assert hu.tolist() == [[-1024, -1024, 40], [0, -1024, 10]]


@pytest.mark.parametrize(
    ("stored", "header"),
    [
        (np.full((2, 3), 64536, np.uint16), BASE),  # signed air read as unsigned
        (np.full((2, 3), 40, np.int16), replace(BASE, rescale_intercept=-30000.0)),
        (np.full((2, 3), 40, np.int16), replace(BASE, rescale_slope=100.0)),
    ],
)
def test_values_no_ct_has_are_refused(stored: np.ndarray, header: SliceHeader) -> None:
    with pytest.raises(UnreadablePixels, match="outside -1024…3071 HU after rescale"):
        stored_to_hu(stored, header)


def test_a_minority_of_extreme_pixels_is_kept() -> None:
    stored = np.array([[-3024, 40, 30], [20, 5000, 10]], dtype=np.int16)  # padding corner and metal
    assert stored_to_hu(stored, BASE).tolist() == [[-1024, 40, 30], [20, 5000, 10]]
