"""What every image view shares (the axial slice view and the coronal/sagittal reformats): a pyqtgraph view
box with the int16 image and a heat layer, W/L drag, corner texts, a centred message, focus, the HU
probe under the cursor, and `levels` (the window as the ImageItem's levels: pyqtgraph maps HU to grey
when it paints)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ichviewer.core.overlay_text import probe_text
from ichviewer.core.state import ViewerState
from ichviewer.core.windowing import Window
from ichviewer.ui.corner_labels import CornerLabels
from ichviewer.ui.slice_view_box import SliceViewBox
from ichviewer.ui.window_drag import WindowDrag


def levels(window: Window) -> tuple[float, float]:
    """The ImageItem levels of a window."""
    return (window.lower, window.upper)


class ImageView(QWidget):
    """The graphics view, view box, image and heat items, corner labels and message of one view."""

    def __init__(self, state: ViewerState, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.graphics = pg.GraphicsView(background="k")
        self.graphics.setObjectName(name)
        self.view_box = SliceViewBox()
        self.graphics.setCentralItem(self.view_box)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item.setZValue(10)
        self.heat_item.setVisible(False)
        self.view_box.addItem(self.image_item)
        self.view_box.addItem(self.heat_item)
        self.view_box.windowDragged.connect(WindowDrag(state))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.corners = CornerLabels(self.graphics)
        self._message = QLabel(self.graphics)
        self._message.setObjectName("viewMessage")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._message.hide()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._probe_text = ""
        self._probe_pos: QPointF | None = None  # the cursor's last scene position over the view
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.viewport().installEventFilter(self)  # the cursor leaving ends the probe

    # --- the HU probe -----------------------------------------------------------------------------
    def probe_image(self) -> tuple[np.ndarray, np.ndarray | None] | None:
        """(HU image on screen, its `missing` mask or None), or None when there is no image to probe."""
        return None

    def _update_corners(self) -> None:
        """Redraw the corner texts (each view's own); the probe line comes from `self._probe()`."""

    def _probe(self) -> str:
        """HU under the cursor's last position on the image on screen now (a scroll under a still cursor counts)."""
        shown, scene_pos = self.probe_image(), self._probe_pos
        if shown is None or scene_pos is None or not self.view_box.sceneBoundingRect().contains(scene_pos):
            return ""
        image, missing = shown
        point = self.image_item.mapFromScene(scene_pos)
        row, col = int(np.floor(point.y())), int(np.floor(point.x()))
        if not (0 <= row < image.shape[0] and 0 <= col < image.shape[1]):
            return ""
        if missing is not None and missing[row, col]:
            return f"no data at row {row}, col {col}"
        return probe_text(int(image[row, col]), row, col)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        self._probe_pos = scene_pos
        if self._probe() != self._probe_text:
            self._update_corners()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Leave and self._probe_pos is not None:
            self._probe_pos = None
            self._update_corners()
        return super().eventFilter(watched, event)

    @property
    def message(self) -> str:
        """The centred message on screen (why there is no image), or ""."""
        return self._message.text() if self._message.isVisible() else ""

    def corner_text(self, corner: str) -> str:
        return self.corners.text(corner)

    def reset_view(self) -> None:
        """Fit the whole image into the view (R)."""
        self.view_box.autoRange(padding=0.0, items=[self.image_item])

    def show_message(self, message: str) -> None:
        """Show `message` centred over the view ("" hides it)."""
        self._message.setText(message)
        self._message.setVisible(bool(message))
        self._place_message()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().resizeEvent(event)
        self.corners.place()
        self._place_message()

    def _place_message(self) -> None:
        width, height = self.graphics.width(), self.graphics.height()
        self._message.setGeometry(width // 8, height // 3, width * 3 // 4, height // 3)
