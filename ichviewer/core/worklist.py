"""The worklist of a folder of studies: rows by study, ranked, filtered, with the reader's reviews and its queue.

Plain Python with change events (as `ViewerState`), changed on one thread (the GUI thread in the
viewer; the AI worker hands its rows over through the state first). Reviews ("reviewed" and a
note) live in `core/store.py`, keyed by StudyInstanceUID + model version, never in the study folder.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from ichviewer.core.dicom.records import StudyIndex
from ichviewer.core.events import Events
from ichviewer.core.results import StudyResult
from ichviewer.core.store import Store
from ichviewer.core.work_queue import WorkQueue
from ichviewer.core.worklist_rows import SUSPECTED, Status, StudyRow, ranked, rows_from_index, verdict_of


class Worklist:
    """Rows of `index` by key. Events: `row(StudyRow)` one row changed, `rows(None)` the set or filter changed,
    `queue(WorkQueue | None)` its analysis started or ended."""

    def __init__(self, index: StudyIndex, model_version: str, store: Store | None = None) -> None:
        self.index = index
        self.model_version = model_version
        self.store = store
        self.events = Events(("row", "rows", "queue"))
        self.suspected_only = False
        self.queue: WorkQueue | None = None  # the studies still to analyse, while an analysis runs
        self.rows: dict[str, StudyRow] = {row.key: row for row in rows_from_index(index)}
        if store is not None:
            for key, row in self.rows.items():
                review = store.review(key, model_version) if row.series_uid else None
                if review is not None:
                    self.rows[key] = replace(row, reviewed=review.reviewed, note=review.note)

    def __len__(self) -> int:
        return len(self.rows)

    def queued_keys(self) -> list[str]:
        """Studies to analyse, in the index's order (study date)."""
        return [key for key, row in self.rows.items() if row.status is Status.QUEUED]

    def visible(self) -> list[StudyRow]:
        """The ranked rows, only suspected ones when `suspected_only`."""
        rows = ranked(list(self.rows.values()))
        if self.suspected_only:
            rows = [r for r in rows if r.verdict is not None and r.verdict.suspected]
        return rows

    def set_suspected_only(self, value: bool) -> None:
        if value != self.suspected_only:
            self.suspected_only = value
            self.events.rows.emit(None)

    def update(self, row: StudyRow) -> None:
        """Take a row from the analysis; the reader's review on it stays as it is."""
        current = self.rows.get(row.key)
        if current is None or (current.status is Status.DONE and row.status is Status.ANALYSING):
            return  # the viewer finished this study while the queue was still on it
        row = replace(row, reviewed=current.reviewed, note=current.note)
        if row != current:
            self.rows[row.key] = row
            self.events.row.emit(row)

    def set_review(self, key: str, reviewed: bool, note: str | None = None) -> None:
        """Mark a study reviewed (or not) with a note; saved in the store at once."""
        row = self.rows[key]
        note = row.note if note is None else note
        if self.store is not None and row.series_uid:
            self.store.set_review(key, self.model_version, reviewed, note)
        self.rows[key] = replace(row, reviewed=reviewed, note=note)
        self.events.row.emit(self.rows[key])

    def top_slice(self, key: str) -> int | None:
        """The slice to open the study at: its most suspicious one once analysed."""
        verdict = self.rows[key].verdict
        return None if verdict is None else verdict.top_slice

    # --- the queue ---------------------------------------------------------------------------------
    def start_queue(self, cancel: threading.Event) -> WorkQueue:
        """A queue of the studies still to analyse; `cancel` (the job's) stops it."""
        self.queue = WorkQueue(self.queued_keys(), cancel)
        self.events.queue.emit(self.queue)
        return self.queue

    def stop(self) -> None:
        """Stop the analysis; a study it was on goes back to queued."""
        if self.queue is not None:
            self.queue.cancel.set()
        for row in list(self.rows.values()):
            if row.status is Status.ANALYSING:
                self.update(replace(row, status=Status.QUEUED, progress=0.0))
        self.queue_ended()

    def queue_ended(self) -> None:
        if self.queue is not None:
            self.queue = None
            self.events.queue.emit(None)

    def fail_queued(self, reason: str) -> None:
        """Every study still queued cannot be analysed (the model did not load): each row says why."""
        for row in list(self.rows.values()):
            if row.status in (Status.QUEUED, Status.ANALYSING):
                self.update(replace(row, status=Status.FAILED, progress=0.0, error=reason))
        self.queue_ended()

    def take_result(self, result: StudyResult) -> None:
        """The viewer scored a study's default series itself: its row is done and leaves the queue."""
        row = next((r for r in self.rows.values() if r.series_uid and r.series_uid == result.series_uid), None)
        if row is None:
            return
        if self.queue is not None:
            self.queue.discard(row.key)
        if row.status is not Status.DONE:
            self.update(row.finished(verdict_of(result)))

    def next_suspected(self, key: str, step: int) -> tuple[StudyRow, int] | None:
        """N / Shift+N past the last flagged slice of study `key`: the next (or previous) suspected study in
        ranked order and the slice to open it at (its first flagged one going forward, its last going back)."""
        suspected = [r for r in ranked(list(self.rows.values())) if r.verdict_text == SUSPECTED]
        keys = [r.key for r in suspected]
        if key in keys:
            at = keys.index(key) + step
        else:  # a study that is not suspected (or not analysed yet): the first (or last) suspected one
            at = 0 if step > 0 else len(keys) - 1
        if not 0 <= at < len(suspected):
            return None
        row = suspected[at]
        assert row.verdict is not None  # a suspected row has a verdict
        flagged = row.verdict.flagged or (row.verdict.top_slice,)
        return row, flagged[0] if step > 0 else flagged[-1]
