"""Corner texts: identity (hidden by the privacy toggle), series, slice position, window and zoom."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ichviewer.core.geometry import plan_stack
from ichviewer.core.overlay_text import corner_texts, dicom_date, geometry_lines, probe_text
from ichviewer.core.windowing import PRESETS


def test_corners_of_a_loaded_slice(make_volume) -> None:  # type: ignore[no-untyped-def]
    volume = make_volume(np.zeros((12, 8, 8), np.int16))
    texts = corner_texts(volume.series, volume, 3, PRESETS["brain"], 1.5, probe=probe_text(35, 4, 6))
    assert texts["top_left"] == "TEST\nID T1\nStudy 2026-01-01"
    assert texts["top_right"] == "synthetic"
    assert texts["bottom_left"] == "Slice 4 / 12\nPos 15.0 mm (DICOM z)\nThick 5 mm · spacing 5.0 mm"
    assert texts["bottom_right"] == "HU 35  at row 4, col 6\nW 80  L 40  Brain\nZoom 1.50×"


def test_privacy_and_preview(make_volume) -> None:  # type: ignore[no-untyped-def]
    volume = make_volume(np.zeros((12, 8, 8), np.int16))
    texts = corner_texts(volume.series, None, 5, PRESETS["bone"], 1.0, show_patient=False)
    assert texts["top_left"] == "" and texts["bottom_left"].startswith("Slice 6  (loading…)")


def tilted(volume, degrees: float):  # type: ignore[no-untyped-def]
    """The volume as a gantry-tilted scanner writes it: tilted orientation, positions straight up the table."""
    t = np.radians(degrees)
    orientation = (1.0, 0.0, 0.0, 0.0, float(np.cos(t)), float(-np.sin(t)))
    headers = tuple(replace(h, orientation=orientation, gantry_tilt=degrees) for h in volume.slices)
    return replace(volume, geometry=plan_stack(headers))


class TestGeometryLines:
    def test_a_tilted_stack_shows_the_tilt_and_both_positions(self, make_volume) -> None:  # type: ignore[no-untyped-def]
        volume = tilted(make_volume(np.zeros((12, 8, 8), np.int16), spacing=5.0), 20.0)
        lines = geometry_lines(volume, 4)
        z = volume.slices[4].position[2]
        assert lines[0] == f"Pos {volume.slice_position(4):.1f} mm on normal · z {z:.1f}" and z == 20.0
        assert abs(volume.slice_position(4) - 20.0 * np.cos(np.radians(20))) < 0.01
        assert lines[-1] == "Gantry tilt 20.0°"

    def test_spacing_from_positions_when_the_header_has_no_thickness(self, make_volume) -> None:  # type: ignore[no-untyped-def]
        volume = make_volume(np.zeros((6, 8, 8), np.int16), spacing=4.0)
        headers = tuple(replace(h, slice_thickness=None) for h in volume.slices)
        volume = replace(volume, series=replace(volume.series, slices=headers), geometry=plan_stack(headers))
        assert geometry_lines(volume, 0) == [
            "Pos 0.0 mm (DICOM z)",
            "Spacing 4.0 mm (from positions; no thickness in header)",
        ]


def test_dicom_date() -> None:
    assert dicom_date("20261123") == "2026-11-23" and dicom_date("2026") == "2026" and dicom_date("") == ""
