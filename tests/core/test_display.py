"""Presets by name, the scanner's own window, the start window of a study, overlay toggles."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ichviewer.core.display import Display
from ichviewer.core.windowing import PRESETS, Window


def test_preset_and_scanner_windows(make_volume) -> None:  # type: ignore[no-untyped-def]
    volume = make_volume(np.zeros((3, 8, 8), np.int16))
    assert Display.preset_window("stroke", volume) == PRESETS["stroke"]
    assert Display.preset_window("scanner", volume) == Window(40.0, 80.0, "scanner")
    assert Display.preset_window("scanner", None) is None


def test_a_study_without_a_scanner_window_starts_in_brain(make_volume) -> None:  # type: ignore[no-untyped-def]
    volume = make_volume(np.zeros((3, 8, 8), np.int16))
    headers = tuple(replace(s, window_center=None, window_width=None) for s in volume.slices)
    bare = replace(volume, geometry=replace(volume.geometry, slices=headers))
    assert Display().default_for("scanner", bare) == PRESETS["brain"]
    assert Display().default_for("bone", bare) == PRESETS["bone"]


def test_toggles_emit() -> None:
    display, seen = Display(), []
    display.events.show_patient.connect(seen.append)
    display.toggle_patient()
    display.toggle_patient()
    assert seen == [False, True]


def test_m_switches_between_the_two_layouts() -> None:
    display, seen = Display(), []
    display.events.layout.connect(seen.append)
    display.toggle_layout()
    display.toggle_layout()
    assert seen == ["mpr", "axial"] and display.layout == "axial"
