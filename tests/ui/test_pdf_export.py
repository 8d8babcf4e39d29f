"""PDF export from the viewer: nothing without a result; "AI not applicable" written at once; a file that cannot
be written is said (the written PDF is checked with the bundled model in test_main_window_ai.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.settings import Settings
from ichviewer.core.state import ViewerState
from ichviewer.ui.ai_worker import AIWorker
from ichviewer.ui.pdf_export import PdfExport


@dataclass
class Exporting:
    """A state with a model, a worker that is never started (each test hands over the heatmaps
    itself) and the export under test."""

    state: ViewerState
    worker: AIWorker
    export: PdfExport

    def load(self, folder: Path, volume: object) -> None:
        self.state.load_done(self.state.open_folder(folder), volume)  # type: ignore[arg-type]


@pytest.fixture
def exporting(qtbot) -> Callable[..., Exporting]:  # type: ignore[no-untyped-def]
    def make(model: str = "m 1", settings: Settings | None = None) -> Exporting:
        state = ViewerState()
        state.model_ready(model, "CPU", LABEL_KEYS)
        worker = AIWorker(state, None, "cpu")
        parent = QWidget()
        qtbot.addWidget(parent)
        return Exporting(state, worker, PdfExport(state, worker, settings or Settings(), parent))

    return make


def test_no_result_no_export_and_a_write_failure_is_said(exporting, make_volume, make_result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    setup = exporting()
    state, worker, export = setup.state, setup.worker, setup.export
    export.export(tmp_path / "none.pdf")
    assert export.pending is None  # nothing analysed yet
    setup.load(tmp_path, make_volume(np.full((20, 32, 32), 35, np.int16)))
    job = state.jobs.current("analysis")
    state.analysis_done(job, make_result(20, {(4, "any"): 0.9}), False)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    export.export(blocker / "report.pdf")
    assert export.pending is not None and "Preparing the PDF" in state.status
    worker.reportHeatmapsReady.emit(job, {})
    assert export.pending is None and state.status.startswith(f"Could not write {blocker / 'report.pdf'}")
    assert export.last_report is None


def test_the_status_always_ends_preparing(exporting, make_volume, make_result, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Written, dropped by the worker, or failing on a bug: never "Preparing the PDF…" left on screen."""
    setup = exporting()
    state, worker, export = setup.state, setup.worker, setup.export
    setup.load(tmp_path, make_volume(np.full((20, 32, 32), 35, np.int16)))
    job = state.jobs.current("analysis")
    state.analysis_done(job, make_result(20, {(4, "any"): 0.9}), False)
    export.export(tmp_path / "written.pdf")
    worker.reportHeatmapsReady.emit(job, {})
    assert state.status.startswith(f"Wrote {tmp_path / 'written.pdf'} in") and (tmp_path / "written.pdf").is_file()
    export.export(tmp_path / "dropped.pdf")
    worker.reportHeatmapsReady.emit(job, None)
    assert state.status.startswith("PDF summary not written") and not (tmp_path / "dropped.pdf").exists()

    def broken(*_: object, **__: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr("ichviewer.report.pdf.write_pdf", broken)  # imported by the export when it writes
    export.export(tmp_path / "bug.pdf")
    worker.reportHeatmapsReady.emit(job, {})
    assert "ValueError: a bug" in state.status and export.pending is None


def test_the_file_name_offered_names_the_study_not_the_patient(
    exporting, make_volume, make_result, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    setup = exporting(settings=Settings(last_export_folder=str(tmp_path)))
    state, export = setup.state, setup.export
    setup.load(tmp_path, make_volume(np.full((4, 16, 16), 35, np.int16)))
    state.analysis_done(state.jobs.current("analysis"), make_result(4), False)
    offered: list[str] = []
    monkeypatch.setattr(
        "ichviewer.ui.pdf_export.QFileDialog.getSaveFileName", lambda *args: (offered.append(args[2]), ("", ""))[1]
    )
    state.display.show_patient = False
    export.choose()
    state.display.show_patient = True
    export.choose()
    assert offered == [
        str(tmp_path / "ich-summary-2026-01-01-synthetic.pdf"),
        str(tmp_path / "ich-summary-2026-01-01-synthetic-TEST.pdf"),
    ]


def test_not_applicable_is_written_at_once_without_heatmaps(exporting, make_volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    setup = exporting("ichnet-test 1.0")
    state, export = setup.state, setup.export
    setup.load(tmp_path, make_volume(np.full((4, 16, 16), 35, np.int16)))
    state.analysis_not_applicable(state.jobs.current("analysis"), "a scout")
    export.export(tmp_path / "na.pdf")
    assert export.pending is None and export.last_report == tmp_path / "na.pdf"
    assert state.status.startswith(f"Wrote {tmp_path / 'na.pdf'} in")
    (page,) = [" ".join(p.extract_text().split()) for p in PdfReader(tmp_path / "na.pdf").pages]
    assert "AI not applicable: a scout" in page and "Model: ichnet-test 1.0, not run" in page


def test_the_series_measurements_go_into_the_pdf(exporting, make_volume, make_result, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    from ichviewer.core.measure import measure

    monkeypatch.setenv("ICHVIEWER_DATA", str(tmp_path / "data"))
    setup = exporting()
    state, worker, export = setup.state, setup.worker, setup.export
    setup.load(tmp_path, make_volume(np.full((20, 32, 32), 35, np.int16)))
    state.measurements.add(measure(state.planes.mpr, "length", "axial", 4, [(10, 4), (10, 24)]))
    job = state.jobs.current("analysis")
    state.analysis_done(job, make_result(20, {(4, "any"): 0.9}), False)
    export.export(tmp_path / "report.pdf")
    worker.reportHeatmapsReady.emit(job, {})
    assert export.last_report == tmp_path / "report.pdf"
    last = " ".join(PdfReader(str(export.last_report)).pages[-1].extract_text().split())
    assert "Measurements" in last and "Length 10.0 mm" in last and "Axial slice 5" in last
