"""Badges over the slice view: orientation letters at the edges, the heatmap's label, "names hidden".

The texts come from core (`orientation.edge_letters`, `ViewerState.heatmap_caption`,
`privacy.NAMES_HIDDEN`); this module only places labels over the view. Every overlay label gets
a dark outline (`outlined`) so it stays readable over bone and a bright heatmap.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsDropShadowEffect, QLabel, QWidget

from ichviewer.core.orientation import EDGES
from ichviewer.core.privacy import NAMES_HIDDEN

MARGIN = 8
CAPTION_TOP = 30  # the heatmap caption sits below the top orientation letter


def outlined(label: QLabel) -> QLabel:
    """Give `label` a tight black shadow on all sides: an outline that keeps light text readable on bone."""
    effect = QGraphicsDropShadowEffect(label)
    effect.setBlurRadius(5)
    effect.setOffset(0.8, 0.8)
    effect.setColor(QColor(0, 0, 0, 240))
    label.setGraphicsEffect(effect)
    return label


class ViewBadges:
    """Labels over `host`: one per edge (A/P/R/L/S/I), the heatmap caption, the privacy badge."""

    def __init__(self, host: QWidget, avoid: tuple[QLabel, ...] = ()) -> None:
        self.host = host
        self.avoid = avoid  # labels the heatmap caption must not cover (the top corner texts)
        self.labels: dict[str, QLabel] = {edge: outlined(self._make("orientationMarker")) for edge in EDGES}
        self.labels["heat"] = outlined(self._make("heatmapCaption"))
        self.labels["privacy"] = self._make("privacyBadge")
        self.labels["privacy"].setText(NAMES_HIDDEN)
        self.labels["privacy"].setToolTip("Patient names, IDs, dates and folder paths are hidden; P shows them")

    def _make(self, name: str) -> QLabel:
        label = QLabel(self.host)
        label.setObjectName(name)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        label.hide()
        return label

    def set_edges(self, letters: dict[str, str], visible: bool) -> None:
        """The orientation letters (empty: none known yet); hidden with the other overlays (O)."""
        for edge in EDGES:
            self._set(edge, letters.get(edge, ""), visible)

    def set_heat(self, caption: str) -> None:
        self._set("heat", caption, True)

    def set_privacy(self, names_hidden: bool) -> None:
        """The badge is shown whenever names are hidden, overlays or not: the reader must know."""
        self._set("privacy", NAMES_HIDDEN, names_hidden)

    def text(self, name: str) -> str:
        """The text of a badge as displayed ('' when hidden): an edge name, 'heat' or 'privacy'."""
        label = self.labels[name]
        return label.text() if label.isVisible() else ""

    def _set(self, name: str, text: str, visible: bool) -> None:
        label = self.labels[name]
        if text != label.text():
            label.setText(text)
            self._place(name, label)
        shown = visible and bool(text)
        if shown != label.isVisible():
            label.setVisible(shown)

    def place(self) -> None:
        """Keep every badge in its place (after a resize)."""
        for name, label in self.labels.items():
            self._place(name, label)

    def _place(self, name: str, label: QLabel) -> None:
        label.adjustSize()
        width, height = self.host.width(), self.host.height()
        centre_x, centre_y = (width - label.width()) // 2, (height - label.height()) // 2
        x, y = {
            "left": (MARGIN, centre_y),
            "right": (width - label.width() - MARGIN, centre_y),
            "top": (centre_x, MARGIN),
            "bottom": (centre_x, height - label.height() - MARGIN),
            "heat": (centre_x, CAPTION_TOP),
            "privacy": (MARGIN, MARGIN),
        }[name]
        if name == "heat":  # below the corner texts when a narrow view would put it over them
            own = QRect(max(0, x), y, label.width(), label.height())
            hit = [o.geometry().bottom() for o in self.avoid if o.isVisible() and o.geometry().intersects(own)]
            y = max([y, *(bottom + 4 for bottom in hit)])
        label.move(max(0, x), max(0, y))

    def place_caption(self) -> None:
        """Re-place the heatmap caption (the corner texts it avoids may have changed)."""
        self._place("heat", self.labels["heat"])
