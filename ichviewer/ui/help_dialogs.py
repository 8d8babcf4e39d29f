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

MOUSE_SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Wheel", "Next / previous slice (wheel up = up through the head)"),
    ("Ctrl + wheel", "Zoom in / out"),
    ("Right-drag", "Zoom (drag up = zoom in)"),
    ("Middle-drag", "Pan"),
    ("Left-drag", "Window/level: right = wider, left = narrower; down = higher level, up = lower"),
    ("Drop a folder", "Open it"),
)

LICENCES: tuple[tuple[str, str], ...] = (
    ("Qt for Python (PySide6)", "LGPL v3"),
    ("pyqtgraph", "MIT"),
    ("pydicom", "MIT"),
    ("PyTorch", "BSD-3-Clause"),
    ("pytorch-grad-cam", "MIT"),
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


def about_text() -> str:
    """The About box: version, intended use, third-party licences."""
    licences = "".join(f"<li>{name}: {licence}</li>" for name, licence in LICENCES)
    return (
        f"<h3>ichviewer {__version__}</h3>"
        "<p>Head CT viewer with an AI overlay for intracranial hemorrhage.</p>"
        "<p><b>Research tool — not for clinical use.</b> It is not a medical device and must not "
        "be used for diagnosis or treatment decisions.</p>"
        f"<p>Built with:</p><ul>{licences}</ul>"
    )


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About ichviewer", about_text())
