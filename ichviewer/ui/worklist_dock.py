"""The worklist dock: a table of a folder's studies, ranked by the AI's suspicion, analysed in the background.

A view of a `core.worklist.Worklist` (rows, filter, reviews) and of the state's privacy toggle (P
hides names, IDs and dates). Sorting is the table's (any column); the first column is the rank.
Enter or a double-click opens the study at its most suspicious slice and moves it to the front of
the queue; "reviewed" and the note are saved in the store as they are edited.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ichviewer.core.dicom.records import StudyIndex
from ichviewer.core.labels import label
from ichviewer.core.state import ViewerState
from ichviewer.core.worklist import Worklist
from ichviewer.core.worklist_rows import SUSPECTED, Status, StudyRow, rows_from_index
from ichviewer.ui.worklist_worker import WorklistWorker

log = logging.getLogger(__name__)

COLUMNS = ("#", "Patient", "ID", "Date", "Description", "Series", "Slices", "Verdict", "Score", "Subtypes",
           "Flagged", "Status", "Reviewed", "Note")  # fmt: skip
REVIEWED, NOTE = COLUMNS.index("Reviewed"), COLUMNS.index("Note")
STATUS = COLUMNS.index("Status")
HIDDEN = "•••"
KEY = Qt.ItemDataRole.UserRole
SUSPECTED_COLOUR = QColor(230, 80, 70)


class WorklistDock(QDockWidget):
    """The table, a "suspected only" filter, pause and stop for the queue, and a summary line."""

    def __init__(self, state: ViewerState, worklist: Worklist, worker: WorklistWorker | None, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__("Worklist", parent)
        self.setObjectName("worklistDock")
        self.state, self.worklist, self.worker = state, worklist, worker
        self._open_at: tuple[str, int] | None = None  # (series uid, slice) to show once that series is loaded
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("worklistTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.DoubleClicked | QTableWidget.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.suspected_only = QCheckBox("Suspected only")
        self.pause = QPushButton("Pause")
        self.pause.setCheckable(True)
        self.stop = QPushButton("Stop")
        self.summary = QLabel()
        bar = QHBoxLayout()
        for widget in (self.suspected_only, self.pause, self.stop):
            bar.addWidget(widget)
        bar.addWidget(self.summary, 1)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(4, 4, 4, 4)
        column.addLayout(bar)
        column.addWidget(self.table)
        self.setWidget(body)
        self.suspected_only.toggled.connect(worklist.set_suspected_only)
        self.pause.toggled.connect(self._pause)
        self.stop.clicked.connect(self._stop)
        self.pause.setEnabled(worker is not None)
        self.stop.setEnabled(worker is not None)
        self.table.itemActivated.connect(lambda item: self.open_row(item.data(KEY)))
        self.table.itemChanged.connect(self._edited)
        worklist.events.rows.connect(self.refill)
        worklist.events.row.connect(self._on_row)
        state.display.events.show_patient.connect(self.refill)
        state.events.volume.connect(self._on_volume)
        self.refill()

    # --- drawing -------------------------------------------------------------------------------
    def refill(self, _: object = None) -> None:
        table = self.table
        table.blockSignals(True)
        table.setSortingEnabled(False)
        rows = self.worklist.visible()
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, item in enumerate(self._items(r + 1, row)):
                item.setData(KEY, row.key)
                table.setItem(r, c, item)
        table.setSortingEnabled(True)
        table.blockSignals(False)
        table.resizeColumnsToContents()
        table.setColumnWidth(NOTE, max(table.columnWidth(NOTE), 160))
        table.setColumnWidth(STATUS, max(table.columnWidth(STATUS), 120))  # room for "analysing 100%"
        self._summarise()

    def _items(self, rank: int, row: StudyRow) -> list[QTableWidgetItem]:
        show = self.state.display.show_patient
        verdict = row.verdict
        values: list[object] = [
            rank,
            row.patient_name if show else HIDDEN,
            row.patient_id if show else HIDDEN,
            _date(row.date) if show else HIDDEN,
            row.description,
            row.series_title or row.folder.name,
            row.n_slices,
            row.verdict_text,
            f"{verdict.score:.3f}" if verdict else None,  # scores lie in [0, 1]: fixed width sorts as numbers
            ", ".join(label(s).short for s in verdict.subtypes) if verdict else "",
            len(verdict.flagged) if verdict else None,
            row.status_text,
            "",
            row.note,
        ]
        items = []
        for c, value in enumerate(values):
            item = QTableWidgetItem()
            if value is not None:
                item.setData(Qt.ItemDataRole.DisplayRole, value)
            editable = c == NOTE and bool(row.series_uid)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | _flag(editable))
            items.append(item)
        items[STATUS].setToolTip(row.status_text)
        if row.status is Status.NOT_APPLICABLE:  # the verdict cell says why there is no verdict
            items[COLUMNS.index("Verdict")].setToolTip(f"AI not applicable: {row.error}")
        reviewed = items[REVIEWED]
        if row.series_uid:
            reviewed.setFlags(reviewed.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            reviewed.setCheckState(Qt.CheckState.Checked if row.reviewed else Qt.CheckState.Unchecked)
        if row.verdict_text == SUSPECTED:
            for c in (COLUMNS.index("Verdict"), COLUMNS.index("Score")):
                items[c].setForeground(QBrush(SUSPECTED_COLOUR))
        return items

    def _on_row(self, row: StudyRow) -> None:
        """Progress changes one cell; anything else may change the ranking, so the table is redrawn."""
        if row.status is Status.ANALYSING:
            for r in range(self.table.rowCount()):
                item = self.table.item(r, STATUS)
                if item is not None and item.data(KEY) == row.key:
                    self.table.blockSignals(True)
                    item.setData(Qt.ItemDataRole.DisplayRole, row.status_text)
                    self.table.blockSignals(False)
                    return
        self.refill()

    def _summarise(self) -> None:
        rows = list(self.worklist.rows.values())
        done = sum(r.status in (Status.DONE, Status.FAILED, Status.NOT_APPLICABLE) for r in rows)
        suspected = sum(r.verdict_text == SUSPECTED for r in rows)
        self.summary.setText(f"{done} of {len(rows)} done · {suspected} suspected")

    # --- intent --------------------------------------------------------------------------------
    def open_row(self, key: str) -> None:
        """Show the study (at its most suspicious slice once analysed) and analyse it first if still queued."""
        row = self.worklist.rows[key]
        if not row.series_uid or self.state.index is None:
            self.state.status = f"{row.folder}: {row.error}"
            return
        if self.worker is not None:
            self.worker.queue.prioritise(key)
        top = self.worklist.top_slice(key)
        self._open_at = None if top is None else (row.series_uid, top)
        series = self.state.index.find(row.series_uid)
        if self.state.open_series(series) is None and self.state.volume is not None and top is not None:
            self.state.set_slice(top)  # already on screen

    def _on_volume(self, volume: object) -> None:
        if volume is None or self._open_at is None:
            return
        uid, index = self._open_at
        if self.state.volume is not None and self.state.volume.series.uid == uid:
            self._open_at = None
            self.state.set_slice(index)

    def _edited(self, item: QTableWidgetItem) -> None:
        key = item.data(KEY)
        if item.column() == REVIEWED:
            self.worklist.set_review(key, item.checkState() == Qt.CheckState.Checked)
        elif item.column() == NOTE:
            self.worklist.set_review(key, self.worklist.rows[key].reviewed, item.text())

    def _pause(self, paused: bool) -> None:
        if self.worker is not None:
            (self.worker.queue.paused.set if paused else self.worker.queue.paused.clear)()
        self.pause.setText("Resume" if paused else "Pause")

    def queue_ended(self, completed: bool) -> None:
        self.pause.setEnabled(False)
        self.stop.setEnabled(False)
        self.state.status = "Worklist analysed" if completed else "Worklist analysis stopped"

    def close_worklist(self) -> None:
        """Stop the queue, wait for its thread, close the store (the window closes or another folder opens)."""
        if self.worker is not None:
            self.worker.stop()
        self.worklist.events.rows.disconnect(self.refill)
        self.worklist.events.row.disconnect(self._on_row)
        self.state.display.events.show_patient.disconnect(self.refill)
        self.state.events.volume.disconnect(self._on_volume)
        if self.worklist.store is not None:
            self.worklist.store.close()

    def _stop(self) -> None:
        if self.worker is not None:
            self.worker.queue.cancel.set()
        self.pause.setEnabled(False)
        self.stop.setEnabled(False)


def open_worklist(state: ViewerState, index: StudyIndex, model_dir: str | None, device: str, ai: bool, parent=None):  # type: ignore[no-untyped-def]
    """A worklist dock for a folder of more than one study (None otherwise); with `ai`, its queue starts."""
    from ichviewer.core.model import default_model_dir, read_card
    from ichviewer.core.store import Store, StoreError

    if len(rows_from_index(index)) < 2:
        return None
    try:
        version = read_card(model_dir or default_model_dir()).version
    except Exception as error:  # the worker reports the model's problem on every row
        log.warning("worklist: no model card (%s)", error)
        version = "unknown"
    try:
        store: Store | None = Store()
    except (StoreError, OSError) as error:
        log.warning("worklist: reviews are not saved: %s", error)
        state.status = f"Reviews are not saved: {error}"
        store = None
    worklist = Worklist(index, version, store)
    worker = WorklistWorker(worklist, model_dir, device, parent) if ai else None
    dock = WorklistDock(state, worklist, worker, parent)
    if worker is not None:
        worker.finished.connect(dock.queue_ended)
        worker.start()
    return dock


def _flag(on: bool) -> Qt.ItemFlag:
    return Qt.ItemFlag.ItemIsEditable if on else Qt.ItemFlag.NoItemFlags


def _date(value: str) -> str:
    return f"{value[:4]}-{value[4:6]}-{value[6:]}" if len(value) == 8 else value
