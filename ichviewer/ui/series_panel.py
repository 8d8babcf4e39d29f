"""The series list (left dock): thumbnail, description, image count and thickness per series.

Built from the viewer state: the list follows the study index, icons the thumbnails, the
highlight the series on screen; a click asks the state to open that series.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.state import ViewerState

ICON_SIZE = 72
SMALL_ICON_SIZE = 44  # in a narrow dock (a small screen) the text needs the width
NARROW_PANEL = 220
REPEAT_COLOUR = "#e8c46a"  # a repeat acquisition stands out from the series it repeats


def series_label(series: Series) -> str:
    """Description, then '#number · N images · T mm'; a repeat acquisition says so on a line of its own.

    A repeat (images at the positions of the series' first acquisition, other pixels) is its own
    entry so none of its images is dropped as a "duplicate"; the reader must see which is which.
    """
    parts = [f"{series.n_images} image{'s' if series.n_images != 1 else ''}"]
    if series.number is not None:
        parts.insert(0, f"#{series.number}")
    if series.thickness:
        parts.append(f"{series.thickness:g} mm")
    description = series.description
    if series.repeat > 1:  # the index appends "(repeat k)" for lists with one line per series
        description = description.removesuffix(f"(repeat {series.repeat})").strip()
    lines = [description or "(no description)"]
    if series.repeat > 1:
        lines.append(f"⟳ repeat acquisition {series.repeat}")
    return "\n".join([*lines, " · ".join(parts)])


def grey_pixmap(image: np.ndarray) -> QPixmap:
    """A QPixmap from a uint8 (y, x) array (copied, so the array may go away)."""
    image = np.ascontiguousarray(image)
    height, width = image.shape
    qimage = QImage(image.data, width, height, image.strides[0], QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(qimage.copy())


class SeriesPanel(QListWidget):
    """Every series of every study in the folder; picking one opens it."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("seriesPanel")
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.setSpacing(2)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # text wraps instead
        self._series: dict[str, Series] = {}
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        state.events.index.connect(self._on_index)
        state.events.thumbnail.connect(self._on_thumbnail)
        state.events.series.connect(self._on_series)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        size = SMALL_ICON_SIZE if self.width() < NARROW_PANEL else ICON_SIZE
        if self.iconSize().width() != size:
            self.setIconSize(QSize(size, size))
        super().resizeEvent(event)

    def _on_index(self, index: StudyIndex | None) -> None:
        self.clear()
        self._series = {}
        if index is None:
            return
        for series in index.series:
            item = QListWidgetItem(series_label(series))
            item.setData(Qt.ItemDataRole.UserRole, series.uid)
            item.setToolTip("\n".join((series.title, *series.notes, series.uid)))
            if series.repeat > 1:
                item.setForeground(QBrush(QColor(REPEAT_COLOUR)))
            self.addItem(item)
            self._series[series.uid] = series

    def _on_thumbnail(self, uid: str) -> None:
        item = self._item(uid)
        if item is not None:
            item.setIcon(QIcon(grey_pixmap(self.state.thumbnails[uid])))

    def _on_series(self, series: Series | None) -> None:
        """Highlight the series on screen (no signal)."""
        item = self._item(series.uid) if series is not None else None
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
            self.state.open_series(series)
