"""What the viewer state asks its workers for: a load, an analysis, a heatmap, each with the job it belongs to.

Frozen dataclasses carried by the state's request events (`load_requested`, `analysis_requested`,
`heatmap_requested`) to the Qt workers; `core.state` uses them and its importers may take them
from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.jobs import Job
from ichviewer.core.volume import CTVolume


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
