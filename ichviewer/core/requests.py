"""What the viewer state asks of its workers: each request carries the `Job` its results must still belong to.

Emitted by `ViewerState` (`load_requested`, `analysis_requested`, `heatmap_requested`,
`worklist_requested`); a Qt worker takes them on its thread and answers through the state's
result methods. Frozen, and holding only what a worker may read from another thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.jobs import Job
from ichviewer.core.volume import CTVolume
from ichviewer.core.work_queue import WorkQueue
from ichviewer.core.worklist_rows import StudyRow


@dataclass(frozen=True, eq=False)
class LoadRequest:
    """Index `folder` and load its default series, or load `series` of the already indexed `index`."""

    job: Job
    folder: Path | None = None
    index: StudyIndex | None = None
    series: Series | None = None


@dataclass(frozen=True, eq=False)
class AnalysisRequest:
    job: Job
    volume: CTVolume
    use_cache: bool


@dataclass(frozen=True, eq=False)
class HeatmapRequest:
    """Grad-CAM of `label` on slice `index` of `volume` (for the current analysis job)."""

    job: Job
    volume: CTVolume
    index: int
    label: str


@dataclass(frozen=True, eq=False)
class WorklistRequest:
    """Analyse `queue`'s studies one at a time for `job`; `rows` is a snapshot the worker thread may read."""

    job: Job
    index: StudyIndex
    rows: Mapping[str, StudyRow]
    queue: WorkQueue
