"""What every PDF page of ours shares: the page set-up, wrapped text, header and footer, the intended-use notice,
the patient/study/series facts and the notes on the images; and writing a PDF atomically.

Drawn with QPdfWriter + QPainter (no widgets: works headless). The analysed study's report
(`report/pdf.py`) and the "AI not applicable" page (`report/not_applicable_pdf.py`) draw on it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from ichviewer import __version__
from ichviewer.core.intended_use import HEATMAP_CAVEAT, NOT_A_MEDICAL_DEVICE, NOT_FOR_CLINICAL_USE
from ichviewer.core.overlay_text import dicom_date
from ichviewer.core.results import KEY_FINDINGS_SHOWN
from ichviewer.core.volume import CTVolume
from ichviewer.qt_setup import ensure_gui_application

DPI = 300
NOTICE = f"{NOT_FOR_CLINICAL_USE.upper()}. The scores come from an AI model. {NOT_A_MEDICAL_DEVICE} {HEATMAP_CAVEAT}"
TITLE = "Intracranial hemorrhage — AI summary"


@dataclass(frozen=True)
class ReportOptions:
    """What the reader chooses: de-identification, how many key slices, paper size."""

    deidentify: bool = False
    max_key_slices: int = KEY_FINDINGS_SHOWN
    page_size: str = "A4"  # or "Letter"
    heatmap_opacity: float = 0.5


def write_atomically(path: str | Path, render: Callable[[str], None]) -> Path:
    """`render(temporary path)` beside `path`, then rename: a reader never sees half a report, and a failure
    leaves an existing file as it was."""
    ensure_gui_application()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".pdf.tmp", dir=path.parent)
    os.close(fd)
    try:
        render(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class PdfCanvas:
    """One PDF of `pages` pages about `volume`: its writer, painter, fonts and the blocks every report draws."""

    painter: QPainter
    area: QRectF

    def __init__(self, path: str, volume: CTVolume, options: ReportOptions, created: datetime, pages: int) -> None:
        self.volume, self.options, self.created, self.pages = volume, options, created, pages
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
        self.page = 0

    @contextmanager
    def painting(self) -> Iterator[None]:
        """The painter open on the first page while the report draws its pages; closed even when drawing fails."""
        self.painter = QPainter(self.writer)
        try:
            self.area = QRectF(self.writer.pageLayout().paintRectPixels(DPI))
            self.area.moveTo(0, 0)
            yield
        finally:
            self.painter.end()

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

    def measure(self, width: float, text: str, size: float, bold: bool = False) -> float:
        """The height `text` takes wrapped to `width` (nothing drawn)."""
        self.painter.setFont(self.font(size, bold))
        wrap = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        return self.painter.boundingRect(QRectF(0, 0, width, self.area.height()), wrap, text).height()

    def pt(self, points: float) -> float:
        return points * self.unit

    # --- blocks -------------------------------------------------------------------------------
    def header_footer(self, title: str) -> float:
        """Title and time on top, version, intended use and page number below; returns where the page's body starts."""
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
        inner.setHeight(self.measure(inner.width(), NOTICE, 8.5, bold=True) + self.pt(2))
        box = QRectF(a.left(), y, a.width(), inner.height() + self.pt(8))
        self.painter.setPen(QPen(QColor(180, 20, 20), self.pt(1.2)))
        self.painter.setBrush(QColor(255, 235, 235))
        self.painter.drawRect(box)
        self.painter.setBrush(Qt.BrushStyle.NoBrush)
        self.text(inner, NOTICE, 8.5, bold=True, colour=QColor(150, 10, 10))
        return box.bottom() + self.pt(10)

    def facts(self, y: float, model: str) -> float:
        """Patient and study (or that they were removed), the series' geometry, and the `model` line."""
        v, s = self.volume, self.volume.series
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
        used = self.text(
            QRectF(self.area.left(), y, self.area.width(), self.pt(80)), "\n".join((patient, series, model)), 8.5
        )
        return y + used + self.pt(10)

    def load_notes(self, y: float) -> None:
        """What the loader noticed about the images (warnings, files left out), below `y`."""
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


def _date(value: str) -> str:
    return dicom_date(value) or "—"
