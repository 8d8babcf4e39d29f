"""The worklist dock: a table of a folder's studies, ranked by the AI's suspicion, analysed in the background.

A view of the state's `core.worklist.Worklist` (rows, filter, reviews, queue) and of its privacy
toggle (P hides names, IDs and dates). Sorting is the table's (any column); the first column is the
rank. Enter or a double-click opens the study at its most suspicious slice (`ViewerState.open_worklist_study`);
"reviewed" and the note are saved in the store as they are edited. The studies are analysed by
the viewer's AI worker (`ViewerState.start_worklist`).
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
from ichviewer.core.work_queue import WorkQueue
from ichviewer.core.worklist import Worklist
from ichviewer.core.worklist_rows import SUSPECTED, Status, StudyRow, rows_from_index

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

    def __init__(self, state: ViewerState, worklist: Worklist, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__("Worklist", parent)
        self.setObjectName("worklistDock")
        self.state, self.worklist = state, worklist
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
        self.table.itemActivated.connect(lambda item: self.open_row(item.data(KEY)))
        self.table.itemChanged.connect(self._edited)
        worklist.events.rows.connect(self.refill)
        worklist.events.row.connect(self._on_row)
        worklist.events.queue.connect(self._on_queue)
        state.display.events.show_patient.connect(self.refill)
        self._on_queue(worklist.queue)
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
        """Show the study (at its most suspicious slice once analysed); it is analysed ahead of the queue."""
        self.state.open_worklist_study(key)

    def _edited(self, item: QTableWidgetItem) -> None:
        key = item.data(KEY)
        if item.column() == REVIEWED:
            self.worklist.set_review(key, item.checkState() == Qt.CheckState.Checked)
        elif item.column() == NOTE:
            self.worklist.set_review(key, self.worklist.rows[key].reviewed, item.text())

    def _pause(self, paused: bool) -> None:
        queue = self.worklist.queue
        if queue is not None:
            (queue.paused.set if paused else queue.paused.clear)()
        self.pause.setText("Resume" if paused else "Pause")

    def _stop(self) -> None:
        self.worklist.stop()
        self.state.status = "Worklist analysis stopped"

    def _on_queue(self, queue: WorkQueue | None) -> None:
        """Pause and Stop act while the studies are being analysed."""
        self.pause.setEnabled(queue is not None)
        self.stop.setEnabled(queue is not None)

    def close_worklist(self) -> None:
        """Stop listening and close the store (the window closes or another folder opens; the state cancels the job)."""
        self.worklist.events.rows.disconnect(self.refill)
        self.worklist.events.row.disconnect(self._on_row)
        self.worklist.events.queue.disconnect(self._on_queue)
        self.state.display.events.show_patient.disconnect(self.refill)
        if self.worklist.store is not None:
            self.worklist.store.close()


def open_worklist(state: ViewerState, index: StudyIndex, model_dir: str | None, parent=None):  # type: ignore[no-untyped-def]
    """A worklist dock for a folder of more than one study (None otherwise); the state starts its analysis."""
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
    state.start_worklist(worklist)
    return WorklistDock(state, worklist, parent)


def _flag(on: bool) -> Qt.ItemFlag:
    return Qt.ItemFlag.ItemIsEditable if on else Qt.ItemFlag.NoItemFlags


def _date(value: str) -> str:
    return f"{value[:4]}-{value[4:6]}-{value[6:]}" if len(value) == 8 else value
