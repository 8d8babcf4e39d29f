"""What every image view shares (the axial slice view and the coronal/sagittal reformats): a pyqtgraph view
box with the int16 image and a heat layer, W/L drag, corner texts, a centred message, focus, and
`levels` (the window as the ImageItem's levels: pyqtgraph maps HU to grey when it paints)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

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
