"""The AI worker: one thread owns the classifier and runs analyses and Grad-CAM heatmaps in turn.

A lean start: the thread reads only the model card when it starts; the classifier starts the
first time it is needed (a study not in the cache, or a heatmap), so the viewer opens light and a
study scored before shows its cached results without torch ever loading. The classifier runs in a
child process (`core.classifier_process`): torch's import, the network and Grad-CAM never hold
the GUI's GIL, the child runs at a lower priority on all cores but one, and a crash in it fails
one request (the next starts a new child). This thread only waits on it and relays.

pytorch-grad-cam's hooks sit on the shared network, so scoring and Grad-CAM never run at the
same time; heatmap requests are served between analysis batches so the overlay stays responsive
while a study is being scored. Requests come from the state's events, each with its `Job`;
a cancelled job is skipped, and results go back into the state through a `StateRelay`.
Errors are logged with their traceback and shown as a failed analysis; the viewer keeps working.

When nothing else waits, the worklist's studies are analysed one at a time (`core.triage.analyse_row`:
one volume in memory); the reader's own requests go first, served between the steps of such a study.
"""

from __future__ import annotations

import logging
import os
import queue
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from ichviewer.core.jobs import Job
from ichviewer.core.model import ModelCard, ModelError, default_model_dir, read_card
from ichviewer.core.progress import Cancelled
from ichviewer.core.requests import AnalysisRequest, HeatmapRequest, WorklistRequest
from ichviewer.core.results import KeyFinding
from ichviewer.core.state import ViewerState
from ichviewer.core.thread_priority import lower_this_thread_priority
from ichviewer.core.volume import CTVolume
from ichviewer.core.work_queue import PAUSE_POLL_S
from ichviewer.core.worklist_rows import StudyRow
from ichviewer.ui.state_relay import StateRelay

if TYPE_CHECKING:
    from ichviewer.core.inference import ScoringModel

log = logging.getLogger(__name__)

T = TypeVar("T")
_WAKE = "wake"  # a job that only makes the loop look at the heatmap queue


@dataclass(frozen=True, eq=False)
class _ReportRequest:
    job: Job
    volume: CTVolume
    findings: list[KeyFinding]


def open_classifier(model_dir: str | None, device: str) -> ScoringModel:
    """The viewer's classifier: the model in a child process, on every core but the GUI's."""
    from ichviewer.core.classifier_process import ClassifierProcess

    cores = os.cpu_count() or 1
    return ClassifierProcess(model_dir, device, threads=max(cores - 1, 1))


class AIWorker(QObject):
    """Serves the state's analysis and heatmap requests; `request_report` serves the PDF export."""

    reportHeatmapsReady = Signal(object, object)  # job, {slice: float32 map} for the PDF's key slices (None: dropped)

    def __init__(self, state: ViewerState, model_dir: str | None, device: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model_dir, self.device = model_dir or None, device
        self.relay = StateRelay(state, self)
        self.jobs: queue.Queue[AnalysisRequest | WorklistRequest | str | None] = queue.Queue()
        self.heatmap_jobs: queue.Queue[HeatmapRequest | _ReportRequest] = queue.Queue()
        self.card: ModelCard | None = None
        self.classifier: ScoringModel | None = None
        self._worklist: WorklistRequest | None = None  # worker thread only
        self._stopping = False
        self.thread = QThread()
        self.thread.setObjectName("ichviewer-ai")
        self.thread.run = self._run  # type: ignore[method-assign]
        state.events.analysis_requested.connect(self.jobs.put)
        state.events.heatmap_requested.connect(self._queue_heatmap)
        state.events.worklist_requested.connect(self.jobs.put)

    def start(self) -> None:
        """Read the model card and serve requests in the thread (after the caller has connected what it needs)."""
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
        lower_this_thread_priority()
        if not self._read_card():
            return
        try:
            while not self._stopping:
                try:
                    request = self.jobs.get(timeout=self._idle_wait())
                except queue.Empty:
                    self._analyse_worklist_study()
                else:
                    self._handle(request)
        finally:
            self._close_classifier()

    def _close_classifier(self) -> None:
        """End the classifier's process (a no-op for an in-process one)."""
        classifier, self.classifier = self.classifier, None
        close = getattr(classifier, "close", None)
        if close is not None:
            close()

    def _handle(self, request: AnalysisRequest | WorklistRequest | str | None) -> None:
        if request is None:
            self._stopping = True
        elif isinstance(request, AnalysisRequest):
            self._analyse(request)
        elif isinstance(request, WorklistRequest):
            self._worklist = request  # a newer worklist's job has cancelled the older one
        self._serve_heatmaps()

    def _serve_waiting(self) -> None:
        """Everything the reader asked for meanwhile (called between the steps of a worklist study)."""
        for request in _waiting(self.jobs):
            self._handle(request)

    def _idle_wait(self) -> float | None:
        """How long to wait for a request: for ever without worklist studies, not at all with some."""
        if self._worklist is None:
            return None
        return PAUSE_POLL_S if self._worklist.queue.paused.is_set() else 0.0

    def _read_card(self) -> bool:
        """The model card only (no torch): the AI counts as ready; the network loads when first needed."""
        try:
            self.card = read_card(self.model_dir or default_model_dir())
        except ModelError as error:
            log.warning("AI unavailable: %s", error)
            self.relay.call("model_failed", str(error))
            return False
        self.relay.call("model_ready", self.card.title, "", self.card.labels)
        return True

    def _loaded(self) -> ScoringModel | None:
        """The classifier, started on first use (and again after its process ended); None when it cannot be
        (the state is told)."""
        if self.classifier is not None and getattr(self.classifier, "alive", True):
            return self.classifier
        self._close_classifier()
        try:
            self.classifier = open_classifier(self.model_dir, self.device)
        except (ModelError, ValueError, OSError) as error:
            log.warning("AI unavailable: %s", error)
            self.relay.call("model_failed", str(error))
            return None
        except Exception as error:
            log.exception("Unexpected error while loading the model")
            self.relay.call("model_failed", f"{type(error).__name__}: {error} (details in the log)")
            return None
        card = self.classifier.card
        self.relay.call("model_ready", card.title, self.classifier.device_label, card.labels)
        return self.classifier

    def _analyse(self, request: AnalysisRequest) -> None:
        from ichviewer.core.applicability import NotApplicable
        from ichviewer.core.scoring import cached_scores, check_applicable, score_volume

        job = request.job
        if job.cancelled:
            return

        def on_batch(indices: list[int], scores: np.ndarray) -> None:
            self.relay.call("analysis_scores", job, indices, scores)
            self._serve_heatmaps()

        def progress(done: int, total: int, message: str) -> None:
            self.relay.call("analysis_progress", job, done, total, message)

        assert self.card is not None
        try:
            check_applicable(request.volume)
            scored = cached_scores(request.volume, self.card.sha256) if request.use_cache else None
            if scored is None:
                classifier = self._loaded()
                if classifier is None:
                    return
                scored = score_volume(request.volume, classifier, progress, job.cancel, False, on_batch)
        except Cancelled:
            return
        except NotApplicable as reason:
            self.relay.call("analysis_not_applicable", job, str(reason))
            return
        except Exception as error:  # reported to the reader; the viewer keeps working without AI
            log.exception("Analysis of %s failed", request.volume.series.title)
            self.relay.call("analysis_failed", job, f"Analysis failed: {type(error).__name__}: {error}")
            return
        self.relay.call("analysis_done", job, scored.result, scored.from_cache)

    def _analyse_worklist_study(self) -> None:
        """The worklist's next study, its rows handed to the state; the queue's end (or stop) is reported."""
        from ichviewer.core.triage import analyse_row

        request = self._worklist
        assert request is not None  # _idle_wait blocks without a worklist
        key = request.queue.take_ready()
        if key is None:
            if not request.queue.paused.is_set() or request.job.cancelled:
                if self._worklist is request:
                    self._worklist = None
                self.relay.call("worklist_ended", request.job, not request.job.cancelled)
            return
        job = request.job

        def on_row(row: StudyRow) -> None:
            self.relay.call("worklist_row", job, row)
            self._serve_waiting()

        classifier = self._loaded()
        if classifier is None:  # the state heard why (model_failed) and fails the queued rows
            request.queue.put_back(key)
            self._worklist = None
            return
        try:
            row = analyse_row(request.index, request.rows[key], classifier, job.cancel, on_row)
        except Cancelled:  # stopped, another folder, or the window closing: the state has moved on
            request.queue.put_back(key)
            return
        self.relay.call("worklist_row", job, row)

    def _serve_heatmaps(self) -> None:
        """Serve what is queued: every PDF request, and of the slices asked for, only the last one.

        While the reader scrolls, a slice is asked for on each step; the ones already scrolled
        past are skipped (the state asks again if the reader comes back), so no backlog of
        Grad-CAMs keeps the cores busy after the scrolling stops.
        """
        while True:
            waiting = list(_waiting(self.heatmap_jobs))
            if not waiting:
                return
            for request in waiting:
                if isinstance(request, _ReportRequest) and request.job.cancelled:
                    self.reportHeatmapsReady.emit(request.job, None)  # the export waiting for it must hear
            slices = [r for r in waiting if isinstance(r, HeatmapRequest) and not r.job.cancelled]
            for request in slices[:-1]:
                uid = request.volume.slices[request.index].sop_instance_uid
                self.relay.call("heatmap_skipped", request.job, uid, request.label)
            reports = [r for r in waiting if isinstance(r, _ReportRequest) and not r.job.cancelled]
            for request in reports + slices[-1:]:
                self._serve(request)

    def _serve(self, request: HeatmapRequest | _ReportRequest) -> None:
        wanted = request.findings if isinstance(request, _ReportRequest) else [(request.index, request.label)]
        classifier = self._loaded()
        maps: dict[int, np.ndarray] = {}  # when missing, the PDF is still written; it says which heatmaps are
        if classifier is not None:
            try:
                maps = classifier.heatmaps(request.volume, list(wanted))
            except Exception as error:
                log.exception("Grad-CAM failed on %s", request.volume.series.title)
                self.relay.call("analysis_failed", request.job, f"Heatmap failed: {type(error).__name__}: {error}")
        if isinstance(request, _ReportRequest):
            self.reportHeatmapsReady.emit(request.job, maps)
        elif request.index in maps:
            uid = request.volume.slices[request.index].sop_instance_uid
            self.relay.call("heatmap_done", request.job, uid, request.label, maps[request.index])


def _waiting(requests: queue.Queue[T]) -> Iterator[T]:
    """The requests already in `requests`, taken one by one without waiting for more."""
    while True:
        try:
            yield requests.get_nowait()
        except queue.Empty:
            return
