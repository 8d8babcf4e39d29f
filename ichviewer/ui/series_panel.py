"""The series list (left dock): thumbnail, description, image count and thickness per series."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ichviewer.core.dicom.records import Series, StudyIndex

ICON_SIZE = 72


def series_label(series: Series) -> str:
    """Two lines: description, then '#number · N images · T mm'."""
    parts = [f"{series.n_images} images"]
    if series.number is not None:
        parts.insert(0, f"#{series.number}")
    if series.thickness:
        parts.append(f"{series.thickness:g} mm")
    return f"{series.description or '(no description)'}\n{' · '.join(parts)}"


def grey_pixmap(image: np.ndarray) -> QPixmap:
    """A QPixmap from a uint8 (y, x) array (copied, so the array may go away)."""
    image = np.ascontiguousarray(image)
    height, width = image.shape
    qimage = QImage(image.data, width, height, image.strides[0], QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(qimage.copy())


class SeriesPanel(QListWidget):
    """Emits `seriesRequested(Series)` when the user picks another series."""

    seriesRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("seriesPanel")
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.setSpacing(2)
        self.setWordWrap(True)
        self._series: dict[str, Series] = {}
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def set_index(self, index: StudyIndex) -> None:
        """List every series of every study in the folder."""
        self.clear()
        self._series = {}
        for series in index.series:
            item = QListWidgetItem(series_label(series))
            item.setData(Qt.ItemDataRole.UserRole, series.uid)
            item.setToolTip(f"{series.title}\n{series.uid}")
            self.addItem(item)
            self._series[series.uid] = series

    def set_thumbnail(self, uid: str, image: np.ndarray) -> None:
        item = self._item(uid)
        if item is not None:
            item.setIcon(QIcon(grey_pixmap(image)))

    def set_current(self, uid: str) -> None:
        """Highlight the series on screen (no signal)."""
        item = self._item(uid)
        if item is not None:
            self.blockSignals(True)
            self.setCurrentItem(item)
            self.blockSignals(False)

    def item_for(self, uid: str) -> QListWidgetItem | None:
        return self._item(uid)

    def _item(self, uid: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == uid:
                return item
        return None

    def _clicked(self, item: QListWidgetItem) -> None:
        series = self._series.get(item.data(Qt.ItemDataRole.UserRole))
        if series is not None:
            self.seriesRequested.emit(series)
