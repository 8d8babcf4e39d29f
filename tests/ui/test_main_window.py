"""The window: drop a folder, settings saved on close and applied at start, title, dialogs, the notice."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.settings import Settings, load_settings, save_settings, settings_path
from ichviewer.core.windowing import PRESETS
from ichviewer.ui.main_window import MainWindow


def test_drop_a_folder_opens_it(qtbot, main_window, write_study) -> None:  # type: ignore[no-untyped-def]
    folder = write_study()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder / "axial"))])
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(100, 100), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(main_window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(
        main_window, QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    )
    qtbot.waitUntil(lambda: main_window.state.volume is not None, timeout=20000)
    assert main_window.state.folder == str(folder / "axial") and main_window.settings.recent[0] == str(folder / "axial")


def test_title_names_the_series_not_the_patient(main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study())
    assert main_window.windowTitle() == "ichviewer — Axial 5mm brain" and "PHANTOM" not in main_window.windowTitle()


def test_settings_round_trip_through_close_and_reopen(qtbot, write_study, open_study, main_window) -> None:  # type: ignore[no-untyped-def]
    folder = write_study()
    open_study(folder)
    main_window.resize(720, 540)  # within the offscreen screen (restoreGeometry clamps)
    qtbot.keyClick(main_window, Qt.Key.Key_P)
    main_window.set_theme("light")
    main_window.close()
    stored = load_settings().settings
    assert stored.last_folder == str(folder) and stored.recent == [str(folder)]
    assert stored.show_patient_overlay is False and stored.theme == "light" and stored.window_geometry_b64
    again = MainWindow(ai=False)
    qtbot.addWidget(again)
    again.show()
    assert abs(again.width() - 720) <= 8 and abs(again.height() - 540) <= 8  # offscreen adds frame slack
    assert again.state.display.show_patient is False and again.menus.patient.isChecked() is False
    assert again.settings.theme == "light"
    again.close()


def test_default_window_and_overlays_from_settings(qtbot) -> None:  # type: ignore[no-untyped-def]
    save_settings(Settings(default_window="subdural", show_overlays=False))
    window = MainWindow(ai=False)
    qtbot.addWidget(window)
    assert window.state.display.window == PRESETS["subdural"] and window.state.display.show_overlays is False
    window.close()


def test_corrupt_settings_file_gives_defaults_and_says_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json")
    window = MainWindow(ai=False)
    qtbot.addWidget(window)
    assert window.settings.default_window == "brain" and "using defaults" in window.state.status
    assert "using defaults" in window.status_bar.message.full_text()
    window.close()
    assert load_settings().warning is None  # closing wrote a clean file


def test_device_option_is_stored_for_the_ai(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(device="cpu", ai=False)
    qtbot.addWidget(window)
    window.close()
    assert load_settings().settings.device == "cpu"


def test_notice_is_always_in_the_status_bar(main_window) -> None:  # type: ignore[no-untyped-def]
    assert main_window.status_bar.notice.text() == NOT_FOR_CLINICAL_USE and main_window.status_bar.notice.isVisible()
    assert not main_window.status_bar.ai_status.isVisible()  # started without the AI


def test_show_log_reads_the_log_file(main_window, log_file) -> None:  # type: ignore[no-untyped-def]
    logging.getLogger("ichviewer.ui.study_loader").warning("Could not open /somewhere: permission denied")
    log_file()
    assert "permission denied" in main_window.show_log().text.toPlainText()


def test_the_load_report_hides_the_folder_path_in_privacy_mode(main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    folder = write_study(name="DOE_JOHN_123456")
    (folder / "axial" / "notes.txt").write_text("not an image")  # a file the report names
    open_study(folder)
    shown = main_window.show_load_report()
    assert str(folder) in shown.heading.text() and str(folder / "axial" / "notes.txt") in shown.text.toPlainText()
    main_window.state.display.show_patient = False
    hidden = main_window.show_load_report()
    assert "123456" not in hidden.heading.text() + hidden.text.toPlainText()
    assert "axial/notes.txt" in hidden.text.toPlainText()  # still named, inside the study folder
