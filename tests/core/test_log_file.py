"""The rotating log file: set up once, errors land there with their traceback, read back for Help ▸ Show log."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler

from ichviewer.core.log_file import log_path, read_log, start_logging


def test_errors_are_logged_with_their_traceback(log_file) -> None:  # type: ignore[no-untyped-def]
    assert start_logging() == log_path()  # a second start adds no second handler
    handlers = [h for h in logging.getLogger("ichviewer").handlers if isinstance(h, RotatingFileHandler)]
    assert len(handlers) == 1 and handlers[0].maxBytes > 0 and handlers[0].backupCount > 0
    try:
        raise RuntimeError("decoder exploded")
    except RuntimeError:
        logging.getLogger("ichviewer.ui.ai_worker").exception("Analysis of a study failed")
    text = log_file()
    assert "Analysis of a study failed" in text and "Traceback" in text and "RuntimeError: decoder exploded" in text


def test_no_log_yet_reads_empty(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ICHVIEWER_LOGS", str(tmp_path / "none"))
    assert read_log() == ""


def test_an_unwritable_log_folder_is_no_reason_to_stop(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ICHVIEWER_LOGS", str(blocker / "logs"))
    assert start_logging() is None
