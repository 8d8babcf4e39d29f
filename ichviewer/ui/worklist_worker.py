"""The worklist worker: one thread with its own classifier analyses a folder's studies in the background.

It runs `core.triage.run_queue` (one volume in memory at a time, failures become rows) and hands
every row change to the `Worklist` on the GUI thread through a queued signal. The queue's
`prioritise`, `paused` and `cancel` are safe to use from the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QThread, Signal

from ichviewer.core.triage import WorkQueue, run_queue
from ichviewer.core.worklist import Worklist
from ichviewer.core.worklist_rows import Status, StudyRow

log = logging.getLogger(__name__)


class WorklistWorker(QObject):
    """Analyses `worklist`'s queued studies; `finished(bool)` says whether it went to the end (False: cancelled)."""

    _row = Signal(object)
    finished = Signal(bool)

    def __init__(self, worklist: Worklist, model_dir: str | None, device: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worklist, self.model_dir, self.device = worklist, model_dir or None, device
        self.queue = WorkQueue(worklist.queued_keys())
        self._row.connect(worklist.update, Qt.ConnectionType.QueuedConnection)
        self.thread = QThread()
        self.thread.setObjectName("ichviewer-worklist")
        self.thread.run = self._run  # type: ignore[method-assign]

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Cancel (between batches) and wait for the thread."""
        self.queue.cancel.set()
        self.thread.wait()

    def _run(self) -> None:
        from ichviewer.core.inference import Classifier

        rows = dict(self.worklist.rows)  # a snapshot: the worker reads it, the GUI thread changes the worklist
        try:
            classifier = Classifier(self.model_dir, self.device)
        except Exception as error:  # no model: every study says why, the viewer keeps working
            log.exception("worklist: the model could not be loaded")
            for key in self.queue.pending():
                self._row.emit(_failed(rows[key], f"AI unavailable: {error}"))
            self.finished.emit(False)
            return
        try:
            ended = run_queue(self.worklist.index, rows, self.queue, classifier, self._row.emit)
        except Exception:
            log.exception("worklist queue stopped")
            ended = False
        self.finished.emit(ended)


def _failed(row: StudyRow, error: str) -> StudyRow:
    return replace(row, status=Status.FAILED, error=error)
