"""The rows of a triage worklist: one per study found under a folder (headers only), its verdict, its rank.

A study is a StudyInstanceUID; a subfolder whose files gave no CT study at all (all corrupt,
or another modality) is a row too, so the reader sees it and why nothing can be analysed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from ichviewer.core.dicom.records import Series, SkippedFile, Study, StudyIndex
from ichviewer.core.results import StudyResult


class Status(str, Enum):
    QUEUED = "queued"
    ANALYSING = "analysing"
    DONE = "done"
    FAILED = "failed"
    NOT_APPLICABLE = "not applicable"


SUSPECTED, NOT_DETECTED, NOT_APPLICABLE, ERROR = "suspected", "not detected", "not applicable", "error"


@dataclass(frozen=True)
class RowVerdict:
    """What the worklist shows of one analysed study (the model's `StudyVerdict` in a few fields)."""

    suspected: bool
    score: float  # study score for "any"
    subtypes: tuple[str, ...]
    flagged: tuple[int, ...]  # flagged slice indices (0-based)
    top_slice: int  # the most suspicious slice: where the viewer opens the study


def verdict_of(result: StudyResult) -> RowVerdict:
    """The worklist's verdict of a result: the study verdict (`StudyResult.study`) in a few fields."""
    study = result.study
    column = result.column("any") if "any" in result.labels else result.scores.max(axis=1)
    return RowVerdict(
        suspected=study.suspected,
        score=study.score,
        subtypes=tuple(study.subtypes),
        flagged=tuple(result.flagged_slices()),
        top_slice=int(column.argmax()) if len(column) else 0,
    )


@dataclass(frozen=True)
class StudyRow:
    """One worklist row. `key` is the StudyInstanceUID (or the folder of files that gave no study)."""

    key: str
    folder: Path
    patient_name: str = ""
    patient_id: str = ""
    date: str = ""  # (0008,0020) YYYYMMDD
    time: str = ""
    description: str = ""
    series_uid: str = ""
    series_title: str = ""
    n_slices: int = 0
    status: Status = Status.QUEUED
    progress: float = 0.0  # 0..1 while analysing
    error: str = ""  # why it failed or is not applicable
    verdict: RowVerdict | None = None
    reviewed: bool = False
    note: str = ""

    @property
    def verdict_text(self) -> str:
        if self.status is Status.FAILED:
            return ERROR
        if self.status is Status.NOT_APPLICABLE:
            return NOT_APPLICABLE
        if self.verdict is None:
            return ""
        return SUSPECTED if self.verdict.suspected else NOT_DETECTED

    @property
    def status_text(self) -> str:
        if self.status is Status.ANALYSING:
            return f"analysing {self.progress:.0%}"
        return self.status.value + (f": {self.error}" if self.error else "")

    def finished(self, verdict: RowVerdict) -> StudyRow:
        return replace(self, status=Status.DONE, progress=1.0, error="", verdict=verdict)


def rank_key(row: StudyRow) -> tuple[int, float, str, str]:
    """Suspected first by study score, then studies still to analyse, then not detected, then the rest; then date."""
    if row.verdict is not None and row.status is Status.DONE:
        group = 0 if row.verdict.suspected else 2
        return group, -row.verdict.score, row.date, row.key
    group = 1 if row.status in (Status.QUEUED, Status.ANALYSING) else 3
    return group, 0.0, row.date, row.key


def ranked(rows: list[StudyRow] | tuple[StudyRow, ...]) -> list[StudyRow]:
    return sorted(rows, key=rank_key)


def study_index(index: StudyIndex, study: Study) -> StudyIndex:
    """An index of one study of a folder, so the viewer's series choice and loader serve it unchanged."""
    return StudyIndex(index.root, (study,), (), sum(s.n_images for s in study.series))


def rows_from_index(index: StudyIndex) -> list[StudyRow]:
    """One queued row per study (its default series), one failed/not-applicable row per folder without a study."""
    rows = []
    for study in index.studies:
        series = study_index(index, study).default_series()
        assert series is not None  # a Study holds at least one series
        rows.append(_study_row(index.root, series))
    rows.extend(_orphan_rows(index))
    return rows


def _study_row(root: Path, series: Series) -> StudyRow:
    folder = Path(_common_parent([s.path for s in series.slices]) or root)
    return StudyRow(
        key=series.study_uid,
        folder=folder,
        patient_name=series.patient_name,
        patient_id=series.patient_id,
        date=series.study_date,
        time=series.study_time,
        description=series.study_description or series.description,
        series_uid=series.uid,
        series_title=series.title,
        n_slices=series.n_images,
    )


def _common_parent(paths: list[Path]) -> Path | None:
    parents = {p.parent for p in paths}
    if len(parents) == 1:
        return parents.pop()
    parts = [p.parts for p in parents]
    common = []
    for values in zip(*parts, strict=False):
        if len(set(values)) != 1:
            break
        common.append(values[0])
    return Path(*common) if common else None


def _orphan_rows(index: StudyIndex) -> list[StudyRow]:
    """Top-level subfolders where files were left out and no study was found: a row each, with the main reason."""
    used = {_top(index.root, sl.path) for s in index.series for sl in s.slices}
    groups: dict[str, list[SkippedFile]] = defaultdict(list)
    for skipped in index.skipped:
        top = _top(index.root, skipped.path)
        if top is not None and top not in used:
            groups[top].append(skipped)
    rows = []
    for top, files in sorted(groups.items()):
        problems = [f for f in files if f.problem]
        if not problems and all(f.reason == "not a DICOM file" for f in files):
            continue  # a folder of notes or sidecars, not a study
        reason, count = Counter(f.reason for f in (problems or files)).most_common(1)[0]
        status = Status.FAILED if problems else Status.NOT_APPLICABLE
        error = f"{count} of {len(files)} files: {reason}"
        rows.append(StudyRow(key=f"folder:{top}", folder=index.root / top, status=status, error=error))
    return rows


def _top(root: Path, path: Path) -> str | None:
    """The first folder under `root` holding `path` (None for files directly in `root`)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else None
