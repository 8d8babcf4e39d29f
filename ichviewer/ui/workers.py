"""Loading studies off the GUI thread: index → default series → volume, middle slice first.

`StudyLoader` lives in the GUI thread and runs one `_LoadThread` per request. Each request gets
a generation number and its own cancel Event; a new request cancels the previous one, and
signals from an older generation are dropped, so a slow first study can never overwrite the
second. `shutdown()` cancels and joins every thread (no thread is left running at close).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from ichviewer.core.dicom.decode import UnreadablePixels
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.geometry import plan_stack
from ichviewer.core.load_report import LoadReport
from ichviewer.core.progress import Cancelled
from ichviewer.core.volume import CTVolume, load_volume, read_slice_hu
from ichviewer.core.windowing import PRESETS, apply_window

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress signals a second
THUMBNAIL_SIZE = 96


class _LoadThread(QThread):
    """One load request; emits with its generation so the loader can drop stale results."""

    indexed = Signal(int, object)  # generation, StudyIndex
    firstSlice = Signal(int, int, object, object)  # generation, slice index, int16 HU (y, x), Series
    progress = Signal(int, int, int, str)  # generation, done, total, message
    loaded = Signal(int, object)  # generation, CTVolume
    thumbnail = Signal(int, str, object)  # generation, series uid, uint8 (y, x)
    failed = Signal(int, str)
    empty = Signal(int, str)
    done = Signal(int)  # generation; the last signal the thread sends

    def __init__(self, generation: int, folder: Path | None, index: StudyIndex | None, series: Series | None) -> None:
        super().__init__()
        self.generation = generation
        self.cancel = threading.Event()
        self._folder, self._index, self._series = folder, index, series
        self._last_progress = 0.0

    def _progress(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.progress.emit(self.generation, done, total, message)

    def run(self) -> None:  # noqa: D102 (QThread entry point)
        try:
            self._load()
        except Cancelled:
            pass
        except (OSError, ValueError) as error:  # user-caused: unreadable folder, nothing decodable
            if not self.cancel.is_set():
                self.failed.emit(self.generation, str(error))
        except Exception as error:  # a bug: say so on screen, and let it reach the log
            self.failed.emit(self.generation, f"Unexpected error while loading: {error!r}")
            raise
        finally:
            self.done.emit(self.generation)

    def _load(self) -> None:
        gen = self.generation
        index = self._index
        if index is None:
            assert self._folder is not None
            index = index_folder(self._folder, self._progress, self.cancel)
            self.indexed.emit(gen, index)
        series = self._series or index.default_series()
        if series is None:
            self.empty.emit(gen, index.empty_reason() or f"No CT series in {index.root}")
            return
        first: list[int] = []

        def on_slice(slice_index: int, hu: np.ndarray) -> None:
            if not first:
                first.append(slice_index)
                self.firstSlice.emit(gen, slice_index, hu.copy(), series)

        volume = load_volume(
            series, self._progress, self.cancel, on_slice=on_slice, folder_report=LoadReport(index.skipped)
        )
        self.loaded.emit(gen, volume)
        if self._series is None:
            self._thumbnails(index, volume)

    def _thumbnails(self, index: StudyIndex, volume: CTVolume) -> None:
        """Middle slice of every series in the brain window, the loaded one from memory."""
        for series in index.series:
            if self.cancel.is_set():
                return
            if series.uid == volume.series.uid:
                hu = volume.hu[volume.n_slices // 2]
            else:
                try:
                    geometry = plan_stack(series.slices)
                    hu = read_slice_hu(
                        geometry.slices[geometry.n_slices // 2], geometry.flip_rows, geometry.flip_columns
                    )
                except (UnreadablePixels, ValueError, IndexError, OSError):
                    continue
            self.thumbnail.emit(self.generation, series.uid, _shrink(apply_window(hu, PRESETS["brain"])))


def _shrink(image: np.ndarray, size: int = THUMBNAIL_SIZE) -> np.ndarray:
    """Nearest-neighbour downsample so the longer side is about `size` pixels."""
    step = max(1, max(image.shape) // size)
    return np.ascontiguousarray(image[::step, ::step])


class StudyLoader(QObject):
    """Starts loads, forwards only the newest one's signals, cancels and joins the rest."""

    indexed = Signal(object)
    firstSlice = Signal(int, object, object)  # slice index, HU slice, Series
    progress = Signal(int, int, str)
    loaded = Signal(object)
    thumbnail = Signal(str, object)
    failed = Signal(str)
    empty = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generation = 0
        self._threads: list[_LoadThread] = []

    @property
    def busy(self) -> bool:
        return any(t.generation == self.generation and t.isRunning() for t in self._threads)

    def running_threads(self) -> int:
        return sum(t.isRunning() for t in self._threads)

    def open_folder(self, folder: str | Path) -> None:
        """Index `folder` and load its default series (cancelling any load in progress)."""
        self._start(Path(folder), None, None)

    def load_series(self, index: StudyIndex, series: Series) -> None:
        """Load another series of an already indexed study."""
        self._start(None, index, series)

    def cancel(self) -> None:
        """Cancel every load in progress; their late signals are ignored."""
        self.generation += 1
        for thread in self._threads:
            thread.cancel.set()
        self.busyChanged.emit(False)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Cancel and wait for every thread (call from closeEvent)."""
        self.cancel()
        for thread in list(self._threads):
            thread.wait(timeout_ms)
        self._threads = [t for t in self._threads if t.isRunning()]

    def _start(self, folder: Path | None, index: StudyIndex | None, series: Series | None) -> None:
        self.cancel()
        thread = _LoadThread(self.generation, folder, index, series)
        thread.indexed.connect(self._on_indexed)
        thread.firstSlice.connect(self._on_first_slice)
        thread.progress.connect(self._on_progress)
        thread.loaded.connect(self._on_loaded)
        thread.thumbnail.connect(self._on_thumbnail)
        thread.failed.connect(self._on_failed)
        thread.empty.connect(self._on_empty)
        thread.done.connect(self._on_done)
        self._threads.append(thread)
        thread.start()
        self.busyChanged.emit(True)

    # Slots run in the GUI thread (queued); anything from an older generation is dropped.
    def _on_indexed(self, generation: int, index: StudyIndex) -> None:
        if generation == self.generation:
            self.indexed.emit(index)

    def _on_first_slice(self, generation: int, slice_index: int, hu: np.ndarray, series: Series) -> None:
        if generation == self.generation:
            self.firstSlice.emit(slice_index, hu, series)

    def _on_progress(self, generation: int, done: int, total: int, message: str) -> None:
        if generation == self.generation:
            self.progress.emit(done, total, message)

    def _on_loaded(self, generation: int, volume: CTVolume) -> None:
        if generation == self.generation:
            self.loaded.emit(volume)

    def _on_thumbnail(self, generation: int, uid: str, image: np.ndarray) -> None:
        if generation == self.generation:
            self.thumbnail.emit(uid, image)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self.failed.emit(message)

    def _on_empty(self, generation: int, reason: str) -> None:
        if generation == self.generation:
            self.empty.emit(reason)

    def _on_done(self, generation: int) -> None:
        for thread in [t for t in self._threads if t.generation == generation]:
            thread.wait()
            self._threads.remove(thread)
            thread.deleteLater()
        if generation == self.generation:
            self.busyChanged.emit(False)
