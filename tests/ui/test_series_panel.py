"""The series panel lists the index, shows thumbnails, and a click opens that series through the state."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_lists_series_with_thumbnails_and_click_switches(qtbot, main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study(n=12, second=20))
    panel, state = main_window.series_panel, main_window.state
    assert panel.count() == 2
    first = state.volume
    assert first.n_slices == 20 and first.series.description == "Axial 2.5mm"  # most images first
    other = next(s for s in state.index.series if s.uid != first.series.uid)
    qtbot.waitUntil(lambda: not panel.item_for(other.uid).icon().isNull())
    assert panel.item_for(other.uid).text() == "Axial 5mm brain\n#2 · 12 images · 5 mm"
    state.apply_preset("bone")
    rect = panel.visualItemRect(panel.item_for(other.uid))
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: state.volume is not None and state.volume.series.uid == other.uid, timeout=20000)
    assert state.volume.n_slices == 12 and state.slice_index == 6
    assert state.display.window.name == "bone"  # the window survives a series switch
    assert main_window.windowTitle() == "ichviewer — Axial 5mm brain"
    assert panel.currentItem() is panel.item_for(other.uid)
    assert main_window.slider.maximum() == 11
