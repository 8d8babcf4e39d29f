"""The slice view: one axial CT slice on a pyqtgraph ViewBox, with overlays and mouse tools.

Mouse: wheel scrolls slices, Ctrl+wheel or right-drag zooms, middle-drag pans, left-drag sets
window/level (drag right = wider, drag down = higher level, as in syngo/Horos). The int16 HU
slice is windowed to uint8 on demand (core.windowing.apply_window), never the whole volume;
the ImageItem is kept and only its data is replaced, so a repaint costs about a millisecond.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsSceneWheelEvent, QLabel, QVBoxLayout, QWidget

from ichviewer.core.dicom.records import Series
from ichviewer.core.heatmap_colors import heat_lut
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import PRESETS, Window, apply_window

pg.setConfigOptions(imageAxisOrder="row-major")

WHEEL_STEP = 120  # one notch of a standard mouse wheel


class _SliceViewBox(pg.ViewBox):
    """ViewBox with the radiology mouse map: left-drag W/L, wheel scroll, Ctrl+wheel zoom."""

    windowDragged = Signal(float, float, bool, bool)  # dx, dy (screen px from press), start, finish
    scrolled = Signal(int)

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False, defaultPadding=0.0)
        self._wheel_rest = 0

    def mouseDragEvent(self, ev, axis=None) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            delta = ev.screenPos() - ev.buttonDownScreenPos(Qt.MouseButton.LeftButton)
            self.windowDragged.emit(delta.x(), delta.y(), ev.isStart(), ev.isFinish())
            return
        super().mouseDragEvent(ev, axis)

    def wheelEvent(self, ev: QGraphicsSceneWheelEvent, axis=None) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis)
            return
        self._wheel_rest += ev.delta()
        steps = int(self._wheel_rest / WHEEL_STEP)
        if steps:
            self._wheel_rest -= steps * WHEEL_STEP
            self.scrolled.emit(steps)
        ev.accept()


class SliceView(QWidget):
    """Shows slice `index` of a CTVolume in a Window; emits sliceChanged and windowChanged."""

    sliceChanged = Signal(int)
    windowChanged = Signal(object)  # Window

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.volume: CTVolume | None = None
        self._series: Series | None = None
        self._hu: np.ndarray | None = None  # the slice on screen (int16)
        self._index = 0
        self._window = PRESETS["brain"]
        self._drag_start: Window | None = None
        self._heat: np.ndarray | None = None
        self._show_overlays = True
        self._show_patient = True
        self._probe_text = ""

        self.graphics = pg.GraphicsView(background="k")
        self.graphics.setObjectName("sliceGraphics")
        self.view_box = _SliceViewBox()
        self.graphics.setCentralItem(self.view_box)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item.setZValue(10)
        self.heat_item.setVisible(False)
        self.view_box.addItem(self.image_item)
        self.view_box.addItem(self.heat_item)
        self.view_box.windowDragged.connect(self._on_window_drag)
        self.view_box.scrolled.connect(self.step)
        self.view_box.sigRangeChanged.connect(lambda *_: self._update_corner_texts())
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)

        self._corners = {
            name: self._make_label(name) for name in ("top_left", "top_right", "bottom_left", "bottom_right")
        }
        self._message = QLabel(self.graphics)
        self._message.setObjectName("viewMessage")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._message.hide()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _make_label(self, name: str) -> QLabel:
        label = QLabel(self.graphics)
        label.setObjectName("overlayText")
        label.setProperty("corner", name)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        right = name.endswith("right")
        bottom = name.startswith("bottom")
        label.setAlignment(
            (Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft)
            | (Qt.AlignmentFlag.AlignBottom if bottom else Qt.AlignmentFlag.AlignTop)
        )
        return label

    # --- state -------------------------------------------------------------------------------
    @property
    def index(self) -> int:
        return self._index

    @property
    def window(self) -> Window:
        return self._window

    @property
    def n_slices(self) -> int:
        return self.volume.n_slices if self.volume is not None else 0

    @property
    def displayed_image(self) -> np.ndarray | None:
        """The uint8 array the ImageItem shows (tests compare it with apply_window)."""
        return self.image_item.image

    @property
    def overlays_visible(self) -> bool:
        return self._show_overlays

    @property
    def patient_visible(self) -> bool:
        return self._show_patient

    @property
    def heatmap_visible(self) -> bool:
        return self.heat_item.isVisible()

    @heatmap_visible.setter
    def heatmap_visible(self, visible: bool) -> None:
        self.heat_item.setVisible(bool(visible) and self._heat is not None)

    # --- content -----------------------------------------------------------------------------
    def show_preview(self, hu_slice: np.ndarray, series: Series, index: int) -> None:
        """Show one decoded slice while the rest of the series loads (first image fast)."""
        self.volume = None
        self._series = series
        self._index = index
        self._heat = None
        self.heat_item.setVisible(False)
        self.set_message(None)
        spacing = series.slices[0].pixel_spacing or (1.0, 1.0)
        self._show_slice(hu_slice, spacing, fit=True)

    def set_volume(self, volume: CTVolume, window: Window | None = None, index: int | None = None) -> None:
        """Display `volume` (middle slice unless `index`), keeping the zoom if a preview showed it."""
        refit = self._series is None or self._series.uid != volume.series.uid or self.volume is not None
        self.volume = volume
        self._series = volume.series
        self._heat = None
        self.heat_item.setVisible(False)
        self.set_message(None)
        if window is not None:
            self._window = window
        self._index = volume.n_slices // 2 if index is None else int(np.clip(index, 0, volume.n_slices - 1))
        self._show_slice(volume.hu[self._index], volume.geometry.pixel_spacing, fit=refit)
        self.sliceChanged.emit(self._index)
        self.windowChanged.emit(self._window)

    def clear(self, message: str | None = None) -> None:
        """Empty the view; `message` is shown centred (e.g. why a folder has no CT)."""
        self.volume = None
        self._series = None
        self._hu = None
        self._heat = None
        self.image_item.clear()
        self.heat_item.clear()
        self.heat_item.setVisible(False)
        self.set_message(message)
        self._update_corner_texts()

    def set_message(self, message: str | None) -> None:
        """A centred message over the view area (loading errors, empty folders)."""
        self._message.setText(message or "")
        self._message.setVisible(bool(message))
        self._place_labels()

    @property
    def message(self) -> str:
        return self._message.text() if self._message.isVisible() else ""

    def _show_slice(self, hu: np.ndarray, pixel_spacing: tuple[float, float], fit: bool) -> None:
        self._hu = hu
        self._render()
        if fit:
            dy, dx = pixel_spacing
            rows, cols = hu.shape
            rect = QRectF(0, 0, cols * dx, rows * dy)
            self.image_item.setRect(rect)
            self.reset_view()
        self._update_corner_texts()

    def _render(self) -> None:
        if self._hu is not None:
            self.image_item.setImage(apply_window(self._hu, self._window), autoLevels=False, levels=(0, 255))

    # --- navigation and window ---------------------------------------------------------------
    def set_index(self, index: int) -> None:
        """Go to slice `index` (clamped); the heatmap of the previous slice is dropped."""
        if self.volume is None:
            return
        index = int(np.clip(index, 0, self.volume.n_slices - 1))
        if index == self._index and self._hu is not None:
            return
        self._index = index
        self._heat = None
        self.heat_item.setVisible(False)
        self._hu = self.volume.hu[index]
        self._render()
        self._update_corner_texts()
        self.sliceChanged.emit(index)

    def step(self, delta: int) -> None:
        self.set_index(self._index + delta)

    def set_window(self, window: Window) -> None:
        """Re-window the slice on screen (only that slice is windowed)."""
        if window == self._window:
            return
        self._window = window
        self._render()
        self._update_corner_texts()
        self.windowChanged.emit(window)

    def reset_view(self) -> None:
        """Fit the whole slice into the view (R)."""
        self.view_box.autoRange(padding=0.0, items=[self.image_item])

    def zoom_factor(self) -> float:
        """Screen pixels per image pixel (1.0 = one CT pixel per screen pixel)."""
        if self._hu is None:
            return 1.0
        width_mm = self.image_item.mapRectToParent(self.image_item.boundingRect()).width()
        per_pixel_mm = width_mm / self._hu.shape[1]
        screen_mm = self.view_box.viewPixelSize()[0]
        return per_pixel_mm / screen_mm if screen_mm > 0 else 1.0

    def _on_window_drag(self, dx: float, dy: float, start: bool, finish: bool) -> None:
        if start or self._drag_start is None:
            self._drag_start = self._window
        base = self._drag_start
        rate = max(1.0, base.width / 100.0)  # HU per screen pixel, coarser for wide windows
        self.set_window(base.with_level_width(base.level + dy * rate, base.width + dx * rate))
        if finish:
            self._drag_start = None

    # --- heatmap hook (the lead wires the AI here) ---------------------------------------------
    def set_heatmap(self, heat: np.ndarray | None, opacity: float = 0.45) -> None:
        """Draw a float [0, 1] heatmap in the current slice's grid above the image (None hides it)."""
        if heat is None or self._hu is None:
            self._heat = None
            self.heat_item.setVisible(False)
            return
        if heat.shape != self._hu.shape:
            raise ValueError(f"heatmap shape {heat.shape} differs from the slice {self._hu.shape}")
        self._heat = heat
        levels = np.clip(np.rint(heat * 255.0), 0, 255).astype(np.uint8)  # uint8 + LUT: no float scaling per paint
        self.heat_item.setImage(levels, autoLevels=False, levels=(0, 255), lut=heat_lut(round(float(opacity), 3)))
        self.heat_item.setTransform(self.image_item.transform())  # same grid, same mm scale as the slice
        self.heat_item.setVisible(True)

    # --- overlays ------------------------------------------------------------------------------
    def set_overlays_visible(self, visible: bool) -> None:
        self._show_overlays = visible
        self._update_corner_texts()

    def set_patient_visible(self, visible: bool) -> None:
        self._show_patient = visible
        self._update_corner_texts()

    def corner_text(self, corner: str) -> str:
        """The text of one overlay corner as displayed ('' when hidden)."""
        label = self._corners[corner]
        return label.text() if label.isVisible() else ""

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        text = ""
        if self._hu is not None and self.view_box.sceneBoundingRect().contains(scene_pos):
            point = self.image_item.mapFromScene(scene_pos)
            row, col = int(np.floor(point.y())), int(np.floor(point.x()))
            if 0 <= row < self._hu.shape[0] and 0 <= col < self._hu.shape[1]:
                text = f"HU {int(self._hu[row, col])}  at ({row}, {col})"
        if text != self._probe_text:
            self._probe_text = text
            self._update_corner_texts()

    def _update_corner_texts(self) -> None:
        """Refresh the corners; only labels whose text changed are touched (scrolling stays cheap)."""
        texts = self._corner_texts() if self._series is not None else {}
        for name, label in self._corners.items():
            text = texts.get(name, "")
            if name == "top_left" and not self._show_patient:
                text = ""
            visible = self._show_overlays and bool(text)
            if text != label.text():
                label.setText(text)
                self._place_label(name, label)
            if visible != label.isVisible():
                label.setVisible(visible)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().resizeEvent(event)
        self._place_labels()

    def _place_labels(self) -> None:
        for name, label in self._corners.items():
            self._place_label(name, label)
        width, height = self.graphics.width(), self.graphics.height()
        self._message.setGeometry(width // 8, height // 3, width * 3 // 4, height // 3)

    def _place_label(self, name: str, label: QLabel) -> None:
        margin = 8
        label.adjustSize()
        x = self.graphics.width() - label.width() - margin if name.endswith("right") else margin
        y = self.graphics.height() - label.height() - margin if name.startswith("bottom") else margin
        label.move(max(0, x), max(0, y))

    def _corner_texts(self) -> dict[str, str]:
        """The four overlay corners for the slice on screen."""
        series = self._series
        assert series is not None
        name = series.patient_name.replace("^", " ").strip() or "(no name)"
        top_left = [name, f"ID {series.patient_id or '—'}"]
        if series.patient_birth_date:
            top_left.append(f"Born {_format_date(series.patient_birth_date)}")
        if series.study_date:
            top_left.append(f"Study {_format_date(series.study_date)}")
        top_right = [series.description or "(no description)"]
        if series.institution:
            top_right.append(series.institution)
        if self.volume is not None:
            bottom_left = [
                f"Slice {self._index + 1} / {self.volume.n_slices}",
                f"Pos {self.volume.slice_position(self._index):.1f} mm",
            ]
        else:
            bottom_left = [f"Slice {self._index + 1} / {series.n_images}  (loading…)"]
        if series.thickness:
            bottom_left.append(f"Thick {series.thickness:g} mm")
        window = self._window
        bottom_right = [
            f"W {window.width:g}  L {window.level:g}  {window.name.capitalize()}",
            f"Zoom {self.zoom_factor():.2f}×",
        ]
        if self._probe_text:
            bottom_right.insert(0, self._probe_text)
        return {
            "top_left": "\n".join(top_left),
            "top_right": "\n".join(top_right),
            "bottom_left": "\n".join(bottom_left),
            "bottom_right": "\n".join(bottom_right),
        }


def _format_date(value: str) -> str:
    """DICOM DA 'YYYYMMDD' → 'YYYY-MM-DD'; anything else unchanged."""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) == 8 and value.isdigit() else value
