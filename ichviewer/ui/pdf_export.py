"""File ▸ Export PDF summary…: the key slices' heatmaps from the AI worker, then report.pdf.write_pdf; for a
series the AI does not judge, the one-page "AI not applicable" PDF at once (no heatmaps to wait for).

The PDF is the one `ichviewer scan --pdf` writes: same key findings (`StudyResult.key_findings`),
same options; here with the reader's heatmap opacity and the series' measurements as they are now.
The report module (and the model-input code it draws heatmaps with, scipy included) is imported when a
PDF is written, not when the viewer starts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ichviewer.core.ai_state import Phase
from ichviewer.core.jobs import ANALYSIS, Job
from ichviewer.core.measure import Measurement
from ichviewer.core.report_name import default_report_name
from ichviewer.core.results import StudyResult
from ichviewer.core.settings import Settings
from ichviewer.core.state import ViewerState
from ichviewer.core.volume import CTVolume
from ichviewer.ui.ai_worker import AIWorker

if TYPE_CHECKING:
    from ichviewer.report.pdf import ReportOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class _Pending:
    job: Job
    path: Path
    volume: CTVolume
    result: StudyResult
    options: ReportOptions
    started: float
    measurements: tuple[Measurement, ...]


class PdfExport(QObject):
    """Asks for a file name, gathers the heatmaps in the worker, writes the PDF; tells the state's status."""

    def __init__(self, state: ViewerState, worker: AIWorker, settings: Settings, parent: QWidget) -> None:
        super().__init__(parent)
        self.state, self.worker, self.settings, self.parent_widget = state, worker, settings, parent
        self.pending: _Pending | None = None
        self.last_report: Path | None = None
        worker.reportHeatmapsReady.connect(self._on_heatmaps)

    def choose(self) -> None:
        """Ask where to write; the dialog asks before replacing an existing file."""
        volume = self.state.volume
        if not self.state.ai.reportable or volume is None:
            return
        name = default_report_name(volume.series, self.state.display.show_patient)
        start = Path(self.settings.last_export_folder or Path.home()) / name
        path, _ = QFileDialog.getSaveFileName(self.parent_widget, "Export PDF summary", str(start), "PDF (*.pdf)")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"  # the dialog confirmed the name without the suffix: ask for this one
            if (
                Path(path).exists()
                and QMessageBox.question(self.parent_widget, "Replace the file?", f"{path} exists. Replace it?")
                != QMessageBox.StandardButton.Yes
            ):
                return
        self.export(Path(path))

    def export(self, path: Path) -> None:
        """Write the PDF of the analysed study to `path` (already confirmed) once its heatmaps are computed; the
        "AI not applicable" page at once."""
        job, volume, result = self.state.jobs.current(ANALYSIS), self.state.volume, self.state.ai.result
        if volume is not None and self.state.ai.phase is Phase.NOT_APPLICABLE:
            from ichviewer.report.not_applicable_pdf import write_not_applicable_pdf

            reason, model = self.state.ai.message, self.state.model.title
            self._write(Path(path), time.perf_counter(), lambda: write_not_applicable_pdf(path, volume, reason, model))
            return
        if job is None or volume is None or result is None:
            return
        from ichviewer.report.pdf import ReportOptions

        options = ReportOptions(heatmap_opacity=self.state.heatmap.opacity)
        measurements = self.state.measurements.items
        self.pending = _Pending(job, Path(path), volume, result, options, time.perf_counter(), measurements)
        self.state.status = "Preparing the PDF summary (Grad-CAM of the key slices)…"
        self.worker.request_report(job, volume, result.key_findings(options.max_key_slices))

    def _on_heatmaps(self, job: Job, heatmaps: object) -> None:
        """The key slices' heatmaps (None: the worker dropped the request): write, and say so either way."""
        pending = self.pending
        if pending is None or pending.job is not job:
            return
        self.pending = None
        if heatmaps is None:
            self.state.status = (
                f"PDF summary not written: the study changed while it was prepared ({pending.path.name})"
            )
            return
        from ichviewer.report.pdf import write_pdf

        self._write(
            pending.path,
            pending.started,
            lambda: write_pdf(
                pending.path,
                pending.volume,
                pending.result,
                heatmaps,  # type: ignore[arg-type]
                pending.options,
                measurements=pending.measurements,
            ),
        )

    def _write(self, path: Path, started: float, write: Callable[[], object]) -> None:
        """Run `write` and say how it went: written, or why not (never "Preparing…" left on screen)."""
        try:
            write()
        except OSError as error:
            log.warning("Could not write %s: %s", path, error)
            self.state.status = f"Could not write {path}: {error}"
            return
        except Exception as error:  # a bug must not leave "Preparing…" on screen; the log has the traceback
            log.exception("Could not write the PDF summary %s", path)
            self.state.status = f"Could not write {path}: {type(error).__name__}: {error} (details in the log)"
            return
        self.settings.last_export_folder = str(path.parent)
        self.last_report = path
        self.state.status = f"Wrote {path} in {time.perf_counter() - started:.1f} s"
