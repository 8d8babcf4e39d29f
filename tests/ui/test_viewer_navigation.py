"""Scrolling through slices with keys, wheel and slider; the image shown is the slice asked for."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from ichviewer.core.windowing import PRESETS, apply_window


def shown(window) -> np.ndarray:  # type: ignore[no-untyped-def]
    return window.slice_view.displayed_image


class TestKeys:
    def test_keys_move_through_slices_and_show_that_slice(self, qtbot, main_window, write_study, open_study):
        open_study(write_study(n=30))
        view, volume = main_window.slice_view, main_window.volume
        assert volume.n_slices == 30
        assert view.index == 15
        brain = PRESETS["brain"]
        np.testing.assert_array_equal(shown(main_window), apply_window(volume.hu[15], brain))
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
            assert view.index == expected, key
            assert main_window.slider.value() == expected
            np.testing.assert_array_equal(shown(main_window), apply_window(volume.hu[expected], brain))
        assert view.corner_text("bottom_left").startswith("Slice 1 / 30")
        assert f"Pos {volume.slice_position(0):.1f} mm" in view.corner_text("bottom_left")

    def test_slider_moves_the_view(self, qtbot, main_window, write_study, open_study):
        open_study(write_study(n=20))
        main_window.slider.setValue(3)
        assert main_window.slice_view.index == 3
        np.testing.assert_array_equal(shown(main_window), apply_window(main_window.volume.hu[3], PRESETS["brain"]))


class TestMouse:
    def test_wheel_scrolls_and_ctrl_wheel_zooms(self, qtbot, main_window, write_study, open_study):
        open_study(write_study(n=20))
        view = main_window.slice_view
        viewport = view.graphics.viewport()
        centre = QPointF(viewport.width() / 2, viewport.height() / 2)

        def wheel(delta: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
            event = QWheelEvent(
                centre,
                viewport.mapToGlobal(centre),
                QPoint(),
                QPoint(0, delta),
                Qt.MouseButton.NoButton,
                modifiers,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            )
            QApplication.sendEvent(viewport, event)

        wheel(120)
        assert view.index == 11
        wheel(-240)
        assert view.index == 9
        zoom = view.zoom_factor()
        wheel(120, Qt.KeyboardModifier.ControlModifier)
        assert view.index == 9
        assert view.zoom_factor() > zoom * 1.1
        qtbot.keyClick(main_window, Qt.Key.Key_R)
        assert abs(view.zoom_factor() - zoom) < 1e-6 * zoom

    def test_probe_shows_hu_and_pixel_under_cursor(self, qtbot, main_window, write_study, open_study):
        open_study(write_study(n=10, size=96))
        view = main_window.slice_view
        scene_point = view.image_item.mapToScene(QPointF(70.5, 48.5))  # (x = column, y = row)
        view._on_mouse_moved(scene_point)
        expected = int(main_window.volume.hu[view.index, 48, 70])
        assert f"HU {expected}  at (48, 70)" in view.corner_text("bottom_right")
