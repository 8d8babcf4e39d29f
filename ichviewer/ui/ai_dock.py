"""The AI dock: the study verdict first, the research notice, then the score plot, the heatmap choice with
its legend and the findings (none of these when the AI is not applicable: there are no scores to show).

A dock widget built from the viewer state, like every view: it reads and sets the state's
heatmap choice and never touches the window, the slice view or the worker.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ichviewer.core.ai_state import AIRun, Phase
from ichviewer.core.heatmap_state import STRONGEST
from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.labels import LABEL_KEYS, label
from ichviewer.core.state import ViewerState
from ichviewer.ui.findings_panel import FindingsPanel
from ichviewer.ui.heat_legend import HeatLegend
from ichviewer.ui.score_plot import ScorePlot
from ichviewer.ui.verdict_panel import VerdictPanel


class FitScrollArea(QScrollArea):
    """Its widget as wide as the view and as tall as the view or its minimum, whichever is more: scrolled, not
    squeezed into overlapping rows, on a small screen, so the verdict above it stays whole.

    (Qt's own `widgetResizable` sizes a widget with word-wrapped labels to its preferred height for
    the width, which is what leaves no room on a small screen.)"""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the dock's width fits it
        self.setWidget(widget)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        widget, view = self.widget(), self.viewport().size()
        widget.resize(view.width(), max(view.height(), widget.minimumSizeHint().height()))


class AIDock(QDockWidget):
    """'AI findings' on the right of the window."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__("AI findings", parent)
        self.state = state
        self.setObjectName("aiDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.setMinimumWidth(250)  # a 1024-pixel screen still leaves the image most of the width
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 4, 4, 4)
        self.verdict = VerdictPanel(state)
        layout.addWidget(self.verdict)
        notice = QLabel(f"AI findings ({NOT_FOR_CLINICAL_USE.lower()})")
        notice.setObjectName("aiNotice")
        notice.setWordWrap(True)
        notice.setStyleSheet("color: #f0b35a; font-weight: bold;")
        layout.addWidget(notice)
        scores = QWidget()
        column = QVBoxLayout(scores)
        column.setContentsMargins(0, 0, 0, 0)
        self.plot = ScorePlot(state)
        column.addWidget(self.plot, stretch=2)
        self.legend = HeatLegend(state.heatmap.opacity)
        column.addLayout(self._heatmap_row())
        column.addWidget(self.legend)
        self.findings = FindingsPanel(state)
        column.addWidget(self.findings, stretch=3)
        self.scores = FitScrollArea(scores)  # everything that shows scores: hidden when the AI is not applicable
        layout.addWidget(self.scores, stretch=1)
        layout.addStretch(0)  # takes the room only while the scores are hidden: the verdict stays on top
        self.setWidget(panel)
        choice = state.heatmap.events
        choice.visible.connect(self._show_choice)
        choice.label.connect(self._show_choice)
        choice.opacity.connect(self._show_choice)
        state.events.ai.connect(self._show_scores)
        self._show_scores(state.ai)

    def _show_scores(self, run: AIRun) -> None:
        self.scores.setVisible(run.phase is not Phase.NOT_APPLICABLE)

    def _heatmap_row(self) -> QGridLayout:
        choice = self.state.heatmap
        self.heat_box = QCheckBox("Heatmap (H)")
        self.heat_box.setToolTip("Grad-CAM: where the model looked for the chosen label — not an outline of the bleed")
        self.heat_label = QComboBox()
        self.heat_label.addItem("Strongest label (flagged slices)", STRONGEST)
        for key in LABEL_KEYS:
            self.heat_label.addItem(f"{label(key).name} (every slice)", key)
        self.heat_label.setToolTip("Which label's Grad-CAM to draw")
        self.heat_label.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.heat_label.setMinimumContentsLength(10)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(10, 90)
        self.opacity.setToolTip("Heatmap opacity")
        self.opacity.setMaximumWidth(110)
        self._show_choice()
        self.heat_box.toggled.connect(lambda on: setattr(choice, "visible", on))
        self.heat_label.currentIndexChanged.connect(lambda i: setattr(choice, "label", self.heat_label.itemData(i)))
        self.opacity.valueChanged.connect(lambda value: setattr(choice, "opacity", value / 100))
        self.opacity.setMaximumWidth(16777215)
        rows = QGridLayout()  # two rows: the dock stays narrow on a small screen
        rows.addWidget(self.heat_box, 0, 0)
        rows.addWidget(self.heat_label, 0, 1)
        rows.addWidget(QLabel("Opacity"), 1, 0)
        rows.addWidget(self.opacity, 1, 1)
        rows.setColumnStretch(1, 1)
        return rows

    def _show_choice(self, _: object = None) -> None:
        """The controls as the state says (the H key and settings change it too)."""
        choice = self.state.heatmap
        for widget in (self.heat_box, self.heat_label, self.opacity):
            widget.blockSignals(True)
        self.heat_box.setChecked(choice.visible)
        self.heat_label.setCurrentIndex(max(0, self.heat_label.findData(choice.label)))
        self.opacity.setValue(int(round(100 * choice.opacity)))
        for widget in (self.heat_box, self.heat_label, self.opacity):
            widget.blockSignals(False)
        self.legend.set_opacity(choice.opacity)
