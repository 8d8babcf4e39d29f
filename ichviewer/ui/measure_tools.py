"""The measuring tools: the tool in hand (menu, toolbar, keys) and what the mouse does with it on every view.

Without a tool a left click puts the cursor there (the other views follow) and a left drag is
window/level. With one, clicks and drags place its points on the view's image: a drag places
its start and end (length, ellipse, one ABC/2 diameter) or, for the freehand region, its whole
path; clicks place one point each (angle: end, vertex, end; midline: anterior falx, posterior
falx, septum; seeded region: the seed). When a tool has its points, core measures (`core.measure`,
`core.bleed_estimates`) and the measurement goes into the state's list; what cannot be measured is
said in the status bar. A dragged handle measures again through the same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolBar

from ichviewer.core.bleed_estimates import abc_estimate, moved, region_estimate, with_settings
from ichviewer.core.bleed_volume import Box
from ichviewer.core.measure import Measurement, MeasurementError, measure
from ichviewer.core.mpr import VIEWS, Pixel, View
from ichviewer.core.region_outlines import RegionOutlines
from ichviewer.core.state import ViewerState
from ichviewer.ui.layout import ViewLayout
from ichviewer.ui.measure_items import COLOUR
from ichviewer.ui.measure_overlay import MeasureOverlay

if TYPE_CHECKING:
    from ichviewer.ui.menus import Menus

# (tool, menu text, key, toolbar text); "" is no tool
TOOL_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("", "Window/level (no tool)", "W", "W/L"),
    ("length", "Length", "L", "Length"),
    ("angle", "Angle", "A", "Angle"),
    ("ellipse", "Ellipse (HU statistics)", "E", "Ellipse"),
    ("polygon", "Freehand region (HU statistics)", "F", "Freehand"),
    ("midline", "Midline shift (falx front, falx back, septum)", "S", "Midline"),
    ("abc", "ABC/2 bleed volume (two diameters)", "B", "ABC/2"),
    ("region", "Seeded region bleed volume (click the bleed)", "G", "Region"),
)
POINTS_NEEDED = {"length": 2, "ellipse": 2, "angle": 3, "midline": 3, "abc": 4, "region": 1}
FREEHAND_STEP = 1.0  # image pixels between the freehand path's vertices


class MeasureTools(QObject):
    """Routes each view's clicks and tool drags; owns the overlays and the tool actions."""

    def __init__(self, state: ViewerState, layout: ViewLayout, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state, self.layout = state, layout
        self.outlines = RegionOutlines()
        self.pending: tuple[View, int, list[Pixel]] | None = None  # points placed so far
        self.actions: dict[str, QAction] = {}
        self.overlays: dict[View, MeasureOverlay] = {}
        self.previews: dict[View, pg.PlotDataItem] = {}
        for view in VIEWS:
            box = layout.view_box(view)
            box.clicked.connect(lambda x, y, v=view: self.clicked(v, x, y))
            box.toolDragged.connect(lambda x, y, start, finish, v=view: self.dragged(v, x, y, start, finish))
            frame = lambda v=view: layout.frame(v)  # noqa: E731
            self.overlays[view] = MeasureOverlay(state, view, box, frame, self.outlines, self.edit, self.set_box)
            preview = pg.PlotDataItem(pen=pg.mkPen(COLOUR, width=1.5), symbol="o", symbolSize=5, symbolBrush=COLOUR)
            preview.setZValue(40)
            box.addItem(preview, ignoreBounds=True)
            self.previews[view] = preview
        state.measurements.events.tool.connect(self._on_tool)
        state.events.volume.connect(lambda _: self.cancel())
        self._on_tool(state.measurements.tool)

    # --- mouse ------------------------------------------------------------------------------------
    def clicked(self, view: View, x: float, y: float) -> None:
        """A left click at view (x, y): a point for the tool in hand, else the cursor goes there."""
        frame = self.layout.frame(view)
        if frame is None:
            return
        row, col = frame.to_pixel(x, y)
        index = self.state.planes.index(view)
        tool = self.state.measurements.tool
        if not tool:
            self.state.point_at(view, index, row, col)
        elif tool == "polygon":
            self.state.status = "Freehand: hold the left button and draw around the region"
        else:
            self._add_point(view, index, (row, col))

    def dragged(self, view: View, x: float, y: float, start: bool, finish: bool) -> None:
        """A left drag with a tool in hand: its start and end are points (freehand: its whole path)."""
        frame = self.layout.frame(view)
        if frame is None:
            return
        point, index, tool = frame.to_pixel(x, y), self.state.planes.index(view), self.state.measurements.tool
        if start:
            self._add_point(view, index, point)
        elif tool == "polygon" and self.pending is not None:
            if np.hypot(*np.subtract(point, self.pending[2][-1])) >= FREEHAND_STEP:
                self.pending[2].append(point)
            self._show_preview(extra=None)
            if finish:
                self._complete()
        elif finish:
            self._add_point(view, index, point)
        elif self.pending is not None:
            self._show_preview(extra=point)

    def _add_point(self, view: View, index: int, point: Pixel) -> None:
        if self.pending is None or self.pending[:2] != (view, index):
            self.cancel()
            self.pending = (view, index, [])
        self.pending[2].append(point)
        self._show_preview(extra=None)
        needed = POINTS_NEEDED.get(self.state.measurements.tool)
        if needed is not None and len(self.pending[2]) >= needed:
            self._complete()

    def cancel(self) -> None:
        """Forget points placed for a measurement not finished."""
        self.pending = None
        for preview in self.previews.values():
            preview.setData([], [])

    def _show_preview(self, extra: Pixel | None) -> None:
        if self.pending is None:
            return
        view, _, points = self.pending
        frame = self.layout.frame(view)
        if frame is None:
            return
        shown = np.array(points + ([extra] if extra is not None else []), dtype=float)
        x, y = frame.xy(shown)
        self.previews[view].setData(x, y)

    # --- measuring --------------------------------------------------------------------------------
    def _complete(self) -> None:
        pending, tool = self.pending, self.state.measurements.tool
        self.cancel()
        if pending is None or not tool:
            return
        view, index, points = pending
        try:
            self.state.measurements.add(self.make(tool, view, index, points))
        except MeasurementError as error:
            self.state.status = f"Not measured: {error}"

    def make(self, kind: str, view: View, index: int, points: list[Pixel]) -> Measurement:
        """Measure `kind` from points on image `index` of `view` (MeasurementError says why not)."""
        volume, mpr = self.state.volume, self.state.planes.mpr
        if volume is None or mpr is None:
            raise MeasurementError("measurements need a loaded series of two or more slices")
        if kind == "region":
            return region_estimate(volume, mpr, view, index, points[0])
        if kind == "abc":
            if view != "axial":
                raise MeasurementError(
                    "ABC/2 is measured on an axial slice (A and B on the slice where the bleed is largest)"
                )
            return abc_estimate(volume, mpr, index, points)
        plane = mpr.plane(volume.hu, view, index) if kind in ("ellipse", "polygon") else None
        return measure(mpr, kind, view, index, points, plane)  # type: ignore[arg-type]

    def edit(self, m: Measurement, points: list[Pixel]) -> None:
        """A handle was dragged: measure again with the points where they are now."""
        volume, mpr = self.state.volume, self.state.planes.mpr
        if volume is None or mpr is None:
            return
        where = m.placement
        plane = mpr.plane(volume.hu, where.view, where.index) if m.kind in ("ellipse", "polygon") else None
        try:
            self.state.measurements.replace(moved(volume, mpr, m, points, plane))
        except MeasurementError as error:
            self.state.status = f"Not changed: {error}"
            self._redraw()

    def set_box(self, m: Measurement, rows: tuple[int, int], cols: tuple[int, int]) -> None:
        """A seeded region's box was moved or resized on the axial view: grow the region again in it."""
        if m.bleed is not None and m.bleed.box is not None:
            self.change_settings(m, box=Box(m.bleed.box[0], rows, cols))

    def change_settings(
        self,
        m: Measurement,
        slices: int | None = None,
        hu_range: tuple[float, float] | None = None,
        box: Box | None = None,
    ) -> None:
        """The reader changed an estimate's slice count (ABC/2), HU range or box (seeded region)."""
        volume, mpr = self.state.volume, self.state.planes.mpr
        if volume is None or mpr is None:
            return
        try:
            self.state.measurements.replace(with_settings(volume, mpr, m, slices, hu_range, box))
        except MeasurementError as error:
            self.state.status = f"Not changed: {error}"
            self._redraw()

    def _redraw(self) -> None:
        """Put dragged handles back where the list says (an edit that could not be measured)."""
        for overlay in self.overlays.values():
            overlay.redraw()

    # --- the tool in hand -------------------------------------------------------------------------
    def _on_tool(self, tool: str) -> None:
        self.cancel()
        for view in VIEWS:
            self.layout.view_box(view).tool_on = bool(tool)
        action = self.actions.get(tool)
        if action is not None:
            action.setChecked(True)
        if tool:
            text = next(text for name, text, _, _ in TOOL_KEYS if name == tool)
            self.state.status = f"{text}: place the points on any view (W: back to window/level)"

    def add_menu(self, menus: Menus, menu: QMenu, toolbar: QToolBar) -> None:
        """Measure menu and toolbar: one checkable action per tool (with its key), undo, redo, delete."""
        group = QActionGroup(self)
        for tool, text, key, short in TOOL_KEYS:
            action = menus.add(menu, text, lambda t=tool: self.state.measurements.set_tool(t), key)
            action.setCheckable(True)
            action.setChecked(tool == self.state.measurements.tool)
            group.addAction(action)
            toolbar.addAction(action)
            action.setIconText(short)
            action.setToolTip(f"{text} ({key})")
            self.actions[tool] = action
        menu.addSeparator()
        measurements = self.state.measurements
        menus.add(menu, "&Undo measurement", measurements.undo, "Ctrl+Z", "Undo the last measurement edit")
        menus.add(menu, "&Redo measurement", measurements.redo, "Ctrl+Shift+Z", "Redo a measurement edit")
        menus.add(
            menu,
            "&Delete measurement",
            lambda: measurements.delete(measurements.selected),
            "Delete",
            "Delete the selected measurement",
        )
