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


def test_in_a_field_digits_type_and_other_keys_stay_shortcuts(qtbot, main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    """Pressing 3 in the Level field types a digit, never the bone preset; O still toggles overlays."""
    from PySide6.QtCore import Qt

    open_study(write_study())
    controls, display = main_window.window_controls, main_window.state.display
    controls.level.setFocus()
    qtbot.waitUntil(controls.level.hasFocus)
    controls.level.selectAll()
    qtbot.keyClicks(controls.level, "55")
    assert display.window == PRESETS["brain"] and controls.level.text().endswith("55")
    qtbot.keyClick(controls.level, Qt.Key.Key_O)
    assert not display.show_overlays and controls.level.hasFocus()
    qtbot.keyClick(controls.level, Qt.Key.Key_Return)
    assert display.window == Window(55, 80, "custom")
    assert main_window.slice_view.graphics.hasFocus()  # Enter gives the keys back to the image


def test_escape_drops_the_typed_value_and_gives_the_keys_to_the_image(
    qtbot, main_window, write_study, open_study
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    open_study(write_study())
    controls, state = main_window.window_controls, main_window.state
    controls.width.setFocus()
    qtbot.waitUntil(controls.width.hasFocus)
    controls.width.selectAll()
    qtbot.keyClicks(controls.width, "403")
    qtbot.keyClick(controls.width, Qt.Key.Key_Escape)
    assert main_window.slice_view.graphics.hasFocus()
    assert state.display.window == PRESETS["brain"] and controls.width.value() == 80
    index = state.slice_index
    qtbot.keyClick(main_window.slice_view.graphics, Qt.Key.Key_Up)
    assert state.slice_index == index + 1
