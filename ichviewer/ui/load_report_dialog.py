"""File ▸ Show load report: files left out (path + reason) and geometry warnings (tilt, gaps)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ichviewer.core.load_report import LoadReport


def report_text(report: LoadReport) -> str:
    """One problem per line; a plain sentence when there is none."""
    lines = report.lines()
    return "\n".join(lines) if lines else "Nothing was skipped and the slice geometry is regular."


class LoadReportDialog(QDialog):
    """Read-only list of the load report, with a button to copy it."""

    def __init__(self, report: LoadReport, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Load report")
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        summary = report.summary()
        layout.addWidget(QLabel(f"{folder}\n{summary}"))
        self.text = QPlainTextEdit(report_text(report))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
