"""The triage queue of study keys still to analyse, safe to share between the GUI thread and one worker.

The GUI thread moves a study to the front (the one the reader opened), drops one the viewer
analysed itself, pauses or cancels; the worker takes keys one at a time. `take` waits while
paused (a headless run); `take_ready` never waits (a worker that must keep serving other requests).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

PAUSE_POLL_S = 0.2


class WorkQueue:
    """Study keys still to analyse, in order; `cancel` stops the runner, `paused` holds it between studies."""

    def __init__(self, keys: Iterable[str], cancel: threading.Event | None = None) -> None:
        self._keys = list(keys)
        self._lock = threading.Lock()
        self.cancel = cancel or threading.Event()
        self.paused = threading.Event()

    def take(self) -> str | None:
        """The next key (None when empty or cancelled); waits while paused."""
        while self.paused.is_set() and not self.cancel.is_set():
            self.cancel.wait(PAUSE_POLL_S)
        return self.take_ready()

    def take_ready(self) -> str | None:
        """The next key, without waiting: None when empty, cancelled or paused."""
        with self._lock:
            if self.cancel.is_set() or self.paused.is_set() or not self._keys:
                return None
            return self._keys.pop(0)

    def prioritise(self, key: str) -> bool:
        """Move `key` to the front; False when it is not waiting (done, running or unknown)."""
        with self._lock:
            if key not in self._keys:
                return False
            self._keys.remove(key)
            self._keys.insert(0, key)
            return True

    def discard(self, key: str) -> None:
        """Drop `key` (analysed elsewhere: the viewer scored the study the reader opened)."""
        with self._lock:
            if key in self._keys:
                self._keys.remove(key)

    def put_back(self, key: str) -> None:
        with self._lock:
            if key not in self._keys:
                self._keys.insert(0, key)

    def pending(self) -> list[str]:
        with self._lock:
            return list(self._keys)
