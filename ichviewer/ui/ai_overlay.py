"""The AI overlay in the viewer: analysis on open, score plot, findings, Grad-CAM and PDF export.

Wires the AI widgets to the main window and forwards intent to the worker thread that owns the
classifier (`AnalysisWorker`); it computes nothing itself. Each opened volume gets a new
generation number, so results of a study the reader has left never reach the screen.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ichviewer.core.labels import LABEL_KEYS, label
from ichviewer.core.results import StudyResult
from ichviewer.core.volume import CTVolume
from ichviewer.ui.analysis_worker import AnalysisWorker
from ichviewer.ui.findings_panel import FindingsPanel
from ichviewer.ui.heat_legend import HeatLegend
from ichviewer.ui.score_plot import ScorePlot

if TYPE_CHECKING:
    from ichviewer.ui.main_window import MainWindow

STRONGEST = "strongest"
FLAG_COLOUR = QColor("#ff5c5c")
NOTICE = "AI findings — research use only, not for clinical use"


class AIOverlay(QObject):
    """Owns the AI dock, the AI status label and the worker; `window` keeps the image and slider."""

    def __init__(self, window: MainWindow, model_dir: str | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.generation = 0
        self.volume: CTVolume | None = None
        self.result: StudyResult | None = None
        self.model_title = ""
        self.device_label = ""
        self.model_error: str | None = None
        self.partial_scores: np.ndarray | None = None
        self.partial_done: np.ndarray | None = None
        self.heat_cache: dict[tuple[int, str], np.ndarray] = {}
        self.pending_report: tuple[int, Path, float] | None = None
        self.last_report: Path | None = None

        self.plot = ScorePlot()
        self.findings = FindingsPanel()
        self._build_dock()
        self.status = QLabel("AI: loading model…")
        self.status.setObjectName("aiStatus")
        window.status_bar.addPermanentWidget(self.status)
        self._build_actions()

        self.worker = AnalysisWorker(model_dir, self.settings.device, self)
        self.worker.modelReady.connect(self._on_model_ready)
        self.worker.modelFailed.connect(self._on_model_failed)
        self.worker.progress.connect(self._on_progress)
        self.worker.partial.connect(self._on_partial)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.heatmapReady.connect(self._on_heatmap)
        self.worker.reportHeatmapsReady.connect(self._on_report_heatmaps)
        self.worker.start()

        window.studyCleared.connect(self.clear)
        window.volumeLoaded.connect(self._on_volume_loaded)
        window.slice_view.sliceChanged.connect(self._on_slice_changed)
        self.plot.sliceRequested.connect(window.slice_view.set_index)
        self.findings.sliceRequested.connect(window.slice_view.set_index)

    # --- building --------------------------------------------------------------------------
    def _build_dock(self) -> None:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 4, 4, 4)
        notice = QLabel(NOTICE)
        notice.setObjectName("aiNotice")
        notice.setWordWrap(True)
        notice.setStyleSheet("color: #f0b35a; font-weight: bold;")
        layout.addWidget(notice)
        layout.addWidget(self.plot, stretch=2)

        heat_row = QHBoxLayout()
        self.heat_box = QCheckBox("Heatmap (H)")
        self.heat_box.setToolTip("Grad-CAM: where the model looked for the chosen label — not an outline of the bleed")
        self.heat_box.setChecked(True)
        self.heat_box.toggled.connect(self._refresh_heatmap)
        self.heat_label = QComboBox()
        self.heat_label.addItem("Strongest label (flagged slices)", STRONGEST)
        for key in LABEL_KEYS:
            self.heat_label.addItem(f"{label(key).name} (every slice)", key)
        self.heat_label.setToolTip("Which label's Grad-CAM to draw")
        self.heat_label.currentIndexChanged.connect(self._refresh_heatmap)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(10, 90)
        self.opacity.setValue(int(round(100 * self.settings.heatmap_opacity)))
        self.opacity.setToolTip("Heatmap opacity")
        self.opacity.setMaximumWidth(110)
        self.opacity.valueChanged.connect(self._on_opacity)
        heat_row.addWidget(self.heat_box)
        heat_row.addWidget(self.heat_label, 1)
        heat_row.addWidget(self.opacity)
        layout.addLayout(heat_row)
        self.legend = HeatLegend(self.settings.heatmap_opacity)
        layout.addWidget(self.legend)
        layout.addWidget(self.findings, stretch=3)

        self.dock = QDockWidget("AI findings", self.window)
        self.dock.setObjectName("aiDock")
        self.dock.setWidget(panel)
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.dock.setMinimumWidth(340)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.window.resizeDocks([self.dock], [400], Qt.Orientation.Horizontal)

    def _build_actions(self) -> None:
        w = self.window
        menu = QMenu("&AI", w)
        w.menuBar().insertMenu(w.help_menu.menuAction(), menu)
        w.add_action(menu, "&Next flagged slice", lambda: self.jump_flagged(+1), "N", "Next flagged slice")
        w.add_action(
            menu, "&Previous flagged slice", lambda: self.jump_flagged(-1), "Shift+N", "Previous flagged slice"
        )
        w.add_action(menu, "Toggle &heatmap", self.heat_box.toggle, "H", "Show / hide the Grad-CAM heatmap")
        w.add_action(menu, "&Analyse again", lambda: self.analyse(use_cache=False), None)
        self.auto_action = w.add_action(menu, "Analyse studies when &opened", self._toggle_auto, None)
        self.auto_action.setCheckable(True)
        self.auto_action.setChecked(self.settings.auto_analyse)
        menu.addAction(self.dock.toggleViewAction())
        self.export_action = w.add_action(
            w.file_menu,
            "&Export PDF summary…",
            self.choose_pdf,
            "Ctrl+E",
            "Export the PDF summary",
            before=w.file_menu_anchor,
        )
        self.export_action.setEnabled(False)

    # --- study life cycle --------------------------------------------------------------------
    def clear(self) -> None:
        """A new study or series is on its way: drop everything shown for the old one."""
        self.generation += 1
        self.worker.cancel()
        self.volume = self.result = None
        self.heat_cache.clear()
        self.partial_scores = self.partial_done = None
        self.plot.clear(0)
        self.findings.clear("No analysis yet")
        self.window.slider.set_marks([], FLAG_COLOUR, key="flagged")
        self.window.slice_view.set_heatmap(None)
        self.export_action.setEnabled(False)
        if self.model_error is None and self.model_title:
            self._set_status(f"AI: {self.model_title} on {self.device_label}")

    def _show_volume(self, volume: CTVolume) -> None:
        """Drop the previous output and show an empty score plot for `volume`."""
        self.clear()
        self.volume = volume
        self.plot.clear(volume.n_slices)
        self.plot.set_current(self.window.slice_view.index)

    def _on_volume_loaded(self, volume: CTVolume) -> None:
        if self.settings.auto_analyse:
            self.volume = volume
            self.analyse()
        else:
            self._show_volume(volume)
            self.findings.clear("Automatic analysis is off (AI ▸ Analyse again)")

    def analyse(self, use_cache: bool = True) -> None:
        """Score the open volume in the worker (cached scores come back at once)."""
        if self.volume is None:
            return
        volume = self.volume
        self._show_volume(volume)
        if self.model_error is not None:
            self.findings.clear(f"AI unavailable: {self.model_error}")
            return
        self.partial_scores = np.full((volume.n_slices, len(LABEL_KEYS)), np.nan, dtype=np.float32)
        self.partial_done = np.zeros(volume.n_slices, dtype=bool)
        self.findings.clear("Analysing…")
        self.worker.analyse(self.generation, volume, use_cache)

    # --- worker signals --------------------------------------------------------------------
    def _on_model_ready(self, title: str, device: str) -> None:
        self.model_title, self.device_label = title, device
        self._set_status(f"AI: {title} on {device}")

    def _on_model_failed(self, message: str) -> None:
        self.model_error = message
        self._set_status("AI unavailable (the viewer works without it)", message)
        self.findings.clear(f"AI unavailable: {message}")

    def _on_progress(self, generation: int, done: int, total: int, message: str) -> None:
        if generation == self.generation:
            self._set_status(f"AI: {message} ({done}/{total}) on {self.device_label}")

    def _on_partial(self, generation: int, indices: object, scores: object) -> None:
        if generation != self.generation or self.partial_scores is None or self.partial_done is None:
            return
        rows = np.asarray(indices, dtype=int)
        self.partial_scores[rows] = np.asarray(scores, dtype=np.float32)
        self.partial_done[rows] = True
        self.plot.set_partial(self.partial_scores, self.partial_done, LABEL_KEYS)

    def _on_finished(self, generation: int, result: StudyResult, cached: bool) -> None:
        if generation != self.generation:
            return
        self.result = result
        self.plot.set_result(result)
        self.plot.set_current(self.window.slice_view.index)
        self.findings.set_result(result)
        self.findings.set_current(self.window.slice_view.index)
        flagged = result.flagged_slices()
        self.window.slider.set_marks(flagged, FLAG_COLOUR, key="flagged")
        self.export_action.setEnabled(True)
        how = "from cache" if cached else f"in {result.elapsed_s:.1f} s"
        self._set_status(f"AI: {len(flagged)} of {result.n_slices} slices flagged ({how}, {self.device_label})")
        self._refresh_heatmap()

    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self._set_status("AI: " + message.split(":")[0], message)
            if self.result is None:
                self.findings.clear(message)

    def _on_heatmap(self, generation: int, index: int, key: str, heat: object) -> None:
        if generation != self.generation:
            return
        self.heat_cache[(index, key)] = np.asarray(heat, dtype=np.float32)
        if index == self.window.slice_view.index:
            self._refresh_heatmap()

    # --- heatmap ----------------------------------------------------------------------------
    def heatmap_label(self, index: int) -> str | None:
        """The label whose Grad-CAM the current choice asks for on slice `index` (None: draw nothing)."""
        if self.result is None:
            return None
        choice = self.heat_label.currentData()
        if choice != STRONGEST:
            return str(choice)
        if not self.result.flags[index].any():
            return None
        return self.result.top_label(index)[0]

    def _refresh_heatmap(self) -> None:
        view = self.window.slice_view
        index = view.index
        key = self.heatmap_label(index) if self.heat_box.isChecked() and self.volume is not None else None
        if key is None:
            view.set_heatmap(None)
            return
        heat = self.heat_cache.get((index, key))
        if heat is None:
            view.set_heatmap(None)
            assert self.volume is not None
            self.worker.request_heatmap(self.generation, self.volume, index, key)
            return
        view.set_heatmap(heat, self.opacity.value() / 100)

    def _on_opacity(self, value: int) -> None:
        self.settings.heatmap_opacity = value / 100
        self.legend.set_opacity(value / 100)
        self._refresh_heatmap()

    def _on_slice_changed(self, index: int) -> None:
        self.plot.set_current(index)
        if self.result is not None:
            self.findings.set_current(index)
        self._refresh_heatmap()

    # --- navigation -------------------------------------------------------------------------
    def jump_flagged(self, step: int) -> None:
        """N / Shift+N: the next or previous flagged slice (wrapping), if any."""
        if self.result is None:
            return
        target = self.result.next_flagged(self.window.slice_view.index, step)
        if target is None:
            self.window.show_status("No slice passes the threshold")
        else:
            self.window.slice_view.set_index(target)

    def _toggle_auto(self) -> None:
        self.settings.auto_analyse = self.auto_action.isChecked()

    # --- PDF ----------------------------------------------------------------------------------
    def choose_pdf(self) -> None:
        """File ▸ Export PDF summary…: the dialog asks before replacing an existing file."""
        from ichviewer.report.pdf import default_report_name

        if self.result is None:
            return
        start = Path(self.settings.last_export_folder or Path.home()) / default_report_name()
        path, _ = QFileDialog.getSaveFileName(self.window, "Export PDF summary", str(start), "PDF (*.pdf)")
        if path:
            if not path.lower().endswith(".pdf"):
                path += ".pdf"  # the dialog confirmed the name without the suffix: ask for this one
                if (
                    Path(path).exists()
                    and QMessageBox.question(self.window, "Replace the file?", f"{path} exists. Replace it?")
                    != QMessageBox.StandardButton.Yes
                ):
                    return
            self.export_pdf(Path(path))

    def export_pdf(self, path: Path) -> None:
        """Compute the key slices' heatmaps in the worker, then write the PDF (confirmed path)."""
        from ichviewer.report.pdf import heatmap_requests

        if self.result is None or self.volume is None:
            return
        self.pending_report = (self.generation, Path(path), time.perf_counter())
        self._set_status("AI: preparing the PDF summary (Grad-CAM of the key slices)…")
        self.worker.request_report(self.generation, self.volume, heatmap_requests(self.result, 6))

    def _on_report_heatmaps(self, generation: int, heatmaps: object) -> None:
        from ichviewer.report.pdf import ReportOptions, write_pdf

        if self.pending_report is None or generation != self.generation or self.result is None or self.volume is None:
            return
        _, path, started = self.pending_report
        self.pending_report = None
        try:
            write_pdf(
                path,
                self.volume,
                self.result,
                heatmaps,  # type: ignore[arg-type]
                ReportOptions(heatmap_opacity=self.opacity.value() / 100),
            )
        except OSError as error:
            self.window.show_status(f"Could not write {path}: {error}")
            return
        self.settings.last_export_folder = str(path.parent)
        self.last_report = path
        self.window.show_status(f"Wrote {path} in {time.perf_counter() - started:.1f} s")

    # --- status / shutdown --------------------------------------------------------------------
    def _set_status(self, text: str, tooltip: str | None = None) -> None:
        self.status.setText(text)
        self.status.setToolTip(tooltip or text)

    def shutdown(self) -> None:
        """Cancel the analysis and join the worker thread (window closing)."""
        self.worker.stop()

    def running(self) -> bool:
        return self.worker.thread.isRunning()
