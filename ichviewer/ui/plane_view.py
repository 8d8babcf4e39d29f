"""A coronal or sagittal view: the reformat through the cursor (core.mpr), drawn at true aspect in mm.

Like the axial slice view it is built from the `ViewerState` and draws what the state says: the
volume, its image index in `state.planes`, the window, the flagged slices and the heatmap. The
ImageItem gets the int16 HU reformat and the window as its levels; a new image is sampled only
when the view's own index changes (the axial scroll of an untilted series moves the crosshair
only). Hidden views do no work and catch up when shown. Left-drag W/L, wheel scrolls through the
view's planes, Ctrl+wheel and right-drag zoom, middle-drag pans, as on the axial view.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from ichviewer.core.heatmap_colors import heat_lut
from ichviewer.core.mpr import Plane, View
from ichviewer.core.orientation import edge_letters
from ichviewer.core.state import ViewerState
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import Window
from ichviewer.ui.image_view import ImageView, levels
from ichviewer.ui.reformat_heat import ReformatHeat
from ichviewer.ui.view_badges import ViewBadges
from ichviewer.ui.view_pixels import VIEW_COLOURS, PixelFrame

TICK = 0.06  # share of the image width a flagged-slice mark takes at each side
FLAG_COLOUR = "#ff4d4d"


class PlaneView(ImageView):
    """Shows image `state.planes.index(view)` of the reformat `view` ("coronal" or "sagittal")."""

    def __init__(self, state: ViewerState, view: View, heat: ReformatHeat, parent: QWidget | None = None) -> None:
        super().__init__(state, f"{view}Graphics", parent)
        self.view, self.heat = view, heat
        self.plane: Plane | None = None
        self._volume: CTVolume | None = None  # the volume the plane and the fit belong to
        self.flag_item = pg.PlotCurveItem(pen=pg.mkPen(FLAG_COLOUR, width=2), connect="pairs")
        self.flag_item.setZValue(15)
        self.view_box.addItem(self.flag_item)
        self.view_box.scrolled.connect(lambda steps: state.step_view(view, steps))
        self.badges = ViewBadges(self.graphics)  # orientation letters only (S/I, R/L, A/P from the geometry)
        self.setStyleSheet(f"PlaneView {{ border-top: 2px solid {VIEW_COLOURS[view]}; }}")

        state.events.volume.connect(lambda _: self.refresh())
        state.planes.events.indices.connect(lambda _: self.refresh())
        state.display.events.window.connect(self._on_window)
        state.display.events.show_overlays.connect(lambda _: self._update_corners())
        state.events.ai.connect(lambda _: self._draw_flags())
        heat.changed.connect(self._draw_heat)
        state.heatmap.events.opacity.connect(lambda _: self._draw_heat())

    # --- what is on screen (tests, the benchmark, the measuring tools) ----------------------------
    @property
    def index(self) -> int:
        return self.state.planes.index(self.view)

    def frame(self) -> PixelFrame | None:
        return PixelFrame(*self.plane.pixel_mm) if self.plane is not None else None

    def probe_image(self) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The reformat on screen (HU interpolated between slices) and where it has no data."""
        return None if self.plane is None else (self.plane.image, self.plane.missing)

    # --- state → screen ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Sample and draw the view's image when it changed (nothing while hidden)."""
        if not self.isVisible():
            return
        volume, mpr = self.state.volume, self.state.planes.mpr
        if volume is None or mpr is None:
            self._clear("A reformat needs a series of two or more slices." if volume is not None else "")
            return
        new_volume = volume is not self._volume
        if new_volume or self.plane is None or self.plane.index != self.index:
            self._volume = volume
            self.plane = mpr.plane(volume.hu, self.view, self.index)
            self.image_item.setImage(self.plane.image, autoLevels=False, levels=levels(self.state.display.window))
            self._message.hide()
            if new_volume:
                h, w = self.plane.image.shape
                row_mm, col_mm = self.plane.pixel_mm
                self.image_item.setRect(QRectF(0, 0, w * col_mm, h * row_mm))
                self.reset_view()
            self._draw_flags()
            self._draw_heat()
            self._update_corners()

    def _clear(self, message: str) -> None:
        self.plane, self._volume = None, None
        self.image_item.clear()
        self.heat_item.setVisible(False)
        self.flag_item.setData([], [])
        self.show_message(message)
        self._update_corners()

    def _on_window(self, window: Window) -> None:
        if self.plane is not None:
            self.image_item.setLevels(levels(window))
        self._update_corners()

    def _draw_flags(self) -> None:
        """Flagged native slices as marks at both sides of the image, at their level (tilted with the gantry)."""
        result, mpr = self.state.ai.result, self.state.planes.mpr
        if self.plane is None or mpr is None or result is None:
            self.flag_item.setData([], [])
            return
        frame = PixelFrame(*self.plane.pixel_mm)
        marks = []
        for _, ((r0, c0), (r1, c1)) in mpr.slice_lines(self.view, self.plane.index, result.flagged_slices()):
            marks += [(r0, c0), (r0 + TICK * (r1 - r0), c0 + TICK * (c1 - c0))]
            marks += [(r1, c1), (r1 - TICK * (r1 - r0), c1 - TICK * (c1 - c0))]
        x, y = frame.xy(np.array(marks)) if marks else (np.array([]), np.array([]))
        self.flag_item.setData(x, y)

    def _draw_heat(self) -> None:
        """The stacked heatmap volume reformatted like the image (asks for missing maps while shown)."""
        wanted = self.plane is not None and self.state.heatmap.visible and self.state.ai.result is not None
        self.heat.want(wanted and self.isVisible())
        mpr, volume = self.state.planes.mpr, self.heat.volume
        if not wanted or mpr is None or volume is None or self.plane is None:
            self.heat_item.setVisible(False)
            return
        heat = mpr.plane(volume, self.view, self.plane.index)
        levels = np.rint(np.nan_to_num(heat.image, nan=0.0) * 255).astype(np.uint8)
        lut = heat_lut(round(float(self.state.heatmap.opacity), 3))
        self.heat_item.setImage(levels, autoLevels=False, levels=(0, 255), lut=lut)
        self.heat_item.setRect(self.image_item.mapRectToParent(self.image_item.boundingRect()))
        self.heat_item.setVisible(True)

    def _update_corners(self) -> None:
        self._probe_text = self._probe()
        texts: dict[str, str] = {}
        mpr, window = self.state.planes.mpr, self.state.display.window
        if self.plane is not None and mpr is not None:
            title = [self.view.capitalize()]
            if self.plane.tilt_corrected:
                title.append(f"tilt corrected ({mpr.tilt_deg:.1f}° gantry)")
            row_mm, col_mm = self.plane.pixel_mm
            self.badges.set_edges(edge_letters(mpr.screen_orientation(self.view)), self.state.display.show_overlays)
            texts = {
                "top_left": "\n".join(title),
                "bottom_left": f"Image {self.plane.index + 1} / {mpr.n_planes(self.view)}\n"
                f"Pixels {col_mm:.2f} × {row_mm:.2f} mm",
                "bottom_right": "\n".join(filter(None, (self._probe_text, f"W {window.width:g}  L {window.level:g}"))),
            }
        else:
            self.badges.set_edges({}, False)
        self.corners.set_texts(texts, self.state.display.show_overlays)

    # --- Qt ---------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()
        self._draw_heat()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().resizeEvent(event)
        self.badges.place()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().hideEvent(event)
        self.heat.want(False)
