"""The central area: the axial view alone, or the MPR layout (M, `--layout mpr`, kept in the settings):
the axial view large on the left, coronal over sagittal on the right.

The axial `SliceView` (with its slider) is always there and keeps most of the space (it is the
image a head CT is read on); the two reformat views are built once and shown only in the MPR
layout, where every view also draws the crosshair. Each view's pixel frame
(mm per pixel of the image on screen) is what the crosshair and the measuring tools map through.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QWidget

from ichviewer.core.mpr import VIEWS, View
from ichviewer.core.state import ViewerState
from ichviewer.ui.crosshair import Crosshair
from ichviewer.ui.plane_view import PlaneView
from ichviewer.ui.reformat_heat import ReformatHeat
from ichviewer.ui.slice_slider import SliceSlider
from ichviewer.ui.slice_view import SliceView
from ichviewer.ui.slice_view_box import SliceViewBox
from ichviewer.ui.view_pixels import PixelFrame

AXIAL_SHARE = 0.6  # of the central width, in the MPR layout


class ViewLayout(QWidget):
    """Holds the three views; `state.display.layout` says which are shown."""

    def __init__(
        self, state: ViewerState, axial: SliceView, slider: SliceSlider, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.axial = axial
        self.heat = ReformatHeat(state, self)
        self.coronal = PlaneView(state, "coronal", self.heat)
        self.sagittal = PlaneView(state, "sagittal", self.heat)
        axial_pane = QWidget()
        row = QHBoxLayout(axial_pane)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(axial, 1)
        row.addWidget(slider)
        self.reformats = QSplitter(Qt.Orientation.Vertical)
        self.reformats.setChildrenCollapsible(False)
        self.reformats.addWidget(self.coronal)
        self.reformats.addWidget(self.sagittal)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(axial_pane)
        self.splitter.addWidget(self.reformats)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)
        self.crosshairs = {
            view: Crosshair(state, view, self.view_box(view), lambda v=view: self.frame(v)) for view in VIEWS
        }
        state.display.events.layout.connect(lambda _: self._show_layout())
        self._show_layout()

    def view_box(self, view: View) -> SliceViewBox:
        return self.axial.view_box if view == "axial" else self.plane_view(view).view_box

    def plane_view(self, view: View) -> PlaneView:
        if view == "axial":
            raise ValueError("the axial view is the slice view")
        return self.coronal if view == "coronal" else self.sagittal

    def frame(self, view: View) -> PixelFrame | None:
        """mm per pixel of the image `view` shows (None: no image)."""
        mpr, volume = self.state.planes.mpr, self.state.volume
        if mpr is not None:
            return PixelFrame(*mpr.pixel_mm(view))
        return PixelFrame(*volume.geometry.pixel_spacing) if volume is not None and view == "axial" else None

    def visible_views(self) -> list[View]:
        return ["axial", "coronal", "sagittal"] if self.state.display.layout == "mpr" else ["axial"]

    def reset_view(self) -> None:
        """R: fit every shown view's image."""
        self.axial.reset_view()
        if self.state.display.layout == "mpr":
            self.coronal.reset_view()
            self.sagittal.reset_view()

    def _show_layout(self) -> None:
        mpr = self.state.display.layout == "mpr"
        self.coronal.setVisible(mpr)
        self.sagittal.setVisible(mpr)
        self.reformats.setVisible(mpr)  # after its views: shown empty, the outer splitter would collapse it
        self._fit_panes()
        for crosshair in self.crosshairs.values():
            crosshair.refresh()

    def _fit_panes(self) -> None:
        """The axial pane AXIAL_SHARE of the width, the reformats the rest, one above the other in halves
        (each image fits its pane at its true aspect; the reader drags the splitters as they like)."""
        if self.state.display.layout == "mpr":
            width = max(self.splitter.width(), 300)
            axial = int(width * AXIAL_SHARE)
            height = max(self.splitter.height(), 200)
            self.splitter.setSizes([axial, width - axial])
            self.reformats.setSizes([height // 2, height - height // 2])
