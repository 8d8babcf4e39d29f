"""The ranked worklist as CSV and JSON (`ichviewer triage`): one row per study, failed studies with their error."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.results import write_json_atomic
from ichviewer.core.worklist_rows import StudyRow, ranked

FORMAT_VERSION = 1
COLUMNS = (
    "rank",
    "study_uid",
    "patient_id",
    "date",
    "series_uid",
    "series",
    "slices",
    "verdict",
    "score",
    "subtypes",
    "flagged_slices",
    "status",
    "error",
    "folder",
)


def row_record(rank: int, row: StudyRow) -> dict[str, Any]:
    """One study as plain values; slice numbers are 1-based as the viewer shows them."""
    verdict = row.verdict
    return {
        "rank": rank,
        "study_uid": row.key if row.series_uid else "",
        "patient_id": row.patient_id,
        "date": row.date,
        "series_uid": row.series_uid,
        "series": row.series_title,
        "slices": row.n_slices,
        "verdict": row.verdict_text,
        "score": None if verdict is None else round(verdict.score, 6),
        "subtypes": [] if verdict is None else list(verdict.subtypes),
        "flagged_slices": [] if verdict is None else [i + 1 for i in verdict.flagged],
        "status": row.status.value,
        "error": row.error,
        "folder": str(row.folder),
    }


def worklist_json(rows: list[StudyRow], folder: Path, model: dict[str, str]) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "intended_use": NOT_FOR_CLINICAL_USE,
        "folder": str(folder),
        "model": model,
        "studies": [row_record(rank, row) for rank, row in enumerate(ranked(rows), 1)],
    }


def write_worklist_json(path: Path, rows: list[StudyRow], folder: Path, model: dict[str, str]) -> None:
    write_json_atomic(path, worklist_json(rows, folder, model))


def write_worklist_csv(path: Path, rows: list[StudyRow]) -> None:
    """Ranked rows; lists joined with ';' (atomic write)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for rank, row in enumerate(ranked(rows), 1):
        record = row_record(rank, row)
        values = (record[column] for column in COLUMNS)
        writer.writerow([";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v) for v in values])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            f.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
