"""The AI worker: one thread owns the classifier and runs analyses and Grad-CAM heatmaps in turn.

pytorch-grad-cam's hooks sit on the shared network, so scoring and Grad-CAM never run at the
same time; heatmap requests are served between analysis batches so the overlay stays responsive
while a study is being scored. Requests come from the state's events, each with its `Job`;
a cancelled job is skipped, and results go back into the state through a `StateRelay`.
Errors are logged with their traceback and shown as a failed analysis; the viewer keeps working.
"""

from __future__ import annotations

import logging
import queue
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from ichviewer.core.jobs import Job
from ichviewer.core.progress import Cancelled
from ichviewer.core.results import KeyFinding
from ichviewer.core.state import AnalysisRequest, HeatmapRequest, ViewerState
from ichviewer.core.volume import CTVolume
from ichviewer.ui.state_relay import StateRelay

log = logging.getLogger(__name__)

_WAKE = "wake"  # a job that only makes the loop look at the heatmap queue


@dataclass(frozen=True, eq=False)
class _ReportRequest:
    job: Job
    volume: CTVolume
    findings: list[KeyFinding]


class AIWorker(QObject):
    """Serves the state's analysis and heatmap requests; `request_report` serves the PDF export."""

    reportHeatmapsReady = Signal(object, object)  # job, {slice: float32 map} for the PDF's key slices (None: dropped)

    def __init__(self, state: ViewerState, model_dir: str | None, device: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model_dir, self.device = model_dir or None, device
        self.relay = StateRelay(state, self)
        self.jobs: queue.Queue[AnalysisRequest | str | None] = queue.Queue()
        self.heatmap_jobs: queue.Queue[HeatmapRequest | _ReportRequest] = queue.Queue()
        self.classifier = None
        self.thread = QThread()
        self.thread.setObjectName("ichviewer-ai")
        self.thread.run = self._run  # type: ignore[method-assign]
        state.events.analysis_requested.connect(self.jobs.put)
        state.events.heatmap_requested.connect(self._queue_heatmap)

    def start(self) -> None:
        """Load the model and serve requests in the thread (after the caller has connected what it needs)."""
        self.thread.start()

    def request_report(self, job: Job, volume: CTVolume, findings: list[KeyFinding]) -> None:
        """Heatmaps of the PDF's key slices, batched per label; `reportHeatmapsReady` brings them all."""
        self._queue_heatmap(_ReportRequest(job, volume, list(findings)))

    def stop(self) -> None:
        """End the thread after the job in progress (its Job is cancelled by the state) and wait for it."""
        self.jobs.put(None)
        self.thread.wait()

    def running(self) -> bool:
        return self.thread.isRunning()

    def _queue_heatmap(self, request: HeatmapRequest | _ReportRequest) -> None:
        self.heatmap_jobs.put(request)
        self.jobs.put(_WAKE)

    # --- worker thread ------------------------------------------------------------------------
    def _run(self) -> None:
        if not self._load_model():
            return
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if isinstance(job, AnalysisRequest):
                self._analyse(job)
            self._serve_heatmaps()

    def _load_model(self) -> bool:
        from ichviewer.core.inference import Classifier
        from ichviewer.core.model import ModelError

        try:
            self.classifier = Classifier(self.model_dir, self.device)
        except (ModelError, ValueError, OSError) as error:
            log.warning("AI unavailable: %s", error)
            self.relay.call("model_failed", str(error))
            return False
        except Exception as error:
            log.exception("Unexpected error while loading the model")
            self.relay.call("model_failed", f"{type(error).__name__}: {error} (details in the log)")
            return False
        card = self.classifier.card
        self.relay.call("model_ready", card.title, self.classifier.device_label, card.labels)
        return True

    def _analyse(self, request: AnalysisRequest) -> None:
        from ichviewer.core.scoring import score_volume

        job = request.job
        if job.cancelled:
            return

        def on_batch(indices: list[int], scores: np.ndarray) -> None:
            self.relay.call("analysis_scores", job, indices, scores)
            self._serve_heatmaps()

        def progress(done: int, total: int, message: str) -> None:
            self.relay.call("analysis_progress", job, done, total, message)

        try:
            scored = score_volume(request.volume, self.classifier, progress, job.cancel, request.use_cache, on_batch)
        except Cancelled:
            return
        except Exception as error:  # reported to the reader; the viewer keeps working without AI
            log.exception("Analysis of %s failed", request.volume.series.title)
            self.relay.call("analysis_failed", job, f"Analysis failed: {type(error).__name__}: {error}")
            return
        self.relay.call("analysis_done", job, scored.result, scored.from_cache)

    def _serve_heatmaps(self) -> None:
        while True:
            try:
                request = self.heatmap_jobs.get_nowait()
            except queue.Empty:
                return
            if not request.job.cancelled:
                self._serve(request)
            elif isinstance(request, _ReportRequest):
                self.reportHeatmapsReady.emit(request.job, None)  # the export waiting for it must hear

    def _serve(self, request: HeatmapRequest | _ReportRequest) -> None:
        from ichviewer.core.gradcam import heatmaps_for

        wanted = request.findings if isinstance(request, _ReportRequest) else [(request.index, request.label)]
        try:
            maps = heatmaps_for(self.classifier, request.volume, list(wanted))
        except Exception as error:
            log.exception("Grad-CAM failed on %s", request.volume.series.title)
            self.relay.call("analysis_failed", request.job, f"Heatmap failed: {type(error).__name__}: {error}")
            maps = {}  # the PDF is still written; it says which heatmaps are missing
        if isinstance(request, _ReportRequest):
            self.reportHeatmapsReady.emit(request.job, maps)
        elif request.index in maps:
            uid = request.volume.slices[request.index].sop_instance_uid
            self.relay.call("heatmap_done", request.job, uid, request.label, maps[request.index])
