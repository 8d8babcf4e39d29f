"""Per-slice score plot (pyqtgraph): the 'any' curve, toggleable subtypes, thresholds,
flagged slices shaded, and a marker on the current slice that can be clicked or dragged.

Shows state and forwards intent only: `sliceRequested(index)` when the reader clicks or drags.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QGridLayout, QVBoxLayout, QWidget

from ichviewer.core.labels import LABELS
from ichviewer.core.results import StudyResult


class ScorePlot(QWidget):
    """Scores along the slice axis (x: slice number 1..N, y: probability 0..1)."""

    sliceRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(background=None)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setLabel("left", "score")
        self.plot.setLabel("bottom", "slice")
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setMinimumHeight(150)
        self.flag_bars = pg.BarGraphItem(x=[], height=[], width=1.0, brush=QColor(255, 77, 77, 45), pen=pg.mkPen(None))
        self.plot.addItem(self.flag_bars)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.thresholds: dict[str, pg.InfiniteLine] = {}
        for item in LABELS[::-1]:  # "any" added last: drawn on top
            width = 2.5 if item.key == "any" else 1.4
            self.curves[item.key] = self.plot.plot([], [], pen=pg.mkPen(item.colour, width=width), name=item.name)
            self.thresholds[item.key] = pg.InfiniteLine(
                angle=0, pen=pg.mkPen(item.colour, width=1, style=Qt.PenStyle.DashLine), movable=False
            )
            self.plot.addItem(self.thresholds[item.key])
        self.cursor = pg.InfiniteLine(
            angle=90, movable=True, pen=pg.mkPen("#e0e0e0", width=1.5), hoverPen=pg.mkPen("#ffffff", width=2.5)
        )
        self.cursor.sigDragged.connect(self._cursor_dragged)
        self.plot.addItem(self.cursor)
        self.plot.scene().sigMouseClicked.connect(self._clicked)

        self.toggles: dict[str, QCheckBox] = {}
        toggles = QGridLayout()
        toggles.setContentsMargins(4, 0, 4, 0)
        for k, item in enumerate(LABELS):
            box = QCheckBox(item.name if item.key == "any" else item.short)
            box.setToolTip(f"Show the {item.name.lower()} score curve")
            box.setStyleSheet(f"QCheckBox {{ color: {item.colour}; font-weight: bold; }}")
            box.setChecked(item.key == "any")
            box.toggled.connect(self._refresh_visibility)
            self.toggles[item.key] = box
            toggles.addWidget(box, 0, k)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addLayout(toggles)
        self.result: StudyResult | None = None
        self.clear(0)

    def clear(self, n_slices: int) -> None:
        """No scores yet (analysis pending or AI off): empty curves over `n_slices` slices."""
        self.result = None
        for curve in self.curves.values():
            curve.setData([], [])
        self.flag_bars.setOpts(x=[], height=[])
        self.n_slices = n_slices
        self.plot.setXRange(1, max(n_slices, 2), padding=0.02)
        self._refresh_visibility()

    def set_partial(self, scores: np.ndarray, done: np.ndarray, labels: tuple[str, ...]) -> None:
        """Curves for the slices scored so far while the analysis runs."""
        x = np.flatnonzero(done) + 1
        for k, key in enumerate(labels):
            self.curves[key].setData(x, scores[done, k])

    def set_result(self, result: StudyResult) -> None:
        """The finished analysis: curves, thresholds and shaded flagged slices."""
        self.result = result
        self.n_slices = result.n_slices
        x = np.arange(1, result.n_slices + 1)
        for k, key in enumerate(result.labels):
            self.curves[key].setData(x, result.scores[:, k])
            self.thresholds[key].setPos(result.thresholds[k])
        flagged = np.array(result.flagged_slices(), dtype=float) + 1
        self.flag_bars.setOpts(x=flagged, height=np.ones_like(flagged), width=1.0)
        self.plot.setXRange(1, max(result.n_slices, 2), padding=0.02)
        self._refresh_visibility()

    def set_current(self, index: int) -> None:
        """Move the marker to slice `index` (0-based) without emitting sliceRequested."""
        self.cursor.blockSignals(True)
        self.cursor.setPos(index + 1)
        self.cursor.blockSignals(False)

    def visible_labels(self) -> list[str]:
        return [key for key, box in self.toggles.items() if box.isChecked()]

    def _refresh_visibility(self) -> None:
        has_result = self.result is not None
        for key, box in self.toggles.items():
            self.curves[key].setVisible(box.isChecked())
            self.thresholds[key].setVisible(has_result and box.isChecked())

    def _slice_at(self, x: float) -> int:
        return int(np.clip(round(x) - 1, 0, max(self.n_slices - 1, 0)))

    def _cursor_dragged(self) -> None:
        if self.n_slices:
            self.sliceRequested.emit(self._slice_at(self.cursor.value()))

    def _clicked(self, event: object) -> None:
        if not self.n_slices or event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        view = self.plot.getViewBox()
        point = view.mapSceneToView(event.scenePos())  # type: ignore[attr-defined]
        if view.sceneBoundingRect().contains(event.scenePos()):  # type: ignore[attr-defined]
            self.sliceRequested.emit(self._slice_at(point.x()))
