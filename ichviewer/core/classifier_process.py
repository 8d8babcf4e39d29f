"""The classifier in a child process: torch, the weights and every forward pass live there.

Why not a thread: importing torch and loading the network hold Python's GIL for seconds in long
C calls (extension modules, the CUDA libraries), and Grad-CAM's numpy work holds it between
kernels. In the viewer's own process that stalls the GUI thread: frames of 50–200 ms while the
first analysis of a session starts. In a child the GUI keeps its GIL, the viewer's process never
holds torch (about 500 MiB less), and a crash inside torch ends the child, not the viewer: the
next request starts a new one.

`ClassifierProcess` has the in-process `Classifier`'s interface (card, device, device_label,
predict, heatmaps). A volume travels once: its int16 HU array through shared memory, its headers
pickled; later requests on the same volume (the heatmaps of each slice a reader visits) only name
it. Progress, provisional scores and cancel cross a pipe between batches.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path
from typing import Any

import numpy as np

from ichviewer.core.model import ModelCard, ModelError, default_model_dir, read_card
from ichviewer.core.progress import Cancel, Cancelled, Progress, check_cancel
from ichviewer.core.results import StudyResult
from ichviewer.core.volume import CTVolume

POLL_S = 0.05  # how often the parent looks at the reader's cancel while the child works
NICENESS = 5  # the child yields the cores to the viewer's GUI thread first
SHM_HEADROOM = 1.25  # shared memory is used for a volume when this much of its size is free there


class AIProcessEnded(RuntimeError):
    """The child process ended in the middle of a request (killed, out of memory, a crash in torch)."""


@dataclass(frozen=True)
class _Shipped:
    """A volume as sent: the shared memory holding its HU (or the HU itself), its headers with an empty array."""

    memory: str  # the shared memory block's name, or "inline-N" when the HU travel in `hu`
    shape: tuple[int, ...]
    dtype: str
    headers: CTVolume | None  # None: the child has this volume already
    hu: np.ndarray | None = None  # the HU through the pipe, when shared memory has no room for them


class ClassifierProcess:
    """A `Classifier` served by a child process (spawned, so no state of the viewer is inherited)."""

    def __init__(self, model_dir: str | Path | None = None, device: str = "auto", threads: int | None = None) -> None:
        self.card: ModelCard = read_card(Path(model_dir) if model_dir else default_model_dir())
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._cancel = context.Event()
        self._process = context.Process(
            target=serve, args=(child, self._cancel, model_dir, device, threads), name="ichviewer-ai", daemon=True
        )
        self._process.start()
        child.close()
        self._volume: tuple[weakref.ref[CTVolume], str] | None = None  # the volume the child holds, by name
        self._memory: SharedMemory | None = None
        self._inline = 0
        message = self._receive()
        if message[0] == "model_error":
            self.close()
            raise ModelError(message[1])
        if message[0] != "ready":
            self.close()
            raise RuntimeError(message[1])
        self.device: str = message[1]
        self._device_label: str = message[2]

    @property
    def device_label(self) -> str:
        return self._device_label

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def predict(
        self,
        volume: CTVolume,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        on_batch: Callable[[list[int], np.ndarray], None] | None = None,
    ) -> StudyResult:
        """Score every slice (as `Classifier.predict`); progress and provisional scores come as the child sends them."""
        result: StudyResult = self._call("predict", volume, (), progress, cancel, on_batch)
        return result

    def heatmaps(
        self, volume: CTVolume, requests: list[tuple[int, str]], inside_head: bool = True, cancel: Cancel | None = None
    ) -> dict[int, np.ndarray]:
        """Grad-CAM maps for (slice, label) pairs (as `core.gradcam.heatmaps_for`)."""
        maps: dict[int, np.ndarray] = self._call("heatmaps", volume, (requests, inside_head), None, cancel, None)
        return maps

    def close(self) -> None:
        """Ask the child to end, then make sure it has; free the shared volume."""
        try:
            self._conn.send(("stop",))
        except (OSError, ValueError):
            pass
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)
        self._conn.close()
        self._release()

    # --- the parent's side of a request --------------------------------------------------------
    def _call(
        self,
        kind: str,
        volume: CTVolume,
        args: tuple[Any, ...],
        progress: Progress | None,
        cancel: Cancel | None,
        on_batch: Callable[[list[int], np.ndarray], None] | None,
    ) -> Any:
        check_cancel(cancel)
        self._cancel.clear()
        try:
            self._conn.send((kind, self._ship(volume), *args))
        except (OSError, ValueError) as error:  # the pipe is broken: the child has gone
            self._release()
            raise AIProcessEnded(f"the AI process ended unexpectedly ({error})") from error
        while True:
            message = self._receive(cancel)
            if message[0] == "progress" and progress is not None:
                progress(*message[1:])
            elif message[0] == "batch":  # the child waits: heatmaps asked for meanwhile are served now, then on
                self._batch(on_batch, message[1:])
            elif message[0] == "done":
                return message[1]
            elif message[0] == "cancelled":
                raise Cancelled()
            elif message[0] == "error":
                raise RuntimeError(f"{message[1]} (in the AI process)\n{message[2]}")

    def _batch(self, on_batch: Callable[[list[int], np.ndarray], None] | None, args: tuple[Any, ...]) -> None:
        """Provisional scores: the caller's `on_batch` may ask for heatmaps (nested requests the waiting
        child answers); then the child goes on. A failing `on_batch` stops the request."""
        try:
            if on_batch is not None:
                on_batch(*args)
        except BaseException:
            self._cancel.set()
            self._conn.send(("continue",))
            self._drain()
            raise
        self._conn.send(("continue",))

    def _drain(self) -> None:
        """Read the child's messages until its request has ended (after a failure on this side)."""
        while self._receive()[0] not in ("done", "cancelled", "error"):
            pass

    def _receive(self, cancel: Cancel | None = None) -> tuple[Any, ...]:
        """The child's next message; the reader's cancel is passed on meanwhile; a dead child is an error."""
        while True:
            if cancel is not None and cancel.is_set():
                self._cancel.set()
            if self._conn.poll(POLL_S):
                break
            if not self._process.is_alive():
                self._release()
                raise AIProcessEnded(f"the AI process ended unexpectedly (exit code {self._process.exitcode})")
        try:
            message: tuple[Any, ...] = self._conn.recv()
        except (EOFError, OSError) as error:
            raise AIProcessEnded(f"the AI process ended unexpectedly ({error})") from error
        return message

    def _ship(self, volume: CTVolume) -> _Shipped:
        """The volume's HU in shared memory (once per volume), and its headers the first time. Where the
        shared memory (a tmpfs, 64 MiB in a default container) has no room, the HU go through the pipe:
        writing past a full tmpfs would kill the viewer with SIGBUS."""
        hu = volume.hu
        if self._volume is not None and self._volume[0]() is volume:
            return _Shipped(self._volume[1], hu.shape, hu.dtype.str, None)
        self._release()
        headers = replace(volume, hu=np.empty((0, 0, 0), hu.dtype))
        room = _shared_memory_room()
        if room is not None and room < hu.nbytes * SHM_HEADROOM:
            self._inline += 1
            name, inline = f"inline-{self._inline}", hu
        else:
            self._memory = SharedMemory(create=True, size=max(hu.nbytes, 1))
            np.ndarray(hu.shape, hu.dtype, buffer=self._memory.buf)[...] = hu
            name, inline = self._memory.name, None
        self._volume = (weakref.ref(volume), name)
        return _Shipped(name, hu.shape, hu.dtype.str, headers, inline)

    def _release(self) -> None:
        memory, self._memory, self._volume = self._memory, None, None
        if memory is not None:
            memory.close()
            try:
                memory.unlink()
            except FileNotFoundError:
                pass


def _shared_memory_room() -> int | None:
    """Free bytes where POSIX shared memory lives (Linux: /dev/shm); None where that cannot be told."""
    try:
        stats = os.statvfs("/dev/shm")
    except (OSError, AttributeError):
        return None
    return stats.f_bavail * stats.f_frsize


# --- the child ------------------------------------------------------------------------------------
def serve(conn: Connection, cancel: Any, model_dir: str | Path | None, device: str, threads: int | None) -> None:
    """The child's loop: load the classifier, then answer requests until "stop" or the pipe closes."""
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    try:
        import torch

        if threads:
            torch.set_num_threads(threads)
        from ichviewer.core.inference import Classifier

        classifier = Classifier(model_dir, device)
    except (ModelError, ValueError, OSError) as error:
        conn.send(("model_error", str(error)))
        return
    except Exception as error:
        conn.send(("failed", f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))
        return
    conn.send(("ready", classifier.device, classifier.device_label))
    volumes = _AttachedVolumes()
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message[0] == "stop":
                return
            conn.send(_answer(classifier, volumes.get(message[1]), message[0], message[2:], conn, cancel, volumes))
    finally:
        volumes.close()


def _answer(
    classifier: Any,
    volume: CTVolume,
    kind: str,
    args: tuple[Any, ...],
    conn: Connection,
    cancel: Any,
    volumes: _AttachedVolumes,
) -> tuple[Any, ...]:
    """The reply to one request; a predict serves the heatmap requests that come between its batches."""
    try:
        if kind == "predict":

            def on_batch(indices: list[int], scores: np.ndarray) -> None:
                conn.send(("batch", indices, scores))
                while (message := conn.recv())[0] != "continue":  # heatmaps asked for between batches
                    conn.send(
                        _answer(classifier, volumes.get(message[1]), message[0], message[2:], conn, cancel, volumes)
                    )

            result = classifier.predict(
                volume,
                progress=lambda done, total, text: conn.send(("progress", done, total, text)),
                cancel=cancel,
                on_batch=on_batch,
            )
            return ("done", result)
        requests, inside_head = args
        return ("done", classifier.heatmaps(volume, requests, inside_head=inside_head, cancel=cancel))
    except Cancelled:
        return ("cancelled",)
    except Exception as error:
        return ("error", f"{type(error).__name__}: {error}", traceback.format_exc())


class _AttachedVolumes:
    """The child's view of the volume the parent shipped last (one at a time: the parent frees the older)."""

    def __init__(self) -> None:
        self.name = ""
        self.memory: SharedMemory | None = None
        self.volume: CTVolume | None = None

    def get(self, shipped: _Shipped) -> CTVolume:
        if shipped.headers is not None or shipped.memory != self.name or self.volume is None:
            self.close()
            if shipped.headers is None:
                raise RuntimeError("the AI process lost the volume it was sent")
            if shipped.hu is not None:
                hu = shipped.hu
            else:
                self.memory = SharedMemory(name=shipped.memory)  # the parent's tracker owns it (children share it)
                hu = np.ndarray(shipped.shape, np.dtype(shipped.dtype), buffer=self.memory.buf)
            hu.flags.writeable = False
            self.name, self.volume = shipped.memory, replace(shipped.headers, hu=hu)
        return self.volume

    def close(self) -> None:
        self.volume = None
        if self.memory is not None:
            try:
                self.memory.close()
            except BufferError:  # an array on it is still referenced: the mapping goes with the process
                pass
            self.memory = None
        self.name = ""
