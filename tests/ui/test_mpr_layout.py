"""The MPR layout: M shows axial beside coronal over sagittal at true aspect, the crosshair links them, every view
scrolls, windows and zooms, flagged slices and the heatmap show on the reformats, and the layout is remembered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from ichviewer.cli import build_viewer_parser
from ichviewer.core.ai_state import AIRun
from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.settings import load_settings
from ichviewer.core.synthetic.phantom import Phantom, PhantomSpec, generate_phantom, write_phantom_study
from ichviewer.core.windowing import PRESETS
from ichviewer.ui.main_window import MainWindow
from tests.ui.view_mouse import click, drag, widget_point


@pytest.fixture(scope="module")
def tilted_study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Phantom]:
    """A 15°-tilted phantom with a parenchymal bleed, 24 slices of 128² (written once)."""
    spec = PhantomSpec(seed=21, n_slices=24, size=128, pixel_mm=230 / 128, subtypes=("intraparenchymal",), tilt_deg=15)
    phantom = generate_phantom(spec)
    return write_phantom_study(phantom, tmp_path_factory.mktemp("tilted") / "study"), phantom


def bleed_voxel(phantom: Phantom) -> tuple[int, int, int]:
    from scipy import ndimage

    mask = phantom.masks["intraparenchymal"]
    distance = ndimage.distance_transform_edt(mask)
    return tuple(int(v) for v in np.unravel_index(np.argmax(distance), mask.shape))  # type: ignore[return-value]


def wheel(graphics, point: QPoint, steps: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    viewport = graphics.viewport()
    event = QWheelEvent(
        QPointF(point),
        QPointF(viewport.mapToGlobal(point)),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


def centre(view) -> QPoint:  # type: ignore[no-untyped-def]
    return view.graphics.viewport().rect().center()


def test_m_shows_three_views_at_true_aspect_and_is_remembered(qtbot, main_window, open_study, tilted_study) -> None:  # type: ignore[no-untyped-def]
    folder, _ = tilted_study
    open_study(folder)
    views = main_window.views
    assert not views.coronal.isVisible() and not views.sagittal.isVisible()
    qtbot.keyClick(main_window, Qt.Key.Key_M)
    assert main_window.state.display.layout == "mpr" and main_window.menus.mpr.isChecked()
    assert views.coronal.isVisible() and views.sagittal.isVisible() and views.axial.isVisible()
    mpr = main_window.state.planes.mpr
    for view in ("coronal", "sagittal"):
        shown = views.plane_view(view)
        assert shown.plane is not None and shown.plane.image.shape == mpr.image_shape(view)
        rect = shown.image_item.mapRectToParent(shown.image_item.boundingRect())
        rows, cols = mpr.image_shape(view)
        row_mm, col_mm = mpr.pixel_mm(view)
        assert rect.width() / rect.height() == pytest.approx(cols * col_mm / (rows * row_mm))
        assert row_mm != col_mm  # 5 mm slices against 1.8 mm pixels: the aspect is not the pixel grid's
        assert "tilt corrected (15.0° gantry)" in shown.corner_text("top_left")
        letters = {edge: shown.badges.text(edge) for edge in ("left", "right", "top", "bottom")}
        side = {"coronal": ("R", "L"), "sagittal": ("A", "P")}[view]  # the patient's right on the left, face left
        assert letters == {"left": side[0], "right": side[1], "top": "S", "bottom": "I"}
        assert set(views.crosshairs[view].visible_lines()) == {"axial", "coronal", "sagittal"} - {view}
    assert set(views.crosshairs["axial"].visible_lines()) == {"coronal", "sagittal"}
    main_window.close()
    assert load_settings().settings.layout == "mpr"
    again = MainWindow(ai=False)
    qtbot.addWidget(again)
    again.show()
    assert again.state.display.layout == "mpr" and again.views.coronal.isVisibleTo(again.views)  # under the start page
    again.menus.mpr.trigger()  # View ▸ MPR layout
    assert not again.views.coronal.isVisibleTo(again.views)
    again.close()


def test_layout_option_on_the_command_line() -> None:
    assert build_viewer_parser().parse_args(["--layout", "mpr"]).layout == "mpr"
    assert build_viewer_parser().parse_args([]).layout is None


def test_a_click_in_the_coronal_view_moves_the_axial_slice(qtbot, main_window, open_study, tilted_study) -> None:  # type: ignore[no-untyped-def]
    folder, phantom = tilted_study
    open_study(folder)
    state, views = main_window.state, main_window.views
    state.display.layout = "mpr"
    k, r, c = bleed_voxel(phantom)
    target = state.planes.mpr.patient_to_view(state.volume.patient_point(k, r, c), "coronal")
    state.show_image("coronal", target.index)
    assert state.dims.slice != k
    coronal = views.coronal
    at = widget_point(coronal.graphics, coronal.view_box, views.frame("coronal"), target.row, target.col)
    click(coronal.graphics, at)
    assert abs(state.dims.slice - k) <= 1 and abs(state.dims.point[2] - c) <= 1
    assert views.axial.index == state.dims.slice and state.planes.index("coronal") == target.index
    assert phantom.masks["intraparenchymal"][state.dims.point]
    crossing = views.crosshairs["axial"].visible_lines()["sagittal"]
    assert np.allclose(crossing[0], (state.planes.index("sagittal") + 0.5) * views.frame("axial").col_mm, atol=1e-6)


def test_scroll_window_zoom_and_presets_in_a_reformat(qtbot, main_window, open_study, tilted_study) -> None:  # type: ignore[no-untyped-def]
    folder, _ = tilted_study
    open_study(folder)
    state, sagittal = main_window.state, main_window.views.sagittal
    state.display.layout = "mpr"
    before = state.planes.index("sagittal")
    wheel(sagittal.graphics, centre(sagittal), 3)
    assert state.planes.index("sagittal") == before + 3 and sagittal.plane.index == before + 3
    window = state.display.window
    drag(sagittal.graphics, centre(sagittal), centre(sagittal) + QPoint(40, 0))
    assert state.display.window.width > window.width
    assert sagittal.image_item.getLevels() == pytest.approx((state.display.window.lower, state.display.window.upper))
    width = sagittal.view_box.viewRange()[0][1] - sagittal.view_box.viewRange()[0][0]
    wheel(sagittal.graphics, centre(sagittal), 2, Qt.KeyboardModifier.ControlModifier)
    assert sagittal.view_box.viewRange()[0][1] - sagittal.view_box.viewRange()[0][0] < width
    qtbot.keyClick(main_window, Qt.Key.Key_3)
    bone = PRESETS["bone"]
    for view in (main_window.views.axial, main_window.views.coronal, sagittal):
        assert view.image_item.getLevels() == pytest.approx((bone.lower, bone.upper))
    qtbot.keyClick(main_window, Qt.Key.Key_R)
    assert sagittal.view_box.viewRange()[0][1] - sagittal.view_box.viewRange()[0][0] == pytest.approx(width, rel=0.05)


def test_flagged_slices_and_the_heatmap_on_the_reformats(
    qtbot, main_window, open_study, tilted_study, make_result
) -> None:  # type: ignore[no-untyped-def]
    folder, _ = tilted_study
    open_study(folder)
    state, coronal = main_window.state, main_window.views.coronal
    state.display.layout = "mpr"
    volume = state.volume
    flagged = {(k, label): 0.9 for k in (10, 11, 12) for label in LABEL_KEYS}
    result = make_result(scores=flagged, volume=volume)
    state.ai = AIRun().finished(result, False)
    for view, tilt in (("coronal", 0.0), ("sagittal", 15.0)):  # the gantry tilts about the patient's left-right axis
        x, y = main_window.views.plane_view(view).flag_item.getData()
        assert len(x) == 3 * 4  # two short marks (two points each) per flagged slice
        assert np.degrees(np.arctan2(abs(y[1] - y[0]), abs(x[1] - x[0]))) == pytest.approx(tilt, abs=0.5)
    for k in (10, 11, 12):
        heat = np.zeros(volume.hu.shape[1:], np.uint8)
        heat[40:80, 40:80] = 255
        label = state.heatmap.label_for(result, k)
        state.heatmaps.put((volume.slices[k].sop_instance_uid, label), heat)
        state.events.heatmap_ready.emit((volume.slices[k].sop_instance_uid, label))
    state.show_image("coronal", state.planes.mpr.patient_to_view(volume.patient_point(11, 60, 60), "coronal").index)
    qtbot.waitUntil(lambda: coronal.heat_item.isVisible(), timeout=3000)
    assert coronal.heat_item.image.max() == 255 and coronal.heat_item.image.shape == coronal.plane.image.shape
    state.heatmap.toggle_visible()  # H (the AI menu is not built without the AI)
    assert not coronal.heat_item.isVisible()


def test_a_single_slice_series_says_why_there_is_no_reformat(qtbot, main_window, open_study, write_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study(n=1))
    main_window.state.display.layout = "mpr"
    assert "two or more slices" in main_window.views.coronal.message


def test_the_hu_probe_works_on_the_reformats(qtbot, main_window, open_study, tilted_study) -> None:  # type: ignore[no-untyped-def]
    """The value under the cursor on a coronal image, following a scroll under a still cursor; 'no data' in a gap
    or outside the tilted stack; gone when the cursor leaves."""
    from PySide6.QtCore import QEvent

    folder, _ = tilted_study
    open_study(folder)
    state, coronal = main_window.state, main_window.views.coronal
    state.display.layout = "mpr"
    qtbot.wait(50)  # the view box takes its size in the layout pass (a cursor comes later than that)
    row, col = coronal.plane.image.shape[0] // 2, coronal.plane.image.shape[1] // 2
    coronal._on_mouse_moved(coronal.image_item.mapToScene(QPointF(col + 0.5, row + 0.5)))
    assert f"HU {int(coronal.plane.image[row, col])}  at row {row}, col {col}" in coronal.corner_text("bottom_right")
    state.show_image("coronal", coronal.index + 5)  # the image changes under the cursor
    assert f"HU {int(coronal.plane.image[row, col])}  at row {row}, col {col}" in coronal.corner_text("bottom_right")
    corner = np.argwhere(coronal.plane.missing)[0]  # the tilted stack leaves corners without data
    coronal._on_mouse_moved(coronal.image_item.mapToScene(QPointF(corner[1] + 0.5, corner[0] + 0.5)))
    assert f"no data at row {corner[0]}, col {corner[1]}" in coronal.corner_text("bottom_right")
    QApplication.sendEvent(coronal.graphics.viewport(), QEvent(QEvent.Type.Leave))
    assert "HU" not in coronal.corner_text("bottom_right") and "no data" not in coronal.corner_text("bottom_right")
