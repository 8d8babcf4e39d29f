"""The slice view: the state's current axial slice on a pyqtgraph ViewBox, with overlays and mouse tools.

Built from a `ViewerState` and subscribed to it: the volume (or the preview slice while it
loads), the cursor's slice, the window, the overlay toggles and the heatmap. The ImageItem gets
the int16 HU slice itself, and the window as its levels (`setLevels`): pyqtgraph maps HU to grey
when it paints, so W/L changes and scrolling re-window nothing here. Mouse intent goes back to the
state (wheel: `step`; left-drag: a new window).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QWidget

from ichviewer.core.dicom.records import Series
from ichviewer.core.heatmap_colors import heat_lut
from ichviewer.core.orientation import edge_letters
from ichviewer.core.overlay_text import corner_texts
from ichviewer.core.state import SlicePreview, ViewerState
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import Window
from ichviewer.ui.image_view import ImageView, levels
from ichviewer.ui.view_badges import ViewBadges

pg.setConfigOptions(imageAxisOrder="row-major")


class SliceView(ImageView):
    """Shows `state.volume.hu[state.dims.slice]` (or the preview) in `state.display.window`."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(state, "sliceGraphics", parent)
        self._series: Series | None = None  # of the slice on screen (volume or preview)
        self._hu: np.ndarray | None = None  # the slice on screen (int16)
        self._index = 0
        self._preview_uid = ""  # the series whose preview is on screen (its zoom is kept)
        self._heat_key: tuple[object, ...] | None = None

        self.view_box.scrolled.connect(state.step)
        self.view_box.sigRangeChanged.connect(lambda *_: self._update_corners())
        self.badges = ViewBadges(
            self.graphics, avoid=(self.corners.labels["top_left"], self.corners.labels["top_right"])
        )
        self._letters: tuple[CTVolume | None, dict[str, str]] = (None, {})  # edge letters of the volume shown
        self.graphics.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.graphics)  # the focus ring is drawn on the image (theme: #sliceGraphics:focus)

        state.events.volume.connect(self._on_volume)
        state.events.preview.connect(self._on_preview)
        state.events.message.connect(self._on_message)
        state.dims.events.point.connect(lambda _: self._on_slice())
        state.display.events.window.connect(self._on_window)
        for event in (state.display.events.show_overlays, state.display.events.show_patient):
            event.connect(lambda _: self._update_corners())
        for event in (state.events.ai, state.events.heatmap_ready, *_choice_events(state)):
            event.connect(lambda _: self._refresh_heatmap())
        state.events.heatmap_requested.connect(lambda _: self._update_badges())

    # --- what is on screen (read by tests and the benchmark) -------------------------------------
    @property
    def index(self) -> int:
        return self._index

    @property
    def shown_slice(self) -> np.ndarray | None:
        """The int16 HU array the ImageItem shows."""
        return self.image_item.image

    def zoom_factor(self) -> float:
        """Screen pixels per image pixel (1.0 = one CT pixel per screen pixel)."""
        if self._hu is None:
            return 1.0
        width_mm = self.image_item.mapRectToParent(self.image_item.boundingRect()).width()
        screen_mm = self.view_box.viewPixelSize()[0]
        return width_mm / self._hu.shape[1] / screen_mm if screen_mm > 0 else 1.0

    # --- state → screen ---------------------------------------------------------------------------
    def _on_volume(self, volume: CTVolume | None) -> None:
        if volume is None:
            if self.state.preview is None:
                self._clear()
            return
        fit = self._preview_uid != volume.series.uid
        self._preview_uid = ""
        self._series = volume.series
        self._show(volume.hu[self.state.dims.slice], self.state.dims.slice, volume.geometry.pixel_spacing, fit)

    def _on_preview(self, preview: SlicePreview | None) -> None:
        if preview is None or self.state.volume is not None:
            return
        self._preview_uid = preview.series.uid
        self._series = preview.series
        spacing = preview.series.slices[0].pixel_spacing or (1.0, 1.0)
        self._show(preview.hu, preview.index, spacing, fit=True)

    def _on_slice(self) -> None:
        volume, index = self.state.volume, self.state.dims.slice
        if volume is None or (index == self._index and self._hu is not None):
            return
        self._index = index
        self._hu = volume.hu[index]
        self.image_item.setImage(self._hu, autoLevels=False, levels=levels(self.state.display.window))
        self._refresh_heatmap()
        self._update_corners()

    def _on_window(self, window: Window) -> None:
        if self._hu is not None:
            self.image_item.setLevels(levels(window))
        self._update_corners()

    def _on_message(self, message: str) -> None:
        if message:
            self._clear()
        self.show_message(message)

    def _show(self, hu: np.ndarray, index: int, pixel_spacing: tuple[float, float], fit: bool) -> None:
        self._hu, self._index = hu, index
        self._message.hide()
        self.image_item.setImage(hu, autoLevels=False, levels=levels(self.state.display.window))
        if fit:
            dy, dx = pixel_spacing
            self.image_item.setRect(QRectF(0, 0, hu.shape[1] * dx, hu.shape[0] * dy))
            self.reset_view()
        self._refresh_heatmap()
        self._update_corners()

    def _clear(self) -> None:
        self._series = self._hu = None
        self._preview_uid = ""
        self.image_item.clear()
        self._refresh_heatmap()
        self._update_corners()

    def _refresh_heatmap(self) -> None:
        """Draw the heatmap the state holds for the slice on screen (uint8 levels + the opacity's LUT)."""
        self._update_badges()
        heat = self.state.current_heatmap() if self._hu is not None else None
        key = None if heat is None else (heat[0], self.state.heatmap.opacity)
        if key == self._heat_key:
            return
        self._heat_key = key
        if heat is None:
            self.heat_item.setVisible(False)
            return
        lut = heat_lut(round(float(self.state.heatmap.opacity), 3))
        self.heat_item.setImage(heat[1], autoLevels=False, levels=(0, 255), lut=lut)
        self.heat_item.setTransform(self.image_item.transform())  # same grid, same mm scale as the slice
        self.heat_item.setVisible(True)

    # --- the HU probe -----------------------------------------------------------------------------
    def probe_image(self) -> tuple[np.ndarray, np.ndarray | None] | None:
        return None if self._hu is None else (self._hu, None)

    # --- overlays ---------------------------------------------------------------------------------
    def _update_corners(self) -> None:
        display = self.state.display
        self._probe_text = self._probe()
        texts = {}
        if self._series is not None:
            texts = corner_texts(
                self._series,
                self.state.volume,
                self._index,
                display.window,
                self.zoom_factor(),
                self._probe_text,
                display.show_patient,
            )
        self.corners.set_texts(texts, display.show_overlays)
        self._update_badges()

    def _update_badges(self) -> None:
        """Orientation letters of the volume on screen, the heatmap's caption, the privacy badge."""
        volume, display = self.state.volume, self.state.display
        if self._letters[0] is not volume:
            self._letters = (volume, edge_letters(volume.geometry.orientation) if volume is not None else {})
        self.badges.set_edges(self._letters[1] if self._hu is not None else {}, display.show_overlays)
        self.badges.set_heat(self.state.heatmap_caption() if self._hu is not None else "")
        self.badges.place_caption()
        self.badges.set_privacy(not display.show_patient)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().resizeEvent(event)
        self.badges.place()


def _choice_events(state: ViewerState) -> tuple[object, ...]:
    events = state.heatmap.events
    return (events.visible, events.label, events.opacity)
