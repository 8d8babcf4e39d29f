"""How long work reports progress and learns it should stop (shared by GUI workers, CLI, tests)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called as `progress(done, total, message)`; must be cheap and must not raise."""

    def __call__(self, done: int, total: int, message: str) -> None: ...


class Cancel(Protocol):
    """Anything with `is_set()`, such as `threading.Event`."""

    def is_set(self) -> bool: ...


class Cancelled(Exception):
    """Raised inside long work when its `cancel` event is set; callers treat it as a clean stop."""


def report(progress: Progress | None, done: int, total: int, message: str) -> None:
    """Forward to `progress` when one was given."""
    if progress is not None:
        progress(done, total, message)


def check_cancel(cancel: Cancel | None) -> None:
    """Raise Cancelled when `cancel` is set; call it between units of work."""
    if cancel is not None and cancel.is_set():
        raise Cancelled()
