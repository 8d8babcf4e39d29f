"""Loads studies off the GUI thread for the viewer state: first look → index → series → volume → thumbnails.

A new folder's middle slice is shown before the folder is indexed when three headers say which
file it is (`core.first_look`); then the index, the chosen series' middle slice (and its
thumbnail), the whole volume, and the other series' thumbnails follow.

Each `LoadRequest` the state emits runs in its own thread with the request's `Job`; results go
back into the state through a `StateRelay`, and the state drops those of a job that is no longer
current. `shutdown()` cancels and joins every thread (no thread is left running at close).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.first_look import first_look
from ichviewer.core.progress import Cancelled
from ichviewer.core.requests import LoadRequest
from ichviewer.core.state import ViewerState
from ichviewer.core.study_loading import NoCTSeries, choose_series, load_series
from ichviewer.core.thumbnails import series_thumbnails, thumbnail
from ichviewer.ui.state_relay import StateRelay

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress updates a second


class _LoadThread(QThread):
    """One load request; everything it finds is relayed to the state with the request's job."""

    def __init__(self, request: LoadRequest, relay: StateRelay) -> None:
        super().__init__()
        self.request, self.relay = request, relay
        self._last_progress = 0.0

    def _progress(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.relay.call("load_progress", self.request.job, done, total, message)

    def run(self) -> None:  # noqa: D102 (QThread entry point)
        job = self.request.job
        try:
            self._load()
        except Cancelled:
            pass
        except NoCTSeries as error:
            self.relay.call("load_empty", job, str(error))
        except (OSError, ValueError) as error:  # the folder or its files: unreadable, nothing decodable
            log.warning("Could not open %s: %s", self.request.folder or self.request.series, error)
            self.relay.call("load_failed", job, str(error))
        except Exception as error:  # a bug: say so on screen, with the traceback in the log
            log.exception("Unexpected error while loading %s", self.request.folder or self.request.series)
            self.relay.call("load_failed", job, f"Unexpected error while loading: {error!r} (details in the log)")
        finally:
            self.relay.call("load_finished", job)

    def _load(self) -> None:
        request, job = self.request, self.request.job
        index = request.index
        if index is None:
            assert request.folder is not None
            self._first_look(request.folder)
            index = index_folder(request.folder, self._progress, job.cancel)
            self.relay.call("load_indexed", job, index)
        series = request.series or choose_series(index)
        first: list[int] = []

        def on_slice(slice_index: int, hu: np.ndarray) -> None:
            if not first:
                first.append(slice_index)
                self.relay.call("load_first_slice", job, series, slice_index, hu.copy())
                if request.series is None:  # the series panel's first thumbnail comes with the first image
                    self.relay.call("load_thumbnail", job, series.uid, thumbnail(hu))

        volume = load_series(index, series, self._progress, job.cancel, on_slice=on_slice)
        self.relay.call("load_done", job, volume)
        if request.series is None:  # a newly indexed study: the other series' thumbnails
            for uid, image in series_thumbnails(index, volume, job.cancel):
                if uid != series.uid:
                    self.relay.call("load_thumbnail", job, uid, image)

    def _first_look(self, folder: Path) -> None:
        """The folder's middle slice before its index, when three headers tell which file it is."""
        try:
            look = first_look(folder)
        except Exception:  # a bug here costs the head start only: the index and the load follow
            log.exception("first look at %s failed", folder)
            return
        if look is not None:
            self.relay.call("load_first_slice", self.request.job, look.series, look.index, look.hu)


class StudyLoader(QObject):
    """Starts a thread for each load the state asks for; cancelling is the state's (`Job.cancel`)."""

    def __init__(self, state: ViewerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.relay = StateRelay(state, self)
        self._threads: list[_LoadThread] = []
        state.events.load_requested.connect(self.start)

    def start(self, request: LoadRequest) -> None:
        self._threads = [t for t in self._threads if t.isRunning()]
        thread = _LoadThread(request, self.relay)
        self._threads.append(thread)
        thread.start()

    def running_threads(self) -> int:
        return sum(t.isRunning() for t in self._threads)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Cancel and wait for every thread (call from closeEvent)."""
        for thread in self._threads:
            thread.request.job.cancel.set()
        for thread in self._threads:
            thread.wait(timeout_ms)
        self._threads = [t for t in self._threads if t.isRunning()]
