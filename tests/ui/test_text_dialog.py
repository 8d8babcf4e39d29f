"""The load report and log dialogs: one problem per line, a plain sentence when there is none, Copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton

from ichviewer.core.dicom.records import SkippedFile
from ichviewer.core.load_report import LoadReport
from ichviewer.ui.text_dialog import load_report_dialog, log_dialog


def test_load_report_lines_and_copy(qtbot) -> None:  # type: ignore[no-untyped-def]
    report = LoadReport((SkippedFile(Path("/s/x.dcm"), "not a DICOM file"),), ("gantry tilt 15°",))
    dialog = load_report_dialog(report, "/s")
    qtbot.addWidget(dialog)
    assert dialog.text.toPlainText() == "warning: gantry tilt 15°\nskipped: /s/x.dcm: not a DICOM file"
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "Copy").click()
    assert QGuiApplication.clipboard().text() == dialog.text.toPlainText()
    empty = load_report_dialog(LoadReport(), "/s")
    qtbot.addWidget(empty)
    assert empty.text.toPlainText().startswith("Nothing was skipped")


def test_empty_log(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ICHVIEWER_LOGS", str(tmp_path))
    dialog = log_dialog()
    qtbot.addWidget(dialog)
    assert dialog.text.toPlainText() == "Nothing has been logged yet."


def test_long_lines_and_the_heading_wrap(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPlainTextEdit

    folder = "/" + "/".join(["a-very-deep-folder-name"] * 20)
    dialog = load_report_dialog(LoadReport(warnings=("gap " * 200,)), folder)
    qtbot.addWidget(dialog)
    assert dialog.heading.wordWrap() and dialog.text.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    assert dialog.sizeHint().width() < 1200
