"""The one-page PDF of a series the model must not judge: "AI not applicable: <reason>" where the verdict stands,
the intended-use notice, the study and series, and the model that declined (no scores, no chart, no slices).

A reader who asked for a report gets one that says why there is no AI answer, rather than no file.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ichviewer.core.verdict_text import not_applicable_text
from ichviewer.core.volume import CTVolume
from ichviewer.report.pdf_canvas import TITLE, PdfCanvas, ReportOptions, write_atomically
from ichviewer.report.verdict_box import draw_verdict_box


def write_not_applicable_pdf(
    path: str | Path,
    volume: CTVolume,
    reason: str,
    model: str,
    options: ReportOptions | None = None,
    created: datetime | None = None,
) -> Path:
    """Render the page to `path` atomically (as `write_pdf`); `model` names the model, e.g. "ichnet-lite0 1.0"."""
    chosen, stamp = options or ReportOptions(), created or datetime.now().astimezone()
    return write_atomically(path, lambda tmp: _NotApplicablePage(tmp, volume, reason, model, chosen, stamp).render())


class _NotApplicablePage(PdfCanvas):
    """The verdict box with the reason, the notice, the facts and the notes on the images."""

    def __init__(
        self, path: str, volume: CTVolume, reason: str, model: str, options: ReportOptions, created: datetime
    ) -> None:
        super().__init__(path, volume, options, created, pages=1)
        self.reason, self.model = reason, model

    def render(self) -> None:
        with self.painting():
            y = self.header_footer(TITLE)
            verdict = not_applicable_text(self.reason, self.volume)
            details = (*verdict.details, "No scores: the images must be read without the AI.")
            y = draw_verdict_box(self, y, replace(verdict, details=details))
            y = self.notice(y)
            y = self.facts(y, f"Model: {self.model}, not run: the series is not one it is made to judge.")
            self.load_notes(y)
