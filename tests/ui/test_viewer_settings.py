"""Settings through the real window: persisted on close, applied at start, corrupt file tolerated."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ichviewer.core.settings import Settings, load_settings, save_settings, settings_path
from ichviewer.core.windowing import PRESETS
from ichviewer.ui.main_window import MainWindow


def test_round_trip_through_close_and_reopen(qtbot, write_study, open_study, main_window):
    folder = write_study()
    open_study(folder)
    main_window.resize(720, 540)  # within the offscreen screen (restoreGeometry clamps)
    qtbot.keyClick(main_window, Qt.Key.Key_P)
    main_window.set_theme("light")
    main_window.close()
    stored = load_settings().settings
    assert stored.last_folder == str(folder) and stored.recent == [str(folder)]
    assert stored.show_patient_overlay is False and stored.theme == "light"
    assert stored.window_geometry_b64

    again = MainWindow(ai=False)
    qtbot.addWidget(again)
    again.show()
    assert abs(again.width() - 720) <= 8 and abs(again.height() - 540) <= 8  # offscreen adds frame slack
    assert again.slice_view.patient_visible is False
    assert again.patient_action.isChecked() is False
    assert again.settings.theme == "light"
    again.close()


def test_default_window_from_settings(qtbot):
    save_settings(Settings(default_window="subdural", show_overlays=False))
    window = MainWindow(ai=False)
    qtbot.addWidget(window)
    assert window.slice_view.window == PRESETS["subdural"]
    assert window.slice_view.overlays_visible is False
    window.close()


def test_corrupt_settings_file_gives_defaults_and_a_status_message(qtbot):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json")
    window = MainWindow(ai=False)
    qtbot.addWidget(window)
    assert window.settings.default_window == "brain" and window.settings.theme == "dark"
    assert "using defaults" in window.status_message.text()
    window.close()
    assert load_settings().warning is None  # closing wrote a clean file


def test_device_option_is_stored_for_the_ai(qtbot):
    window = MainWindow(device="cpu", ai=False)
    qtbot.addWidget(window)
    window.close()
    assert load_settings().settings.device == "cpu"
