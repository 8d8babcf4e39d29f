"""Window/level: preset keys and buttons, typed values, and the left-drag W/L tool."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from ichviewer.core.windowing import PRESETS, apply_window


def drag(qtbot, view, dx: int, dy: int, button=Qt.MouseButton.LeftButton) -> None:  # type: ignore[no-untyped-def]
    """Press in the middle of the image, move in steps by (dx, dy) screen pixels, release.

    pyqtgraph's scene drops mouse moves closer than 1/60 s apart, hence the waits.
    """
    viewport = view.graphics.viewport()
    start = QPointF(viewport.width() / 2, viewport.height() / 2)

    def send(kind: QEvent.Type, point: QPointF, buttons) -> None:  # type: ignore[no-untyped-def]
        event = QMouseEvent(kind, point, viewport.mapToGlobal(point), button, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)

    send(QEvent.Type.MouseButtonPress, start, button)
    for step in range(1, 11):
        qtbot.wait(20)
        send(QEvent.Type.MouseMove, start + QPointF(dx * step / 10, dy * step / 10), button)
    send(QEvent.Type.MouseButtonRelease, start + QPointF(dx, dy), Qt.MouseButton.NoButton)


class TestPresets:
    @pytest.mark.parametrize(
        ("key", "name"),
        [(Qt.Key.Key_3, "bone"), (Qt.Key.Key_2, "subdural"), (Qt.Key.Key_4, "stroke"), (Qt.Key.Key_1, "brain")],
    )
    def test_key_shows_preset_values(self, qtbot, main_window, write_study, open_study, key, name):
        open_study(write_study())
        view, controls = main_window.slice_view, main_window.window_controls
        if name == "brain":
            qtbot.keyClick(main_window, Qt.Key.Key_3)
        qtbot.keyClick(main_window, key)
        window = PRESETS[name]
        assert view.window == window
        np.testing.assert_array_equal(view.displayed_image, apply_window(main_window.volume.hu[view.index], window))
        assert (controls.level.value(), controls.width.value()) == (window.level, window.width)
        assert controls.buttons[name].isChecked()
        assert f"W {window.width:g}  L {window.level:g}" in view.corner_text("bottom_right")

    def test_bone_window_shows_skull_grey_not_white(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        image_brain = main_window.slice_view.displayed_image.copy()
        qtbot.keyClick(main_window, Qt.Key.Key_3)
        image_bone = main_window.slice_view.displayed_image
        skull = main_window.volume.hu[main_window.slice_view.index] > 1000
        assert image_brain[skull].min() == 255  # brain window: bone saturates
        assert 150 < np.median(image_bone[skull]) < 200  # bone window: 1200 HU is light grey

    def test_scanner_key_uses_header_window(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        qtbot.keyClick(main_window, Qt.Key.Key_3)
        qtbot.keyClick(main_window, Qt.Key.Key_0)
        expected = main_window.volume.scanner_window()
        assert expected is not None
        assert main_window.slice_view.window == expected

    def test_button_and_typed_values(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        controls, view = main_window.window_controls, main_window.slice_view
        controls.buttons["subdural"].click()
        assert view.window == PRESETS["subdural"]
        controls.width.setValue(300)
        assert (view.window.level, view.window.width, view.window.name) == (80, 300, "custom")
        np.testing.assert_array_equal(
            view.displayed_image, apply_window(main_window.volume.hu[view.index], view.window)
        )
        assert not any(b.isChecked() for b in controls.buttons.values())


class TestDrag:
    def test_drag_right_widens_and_drag_down_raises_level(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        view, controls = main_window.slice_view, main_window.window_controls
        start = view.window
        with qtbot.waitSignal(view.windowChanged):
            drag(qtbot, view, 60, 0)
        assert view.window.width > start.width + 30
        assert view.window.level == start.level
        wider = view.window
        drag(qtbot, view, 0, 40)
        assert view.window.level > wider.level + 20
        assert view.window.width == wider.width
        drag(qtbot, view, -200, -200)
        assert view.window.width < wider.width and view.window.level < start.level
        assert view.window.width >= 1
        assert (controls.level.value(), controls.width.value()) == (round(view.window.level), round(view.window.width))
        np.testing.assert_array_equal(
            view.displayed_image, apply_window(main_window.volume.hu[view.index], view.window)
        )

    def test_middle_drag_pans_without_changing_window(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        view = main_window.slice_view
        before_range = view.view_box.viewRange()
        window = view.window
        drag(qtbot, view, 50, 0, Qt.MouseButton.MiddleButton)
        after_range = view.view_box.viewRange()
        assert view.window == window
        assert after_range[0][0] < before_range[0][0]  # dragging right shows more on the left


def test_about_states_research_use_model_figures_and_licences() -> None:
    from ichviewer.ui.help_dialogs import about_text

    text = about_text()
    assert "not for clinical use" in text
    assert "ichnet-lite0" in text and "AUC" in text and "95% CI" in text  # from the bundled card's test figures
    assert "LGPL" in text and "Apache-2.0" in text
