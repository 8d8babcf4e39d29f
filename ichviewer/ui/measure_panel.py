"""The Measurements dock: one row per measurement (value; view and image), the chosen one's details and settings.

Choosing a row selects the measurement and brings its image on screen (switching to the MPR
layout for a reformat's); Delete, Undo and Redo act on the state's list. Below the table: the
chosen measurement's statistics and warnings, and for the volume estimates what they were made
from, editable: ABC/2's slice count, a seeded region's HU range and its box's slices (its rows and
columns are the dashed box on the axial view).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ichviewer.core.bleed_volume import Box
from ichviewer.core.measure import Measurement
from ichviewer.core.measurement_report import detail_lines, place_text, where_text
from ichviewer.core.state import ViewerState
from ichviewer.ui.measure_tools import MeasureTools

COLUMNS = ("Measurement", "Where")
NO_SELECTION = "Choose a tool (Measure menu or toolbar) and draw on any view; choose a row to see its details."


class MeasurePanel(QDockWidget):
    """'Measurements' dock, built from the state like every view; edits go through the tools."""

    def __init__(self, state: ViewerState, tools: MeasureTools, parent: QWidget | None = None) -> None:
        super().__init__("Measurements", parent)
        self.state, self.tools = state, tools
        self.setObjectName("measureDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 4, 4, 4)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("measureTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)  # long values wrap in a narrow dock
        self.table.itemSelectionChanged.connect(self._chosen)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.undo_button, self.redo_button, self.delete_button = (QPushButton(t) for t in ("Undo", "Redo", "Delete"))
        for button in (self.undo_button, self.redo_button, self.delete_button):
            button.setMinimumWidth(40)
        self.undo_button.clicked.connect(state.measurements.undo)
        self.redo_button.clicked.connect(state.measurements.redo)
        self.delete_button.clicked.connect(lambda: state.measurements.delete(state.measurements.selected))
        for button in (self.undo_button, self.redo_button, self.delete_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.details = QLabel()
        self.details.setObjectName("measureDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)
        self.editor = QWidget()
        form = QFormLayout(self.editor)
        form.setRowWrapPolicy(
            QFormLayout.RowWrapPolicy.WrapAllRows
        )  # labels above their fields: a narrow dock        form.setContentsMargins(0, 0, 0, 0)
        self.slices = _spin(1, 10000, "", "ABC/2's C: the slices the bleed spans")
        self.hu_low, self.hu_high = _spin(-200, 3000, " HU", "lowest HU"), _spin(-200, 3000, " HU", "highest HU")
        self.box_first, self.box_last = _spin(1, 10000, "", "first slice"), _spin(1, 10000, "", "last slice")
        for label, first, second in (
            ("Slices (C)", self.slices, None),
            ("HU range", self.hu_low, self.hu_high),
            ("Box slices", self.box_first, self.box_last),
        ):
            row = QHBoxLayout()
            for box in (first, second):
                if box is not None:
                    row.addWidget(box)
                    box.editingFinished.connect(self._settings_edited)
            form.addRow(label, row)
        layout.addWidget(self.editor)
        self.setWidget(panel)

        state.measurements.events.history.connect(lambda _: self._fill())
        state.measurements.events.selected.connect(lambda _: self._show_selected())
        self._fill()

    # --- state → panel ----------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, ...]]:
        """The table as text (tests read it)."""
        return [tuple(self.table.item(r, c).text() for c in range(len(COLUMNS))) for r in range(self.table.rowCount())]

    def _fill(self) -> None:
        items = self.state.measurements.items
        self.table.blockSignals(True)
        self.table.setRowCount(len(items))
        for r, m in enumerate(items):
            for c, text in enumerate((m.label, where_text(m))):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, m.id)
                cell.setToolTip("\n".join([place_text(m), *detail_lines(m)]))
                self.table.setItem(r, c, cell)
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)
        history = self.state.measurements.history
        self.undo_button.setEnabled(history.can_undo)
        self.redo_button.setEnabled(history.can_redo)
        self._show_selected()

    def _show_selected(self) -> None:
        m = self.state.measurements.get(self.state.measurements.selected)
        self.table.blockSignals(True)
        self.table.clearSelection()
        if m is not None:
            self.table.selectRow(self.state.measurements.items.index(m))
        self.table.blockSignals(False)
        self.delete_button.setEnabled(m is not None)
        text = "\n".join([place_text(m), *detail_lines(m)]) if m is not None else NO_SELECTION
        self.details.setText(text)
        self._show_settings(m)

    def _show_settings(self, m: Measurement | None) -> None:
        bleed = m.bleed if m is not None else None
        self.editor.setVisible(bleed is not None)
        if m is None or bleed is None:
            return
        abc = m.kind == "abc"
        n = self.state.volume.n_slices if self.state.volume is not None else 10000
        for box, shown in ((self.slices, abc), (self.hu_low, not abc), (self.hu_high, not abc)):
            box.setEnabled(shown)
        for box in (self.box_first, self.box_last):
            box.setEnabled(not abc)
            box.setMaximum(n)
        values = [(self.slices, bleed.slices)]
        if bleed.hu_range is not None and bleed.box is not None:
            (first, stop), _, _ = bleed.box
            values += [(self.hu_low, bleed.hu_range[0]), (self.hu_high, bleed.hu_range[1])]
            values += [(self.box_first, first + 1), (self.box_last, stop)]
        for box, value in values:
            box.blockSignals(True)
            box.setValue(round(value))
            box.blockSignals(False)

    # --- panel → state ----------------------------------------------------------------------------
    def _chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        id = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        self.state.measurements.select(id)
        m = self.state.measurements.get(id)
        if m is None:
            return
        if m.placement.view != "axial":
            self.state.display.layout = "mpr"
        self.state.show_image(m.placement.view, m.placement.index)

    def _settings_edited(self) -> None:
        m = self.state.measurements.get(self.state.measurements.selected)
        if m is None or m.bleed is None:
            return
        if m.kind == "abc":
            if self.slices.value() != m.bleed.slices:
                self.tools.change_settings(m, slices=self.slices.value())
            return
        if m.bleed.box is None:
            return
        hu = (float(self.hu_low.value()), float(self.hu_high.value()))
        first, last = sorted((self.box_first.value() - 1, self.box_last.value()))
        box = Box((first, max(last, first + 1)), *m.bleed.box[1:])
        if hu != m.bleed.hu_range or box.slices != m.bleed.box[0]:
            self.tools.change_settings(m, hu_range=hu, box=box)


def _spin(low: int, high: int, suffix: str, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)
    return box
