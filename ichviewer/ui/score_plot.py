"""Per-slice score plot (pyqtgraph): the 'any' curve, toggleable subtypes, thresholds,
flagged slices shaded, and a marker on the current slice that can be clicked or dragged.

Built from the viewer state: curves follow the AI run (scores so far, then the result), looked
up by label name in the model card's order; the marker follows the cursor; a click or drag sets
the state's slice.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QGridLayout, QVBoxLayout, QWidget

from ichviewer.core.ai_state import AIRun
from ichviewer.core.labels import LABELS
from ichviewer.core.slice_ticks import slice_ticks
from ichviewer.core.state import ViewerState
from ichviewer.core.volume import CTVolume

FEW_SLICES = 3  # up to this many slices each score is drawn as a dot too (a line needs two points)


class SliceAxis(pg.AxisItem):
    """The slice axis: ticks at whole slice numbers of the study only (`core.slice_ticks`)."""

    n_slices = 0

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[int]]]:  # noqa: N802, N803
        ticks = [t for t in slice_ticks(self.n_slices) if minVal <= t <= maxVal]
        return [(1.0, ticks)]


class ScorePlot(QWidget):
    """Scores along the slice axis (x: slice number 1..N, y: probability 0..1)."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.slice_axis = SliceAxis("bottom")
        self.plot = pg.PlotWidget(background=None, axisItems={"bottom": self.slice_axis})
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setLabel("left", "score")
        self.plot.setLabel("bottom", "slice")
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setMinimumHeight(150)
        self.flag_bars = pg.BarGraphItem(x=[], height=[], width=1.0, brush=QColor(255, 77, 77, 45), pen=pg.mkPen(None))
        # drawn once into a pixmap: the cursor moves on every scroll step, and redrawing hundreds of bars under it
        # cost more than the rest of the frame
        self.flag_bars.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.flag_bars)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.thresholds: dict[str, pg.InfiniteLine] = {}
        for item in LABELS[::-1]:  # "any" added last: drawn on top
            width = 2.5 if item.key == "any" else 1.4
            self.curves[item.key] = self.plot.plot([], [], pen=pg.mkPen(item.colour, width=width), name=item.name)
            self.curves[item.key].curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
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
            box = QCheckBox(item.short)
            box.setToolTip(f"Show the {item.name.lower()} score curve")
            box.setStyleSheet(f"QCheckBox {{ color: {item.colour}; font-weight: bold; }}")
            box.setChecked(item.key == "any")
            box.toggled.connect(self._refresh_visibility)
            self.toggles[item.key] = box
            toggles.addWidget(box, k // 3, k % 3)  # two rows of three: the dock stays narrow on a small screen
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addLayout(toggles)
        self.n_slices = 0
        self._has_result = False
        self._shown: tuple[object, ...] | None = None  # (partial scores, result, labels) the curves show
        state.events.volume.connect(self._on_volume)
        state.events.ai.connect(self._on_ai)
        state.dims.events.point.connect(lambda _: self._move_cursor())
        self._on_volume(state.volume)

    def _on_volume(self, volume: CTVolume | None) -> None:
        self.n_slices = volume.n_slices if volume is not None else 0
        self.plot.setXRange(0.5, max(self.n_slices, 1) + 0.5, padding=0.0)
        self.slice_axis.n_slices = self.n_slices
        self._shown = None
        self._on_ai(self.state.ai)
        self._move_cursor()

    def _on_ai(self, run: AIRun) -> None:
        """Curves of every label the run has scores for (so far, or final), thresholds and flags when done.

        Progress alone (the same scores) changes nothing here: the plot is not redrawn for it.
        """
        shown = (run.partial, run.result, run.labels)
        if self._shown is not None and all(a is b for a, b in zip(shown, self._shown, strict=True)):
            return
        self._shown = shown
        x = run.scored() + 1
        for key, curve in self.curves.items():
            column = run.column(key)
            if column is None:
                curve.setData([], [])
            else:
                curve.setData(x, column, symbol="o" if len(x) <= FEW_SLICES else None, symbolSize=6)
        result = run.result
        self._has_result = result is not None
        flagged = np.array(result.flagged_slices() if result is not None else [], dtype=float) + 1
        self.flag_bars.setOpts(x=flagged, height=np.ones_like(flagged), width=1.0)
        if result is not None:
            for key in result.labels:
                if key in self.thresholds:
                    self.thresholds[key].setPos(result.threshold(key))
        self._refresh_visibility()

    def _move_cursor(self) -> None:
        self.cursor.blockSignals(True)
        self.cursor.setPos(self.state.dims.slice + 1)
        self.cursor.blockSignals(False)

    def visible_labels(self) -> list[str]:
        return [key for key, box in self.toggles.items() if box.isChecked()]

    def _refresh_visibility(self) -> None:
        for key, box in self.toggles.items():
            self.curves[key].setVisible(box.isChecked())
            self.thresholds[key].setVisible(self._has_result and box.isChecked())

    def _slice_at(self, x: float) -> int:
        return int(np.clip(round(x) - 1, 0, max(self.n_slices - 1, 0)))

    def _cursor_dragged(self) -> None:
        if self.n_slices:
            self.state.set_slice(self._slice_at(self.cursor.value()))

    def _clicked(self, event: object) -> None:
        if not self.n_slices or event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        view = self.plot.getViewBox()
        point = view.mapSceneToView(event.scenePos())  # type: ignore[attr-defined]
        if view.sceneBoundingRect().contains(event.scenePos()):  # type: ignore[attr-defined]
            self.state.set_slice(self._slice_at(point.x()))
