"""Corner texts: identity (hidden by the privacy toggle), series, slice position, window and zoom."""

from __future__ import annotations

import numpy as np

from ichviewer.core.overlay_text import corner_texts, dicom_date
from ichviewer.core.windowing import PRESETS


def test_corners_of_a_loaded_slice(make_volume) -> None:  # type: ignore[no-untyped-def]
    volume = make_volume(np.zeros((12, 8, 8), np.int16))
    texts = corner_texts(volume.series, volume, 3, PRESETS["brain"], 1.5, probe="HU 35  at (4, 4)")
    assert texts["top_left"] == "TEST\nID T1\nStudy 2026-01-01"
    assert texts["top_right"] == "synthetic"
    assert texts["bottom_left"] == "Slice 4 / 12\nPos 15.0 mm\nThick 5 mm"
    assert texts["bottom_right"] == "HU 35  at (4, 4)\nW 80  L 40  Brain\nZoom 1.50×"


def test_privacy_and_preview(make_volume) -> None:  # type: ignore[no-untyped-def]
    volume = make_volume(np.zeros((12, 8, 8), np.int16))
    texts = corner_texts(volume.series, None, 5, PRESETS["bone"], 1.0, show_patient=False)
    assert texts["top_left"] == "" and texts["bottom_left"].startswith("Slice 6  (loading…)")


def test_dicom_date() -> None:
    assert dicom_date("20261123") == "2026-11-23" and dicom_date("2026") == "2026" and dicom_date("") == ""
