"""A 1024×700 window: the image keeps most of the width, corner texts do not collide, Ctrl+B shows the image only."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ichviewer.ui.dock_layout import SIDE_SHARE, fitted_widths
from ichviewer.ui.main_window import MainWindow


def test_fitted_widths_leave_the_image_more_than_half() -> None:
    series, ai = fitted_widths(1024)
    assert series + ai <= SIDE_SHARE * 1024 and (series, ai) == (163, 266)
    assert fitted_widths(600) == (120, 250)  # never narrower than usable


def test_a_small_window_gives_the_image_the_space(qtbot, tiny_model_dir, write_study) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(model_dir=str(tiny_model_dir))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    try:
        window.open_folder(write_study())
        qtbot.waitUntil(lambda: window.state.volume is not None and not window.state.loading.busy, timeout=20000)
        window.resize(1024, 700)
        qtbot.waitUntil(lambda: window.width() == 1024)
        qtbot.wait(100)
        view = window.slice_view
        assert view.width() >= 0.55 * window.width(), (view.width(), window.series_dock.width(), window.ai_dock.width())
        corners = view.corners.labels
        assert not corners["top_left"].geometry().intersects(corners["top_right"].geometry())
        assert window.ai_dock.width() <= 0.3 * window.width()
        qtbot.keyClick(view.graphics, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not window.ai_dock.isVisible() and not window.series_dock.isVisible())
        qtbot.waitUntil(lambda: view.width() >= 0.9 * window.width())
        qtbot.keyClick(view.graphics, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.ai_dock.isVisible() and window.series_dock.isVisible())
        qtbot.wait(100)
        assert view.width() >= 0.55 * window.width()
    finally:
        window.close()
