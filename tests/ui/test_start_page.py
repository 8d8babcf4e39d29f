"""The start page while no study is open: open folder, demo, recent studies (paths hidden in privacy mode)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt


def test_shown_until_a_folder_opens(qtbot, main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    stack = main_window.centralWidget()
    assert stack.currentWidget() is main_window.start_page and main_window.start_page.isVisible()
    assert not main_window.slice_view.isVisible()
    open_study(write_study())
    assert not main_window.start_page.isVisible() and main_window.slice_view.isVisible()


def test_a_recent_study_opens_with_a_click(qtbot, main_window, write_study) -> None:  # type: ignore[no-untyped-def]
    folder = write_study()
    main_window.settings.add_recent(folder)
    page = main_window.start_page
    page.refresh()
    assert page.entries() == [str(folder)]
    rect = page.recent_list.visualItemRect(page.recent_list.item(0))
    qtbot.mouseClick(page.recent_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: main_window.state.volume is not None, timeout=20000)
    assert main_window.state.folder == str(folder)


def test_recent_paths_are_hidden_in_privacy_mode(qtbot, main_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    main_window.settings.add_recent(tmp_path / "DOE_JOHN_ID123456")
    main_window.state.display.show_patient = False
    assert main_window.start_page.entries() == ["Recent study 1 (path hidden)"]
    menu = main_window.menus.recent_menu
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()] == ["Recent study 1 (path hidden)"]
    main_window.state.display.show_patient = True
    menu.aboutToShow.emit()
    assert "ID123456" in menu.actions()[0].text()


def test_the_demo_button_generates_and_opens_the_demo(qtbot, main_window, monkeypatch, write_study) -> None:  # type: ignore[no-untyped-def]
    folder = write_study()
    monkeypatch.setattr("ichviewer.core.synthetic.demo.demo_study_dir", lambda: folder)  # the real one takes ~15 s
    qtbot.mouseClick(main_window.start_page.demo_button, Qt.MouseButton.LeftButton)
    assert "demo study" in main_window.state.status
    qtbot.waitUntil(lambda: main_window.state.volume is not None, timeout=20000)
    assert main_window.state.folder == str(folder)
