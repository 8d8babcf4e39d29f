"""The worklist's part of the viewer state: its analysis as a job, its rows, opening one of its studies.

A mixin of `ViewerState` (core/state.py), kept apart so each stays readable; it uses the state's
jobs, model, index, auto-analysis preference and `open_series`, and emits `worklist_requested`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ichviewer.core.ai_state import ModelInfo, ModelStatus
from ichviewer.core.jobs import WORKLIST, Job, Jobs
from ichviewer.core.requests import WorklistRequest
from ichviewer.core.worklist_rows import SUSPECTED, StudyRow

if TYPE_CHECKING:  # the worklist's store pulls in scipy: not needed until a folder of studies opens
    from ichviewer.core.dicom.records import Series, StudyIndex
    from ichviewer.core.worklist import Worklist


class WorklistIntent:
    """start_worklist, open_worklist_study and the worker's results for the worklist job."""

    worklist: Worklist | None
    index: StudyIndex | None
    model: ModelInfo
    jobs: Jobs
    auto_analyse: bool
    status: str
    events: Any

    def open_series(self, series: Series, at_slice: int | None = None) -> Job | None:
        raise NotImplementedError

    def start_worklist(self, worklist: Worklist) -> Job | None:
        """Show `worklist`; the AI worker analyses its queued studies one at a time, between the reader's requests."""
        self.worklist = worklist
        if self.model.status is ModelStatus.UNAVAILABLE:
            worklist.fail_queued(f"AI unavailable: {self.model.error}")
        if self.model.status in (ModelStatus.UNAVAILABLE, ModelStatus.OFF):
            return None
        job = self.jobs.start(WORKLIST)
        queue = worklist.start_queue(job.cancel)
        self.events.worklist_requested.emit(WorklistRequest(job, worklist.index, dict(worklist.rows), queue))
        return job

    def open_worklist_study(self, key: str, at_slice: int | None = None) -> Job | None:
        """Show a worklist study at `at_slice` (default: its most suspicious slice once analysed).

        The viewer analyses what it opens, ahead of the queue, and the row takes that result; with
        automatic analysis off, the study moves to the front of the queue instead.
        """
        if self.worklist is None or self.index is None:
            return None
        row = self.worklist.rows[key]
        if not row.series_uid:
            self.status = f"{row.folder}: {row.error}"
            return None
        if not self.auto_analyse and self.worklist.queue is not None:
            self.worklist.queue.prioritise(key)
        at = self.worklist.top_slice(key) if at_slice is None else at_slice
        return self.open_series(self.index.find(row.series_uid), at)

    def worklist_row(self, job: Job, row: StudyRow) -> None:
        if self.jobs.is_current(job) and self.worklist is not None:
            self.worklist.update(row)

    def worklist_ended(self, job: Job, completed: bool) -> None:
        """The queue ran out (`completed`) or stopped; the analysis of the worklist is over."""
        if self.jobs.is_current(job) and self.worklist is not None:
            self.jobs.cancel(WORKLIST)
            self.worklist.queue_ended()
            suspected = sum(r.verdict_text == SUSPECTED for r in self.worklist.rows.values())
            self.status = f"Worklist analysed: {suspected} suspected" if completed else "Worklist analysis stopped"
