"""The study table (per label: highest score, slices over threshold) and the flagged-slice list.

Built from the viewer state: it shows the AI run's result (empty without one; the verdict panel
above it says why); the current slice is highlighted in the list; a click sets the state's slice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ichviewer.core.labels import label
from ichviewer.core.results import StudyResult
from ichviewer.core.state import ViewerState


class FindingsPanel(QWidget):
    """The study table on top, the flagged slices below (slice, strongest label, score)."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Label", "Highest", "Slices flagged"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellClicked.connect(self._table_clicked)
        self.flagged = QListWidget()
        self.flagged.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.flagged.itemClicked.connect(lambda item: state.set_slice(int(item.data(Qt.ItemDataRole.UserRole))))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        heading = QLabel("Flagged slices  (N / Shift+N: next / previous region)")
        heading.setWordWrap(True)  # the dock stays narrow on a small screen
        layout.addWidget(heading)
        layout.addWidget(self.flagged, stretch=1)
        self.result: StudyResult | None = None
        self._rows: dict[int, int] = {}  # flagged slice → its row in the list
        state.events.ai.connect(lambda _: self._refresh())
        state.events.model.connect(lambda _: self._refresh())
        state.dims.events.point.connect(lambda _: self.set_current(state.dims.slice))
        self._refresh()

    def _refresh(self) -> None:
        result = self.state.ai.result
        if result is None:
            self._clear()
        elif result is not self.result:
            self._show(result)
            self.set_current(self.state.dims.slice)

    def _clear(self) -> None:
        self.result = None
        self._rows = {}
        self.table.setRowCount(0)
        self.flagged.clear()

    def _show(self, result: StudyResult) -> None:
        self.result = result
        flagged = result.flagged_slices()
        rows = result.label_summaries()
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            info = label(row.label)
            cells = [info.name, f"{row.max_score:.2f}", str(row.slices_over)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 0:
                    item.setForeground(QBrush(QColor(info.colour)))
                if row.positive:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                item.setToolTip(
                    f"{info.name}: highest score {row.max_score:.3f} on slice {row.max_slice + 1}; "
                    f"threshold {row.threshold:.3f}"
                )
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        self.flagged.clear()
        self._rows = {index: row for row, index in enumerate(flagged)}
        for index in flagged:
            key, score = result.top_label(index)
            item = QListWidgetItem(f"Slice {index + 1:>3}   {label(key).short:<4} {score:.2f}   {label(key).name}")
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setForeground(QBrush(QColor(label(key).colour)))
            self.flagged.addItem(item)

    def set_current(self, index: int) -> None:
        """Highlight the current slice in the list when it is a flagged one (called on every scroll step)."""
        row = self._rows.get(index, -1)
        if row != self.flagged.currentRow() or (row < 0 and self.flagged.selectedItems()):
            if row >= 0:
                self.flagged.setCurrentRow(row)
            else:
                self.flagged.setCurrentRow(-1)
                self.flagged.clearSelection()

    def _table_clicked(self, row: int, _column: int) -> None:
        if self.result is not None:
            self.state.set_slice(self.result.label_summaries()[row].max_slice)
