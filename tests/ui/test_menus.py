"""Keys and menu actions act on the state: slices, presets, overlays, privacy; every key is listed in Help."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ichviewer.core.windowing import PRESETS


def test_keys_move_through_the_slices(qtbot, main_window, write_study, open_study) -> None:
    open_study(write_study(n=30))
    state = main_window.state
    assert state.slice_index == 15
    for key, expected in (
        (Qt.Key.Key_Down, 14),
        (Qt.Key.Key_Up, 15),
        (Qt.Key.Key_PageDown, 5),
        (Qt.Key.Key_PageDown, 0),
        (Qt.Key.Key_PageUp, 10),
        (Qt.Key.Key_End, 29),
        (Qt.Key.Key_Up, 29),
        (Qt.Key.Key_Home, 0),
    ):
        qtbot.keyClick(main_window, key)
        assert state.slice_index == expected, key
    assert main_window.slice_view.corner_text("bottom_left").startswith("Slice 1 / 30")


@pytest.mark.parametrize(
    ("key", "name"),
    [(Qt.Key.Key_3, "bone"), (Qt.Key.Key_2, "subdural"), (Qt.Key.Key_4, "stroke"), (Qt.Key.Key_1, "brain")],
)
def test_preset_keys(qtbot, main_window, write_study, open_study, key, name) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study())
    if name == "brain":
        qtbot.keyClick(main_window, Qt.Key.Key_3)
    qtbot.keyClick(main_window, key)
    assert main_window.state.display.window == PRESETS[name]


def test_scanner_key_uses_the_header_window(qtbot, main_window, write_study, open_study) -> None:
    open_study(write_study())
    qtbot.keyClick(main_window, Qt.Key.Key_3)
    qtbot.keyClick(main_window, Qt.Key.Key_0)
    assert main_window.state.display.window == main_window.state.volume.scanner_window()


def test_o_and_p_toggle_the_state_and_their_checkmarks(qtbot, main_window, write_study, open_study) -> None:
    open_study(write_study())
    display, menus = main_window.state.display, main_window.menus
    qtbot.keyClick(main_window, Qt.Key.Key_P)
    assert not display.show_patient and not menus.patient.isChecked()
    qtbot.keyClick(main_window, Qt.Key.Key_O)
    assert not display.show_overlays and not menus.overlays.isChecked()
    display.show_overlays = True  # from elsewhere (e.g. settings): the menu follows
    assert menus.overlays.isChecked()


def test_every_key_is_listed_in_help(main_window) -> None:
    rows = dict(main_window.show_shortcuts().rows())
    keys = ("Up", "Down", "PgUp", "PgDown", "Home", "End", "1", "2", "3", "4", "0", "R", "P", "O", "Ctrl+O", "Ctrl+L")
    for key in (*keys, "F1", "Wheel", "Ctrl + wheel", "Left-drag", "Middle-drag", "Right-drag"):
        assert key in rows, key
    assert rows["P"] == "Show / hide patient details (screen sharing)"
    assert "N" not in rows  # the AI's keys come with the AI (tests/ui/test_main_window_ai.py)


def test_brackets_change_series_from_the_series_list(qtbot, main_window, write_study, open_study) -> None:
    """] and [ step through the series list, whatever has focus (here the list itself)."""
    open_study(write_study(second=8))
    state, panel = main_window.state, main_window.series_panel
    first = state.series.uid
    uids = [s.uid for s in state.index.series]
    panel.setFocus()
    qtbot.waitUntil(panel.hasFocus)
    key = Qt.Key.Key_BracketRight if uids.index(first) == 0 else Qt.Key.Key_BracketLeft
    qtbot.keyClick(panel, key)
    qtbot.waitUntil(lambda: state.volume is not None and state.volume.series.uid != first and not state.loading.busy)
    qtbot.keyClick(panel, Qt.Key.Key_BracketLeft if key == Qt.Key.Key_BracketRight else Qt.Key.Key_BracketRight)
    qtbot.waitUntil(lambda: state.volume is not None and state.volume.series.uid == first and not state.loading.busy)
    assert ("[", "Previous series (in the series list)") in main_window.shortcuts()
