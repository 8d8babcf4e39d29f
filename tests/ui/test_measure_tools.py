"""Measuring with the mouse on any view: the panel lists each measurement with its value, undo removes it,
handles edit it, estimates take their settings, and the list comes back when the study is opened again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from ichviewer.core.synthetic.phantom import Phantom, PhantomSpec, generate_phantom, write_phantom_study
from ichviewer.ui.main_window import MainWindow
from tests.ui.test_mpr_layout import bleed_voxel
from tests.ui.view_mouse import click, drag, widget_point


@pytest.fixture(scope="module")
def bleed_study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Phantom]:
    """An untilted phantom with a parenchymal bleed, 24 slices of 128² (written once)."""
    spec = PhantomSpec(seed=21, n_slices=24, size=128, pixel_mm=230 / 128, subtypes=("intraparenchymal",))
    phantom = generate_phantom(spec)
    return write_phantom_study(phantom, tmp_path_factory.mktemp("bleed") / "study"), phantom


@pytest.fixture(autouse=True)
def _own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICHVIEWER_DATA", str(tmp_path / "data"))


def at(window, view: str, row: float, col: float) -> QPoint:  # type: ignore[no-untyped-def]
    shown = window.views.axial if view == "axial" else window.views.plane_view(view)
    return widget_point(shown.graphics, shown.view_box, window.views.frame(view), row, col)


def graphics(window, view: str):  # type: ignore[no-untyped-def]
    return (window.views.axial if view == "axial" else window.views.plane_view(view)).graphics


def screen_pixel_mm(window, view: str) -> float:  # type: ignore[no-untyped-def]
    """How much one screen pixel is in mm on a view: the mouse can place points no closer than that."""
    box = window.views.view_box(view)
    return float(max(box.viewPixelSize()))


def test_a_length_drawn_with_the_mouse_is_listed_undone_and_restored(
    qtbot, main_window, open_study, bleed_study
) -> None:  # type: ignore[no-untyped-def]
    folder, _ = bleed_study
    open_study(folder)
    state, panel = main_window.state, main_window.measure_panel
    qtbot.keyClick(main_window, Qt.Key.Key_L)
    assert state.measurements.tool == "length" and main_window.views.axial.view_box.tool_on
    start, end = at(main_window, "axial", 40, 30), at(main_window, "axial", 40, 90)
    drag(graphics(main_window, "axial"), start, end)
    qtbot.waitUntil(lambda: len(panel.rows()) == 1, timeout=3000)
    [m] = state.measurements.items
    assert m.kind == "length" and m.placement.view == "axial" and m.placement.index == state.dims.slice
    expected = 60 * 230 / 128  # 60 pixels along a row
    assert m.value == pytest.approx(expected, abs=2 * screen_pixel_mm(main_window, "axial"))
    assert panel.rows() == [(f"Length {m.value:.1f} mm", f"Axial {state.dims.slice + 1}")]
    qtbot.waitUntil(lambda: main_window.measure_tools.overlays["axial"].ids() == [m.id], timeout=3000)
    qtbot.keyClick(main_window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert state.measurements.items == () and panel.rows() == []
    qtbot.waitUntil(lambda: main_window.measure_tools.overlays["axial"].ids() == [], timeout=3000)
    qtbot.keyClick(main_window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert state.measurements.items == (m,)
    main_window.close()
    again = MainWindow(ai=False)
    qtbot.addWidget(again)
    again.show()
    again.open_folder(folder)
    qtbot.waitUntil(lambda: again.state.volume is not None and not again.state.loading.busy, timeout=20000)
    assert again.state.measurements.items == (m,)
    assert again.measure_panel.rows() == [(f"Length {m.value:.1f} mm", f"Axial {m.placement.index + 1}")]
    assert not (folder / "ichviewer.sqlite3").exists() and not list(folder.rglob("*.sqlite3"))
    again.close()


def test_every_tool_on_the_views(qtbot, main_window, open_study, bleed_study) -> None:  # type: ignore[no-untyped-def]
    folder, phantom = bleed_study
    open_study(folder)
    state = main_window.state
    state.display.layout = "mpr"
    k, r, c = bleed_voxel(phantom)
    state.set_slice(k)
    measurements = state.measurements

    def use(tool: str, view: str, clicks=(), drags=()) -> object:  # type: ignore[no-untyped-def]
        count = len(measurements.items)
        measurements.set_tool(tool)
        for a, b in drags:
            drag(graphics(main_window, view), at(main_window, view, *a), at(main_window, view, *b))
        for point in clicks:
            click(graphics(main_window, view), at(main_window, view, *point))
        assert len(measurements.items) == count + 1, state.status
        return measurements.items[-1]

    ellipse = use("ellipse", "axial", drags=[((r - 4, c - 4), (r + 4, c + 4))])
    assert ellipse.stats.mean == pytest.approx(phantom.hu[phantom.masks["intraparenchymal"]].mean(), abs=12)
    angle = use("angle", "axial", clicks=[(20, 64), (60, 64), (60, 104)])
    assert angle.value == pytest.approx(90.0, abs=2.0)
    midline = use("midline", "axial", clicks=[(20, 63.5), (110, 63.5), (60, 67.5)])
    assert midline.value == pytest.approx(4 * 230 / 128, abs=2 * screen_pixel_mm(main_window, "axial"))
    assert "left" in midline.label  # image columns run towards the patient's left
    freehand = use("polygon", "axial", drags=[((r - 8, c - 8), (r + 8, c + 8))])
    assert freehand.kind == "polygon" and len(freehand.placement.points) >= 3
    region = use("region", "axial", clicks=[(r, c)])
    assert region.value == pytest.approx(phantom.volume_ml("intraparenchymal"), rel=0.15)
    assert region.label.startswith("Seeded region estimate")
    abc = use("abc", "axial", drags=[((r, c - 8), (r, c + 8)), ((r - 6, c), (r + 6, c))])
    assert abc.label.startswith("ABC/2 estimate") and abc.bleed.slices >= 2
    coronal_index = state.planes.index("coronal")
    on_coronal = use("length", "coronal", drags=[((5, 20), (5, 80))])
    assert on_coronal.placement.view == "coronal" and on_coronal.placement.index == coronal_index
    assert on_coronal.value == pytest.approx(60 * 230 / 128, abs=2 * screen_pixel_mm(main_window, "coronal"))
    rows = main_window.measure_panel.rows()
    assert [row[1] for row in rows] == [f"Axial {k + 1}"] * 6 + [f"Coronal {coronal_index + 1}"]
    state.point_at("axial", k, r, c)  # the region is outlined on the coronal and sagittal images through its seed
    overlays = main_window.measure_tools.overlays
    qtbot.waitUntil(lambda: all(region.id in overlays[v].ids() for v in ("coronal", "sagittal")), timeout=3000)


def test_abc_is_refused_on_a_reformat_with_the_reason(qtbot, main_window, open_study, bleed_study) -> None:  # type: ignore[no-untyped-def]
    open_study(bleed_study[0])
    state = main_window.state
    state.display.layout = "mpr"
    state.measurements.set_tool("abc")
    for a, b in (((5, 20), (5, 60)), ((2, 40), (9, 40))):
        drag(graphics(main_window, "sagittal"), at(main_window, "sagittal", *a), at(main_window, "sagittal", *b))
    assert state.measurements.items == () and "axial slice" in state.status


def test_handles_and_the_panel_edit_a_measurement(qtbot, main_window, open_study, bleed_study) -> None:  # type: ignore[no-untyped-def]
    folder, phantom = bleed_study
    open_study(folder)
    state, panel, tools = main_window.state, main_window.measure_panel, main_window.measure_tools
    k, r, c = bleed_voxel(phantom)
    state.set_slice(k)
    length = tools.make("length", "axial", k, [(10.0, 10.0), (10.0, 30.0)])
    state.measurements.add(length)
    qtbot.waitUntil(lambda: tools.overlays["axial"].ids() == [length.id], timeout=3000)
    [drawn] = tools.overlays["axial"].drawn
    roi = drawn.rois[0]
    handle = roi.getHandles()[1]
    x, y = main_window.views.frame("axial").to_view(10.0, 50.0)
    roi.movePoint(handle, QPointF(x, y), finish=True)  # a handle dragged (parent: view coordinates)
    [edited] = state.measurements.items
    assert edited.id == length.id and edited.value == pytest.approx(2 * length.value)
    region = tools.make("region", "axial", k, [(float(r), float(c))])
    state.measurements.add(region)
    panel.table.selectRow(1)
    assert state.measurements.selected == region.id and panel.editor.isVisible()
    assert (panel.hu_low.value(), panel.hu_high.value()) == (45, 100)
    panel.hu_low.setValue(60)
    panel.hu_low.editingFinished.emit()
    narrowed = state.measurements.get(region.id)
    assert narrowed.bleed.hu_range == (60.0, 100.0) and narrowed.value < region.value
    assert "60–100 HU" in panel.details.text() and "estimate" in panel.details.text()
    panel.box_first.setValue(k + 1)
    panel.box_last.setValue(k + 1)
    panel.box_last.editingFinished.emit()
    one_slice = state.measurements.get(region.id)
    assert one_slice.bleed.box[0] == (k, k + 1) and one_slice.bleed.slices == 1
    assert "reaches its box" in panel.details.text()
    panel.delete_button.click()
    assert [m.id for m in state.measurements.items] == [length.id]


def test_choosing_a_reformat_measurement_shows_its_image(qtbot, main_window, open_study, bleed_study) -> None:  # type: ignore[no-untyped-def]
    open_study(bleed_study[0])
    state, panel, tools = main_window.state, main_window.measure_panel, main_window.measure_tools
    length = tools.make("length", "sagittal", 40, [(3.0, 10.0), (3.0, 40.0)])
    state.measurements.add(length)
    state.measurements.select("")
    assert state.display.layout == "axial"
    panel.table.selectRow(0)
    assert state.display.layout == "mpr" and state.planes.index("sagittal") == 40
    qtbot.waitUntil(lambda: tools.overlays["sagittal"].ids() == [length.id], timeout=3000)


def test_a_click_without_a_tool_moves_the_cursor(qtbot, main_window, open_study, bleed_study) -> None:  # type: ignore[no-untyped-def]
    open_study(bleed_study[0])
    state = main_window.state
    click(graphics(main_window, "axial"), at(main_window, "axial", 30, 70))
    assert state.dims.point[1:] == (30, 70) and state.measurements.items == ()
    assert np.allclose(state.planes.indices[1:], (30, 70))


def test_values_of_measurements_close_together_do_not_cover_each_other(
    qtbot, main_window, open_study, bleed_study
) -> None:  # type: ignore[no-untyped-def]
    open_study(bleed_study[0])
    state, tools = main_window.state, main_window.measure_tools
    z = state.dims.slice
    for end in (40.0, 50.0, 60.0):
        state.measurements.add(tools.make("length", "axial", z, [(30.0, 20.0), (30.0, end)]))
    qtbot.waitUntil(lambda: len(tools.overlays["axial"].drawn) == 3, timeout=3000)
    rects = [drawn.label.sceneBoundingRect() for drawn in tools.overlays["axial"].drawn]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_the_measurements_tab_shares_the_series_column(qtbot, main_window, open_study, bleed_study) -> None:  # type: ignore[no-untyped-def]
    open_study(bleed_study[0])
    series, panel = main_window.series_dock, main_window.measure_panel

    def on_top(dock) -> bool:  # type: ignore[no-untyped-def]
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    assert main_window.tabifiedDockWidgets(series) == [panel] and on_top(series) and not on_top(panel)
    qtbot.keyClick(main_window, Qt.Key.Key_L)  # choosing a tool brings the list to the front
    qtbot.waitUntil(lambda: on_top(panel) and not on_top(series), timeout=3000)
    main_window.dock_layout.toggle()  # Ctrl+B: the image only
    qtbot.waitUntil(lambda: not panel.isVisible() and not series.isVisible(), timeout=3000)
    main_window.dock_layout.toggle()
    qtbot.waitUntil(lambda: on_top(panel) and series.isVisible(), timeout=3000)
