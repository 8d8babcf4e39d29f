"""A study's scores as CSV: the study's own row first (slice "study"), then one row per slice.

Columns: slice, sop_instance_uid, position_mm, one per label (in the model card's order), flagged.
The study row holds each label's study score and flagged = 1 exactly when the study is suspected
(`StudyResult.study`); a slice row's flagged is `StudyResult.slice_flags`. Written atomically.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from ichviewer.core.results import StudyResult

STUDY_ROW = "study"  # the first data row's "slice": a reader skips or takes it by this value


def write_csv(result: StudyResult, path: Path) -> None:
    """A row "study" first (study scores; flagged = suspected), then one per slice: number, UID, position, scores."""
    study = result.study
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["slice", "sop_instance_uid", "position_mm", *result.labels, "flagged"])
            writer.writerow(
                [STUDY_ROW, "", "", *(f"{study.labels[k][0]:.6f}" for k in result.labels), int(study.suspected)]
            )
            for i, (uid, pos, row, flagged) in enumerate(
                zip(result.sop_instance_uids, result.slice_positions, result.scores, result.slice_flags(), strict=True)
            ):
                writer.writerow([i + 1, uid, f"{pos:.3f}", *(f"{s:.6f}" for s in row), int(flagged)])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
