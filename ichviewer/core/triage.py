"""The triage run: analyse a folder's studies one after another, one volume in memory at a time.

Shared by `ichviewer triage` (`run_queue`) and the viewer's AI worker (`analyse_row`, one study
between the reader's own requests). The keys come from a `core.work_queue.WorkQueue`. A study
that fails becomes a failed row with its error and the queue goes on; cancelling stops between
studies or between batches of one and re-queues it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace

from ichviewer.core.applicability import NotApplicable
from ichviewer.core.dicom.records import StudyIndex
from ichviewer.core.inference import ScoringModel
from ichviewer.core.progress import Cancelled, Progress, report
from ichviewer.core.scoring import ScoredVolume, score_volume
from ichviewer.core.study_loading import load_series
from ichviewer.core.work_queue import WorkQueue
from ichviewer.core.worklist_rows import Status, StudyRow, study_index, verdict_of

log = logging.getLogger(__name__)


def analyse_row(
    index: StudyIndex,
    row: StudyRow,
    classifier: ScoringModel,
    cancel: threading.Event | None = None,
    on_row: Callable[[StudyRow], None] | None = None,
    on_scored: Callable[[StudyRow, ScoredVolume], None] | None = None,
) -> StudyRow:
    """Load the row's series, score it (cache first) and return the finished row; errors become a failed row.

    `on_row` sees the row while it runs (status analysing, progress 0..1); Cancelled propagates.
    """
    emit = on_row or (lambda _: None)
    last = [-1]

    def progress(part: int) -> Progress:
        def call(done: int, total: int, message: str) -> None:
            value = (part + done / max(total, 1)) / 2
            if int(value * 20) != last[0]:  # at most 20 updates a study: the table need not redraw per slice
                last[0] = int(value * 20)
                emit(replace(row, status=Status.ANALYSING, progress=value))

        return call

    emit(replace(row, status=Status.ANALYSING, progress=0.0))
    try:
        series = index.find(row.series_uid)
        study = next(s for s in index.studies if s.uid == series.study_uid)
        volume = load_series(study_index(index, study), series, progress(0), cancel)
        scored = score_volume(volume, classifier, progress(1), cancel)
        finished = row.finished(verdict_of(scored.result))
        if on_scored is not None:
            on_scored(finished, scored)
        return finished
    except Cancelled:
        raise
    except NotApplicable as reason:
        return replace(row, status=Status.NOT_APPLICABLE, progress=1.0, error=str(reason))
    except Exception as error:  # one study's problem must not stop the night's queue; the log keeps the traceback
        log.exception("triage of study %s (%s) failed", row.key, row.folder)
        return replace(row, status=Status.FAILED, progress=0.0, error=_error_text(error))


def run_queue(
    index: StudyIndex,
    rows: Mapping[str, StudyRow],
    queue: WorkQueue,
    classifier: ScoringModel,
    on_row: Callable[[StudyRow], None],
    progress: Progress | None = None,
    on_scored: Callable[[StudyRow, ScoredVolume], None] | None = None,
) -> bool:
    """Analyse the queue's studies one at a time, handing every row change to `on_row`; False when cancelled.

    A cancelled study goes back to the front of the queue as queued.
    """
    total = len(queue.pending())
    done = 0
    while (key := queue.take()) is not None:
        row = rows[key]
        report(progress, done, total, f"{row.patient_id or row.key}")
        try:
            on_row(analyse_row(index, row, classifier, queue.cancel, on_row, on_scored))
        except Cancelled:
            queue.put_back(key)
            on_row(replace(row, status=Status.QUEUED, progress=0.0))
            return False
        done += 1
        report(progress, done, total, f"{row.patient_id or row.key}")
    return not queue.cancel.is_set()


def _error_text(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "…"
