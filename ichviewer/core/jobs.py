"""Tickets for background work: one generation counter, one cancel event per piece of work.

Every request the viewer hands to a worker (load a study, score it, draw heatmaps, analyse the
worklist's studies) is a `Job`.
Starting a job of a kind cancels the previous one of that kind; a worker's results are used
only while their job is still the current one, so a slow first study can never overwrite
the second and nothing of a study the reader has left reaches the screen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

LOAD = "load"
ANALYSIS = "analysis"
WORKLIST = "worklist"  # the analysis of a folder's other studies, one after another


@dataclass(frozen=True, eq=False)
class Job:
    """One request: its kind, its place in the generation count, and the event that stops it."""

    kind: str
    generation: int
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()


class Jobs:
    """The current job of each kind; the generation counts every job ever started."""

    def __init__(self) -> None:
        self.generation = 0
        self._current: dict[str, Job] = {}

    def start(self, kind: str) -> Job:
        """A new job of `kind`; the previous one of that kind is cancelled."""
        self.cancel(kind)
        self.generation += 1
        job = Job(kind, self.generation)
        self._current[kind] = job
        return job

    def cancel(self, *kinds: str) -> None:
        """Cancel the current jobs of `kinds` (all kinds when none is named); their late results are dropped."""
        for kind in kinds or tuple(self._current):
            job = self._current.pop(kind, None)
            if job is not None:
                job.cancel.set()

    def is_current(self, job: Job) -> bool:
        """True while `job` is the newest of its kind and was not cancelled."""
        return self._current.get(job.kind) is job and not job.cancelled

    def current(self, kind: str) -> Job | None:
        return self._current.get(kind)
