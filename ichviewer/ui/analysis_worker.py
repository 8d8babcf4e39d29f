"""The AI worker: one thread owns the classifier and runs analyses and heatmaps in turn.

pytorch-grad-cam's hooks sit on the shared network, so scoring and Grad-CAM never run at the
same time; heatmap requests are served between analysis batches so the overlay stays
responsive while a study is being scored. Every result carries the generation of the study it
belongs to, so nothing stale reaches the screen after the reader opened another study.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from ichviewer.core.progress import Cancelled
from ichviewer.core.volume import CTVolume

HEATMAP_CACHE_SIZE = 48
_WAKE = "wake"  # a job that only makes the loop look at the heatmap queue


@dataclass
class _Analyse:
    generation: int
    volume: CTVolume
    use_cache: bool
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Report:
    generation: int
    volume: CTVolume
    requests: list[tuple[int, str]]


@dataclass
class _Heatmap:
    generation: int
    volume: CTVolume
    index: int
    label: str


class AnalysisWorker(QObject):
    """Signals cross to the GUI thread; methods are called from the GUI thread."""

    modelReady = Signal(str, str)  # model title, device label
    modelFailed = Signal(str)
    progress = Signal(int, int, int, str)  # generation, done, total, message
    partial = Signal(int, object, object)  # generation, slice indices, their scores
    finished = Signal(int, object, bool)  # generation, StudyResult, from cache
    failed = Signal(int, str)
    heatmapReady = Signal(int, int, str, object)  # generation, slice, label, float32 map
    reportHeatmapsReady = Signal(int, object)  # generation, {slice: float32 map} for the PDF's key slices

    def __init__(self, model_dir: str | None, device: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model_dir, self.device = model_dir or None, device
        self.jobs: queue.Queue[_Analyse | str | None] = queue.Queue()
        self.heatmap_jobs: queue.Queue[_Heatmap | _Report] = queue.Queue()
        self.current: _Analyse | None = None
        self.classifier = None
        self.heatmap_cache: OrderedDict[tuple[str, int, str], np.ndarray] = OrderedDict()
        self.thread = QThread()
        self.thread.setObjectName("ichviewer-ai")
        self.thread.run = self._run  # type: ignore[method-assign]

    def start(self) -> None:
        """Load the model and serve jobs in the thread. Separate from __init__ so callers connect the
        signals first: a model that fails at once emits modelFailed before anyone could listen."""
        self.thread.start()

    # --- GUI-thread API -------------------------------------------------------------------------
    def analyse(self, generation: int, volume: CTVolume, use_cache: bool = True) -> None:
        """Score `volume`; cancels the analysis still running for an older study."""
        self.cancel()
        job = _Analyse(generation, volume, use_cache)
        self.current = job
        self.jobs.put(job)

    def request_heatmap(self, generation: int, volume: CTVolume, index: int, label: str) -> None:
        """Grad-CAM of `label` on slice `index`: served between batches, or at once when idle."""
        self.heatmap_jobs.put(_Heatmap(generation, volume, index, label))
        self.jobs.put(_WAKE)

    def request_report(self, generation: int, volume: CTVolume, requests: list[tuple[int, str]]) -> None:
        """Heatmaps of the PDF's key slices ((slice, label) pairs), batched per label; one signal with all."""
        self.heatmap_jobs.put(_Report(generation, volume, list(requests)))
        self.jobs.put(_WAKE)

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel.set()
        while True:  # heatmaps for an old study are no longer wanted
            try:
                self.heatmap_jobs.get_nowait()
            except queue.Empty:
                break

    def stop(self) -> None:
        """Cancel everything and wait for the thread to end (on close)."""
        self.cancel()
        self.jobs.put(None)
        self.thread.wait()

    # --- worker thread ------------------------------------------------------------------------
    def _run(self) -> None:
        if not self._load_model():
            return
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if isinstance(job, _Analyse):
                self._analyse(job)
            self._serve_heatmaps()

    def _load_model(self) -> bool:
        from ichviewer.core.inference import Classifier
        from ichviewer.core.model import ModelError

        try:
            self.classifier = Classifier(self.model_dir, self.device)
        except (ModelError, ValueError, OSError) as error:
            self.modelFailed.emit(str(error))
            return False
        self.modelReady.emit(self.classifier.card.title, self.classifier.device_label)
        return True

    def _analyse(self, job: _Analyse) -> None:
        from ichviewer.core.study_analysis import analyse_volume

        if job.cancel.is_set():
            return

        def on_batch(indices: list[int], scores: np.ndarray) -> None:
            self.partial.emit(job.generation, indices, scores)
            self._serve_heatmaps()

        def progress(done: int, total: int, message: str) -> None:
            self.progress.emit(job.generation, done, total, message)

        assert self.classifier is not None
        try:
            analysis = analyse_volume(
                job.volume, self.classifier, progress, job.cancel, job.use_cache, on_batch=on_batch
            )
        except Cancelled:
            return
        except Exception as error:  # reported to the reader; the viewer keeps working without AI
            self.failed.emit(job.generation, f"Analysis failed: {type(error).__name__}: {error}")
            return
        self.finished.emit(job.generation, analysis.result, analysis.cached)

    def _serve_heatmaps(self) -> None:
        from ichviewer.core.gradcam import heatmaps

        while True:
            try:
                job = self.heatmap_jobs.get_nowait()
            except queue.Empty:
                return
            if isinstance(job, _Report):
                self._serve_report(job)
                continue
            key = (job.volume.series.uid, job.index, job.label)
            heat = self.heatmap_cache.get(key)
            if heat is None:
                try:
                    heat = heatmaps(self.classifier, job.volume, [job.index], job.label, inside_head=True)[job.index]
                except Exception as error:
                    self.failed.emit(job.generation, f"Heatmap failed: {type(error).__name__}: {error}")
                    continue
                self.heatmap_cache[key] = heat
                while len(self.heatmap_cache) > HEATMAP_CACHE_SIZE:
                    self.heatmap_cache.popitem(last=False)
            self.heatmapReady.emit(job.generation, job.index, job.label, heat)

    def _serve_report(self, job: _Report) -> None:
        from ichviewer.core.gradcam import heatmaps_for

        try:
            maps = heatmaps_for(self.classifier, job.volume, job.requests)
        except Exception as error:
            self.failed.emit(job.generation, f"Heatmap failed: {type(error).__name__}: {error}")
            maps = {}  # the PDF is still written; it says which heatmaps are missing
        self.reportHeatmapsReady.emit(job.generation, maps)
