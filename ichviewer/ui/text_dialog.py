"""Read-only text dialogs with a Copy button: File ▸ Show load report and Help ▸ Show log."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ichviewer.core.load_report import LoadReport
from ichviewer.core.log_file import log_path, read_log


class TextDialog(QDialog):
    """A heading line and a long text the reader can scroll, select and copy."""

    def __init__(self, title: str, heading: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)  # a deep folder path must not widen the dialog past the screen
        layout.addWidget(self.heading)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def load_report_dialog(
    report: LoadReport, folder: str, parent: QWidget | None = None, root: Path | None = None
) -> TextDialog:
    """Files left out (path + reason) and geometry warnings (tilt, gaps), one per line; with
    `root` (while names are hidden) files are named inside the study folder only."""
    summary = report.summary()
    text = "\n".join(report.lines(root)) or "Nothing was skipped and the slice geometry is regular."
    return TextDialog("Load report", f"{folder}\n{summary}", text, parent)


def log_dialog(parent: QWidget | None = None) -> TextDialog:
    """The end of the log file: errors of the loader and the AI worker with their tracebacks."""
    text = read_log() or "Nothing has been logged yet."
    return TextDialog("Log", str(log_path()), text, parent)
