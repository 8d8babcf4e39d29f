"""The worklist of a folder of studies: rows by study, ranked, filtered, with the reader's reviews.

Plain Python with change events (as `ViewerState`), changed on one thread (the GUI thread in the
viewer; the triage worker hands its rows over first). Reviews ("reviewed" and a note) live in
`core/store.py`, keyed by StudyInstanceUID + model version, never in the study folder.
"""

from __future__ import annotations

from dataclasses import replace

from ichviewer.core.dicom.records import StudyIndex
from ichviewer.core.events import Events
from ichviewer.core.store import Store
from ichviewer.core.worklist_rows import Status, StudyRow, ranked, rows_from_index


class Worklist:
    """Rows of `index` by key. Events: `row(StudyRow)` one row changed, `rows(None)` the set or filter changed."""

    def __init__(self, index: StudyIndex, model_version: str, store: Store | None = None) -> None:
        self.index = index
        self.model_version = model_version
        self.store = store
        self.events = Events(("row", "rows"))
        self.suspected_only = False
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
        if current is None:
            return
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
