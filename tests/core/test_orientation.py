"""Orientation letters at the image's edges from Image Orientation Patient (radiological convention)."""

from __future__ import annotations

import numpy as np

from ichviewer.core.orientation import direction_letters, edge_letters


class TestDirectionLetters:
    def test_patient_axes(self) -> None:
        assert [direction_letters(v) for v in np.eye(3)] == ["L", "P", "S"]
        assert [direction_letters(-v) for v in np.eye(3)] == ["R", "A", "I"]

    def test_an_oblique_direction_gets_its_second_letter(self) -> None:
        tilt = np.radians(20)
        assert direction_letters((0, -np.cos(tilt), np.sin(tilt))) == "AS"
        assert direction_letters((0, -np.cos(np.radians(5)), np.sin(np.radians(5)))) == "A"  # 5°: one letter


class TestEdgeLetters:
    def test_an_axial_slice_as_the_geometry_shows_it(self, make_volume) -> None:  # type: ignore[no-untyped-def]
        """After the display flips: the patient's right on the left edge, anterior at the top."""
        volume = make_volume(np.zeros((3, 8, 8), np.int16))
        assert edge_letters(volume.geometry.orientation) == {"left": "R", "right": "L", "top": "A", "bottom": "P"}

    def test_a_tilted_stack_shows_its_tilt_in_the_letters(self) -> None:
        tilt = np.radians(15)
        orientation = (1, 0, 0, 0, np.cos(tilt), -np.sin(tilt))  # rows run posterior and downwards (feet)
        assert edge_letters(orientation) == {"left": "R", "right": "L", "top": "AS", "bottom": "PI"}

    def test_a_coronal_slice(self) -> None:
        assert edge_letters((1, 0, 0, 0, 0, -1)) == {"left": "R", "right": "L", "top": "S", "bottom": "I"}
