"""Preset buttons and typed level/width set the state's window; the fields show the state's window."""

from __future__ import annotations

from ichviewer.core.windowing import PRESETS, Window


def test_buttons_and_typed_values(main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study())
    controls, display = main_window.window_controls, main_window.state.display
    controls.buttons["subdural"].click()
    assert display.window == PRESETS["subdural"] and controls.buttons["subdural"].isChecked()
    controls.width.setValue(300)
    assert display.window == Window(80, 300, "custom")
    assert not any(b.isChecked() for b in controls.buttons.values())
    display.window = PRESETS["bone"]
    assert (controls.level.value(), controls.width.value()) == (600, 2800) and controls.buttons["bone"].isChecked()


def test_scanner_button_without_a_header_window_keeps_the_window(qtbot, main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    open_study(write_study())
    state, controls = main_window.state, main_window.window_controls
    headers = tuple(replace(s, window_center=None, window_width=None) for s in state.volume.slices)
    state.volume = replace(state.volume, geometry=replace(state.volume.geometry, slices=headers))
    controls.buttons["scanner"].click()
    assert state.display.window == PRESETS["brain"] and "states no window" in state.status
    assert not controls.buttons["scanner"].isChecked() and controls.buttons["brain"].isChecked()
