"""PDF summary of an analysed study, drawn with QPdfWriter + QPainter (no widgets: works headless).

Page 1: study and series, model and device, the study table, the per-slice score chart and the
"not for clinical use" notice. Then the key findings (`StudyResult.key_findings`), two per page:
brain window with and without the Grad-CAM overlay, and their scores. Text is vector;
images are embedded at twice the slice's resolution so they print smoothly. The file is written
to a temporary name and renamed, so a reader never sees half a report.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from ichviewer import __version__
from ichviewer.core.geometry import TILT_REPORT_DEG
from ichviewer.core.heatmap_colors import blend
from ichviewer.core.intended_use import HEATMAP_CAVEAT, NOT_A_MEDICAL_DEVICE, NOT_FOR_CLINICAL_USE
from ichviewer.core.labels import label
from ichviewer.core.orientation import edge_letters
from ichviewer.core.overlay_text import dicom_date
from ichviewer.core.preprocess import crop_square, head_box
from ichviewer.core.results import KEY_FINDINGS_SHOWN, StudyResult
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import PRESETS, apply_window
from ichviewer.qt_setup import ensure_gui_application
from ichviewer.report.score_chart import draw_score_chart
from ichviewer.report.slice_markers import draw_edge_letters

DPI = 300
NOTICE = f"{NOT_FOR_CLINICAL_USE.upper()}. The scores come from an AI model. {NOT_A_MEDICAL_DEVICE} {HEATMAP_CAVEAT}"
SLICES_PER_PAGE = 2


@dataclass(frozen=True)
class ReportOptions:
    """What the reader chooses: de-identification, how many key slices, paper size."""

    deidentify: bool = False
    max_key_slices: int = KEY_FINDINGS_SHOWN
    page_size: str = "A4"  # or "Letter"
    heatmap_opacity: float = 0.5


def write_pdf(
    path: str | Path,
    volume: CTVolume,
    result: StudyResult,
    heatmaps: Mapping[int, np.ndarray] | None = None,
    options: ReportOptions = ReportOptions(),
    created: datetime | None = None,
) -> Path:
    """Render the report to `path` atomically; returns the path."""
    ensure_gui_application()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".pdf.tmp", dir=path.parent)
    os.close(fd)
    try:
        _Renderer(tmp, volume, result, heatmaps or {}, options, created or datetime.now().astimezone()).render()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class _Renderer:
    """One report: page geometry, fonts and the drawing of each block."""

    def __init__(
        self,
        path: str,
        volume: CTVolume,
        result: StudyResult,
        heatmaps: Mapping[int, np.ndarray],
        options: ReportOptions,
        created: datetime,
    ) -> None:
        self.volume, self.result, self.heatmaps, self.options, self.created = volume, result, heatmaps, options, created
        self.writer = QPdfWriter(path)
        size = QPageSize.PageSizeId.Letter if options.page_size.lower() == "letter" else QPageSize.PageSizeId.A4
        self.writer.setPageLayout(
            QPageLayout(
                QPageSize(size),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 14, 15, 14),
                QPageLayout.Unit.Millimeter,
            )
        )
        self.writer.setResolution(DPI)
        self.writer.setTitle(f"Intracranial hemorrhage AI summary ({NOT_FOR_CLINICAL_USE.lower()})")
        self.writer.setCreator(f"ichviewer {__version__}")
        self.unit = DPI / 72.0  # one point in device pixels
        self.key_labels = dict(result.key_findings(options.max_key_slices))
        self.keys = list(self.key_labels)
        self.pages = 1 + math.ceil(len(self.keys) / SLICES_PER_PAGE)
        self.page = 0

    # --- text helpers -------------------------------------------------------------------------
    def font(self, size: float, bold: bool = False) -> QFont:
        font = QFont("DejaVu Sans")
        font.setPointSizeF(size)
        font.setBold(bold)
        font.setFeature(QFont.Tag("liga"), 0)  # "fl"/"fi" ligatures would break search and copy in the PDF
        return font

    def text(
        self,
        rect: QRectF,
        text: str,
        size: float = 9,
        bold: bool = False,
        colour: QColor | None = None,
        flags: int = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
    ) -> float:
        """Draw wrapped text in `rect`; return the height used."""
        self.painter.setFont(self.font(size, bold))
        self.painter.setPen(colour if colour is not None else QColor(20, 20, 20))
        bounds = self.painter.boundingRect(rect, flags | int(Qt.TextFlag.TextWordWrap), text)
        self.painter.drawText(rect, flags | int(Qt.TextFlag.TextWordWrap), text)
        return bounds.height()

    def pt(self, points: float) -> float:
        return points * self.unit

    # --- pages --------------------------------------------------------------------------------
    def render(self) -> None:
        self.painter = QPainter(self.writer)
        try:
            self.area = QRectF(self.writer.pageLayout().paintRectPixels(DPI))
            self.area.moveTo(0, 0)
            self.summary_page()
            for first in range(0, len(self.keys), SLICES_PER_PAGE):
                self.writer.newPage()
                self.slice_page(self.keys[first : first + SLICES_PER_PAGE])
        finally:
            self.painter.end()

    def header_footer(self, title: str) -> float:
        self.page += 1
        a = self.area
        self.text(QRectF(a.left(), a.top(), a.width() * 0.7, self.pt(20)), title, 14, bold=True)
        stamp = self.created.strftime("%Y-%m-%d %H:%M %Z").strip()
        self.text(
            QRectF(a.left(), a.top(), a.width(), self.pt(20)),
            f"Generated {stamp}",
            8,
            colour=QColor(90, 90, 90),
            flags=int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
        )
        footer = f"ichviewer {__version__} · {NOT_FOR_CLINICAL_USE.lower()} · page {self.page} of {self.pages}"
        self.text(
            QRectF(a.left(), a.bottom() - self.pt(12), a.width(), self.pt(12)),
            footer,
            7.5,
            colour=QColor(90, 90, 90),
            flags=int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
        )
        return a.top() + self.pt(24)

    def notice(self, y: float) -> float:
        """The intended-use notice in a red box as tall as its text (measured unclipped: never a line cut)."""
        a = self.area
        inner = QRectF(a.left() + self.pt(6), y + self.pt(4), a.width() - self.pt(12), a.height())
        self.painter.setFont(self.font(8.5, bold=True))
        wrap = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        inner.setHeight(self.painter.boundingRect(inner, wrap, NOTICE).height() + self.pt(2))
        box = QRectF(a.left(), y, a.width(), inner.height() + self.pt(8))
        self.painter.setPen(QPen(QColor(180, 20, 20), self.pt(1.2)))
        self.painter.setBrush(QColor(255, 235, 235))
        self.painter.drawRect(box)
        self.painter.setBrush(Qt.BrushStyle.NoBrush)
        self.text(inner, NOTICE, 8.5, bold=True, colour=QColor(150, 10, 10))
        return box.bottom() + self.pt(10)

    def summary_page(self) -> None:
        y = self.header_footer("Intracranial hemorrhage — AI summary")
        y = self.notice(y)
        y = self.facts(y)
        y = self.verdict(y)
        y = self.study_table(y)
        chart = QRectF(self.area.left(), y, self.area.width(), self.pt(190))
        self.text(QRectF(chart.left(), chart.top(), chart.width(), self.pt(14)), "Scores per slice", 10, bold=True)
        draw_score_chart(self.painter, chart.adjusted(0, self.pt(16), 0, 0), self.result, self.font(8), self.unit)
        y = chart.bottom() + self.pt(12)
        self.load_notes(y)

    def facts(self, y: float) -> float:
        v, r, s = self.volume, self.result, self.volume.series
        if self.options.deidentify:
            patient = "De-identified report: patient name, ID, birth date, accession and dates removed."
        else:
            patient = (
                f"Patient: {s.patient_name or '—'}   ID: {s.patient_id or '—'}   "
                f"Born: {_date(s.patient_birth_date)}   Sex: {s.patient_sex or '—'}\n"
                f"Study: {_date(s.study_date)}  {s.study_description or ''}   Accession: {s.accession_number or '—'}"
            )
        dz, dy, dx = v.spacing
        thickness = f"{v.thickness:g} mm" if v.thickness else "unknown"
        series = (
            f"Series {s.number if s.number is not None else '—'}: {s.description or '(no description)'} — "
            f"{v.n_slices} slices, thickness {thickness}, spacing {dz:.2f} mm, pixels {dx:.2f}×{dy:.2f} mm, "
            f"gantry tilt {v.geometry.tilt_deg:.1f}°"
        )
        model = (
            f"Model: {r.model_name} {r.model_version} (weights sha256 {r.model_sha256[:12]}…), "
            f"run on {r.device} in {r.elapsed_s:.1f} s, {r.created}"
        )
        used = self.text(
            QRectF(self.area.left(), y, self.area.width(), self.pt(80)), "\n".join((patient, series, model)), 8.5
        )
        return y + used + self.pt(10)

    def verdict(self, y: float) -> float:
        flagged = self.result.flagged_slices()
        if flagged:
            text = f"FLAGGED — {self.result.describe()}. Key slices follow on the next pages."
            colour = QColor(170, 20, 20)
        else:
            text = (
                f"Nothing passed a threshold: none of the {self.result.n_slices} slices reached the model's "
                "threshold for any label. This does not exclude hemorrhage."
            )
            colour = QColor(20, 90, 20)
        used = self.text(
            QRectF(self.area.left(), y, self.area.width(), self.pt(30)), text, 10.5, bold=True, colour=colour
        )
        return y + used + self.pt(8)

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

    def load_notes(self, y: float) -> None:
        report = self.volume.report
        if not report:
            return
        lines = list(report.warnings)
        skipped = sum(s.count for s in report.skipped)
        if skipped:
            lines.append(f"{skipped} file(s) of the folder were not used (see the viewer's load report).")
        self.text(
            QRectF(self.area.left(), y, self.area.width(), self.area.bottom() - y - self.pt(16)),
            "Notes on the images: " + " ".join(lines),
            8,
            colour=QColor(80, 80, 80),
        )

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


def _qimage(pixels: np.ndarray) -> QImage:
    """QImage (own copy) at twice the resolution, smoothly scaled, from grey or RGB uint8."""
    pixels = np.ascontiguousarray(pixels)
    height, width = pixels.shape[:2]
    if pixels.ndim == 2:
        image = QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8)
    else:
        image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.scaled(
        2 * width, 2 * height, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def _date(value: str) -> str:
    return dicom_date(value) or "—"
