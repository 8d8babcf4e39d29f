"""The slice view draws the state (int16 slice + window as levels, heatmap, corners) and sends mouse intent to it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from ichviewer.core.jobs import ANALYSIS
from ichviewer.core.windowing import PRESETS, apply_window
from tests.ui.qt_input import send_wheel


def rendered_grey(view) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The grey levels pyqtgraph paints for the slice (its own windowing of the int16 data)."""
    view.image_item.render()
    return pg.functions.imageToArray(view.image_item.qimage, copy=True, transpose=False)[..., 0]


def wheel(view, delta: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    send_wheel(view.graphics.viewport(), delta, modifiers)


def drag(qtbot, view, dx: int, dy: int, button=Qt.MouseButton.LeftButton) -> None:  # type: ignore[no-untyped-def]
    """Press in the middle, move in steps by (dx, dy) screen pixels, release (pyqtgraph drops moves < 1/60 s apart)."""
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


class TestImage:
    def test_the_int16_slice_with_the_window_as_levels(self, main_window, write_study, open_study):
        open_study(write_study(n=20))
        state, view = main_window.state, main_window.slice_view
        assert view.shown_slice.dtype == np.int16
        np.testing.assert_array_equal(view.shown_slice, state.volume.hu[state.slice_index])
        for window in (PRESETS["brain"], PRESETS["bone"], PRESETS["brain"].with_level_width(60, 300)):
            state.display.window = window
            assert tuple(view.image_item.levels) == (window.lower, window.upper)
            expected = apply_window(view.shown_slice, window).astype(int)
            assert np.abs(rendered_grey(view).astype(int) - expected).max() <= 1  # one ramp, pyqtgraph's rounding
        state.set_slice(3)
        np.testing.assert_array_equal(view.shown_slice, state.volume.hu[3])

    def test_bone_window_shows_the_skull_grey_not_white(self, main_window, write_study, open_study):
        open_study(write_study())
        state, view = main_window.state, main_window.slice_view
        skull = view.shown_slice > 1000
        assert rendered_grey(view)[skull].min() == 255  # brain window: bone saturates
        state.apply_preset("bone")
        assert 150 < np.median(rendered_grey(view)[skull]) < 200  # bone window: 1200 HU is light grey

    def test_heatmap_of_the_state_above_the_slice_in_its_grid(self, main_window, write_study, open_study, make_result):
        open_study(write_study(n=12))
        state, view = main_window.state, main_window.slice_view
        volume = state.volume
        uids = tuple(s.sop_instance_uid for s in volume.slices)
        result = replace(make_result(12, {(3, "any"): 0.9, (3, "subdural"): 0.8}), sop_instance_uids=uids)
        job = state.jobs.start(ANALYSIS)
        state.analysis_done(job, result, False)
        heat = np.zeros(volume.hu.shape[1:], np.float32)
        heat[40:60, 40:60] = 1.0
        state.heatmap_done(job, uids[3], "subdural", heat)
        assert not view.heat_item.isVisible()  # slice 3 is not on screen
        state.set_slice(3)
        assert view.heat_item.isVisible() and view.heat_item.zValue() > view.image_item.zValue()
        assert view.heat_item.image[50, 50] == 255 and view.heat_item.image[0, 0] == 0
        assert view.heat_item.sceneBoundingRect() == view.image_item.sceneBoundingRect()
        state.heatmap.toggle_visible()
        assert not view.heat_item.isVisible()
        state.heatmap.toggle_visible()
        state.step(1)
        assert not view.heat_item.isVisible()  # a heatmap belongs to one slice


class TestMouse:
    def test_wheel_scrolls_ctrl_wheel_zooms_r_resets(self, qtbot, main_window, write_study, open_study):
        open_study(write_study(n=20))
        state, view = main_window.state, main_window.slice_view
        wheel(view, 120)
        assert state.slice_index == 11
        wheel(view, -240)
        assert state.slice_index == 9
        zoom = view.zoom_factor()
        wheel(view, 120, Qt.KeyboardModifier.ControlModifier)
        assert state.slice_index == 9 and view.zoom_factor() > zoom * 1.1
        qtbot.keyClick(main_window, Qt.Key.Key_R)
        assert abs(view.zoom_factor() - zoom) < 1e-6 * zoom

    def test_right_drag_zooms_twice_per_200_pixels(self, qtbot, main_window, write_study, open_study):
        """80 px used to zoom 5×; now 200 px up doubles the zoom, 200 px down halves it back, 80 px ≈ 1.32×."""
        open_study(write_study())
        view = main_window.slice_view
        start = view.zoom_factor()
        drag(qtbot, view, 0, -200, Qt.MouseButton.RightButton)
        assert view.zoom_factor() / start == pytest.approx(2.0, rel=0.03)
        drag(qtbot, view, 0, 200, Qt.MouseButton.RightButton)
        assert view.zoom_factor() / start == pytest.approx(1.0, rel=0.03)
        drag(qtbot, view, 80, 0, Qt.MouseButton.RightButton)
        assert view.zoom_factor() / start == pytest.approx(2**0.4, rel=0.03)
        assert main_window.state.display.window.name == "brain"  # zooming leaves the window alone

    def test_left_drag_sets_the_window(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        display = main_window.state.display
        start = display.window
        drag(qtbot, main_window.slice_view, 60, 0)
        assert display.window.width > start.width + 30 and display.window.level == start.level
        wider = display.window
        drag(qtbot, main_window.slice_view, 0, 40)
        assert display.window.level > wider.level + 20 and display.window.width == wider.width
        drag(qtbot, main_window.slice_view, -200, -200)
        assert display.window.width < wider.width and display.window.level < start.level
        assert display.window.width >= 1 and display.window.name == "custom"

    def test_middle_drag_pans_without_changing_the_window(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        view = main_window.slice_view
        before, window = view.view_box.viewRange(), main_window.state.display.window
        drag(qtbot, view, 50, 0, Qt.MouseButton.MiddleButton)
        assert main_window.state.display.window == window
        assert view.view_box.viewRange()[0][0] < before[0][0]  # dragging right shows more on the left

    def test_probe_shows_hu_and_pixel_under_the_cursor(self, main_window, write_study, open_study):
        open_study(write_study(n=10, size=96))
        view = main_window.slice_view
        view._on_mouse_moved(view.image_item.mapToScene(QPointF(70.5, 48.5)))  # (x = column, y = row)
        expected = int(main_window.state.volume.hu[view.index, 48, 70])
        assert f"HU {expected}  at row 48, col 70" in view.corner_text("bottom_right")

    def test_probe_follows_the_slice_under_a_still_cursor_and_ends_when_it_leaves(
        self, main_window, write_study, open_study
    ):
        open_study(write_study(n=10, size=96))
        state, view = main_window.state, main_window.slice_view
        view._on_mouse_moved(view.image_item.mapToScene(QPointF(70.5, 48.5)))
        for index in (2, 9):  # the phantom's HU rise by one per slice
            state.set_slice(index)
            assert f"HU {int(state.volume.hu[index, 48, 70])}  at" in view.corner_text("bottom_right")
        QApplication.sendEvent(view.graphics.viewport(), QEvent(QEvent.Type.Leave))
        assert "HU" not in view.corner_text("bottom_right")


def test_corners_follow_the_overlay_and_privacy_toggles(main_window, write_study, open_study) -> None:
    open_study(write_study())
    display, view = main_window.state.display, main_window.slice_view
    assert "PHANTOM" in view.corner_text("top_left") and "ID PHANTOM-0001" in view.corner_text("top_left")
    assert "Axial 5mm brain" in view.corner_text("top_right") and "Thick 5 mm" in view.corner_text("bottom_left")
    display.show_patient = False
    assert view.corner_text("top_left") == "" and view.corner_text("top_right") != ""
    display.show_overlays = False
    assert all(view.corner_text(c) == "" for c in ("top_left", "top_right", "bottom_left", "bottom_right"))
    display.show_overlays = True
    assert view.corner_text("bottom_left").startswith("Slice")
