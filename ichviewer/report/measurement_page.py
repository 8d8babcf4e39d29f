"""The reader's measurements in the PDF: drawn on the key images, and a page listing them with their images.

The page lists every measurement (number, value, where, the numbers behind it; volumes as
estimates) and shows up to `MAX_IMAGES` of the images they were made on, each with its marks, at
true aspect (a reformat is sampled from the volume as the viewer samples it). The renderer is
`report.pdf`'s: its header, text and unit helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QColor, QPen

from ichviewer.core.measure import Measurement
from ichviewer.core.measurement_report import detail_lines, place_text
from ichviewer.core.mpr import Mpr, View
from ichviewer.core.region_outlines import RegionOutlines
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import PRESETS, apply_window
from ichviewer.report.images import embedded_image
from ichviewer.report.measurement_marks import ImageSpan, draw_marks

MAX_ROWS = 16  # listed on the page; the rest are counted (all are in the viewer and the JSON)
MAX_IMAGES = 4
NOTE = (
    "Placed by the reader in the viewer. Distances and angles are measured on the patient geometry "
    "(reformats included); region statistics on the image's Hounsfield units. Volumes are estimates."
)


class MeasurementPage:
    """The measurements of the series in the report, numbered as listed."""

    def __init__(self, volume: CTVolume, items: Sequence[Measurement]) -> None:
        self.volume = volume
        self.numbered = list(enumerate(items, 1))
        self.mpr = Mpr.from_volume(volume) if volume.n_slices >= 2 else None
        self.outlines = RegionOutlines()

    def images(self) -> list[tuple[View, int]]:
        """The images measurements were made on, in the order of their first measurement (at most MAX_IMAGES)."""
        seen: list[tuple[View, int]] = []
        for _, m in self.numbered:
            key = (m.placement.view, m.placement.index)
            if key not in seen:
                seen.append(key)
        return seen[:MAX_IMAGES]

    def on_key_image(self, r: Any, rect: QRectF, top: int, left: int, side: int, index: int) -> None:
        """Marks over a key slice's head crop (`side` pixels from (top, left)) drawn in `rect`."""
        span = ImageSpan(rect, top, left, side, side)
        draw_marks(
            r.painter,
            span,
            self.numbered,
            "axial",
            index,
            self.volume,
            self.mpr,
            self.outlines,
            r.font(7.5, True),
            r.unit,
        )

    def draw(self, r: Any) -> None:
        """The measurements page: the list, then the measured images with their marks."""
        y = r.header_footer("Measurements")
        a = r.area
        y += r.text(QRectF(a.left(), y, a.width(), r.pt(30)), NOTE, 8, colour=QColor(70, 70, 70)) + r.pt(8)
        columns = [("#", 0.05), ("Measurement", 0.40), ("Where", 0.17), ("Details", 0.38)]
        row_h = r.pt(14)
        r.painter.fillRect(QRectF(a.left(), y, a.width(), row_h), QColor(230, 230, 235))
        x = a.left()
        for title, share in columns:
            r.text(QRectF(x + r.pt(3), y + r.pt(2), a.width() * share, row_h), title, 8, bold=True)
            x += a.width() * share
        y += row_h
        for number, m in self.numbered[:MAX_ROWS]:
            details = "; ".join(detail_lines(m))
            values = [str(number), m.label, place_text(m), details]
            x, used = a.left(), row_h
            for (_, share), value in zip(columns, values, strict=True):
                cell = QRectF(x + r.pt(3), y + r.pt(2), a.width() * share - r.pt(6), r.pt(40))
                used = max(used, r.text(cell, value, 7.5 if share < 0.3 else 8) + r.pt(4))
                x += a.width() * share
            r.painter.setPen(QPen(QColor(215, 215, 215), r.pt(0.5)))
            r.painter.drawLine(a.left(), y + used, a.right(), y + used)
            y += used
        if len(self.numbered) > MAX_ROWS:
            more = f"… and {len(self.numbered) - MAX_ROWS} more (all are listed in the viewer and in the JSON)."
            y += r.text(QRectF(a.left(), y + r.pt(2), a.width(), r.pt(14)), more, 8)
        self._images(r, y + r.pt(12))

    def _images(self, r: Any, y: float) -> None:
        a, gap = r.area, r.pt(10)
        shown = self.images()
        bottom = a.bottom() - r.pt(18)
        grid_rows = 1 if len(shown) <= 2 else 2
        cell_w = (a.width() - gap) / 2
        cell_h = (bottom - y) / grid_rows - r.pt(14)
        if cell_h < r.pt(90):
            return  # the list took the page
        for k, (view, index) in enumerate(shown):
            left = a.left() + (k % 2) * (cell_w + gap)
            top = y + (k // 2) * (cell_h + r.pt(14))
            self._image(r, view, index, QRectF(left, top, cell_w, cell_h))

    def _image(self, r: Any, view: View, index: int, cell: QRectF) -> None:
        if view == "axial":
            hu, (row_mm, col_mm) = self.volume.hu[index], self.volume.geometry.pixel_spacing
        elif self.mpr is not None:
            plane = self.mpr.plane(self.volume.hu, view, index)
            hu, (row_mm, col_mm) = plane.image, plane.pixel_mm
        else:
            return
        rows, cols = hu.shape
        aspect = (cols * col_mm) / (rows * row_mm)
        size = QSizeF(cell.width(), cell.width() / aspect)
        if size.height() > cell.height():
            size = QSizeF(cell.height() * aspect, cell.height())
        rect = QRectF(cell.left(), cell.top(), size.width(), size.height())
        r.painter.drawImage(rect, embedded_image(apply_window(hu, PRESETS["brain"])))
        span = ImageSpan(rect, 0, 0, rows, cols)
        draw_marks(
            r.painter, span, self.numbered, view, index, self.volume, self.mpr, self.outlines, r.font(7.5, True), r.unit
        )
        caption = f"{view.capitalize()} {'slice' if view == 'axial' else 'image'} {index + 1} (brain window)"
        r.text(
            QRectF(rect.left(), rect.bottom() + r.pt(2), cell.width(), r.pt(12)),
            caption,
            7.5,
            colour=QColor(70, 70, 70),
        )
