"""The log file: errors with their traceback, in the user log dir, rotated so it never grows without end.

The viewer and the command line call `start_logging()` once at start; workers log through the
`ichviewer` logger (`logging.getLogger(__name__)` in each module) and Help ▸ Show log reads it back.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ichviewer.core.user_dirs import log_dir

LOG_NAME = "ichviewer.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def log_path() -> Path:
    return log_dir() / LOG_NAME


def start_logging(level: int = logging.INFO) -> Path | None:
    """Send the `ichviewer` logger to the rotating log file (once per process and path); return its path.

    None when the log folder cannot be written (a read-only home): the program runs on without a log.
    """
    path = log_path()
    logger = logging.getLogger("ichviewer")
    logger.setLevel(level)
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path.resolve():
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    return path


def read_log(max_chars: int = 200_000) -> str:
    """The end of the current log file ('' when nothing was logged yet)."""
    try:
        text = log_path().read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return text[-max_chars:]
