"""ViewerState: everything the viewer shows, as plain Python with change events (napari's ViewerModel).

One state per window. Views are built from it and subscribe to its events; user intent becomes a
call of one of its methods; background work is asked for through request events (`load_requested`,
`analysis_requested`, `heatmap_requested`, `worklist_requested`) and its results come back through the methods below,
each with the `Job` it was started for: results of a job that is no longer current are dropped.
The state is changed on one thread only (the GUI thread in the viewer; tests call it directly).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ichviewer.core.ai_state import AIRun, ModelInfo, ModelStatus, Phase
from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.dims import Dims
from ichviewer.core.display import Display
from ichviewer.core.events import EventedModel
from ichviewer.core.heatmap_state import HeatmapCache, HeatmapChoice
from ichviewer.core.jobs import ANALYSIS, LOAD, WORKLIST, Job, Jobs
from ichviewer.core.load_report import LoadReport, plural
from ichviewer.core.loading_state import LoadProgress, SlicePreview
from ichviewer.core.measurement_state import Measurements
from ichviewer.core.mpr import View
from ichviewer.core.planes import Planes
from ichviewer.core.privacy import shown_folder
from ichviewer.core.requests import AnalysisRequest, LoadRequest
from ichviewer.core.results import StudyResult
from ichviewer.core.settings import Settings
from ichviewer.core.state_heatmaps import HeatmapIntent
from ichviewer.core.state_worklist import WorklistIntent
from ichviewer.core.volume import CTVolume

if TYPE_CHECKING:  # the worklist's store pulls in scipy (measurements): not needed until a folder of studies opens
    from ichviewer.core.worklist import Worklist


@dataclass(eq=False)
class ViewerState(WorklistIntent, HeatmapIntent, EventedModel):
    """The study on screen, the cursor, the window, the AI run and the heatmap choice."""

    EXTRA_EVENTS = (
        "thumbnail",
        "heatmap_ready",
        "load_requested",
        "analysis_requested",
        "heatmap_requested",
        "worklist_requested",
    )

    folder: str = ""
    index: StudyIndex | None = None
    series: Series | None = None  # the series on screen or loading
    volume: CTVolume | None = None
    preview: SlicePreview | None = None
    report: LoadReport = field(default_factory=LoadReport)
    loading: LoadProgress = field(default_factory=LoadProgress)
    message: str = ""  # shown centred in the view when there is no image (why)
    status: str = ""  # the status bar's message
    model: ModelInfo = field(default_factory=ModelInfo)
    ai: AIRun = field(default_factory=AIRun)
    auto_analyse: bool = True
    default_window: str = "brain"  # a preset name, or "scanner" (the series' own window)
    dims: Dims = field(default_factory=Dims)
    planes: Planes = field(default_factory=Planes)  # the cursor in mm and the image of each view (MPR)
    measurements: Measurements = field(default_factory=Measurements)
    display: Display = field(default_factory=Display)
    heatmap: HeatmapChoice = field(default_factory=HeatmapChoice)
    heatmaps: HeatmapCache = field(default_factory=HeatmapCache)
    thumbnails: dict[str, np.ndarray] = field(default_factory=dict)
    jobs: Jobs = field(default_factory=Jobs)
    worklist: Worklist | None = None  # the folder's studies, when it holds more than one

    @classmethod
    def from_settings(cls, settings: Settings) -> ViewerState:
        """A state with the reader's preferences: default window, overlays, automatic analysis, heatmap opacity."""
        state = cls(auto_analyse=settings.auto_analyse, default_window=settings.default_window)
        state.display.show_overlays = settings.show_overlays
        state.display.show_patient = settings.show_patient_overlay
        state.display.window = state.display.preset_window(settings.default_window, None) or state.display.window
        state.heatmap.opacity = settings.heatmap_opacity
        state.display.layout = settings.layout
        return state

    def save_to(self, settings: Settings) -> None:
        """Put the preferences the reader changed in the viewer back into `settings`."""
        settings.auto_analyse = self.auto_analyse
        settings.show_overlays = self.display.show_overlays
        settings.show_patient_overlay = self.display.show_patient
        settings.heatmap_opacity = self.heatmap.opacity
        settings.layout = self.display.layout

    def __post_init__(self) -> None:
        super().__post_init__()
        self._new_study = True  # the next volume gets the default window
        self._open_at: tuple[str, int] | None = None  # (series UID, slice) to show once that series is loaded
        self.dims.events.point.connect(self.planes.follow)  # first: views drawing the point find the planes moved
        self.dims.events.point.connect(lambda _: self.request_heatmap())
        self.measurements.events.problem.connect(lambda problem: setattr(self, "status", problem or self.status))
        self.heatmap.events.visible.connect(lambda _: self.request_heatmap())
        self.heatmap.events.label.connect(lambda _: self.request_heatmap())

    # --- queries ----------------------------------------------------------------------------------
    @property
    def slice_index(self) -> int:
        return self.dims.slice

    @property
    def result(self) -> StudyResult | None:
        return self.ai.result

    # --- opening ----------------------------------------------------------------------------------
    def open_folder(self, folder: str | Path) -> Job:
        """Index `folder` and load its default series; whatever was open or loading is dropped."""
        self._drop_volume()
        self._new_study = True
        self.jobs.cancel(WORKLIST)
        self.worklist = None
        self.index = None
        self.series = None
        self.report = LoadReport()
        self.message = ""
        self.thumbnails = {}
        self.folder = str(Path(folder).expanduser())
        self.status = f"Opening {shown_folder(self.folder, self.display.show_patient)}…"
        return self._request_load(LoadRequest(self.jobs.start(LOAD), folder=Path(self.folder)))

    def open_series(self, series: Series, at_slice: int | None = None) -> Job | None:
        """Load another series of the folder, shown at `at_slice` if given (None when already shown or loading)."""
        shown = self.volume is not None and self.volume.series.uid == series.uid
        loading = self.loading.busy and self.series is not None and self.series.uid == series.uid
        if self.index is None or shown or loading:
            if shown and at_slice is not None:
                self.set_slice(at_slice)
            elif loading and at_slice is not None:
                self._open_at = (series.uid, at_slice)
            return None
        self._drop_volume()
        self._open_at = None if at_slice is None else (series.uid, at_slice)
        self.series = series
        self.status = f"Loading {series.title}…"
        return self._request_load(LoadRequest(self.jobs.start(LOAD), index=self.index, series=series))

    def _request_load(self, request: LoadRequest) -> Job:
        self.loading = LoadProgress(busy=True)
        self.events.load_requested.emit(request)
        return request.job

    def _drop_volume(self) -> None:
        self.jobs.cancel(ANALYSIS)
        self.heatmaps.forget_pending()
        self.ai = AIRun()
        self.preview = None
        self.volume = None
        self.dims.reset((0, 0, 0))
        self.planes.reset(None, (0, 0, 0))
        self.measurements.close()

    # --- results of the study loader ---------------------------------------------------------------
    def load_indexed(self, job: Job, index: StudyIndex) -> None:
        if self.jobs.is_current(job):
            self.index = index
            self.report = LoadReport(index.skipped)

    def load_first_slice(self, job: Job, series: Series, slice_index: int, hu: np.ndarray) -> None:
        if self.jobs.is_current(job) and self.volume is None:
            self.series = series
            self.preview = SlicePreview(series, slice_index, hu)

    def load_progress(self, job: Job, done: int, total: int, message: str) -> None:
        if self.jobs.is_current(job):
            self.loading = LoadProgress(True, done, total, message)

    def load_done(self, job: Job, volume: CTVolume) -> None:
        """The series is decoded: show it (middle slice), with the default window for a new study."""
        if not self.jobs.is_current(job):
            return
        if self._new_study:
            self.display.window = self.display.default_for(self.default_window, volume)
        self._new_study = False
        self.series = volume.series
        self.report = volume.report
        self.dims.reset(volume.hu.shape)
        self.planes.reset(volume, self.dims.point)
        self.measurements.open(volume.series.study_uid, volume.series.uid)
        if self._open_at is not None and self._open_at[0] == volume.series.uid:
            self.dims.set_point(z=self._open_at[1])
        self._open_at = None
        self.volume = volume
        self.preview = None
        report = volume.report
        problems = f"  ({plural(report.problem_count, 'problem')}: File ▸ Show load report)" if report else ""
        self.status = f"{volume.series.title}: {volume.n_slices} slices{problems}"
        if self.auto_analyse:
            self.analyse()
        else:
            self.ai = AIRun(message="Automatic analysis is off (AI ▸ Analyse again)")

    def load_failed(self, job: Job, message: str) -> None:
        if self.jobs.is_current(job):
            self.preview = None
            self.message = f"Could not open this study.\n\n{message}"
            self.status = message

    def load_empty(self, job: Job, reason: str) -> None:
        """The folder holds no CT series: say why, and where the list of left-out files is."""
        if self.jobs.is_current(job):
            shown = shown_folder(self.folder, self.display.show_patient)
            reason = reason.replace(self.folder, shown)
            self.message = (
                f"No CT images to show in\n{shown}\n\n{reason}\n\n"
                "File ▸ Show load report lists every file that was left out."
            )
            self.status = reason

    def load_thumbnail(self, job: Job, series_uid: str, image: np.ndarray) -> None:
        if self.jobs.is_current(job):
            self.thumbnails[series_uid] = image
            self.events.thumbnail.emit(series_uid)

    def load_finished(self, job: Job) -> None:
        """The loader's last word for `job` (after the volume and the thumbnails)."""
        if self.jobs.current(LOAD) is job:
            self.loading = LoadProgress()

    # --- navigation and window --------------------------------------------------------------------
    def set_slice(self, index: int) -> None:
        self.dims.set_point(z=index)

    def step(self, delta: int) -> None:
        self.dims.step(delta)

    def step_view(self, view: View, delta: int) -> None:
        """Scroll `delta` images through a view (axial: slices; coronal/sagittal: reformat planes)."""
        if view == "axial":
            self.step(delta)
            return
        voxel = self.planes.step(view, delta)
        if voxel is not None:
            self.dims.set_point(*voxel)

    def point_at(self, view: View, index: int, row: float, col: float) -> None:
        """A click on a view: the cursor goes there and the other views follow."""
        voxel = self.planes.place(view, index, row, col)
        if voxel is not None:
            self.dims.set_point(*voxel)
        elif view == "axial":
            self.dims.set_point(index, round(row), round(col))

    def show_image(self, view: View, index: int) -> None:
        """Bring image `index` of `view` on screen (a measurement chosen in the panel)."""
        voxel = self.planes.show(view, index)
        if voxel is not None:
            self.dims.set_point(*voxel)
        elif view == "axial":
            self.set_slice(index)

    def jump_flagged(self, step: int) -> None:
        """N / Shift+N: the peak slice of the next or previous flagged region; past the last one, the next
        suspected study of the worklist (in its ranked order) at its first flagged slice; without a worklist,
        wrapping in the study."""
        result = self.ai.result
        if result is None:
            return
        target = result.next_flagged(self.dims.slice, step)
        past_the_last = target is None or (target - self.dims.slice) * step <= 0
        if past_the_last and self.worklist is not None and self.series is not None:
            found = self.worklist.next_suspected(self.series.study_uid, step)
            if found is not None:
                self.open_worklist_study(found[0].key, found[1])
                return
        if target is None:
            self.status = "No slice passes the threshold"
            return
        self.set_slice(target)
        regions = result.flagged_regions()
        number, region = next((k, r) for k, r in enumerate(regions, 1) if r.peak == target)
        extent = (
            f"slice {region.first + 1}"
            if region.first == region.last
            else f"slices {region.first + 1}–{region.last + 1}"
        )
        self.status = f"Flagged region {number} of {len(regions)}: {extent}, peak at slice {target + 1}"

    def step_series(self, step: int) -> Job | None:
        """[ / ]: open the previous or next series of the folder (in the series list's order), stopping at the ends."""
        if self.index is None or self.series is None:
            return None
        uids = [s.uid for s in self.index.series]
        if self.series.uid not in uids:
            return None
        target = uids.index(self.series.uid) + step
        if not 0 <= target < len(uids):
            self.status = "No further series in this folder"
            return None
        return self.open_series(self.index.series[target])

    def apply_preset(self, name: str) -> None:
        """Keys 1-4 and 0: a preset, or the series' own window for 'scanner' (when it states one)."""
        window = self.display.preset_window(name, self.volume)
        if window is None:
            self.status = "This series states no window (0028,1050/1051); keeping the current one"
        else:
            self.display.window = window

    # --- AI ---------------------------------------------------------------------------------------
    def model_ready(self, title: str, device: str, labels: tuple[str, ...]) -> None:
        self.model = ModelInfo(ModelStatus.READY, title, device, tuple(labels))

    def model_failed(self, error: str) -> None:
        self.model = ModelInfo(ModelStatus.UNAVAILABLE, error=error)
        self.jobs.cancel(ANALYSIS, WORKLIST)
        self.ai = AIRun()
        if self.worklist is not None:
            self.worklist.fail_queued(f"AI unavailable: {error}")

    def toggle_auto_analyse(self) -> None:
        """AI ▸ Analyse studies when opened."""
        self.auto_analyse = not self.auto_analyse

    def analyse(self, use_cache: bool = True) -> Job | None:
        """Score the volume on screen in the worker (cached scores come back at once)."""
        if self.volume is None or self.model.status in (ModelStatus.UNAVAILABLE, ModelStatus.OFF):
            return None
        job = self.jobs.start(ANALYSIS)
        self.heatmaps.forget_pending()
        self.ai = AIRun.queued(self.volume.n_slices)
        self.events.analysis_requested.emit(AnalysisRequest(job, self.volume, use_cache))
        return job

    def analysis_progress(self, job: Job, done: int, total: int, message: str) -> None:
        if self.jobs.is_current(job):
            self.ai = self.ai.with_progress(done, total, message)

    def analysis_scores(self, job: Job, indices: list[int], scores: np.ndarray) -> None:
        """A batch of scores, in the model card's label order."""
        if self.jobs.is_current(job):
            self.ai = self.ai.with_scores(indices, scores, self.model.labels)

    def analysis_done(self, job: Job, result: StudyResult, from_cache: bool) -> None:
        if self.jobs.is_current(job):
            self.ai = self.ai.finished(result, from_cache)
            if self.worklist is not None:
                self.worklist.take_result(result)
            self.request_heatmap()

    def analysis_failed(self, job: Job, message: str) -> None:
        if self.jobs.is_current(job):
            self.ai = self.ai.stopped(Phase.FAILED, message)

    def analysis_not_applicable(self, job: Job, reason: str) -> None:
        if self.jobs.is_current(job):
            self.ai = self.ai.stopped(Phase.NOT_APPLICABLE, reason)

    def close(self) -> None:
        """Cancel every job (window closing)."""
        self.jobs.cancel()
