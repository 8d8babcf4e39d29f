"""PDF summary of an analysed study, drawn with QPdfWriter + QPainter (no widgets: works headless).

Page 1: the study verdict first (`report/verdict_box.py`), the "not for clinical use" notice, study
and series, model and device, the study table and the per-slice score chart. Then the key findings
(`StudyResult.key_findings`), two per page: brain window with and without the Grad-CAM overlay,
and their scores; the reader's measurements drawn on them, and listed on a last page with their
images (`report.measurement_page`). Text is vector; images are embedded at twice the slice's resolution so they
print smoothly. The file is written to a temporary name and renamed, so a reader never sees half
a report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QPen

from ichviewer.core.geometry import TILT_REPORT_DEG
from ichviewer.core.heatmap_colors import blend
from ichviewer.core.labels import label
from ichviewer.core.measure import Measurement
from ichviewer.core.orientation import edge_letters
from ichviewer.core.preprocess import crop_square, head_box
from ichviewer.core.results import StudyResult
from ichviewer.core.verdict_text import ALARM, VerdictText, study_verdict_text
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import PRESETS, apply_window
from ichviewer.report.images import embedded_image as _qimage
from ichviewer.report.measurement_page import MeasurementPage
from ichviewer.report.pdf_canvas import TITLE, PdfCanvas, ReportOptions, write_atomically
from ichviewer.report.score_chart import draw_score_chart
from ichviewer.report.slice_markers import draw_edge_letters
from ichviewer.report.verdict_box import draw_verdict_box

SLICES_PER_PAGE = 2
__all__ = ["ReportOptions", "write_pdf"]


def write_pdf(
    path: str | Path,
    volume: CTVolume,
    result: StudyResult,
    heatmaps: Mapping[int, np.ndarray] | None = None,
    options: ReportOptions | None = None,
    created: datetime | None = None,
    measurements: Sequence[Measurement] = (),
) -> Path:
    """Render the report to `path` atomically (with the reader's `measurements` of this series); returns the path."""
    chosen, stamp = options or ReportOptions(), created or datetime.now().astimezone()
    return write_atomically(
        path, lambda tmp: _Renderer(tmp, volume, result, heatmaps or {}, chosen, stamp, measurements).render()
    )


class _Renderer(PdfCanvas):
    """One report of an analysed study: the summary page and the key slices' pages."""

    def __init__(
        self,
        path: str,
        volume: CTVolume,
        result: StudyResult,
        heatmaps: Mapping[int, np.ndarray],
        options: ReportOptions,
        created: datetime,
        measurements: Sequence[Measurement] = (),
    ) -> None:
        self.result, self.heatmaps = result, heatmaps
        self.key_labels = dict(result.key_findings(options.max_key_slices))
        self.keys = list(self.key_labels)
        self.measured = MeasurementPage(volume, measurements) if measurements else None
        pages = 1 + math.ceil(len(self.keys) / SLICES_PER_PAGE) + (self.measured is not None)
        super().__init__(path, volume, options, created, pages)

    def render(self) -> None:
        with self.painting():
            self.summary_page()
            for first in range(0, len(self.keys), SLICES_PER_PAGE):
                self.writer.newPage()
                self.slice_page(self.keys[first : first + SLICES_PER_PAGE])
            if self.measured is not None:
                self.writer.newPage()
                self.measured.draw(self)

    def summary_page(self) -> None:
        y = self.header_footer(TITLE)
        y = draw_verdict_box(self, y, self.verdict())
        y = self.notice(y)
        r = self.result
        model = (
            f"Model: {r.model_name} {r.model_version} (weights sha256 {r.model_sha256[:12]}…), "
            f"run on {r.device} in {r.elapsed_s:.1f} s, {r.created}"
        )
        y = self.facts(y, model)
        y = self.study_table(y)
        chart = QRectF(self.area.left(), y, self.area.width(), self.pt(190))
        self.text(QRectF(chart.left(), chart.top(), chart.width(), self.pt(14)), "Scores per slice", 10, bold=True)
        draw_score_chart(self.painter, chart.adjusted(0, self.pt(16), 0, 0), self.result, self.font(8), self.unit)
        self.load_notes(chart.bottom() + self.pt(12))

    def verdict(self) -> VerdictText:
        """The study verdict (`core.verdict_text`) and what a reader of paper needs beside it."""
        verdict = study_verdict_text(self.result, self.volume)
        if verdict.tone != ALARM:
            more: tuple[str, ...] = ("Not detected by the model does not exclude hemorrhage.",)
        elif self.keys:
            more = (f"Key slices follow on page 2{'' if self.pages == 2 else f' to {self.pages}'}.",)
        else:
            more = ()
        return replace(verdict, details=(*verdict.details, *more))

    def study_table(self, y: float) -> float:
        a = self.area
        columns = [
            ("Label", 0.30),
            ("Highest score", 0.16),
            ("at slice", 0.12),
            ("Slices flagged", 0.14),
            ("Threshold", 0.13),
            ("Verdict", 0.15),
        ]
        row_h = self.pt(15)
        x = a.left()
        self.painter.fillRect(QRectF(a.left(), y, a.width(), row_h), QColor(230, 230, 235))
        for title, share in columns:
            self.text(QRectF(x + self.pt(4), y + self.pt(3), a.width() * share, row_h), title, 8.5, bold=True)
            x += a.width() * share
        y += row_h
        for row in self.result.label_summaries():
            values = [
                label(row.label).name,
                f"{row.max_score:.3f}",
                str(row.max_slice + 1),
                str(row.slices_over),
                f"{row.threshold:.3f}",
                row.verdict,
            ]
            x = a.left()
            for (_, share), value in zip(columns, values, strict=True):
                colour = QColor(170, 20, 20) if row.positive and value == row.verdict else QColor(20, 20, 20)
                self.text(
                    QRectF(x + self.pt(4), y + self.pt(3), a.width() * share, row_h),
                    value,
                    8.5,
                    bold=row.positive and value == row.verdict,
                    colour=colour,
                )
                x += a.width() * share
            self.painter.setPen(QPen(QColor(215, 215, 215), self.pt(0.5)))
            self.painter.drawLine(a.left(), y + row_h, a.right(), y + row_h)
            y += row_h
        return y + self.pt(14)

    def slice_page(self, slices: list[int]) -> None:
        y = self.header_footer("Key slices")
        block = (self.area.bottom() - self.pt(16) - y) / SLICES_PER_PAGE
        for index in slices:
            self.slice_block(index, QRectF(self.area.left(), y, self.area.width(), block - self.pt(8)))
            y += block

    def slice_block(self, index: int, rect: QRectF) -> None:
        r, v = self.result, self.volume
        top, score = r.top_label(index)
        tilt = f" · gantry tilt {v.geometry.tilt_deg:.1f}°" if v.geometry.tilt_deg > TILT_REPORT_DEG else ""
        title = (
            f"Slice {index + 1} of {v.n_slices} · position {v.slice_position(index):.1f} mm{tilt} · "
            f"strongest: {label(top).name} {score:.3f}"
        )
        y = (
            rect.top()
            + self.text(QRectF(rect.left(), rect.top(), rect.width(), self.pt(16)), title, 10, bold=True)
            + self.pt(4)
        )
        hu = v.hu[index]
        box = head_box(hu)
        grey = crop_square(apply_window(hu, PRESETS["brain"]), box, fill=0)
        heat = self.heatmaps.get(index)
        side = min((rect.width() - self.pt(12)) / 2, rect.bottom() - y - self.pt(58))
        dy, dx = v.geometry.pixel_spacing
        aspect = dy / dx
        size = QSizeF(side, side * aspect) if aspect <= 1 else QSizeF(side / aspect, side)
        left = QRectF(rect.left(), y, size.width(), size.height())
        right = QRectF(rect.left() + side + self.pt(12), y, size.width(), size.height())
        self.painter.drawImage(left, _qimage(grey))
        letters = edge_letters(v.geometry.orientation)
        draw_edge_letters(self.painter, left, letters, self.font(9, bold=True), self.pt(11))
        self.caption(left, "Brain window (L40/W80)")
        if self.measured is not None:
            self.measured.on_key_image(self, left, box.top, box.left, box.side, index)
        if heat is not None:
            overlay = blend(grey, crop_square(heat, box, fill=0), self.options.heatmap_opacity)
            self.painter.drawImage(right, _qimage(overlay))
            draw_edge_letters(self.painter, right, letters, self.font(9, bold=True), self.pt(11))
            shown = self.key_labels.get(index, top)
            self.caption(right, f"Grad-CAM for {label(shown).name}: where the model looked (not the bleed's outline)")
        else:
            self.painter.fillRect(right, QColor(240, 240, 240))
            self.text(right, "heatmap not available", 9, flags=int(Qt.AlignmentFlag.AlignCenter))
        self.scores_row(index, QRectF(rect.left(), y + side + self.pt(22), rect.width(), self.pt(28)))

    def caption(self, image: QRectF, text: str) -> None:
        self.text(
            QRectF(image.left(), image.bottom() + self.pt(2), image.width(), self.pt(20)),
            text,
            7.5,
            colour=QColor(70, 70, 70),
        )

    def scores_row(self, index: int, rect: QRectF) -> None:
        r = self.result
        width = rect.width() / len(r.labels)
        for k, key in enumerate(r.labels):
            cell = QRectF(rect.left() + k * width, rect.top(), width - self.pt(3), rect.height())
            over = bool(r.flags[index, k])
            self.painter.fillRect(cell, QColor(255, 225, 225) if over else QColor(240, 240, 243))
            self.text(cell.adjusted(self.pt(3), self.pt(2), 0, 0), label(key).name, 7.5, colour=QColor(60, 60, 60))
            self.text(
                cell.adjusted(self.pt(3), self.pt(12), 0, 0),
                f"{r.scores[index, k]:.3f}" + ("  ▲" if over else ""),
                9.5,
                bold=over,
                colour=QColor(170, 20, 20) if over else QColor(20, 20, 20),
            )
