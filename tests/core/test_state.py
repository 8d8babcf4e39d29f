"""ViewerState without widgets: opening, stale results, slices, windows, the AI run, heatmaps, settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.ai_state import ModelStatus, Phase
from ichviewer.core.dicom.records import Study, StudyIndex
from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.requests import AnalysisRequest, HeatmapRequest, LoadRequest
from ichviewer.core.settings import Settings
from ichviewer.core.state import ViewerState
from ichviewer.core.windowing import PRESETS, Window


class Recorder:
    """Collects what an event emits."""

    def __init__(self, event) -> None:  # type: ignore[no-untyped-def]
        self.values: list[object] = []
        event.connect(self.values.append)


@pytest.fixture
def volume(make_volume):  # type: ignore[no-untyped-def]
    hu = np.full((20, 32, 32), -1000, np.int16)
    hu[:, 8:24, 8:24] = 35
    return make_volume(hu)


@pytest.fixture
def state() -> ViewerState:
    state = ViewerState()
    state.model_ready("ichnet-test 1.0", "CPU", LABEL_KEYS)
    return state


def open_volume(state: ViewerState, volume, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run the load flow as the loader would; return the analysis request the volume triggered."""
    requests = Recorder(state.events.analysis_requested)
    job = state.open_folder(tmp_path)
    state.load_done(job, volume)
    state.load_finished(job)
    return requests.values[-1] if requests.values else None


class TestOpening:
    def test_open_folder_asks_the_loader_and_resets(self, state, volume, tmp_path):
        loads = Recorder(state.events.load_requested)
        open_volume(state, volume, tmp_path)
        job = state.open_folder(tmp_path / "other")
        request = loads.values[-1]
        assert isinstance(request, LoadRequest) and request.job is job and request.folder == tmp_path / "other"
        assert state.volume is None and state.index is None and state.loading.busy
        assert state.ai.phase is Phase.IDLE

    def test_a_second_folder_drops_the_first_ones_late_results(self, state, volume, tmp_path):
        first = state.open_folder(tmp_path / "slow")
        second = state.open_folder(tmp_path / "fast")
        assert first.cancelled and not second.cancelled
        state.load_done(first, volume)
        assert state.volume is None
        state.load_done(second, volume)
        assert state.volume is volume

    def test_volume_arrives_at_the_middle_slice_in_the_default_window(self, volume, tmp_path):
        state = ViewerState(default_window="subdural", auto_analyse=False)
        open_volume(state, volume, tmp_path)
        assert state.slice_index == 10 and state.dims.shape == (20, 32, 32)
        assert state.display.window == PRESETS["subdural"]
        assert state.ai.phase is Phase.IDLE and "Automatic analysis is off" in state.ai.message
        assert state.status.endswith("20 slices")

    def test_the_status_counts_problems_with_the_right_plural(self, state, volume, tmp_path):
        """One warning and two files ignored as not images: '1 problem', not '3 problems' or '1 problems'."""
        from ichviewer.core.dicom.records import SkippedFile
        from ichviewer.core.load_report import LoadReport

        skipped = tuple(SkippedFile(tmp_path / name, "not DICOM", False) for name in ("README", "LICENSE"))
        open_volume(state, replace(volume, report=LoadReport(skipped, ("Uneven slice spacing",))), tmp_path)
        assert state.status.endswith("20 slices  (1 problem: File ▸ Show load report)")

    def test_the_window_survives_a_series_switch(self, state, volume, tmp_path):
        open_volume(state, volume, tmp_path)
        state.apply_preset("bone")
        other = replace(volume.series, uid="2.2")
        state.index = StudyIndex(tmp_path, (Study("1", (volume.series, other)),), (), 40)
        job = state.open_series(other)
        assert job is not None and state.open_series(other) is None  # already loading
        state.load_done(job, replace(volume, series=other))
        assert state.display.window == PRESETS["bone"]

    def test_a_series_that_failed_to_load_can_be_asked_again(self, state, volume, tmp_path):
        open_volume(state, volume, tmp_path)
        other = replace(volume.series, uid="2.2")
        state.index = StudyIndex(tmp_path, (Study("1", (volume.series, other)),), (), 40)
        job = state.open_series(other)
        state.load_failed(job, "none of the 12 slices could be decoded")
        state.load_finished(job)
        assert state.open_series(other) is not None and state.open_series(volume.series) is not None

    def test_step_series_opens_the_next_or_previous_series_and_stops_at_the_ends(self, state, volume, tmp_path):
        open_volume(state, volume, tmp_path)
        others = (replace(volume.series, uid="2.2"), replace(volume.series, uid="2.3"))
        state.index = StudyIndex(tmp_path, (Study("1", (volume.series, *others)),), (), 60)
        loads = Recorder(state.events.load_requested)
        assert state.step_series(-1) is None and "No further series" in state.status
        job = state.step_series(+1)
        assert job is not None and loads.values[-1].series is others[0]  # type: ignore[attr-defined]
        state.load_done(job, replace(volume, series=others[0]))
        state.step_series(+1)
        assert loads.values[-1].series is others[1]  # type: ignore[attr-defined]

    def test_preview_until_the_volume(self, state, volume, tmp_path):
        job = state.open_folder(tmp_path)
        state.load_first_slice(job, volume.series, 9, volume.hu[9])
        assert state.preview is not None and state.preview.index == 9 and state.series is volume.series
        state.load_done(job, volume)
        assert state.preview is None

    def test_empty_and_failed_folders_say_why(self, state, tmp_path):
        job = state.open_folder(tmp_path)
        state.load_empty(job, "No CT images found")
        assert "No CT images to show in" in state.message and "load report" in state.message
        state.load_failed(job, "permission denied")
        assert state.message.startswith("Could not open this study") and state.status == "permission denied"
        state.load_finished(job)
        assert not state.loading.busy

    def test_thumbnails_of_the_current_job_only(self, state, tmp_path):
        seen = Recorder(state.events.thumbnail)
        old = state.open_folder(tmp_path)
        new = state.open_folder(tmp_path)
        state.load_thumbnail(old, "1", np.zeros((2, 2), np.uint8))
        state.load_thumbnail(new, "2", np.zeros((2, 2), np.uint8))
        assert seen.values == ["2"] and list(state.thumbnails) == ["2"]


class TestSlicesAndWindow:
    def test_stepping_stops_at_the_ends(self, state, volume, tmp_path):
        open_volume(state, volume, tmp_path)
        points = Recorder(state.dims.events.point)
        state.step(-3)
        assert state.slice_index == 7
        state.step(-100)
        assert state.slice_index == 0
        state.step(-1)  # already there: no event
        state.set_slice(99)
        assert state.slice_index == 19
        assert [p[0] for p in points.values] == [7, 0, 19]  # type: ignore[index]

    def test_presets_and_the_scanner_window(self, state, volume, tmp_path):
        open_volume(state, volume, tmp_path)
        windows = Recorder(state.display.events.window)
        state.apply_preset("bone")
        state.apply_preset("scanner")  # the synthetic headers state L40/W80
        assert windows.values == [PRESETS["bone"], Window(40.0, 80.0, "scanner")]
        headers = tuple(replace(s, window_center=None, window_width=None) for s in volume.slices)
        state.volume = replace(volume, geometry=replace(volume.geometry, slices=headers))
        state.apply_preset("scanner")
        assert state.display.window.name == "scanner" and "states no window" in state.status

    def test_privacy_and_overlay_toggles(self, state):
        state.display.toggle_patient()
        state.display.toggle_overlays()
        assert not state.display.show_patient and not state.display.show_overlays


class TestAnalysis:
    def test_result_arrival_and_next_flagged(self, state, volume, tmp_path, make_result):
        request = open_volume(state, volume, tmp_path)
        assert isinstance(request, AnalysisRequest) and request.volume is volume and state.ai.phase is Phase.QUEUED
        result = make_result(20, {(4, "any"): 0.9, (15, "any"): 0.8})
        state.analysis_done(request.job, result, False)
        assert state.ai.phase is Phase.DONE and state.result is result
        state.set_slice(5)
        state.jump_flagged(+1)
        assert state.slice_index == 15
        state.jump_flagged(+1)
        assert state.slice_index == 4  # wraps
        state.jump_flagged(-1)
        assert state.slice_index == 15

    def test_n_jumps_over_a_whole_flagged_region_to_the_next_regions_peak(self, state, volume, tmp_path, make_result):
        request = open_volume(state, volume, tmp_path)
        scores = {(i, "any"): 0.7 for i in range(2, 12)} | {(9, "any"): 0.97, (16, "any"): 0.8}
        state.analysis_done(request.job, make_result(20, scores), False)
        state.set_slice(0)
        state.jump_flagged(+1)
        assert state.slice_index == 9 and state.status == "Flagged region 1 of 2: slices 3–12, peak at slice 10"
        state.jump_flagged(+1)
        assert state.slice_index == 16 and state.status == "Flagged region 2 of 2: slice 17, peak at slice 17"
        state.jump_flagged(-1)
        assert state.slice_index == 9

    def test_nothing_flagged_is_said(self, state, volume, tmp_path, make_result):
        request = open_volume(state, volume, tmp_path)
        state.analysis_done(request.job, make_result(20), False)
        state.jump_flagged(+1)
        assert state.status == "No slice passes the threshold" and state.slice_index == 10

    def test_partial_scores_follow_the_model_cards_label_order(self, volume, tmp_path):
        state = ViewerState()
        reversed_labels = tuple(reversed(LABEL_KEYS))  # a model whose card lists 'subdural' first
        state.model_ready("other 1.0", "CPU", reversed_labels)
        request = open_volume(state, volume, tmp_path)
        scores = np.zeros((2, 6), np.float32)
        scores[:, 0] = 0.9  # subdural, in the card's order
        scores[:, 5] = 0.1  # any
        state.analysis_scores(request.job, [3, 4], scores)
        assert state.ai.scored().tolist() == [3, 4]
        assert state.ai.column("subdural").tolist() == pytest.approx([0.9, 0.9])
        assert state.ai.column("any").tolist() == pytest.approx([0.1, 0.1])

    def test_reanalysis_cancels_the_running_one(self, state, volume, tmp_path, make_result):
        first = open_volume(state, volume, tmp_path)
        second = state.analyse(use_cache=False)
        assert first.job.cancelled and second is not None and second.generation > first.job.generation
        state.analysis_done(first.job, make_result(20), False)
        assert state.ai.phase is Phase.QUEUED  # the late result of the cancelled run is dropped
        state.analysis_progress(second, 8, 20, "Analysed 8 of 20 slices")
        assert state.ai.phase is Phase.RUNNING and state.ai.done == 8

    def test_failed_and_not_applicable(self, state, volume, tmp_path):
        request = open_volume(state, volume, tmp_path)
        state.analysis_failed(request.job, "Analysis failed: RuntimeError: out of memory")
        assert state.ai.phase is Phase.FAILED and "out of memory" in state.ai.message
        job = state.analyse()
        state.analysis_not_applicable(job, "a bone-kernel series")
        assert state.ai.phase is Phase.NOT_APPLICABLE and state.ai.message == "a bone-kernel series"

    def test_an_unavailable_model_asks_for_nothing(self, volume, tmp_path):
        state = ViewerState()
        state.model_failed("model.safetensors: sha256 does not match the card")
        assert state.model.status is ModelStatus.UNAVAILABLE
        assert open_volume(state, volume, tmp_path) is None and state.analyse() is None


class TestHeatmaps:
    def test_requested_once_for_flagged_slices_and_cached_by_slice_uid(self, state, volume, tmp_path, make_result):
        asked = Recorder(state.events.heatmap_requested)
        request = open_volume(state, volume, tmp_path)
        state.analysis_done(request.job, make_result(20, {(12, "subdural"): 0.9, (12, "any"): 0.9}), False)
        assert asked.values == []  # slice 10 is not flagged: the strongest-label choice draws nothing there
        state.set_slice(12)
        state.set_slice(11)
        state.set_slice(12)
        assert len(asked.values) == 1
        heat = asked.values[0]
        assert isinstance(heat, HeatmapRequest) and (heat.index, heat.label) == (12, "subdural")
        ready = Recorder(state.events.heatmap_ready)
        state.heatmap_done(heat.job, volume.slices[12].sop_instance_uid, "subdural", np.ones((32, 32), np.float32))
        key, levels = state.current_heatmap()
        assert ready.values == [key] and key == (volume.slices[12].sop_instance_uid, "subdural")
        assert levels.dtype == np.uint8 and levels.max() == 255

    def test_the_caption_names_the_label_and_says_while_the_map_is_computed(self, state, volume, tmp_path, make_result):
        asked = Recorder(state.events.heatmap_requested)
        request = open_volume(state, volume, tmp_path)
        state.analysis_done(request.job, make_result(20, {(12, "subdural"): 0.9, (12, "any"): 0.9}), False)
        assert state.heatmap_caption() == ""  # slice 10: nothing flagged, nothing drawn
        state.set_slice(12)
        assert state.heatmap_caption() == "Computing heatmap (Subdural)…"
        heat = asked.values[-1]
        state.heatmap_done(heat.job, volume.slices[12].sop_instance_uid, "subdural", np.ones((32, 32), np.float32))
        assert state.heatmap_caption() == "Heatmap: Subdural (strongest label)"
        state.heatmap.label = "epidural"
        assert state.heatmap_caption() == "Computing heatmap (Epidural)…"
        state.heatmap.toggle_visible()
        assert state.heatmap_caption() == ""

    def test_a_chosen_label_is_drawn_on_every_slice_and_hidden_with_h(self, state, volume, tmp_path, make_result):
        asked = Recorder(state.events.heatmap_requested)
        request = open_volume(state, volume, tmp_path)
        state.analysis_done(request.job, make_result(20), False)
        state.heatmap.label = "epidural"
        assert [(r.index, r.label) for r in asked.values] == [(10, "epidural")]
        state.heatmap.toggle_visible()
        state.set_slice(3)
        assert len(asked.values) == 1 and state.current_heatmap() is None

    def test_a_skipped_slice_is_asked_for_again_when_shown_again(self, state, volume, tmp_path, make_result):
        asked = Recorder(state.events.heatmap_requested)
        request = open_volume(state, volume, tmp_path)
        state.heatmap.label = "any"
        state.analysis_done(request.job, make_result(20), False)
        state.set_slice(11)
        state.set_slice(12)
        assert [r.index for r in asked.values] == [10, 11, 12]
        skipped = asked.values[1]
        state.heatmap_skipped(skipped.job, volume.slices[11].sop_instance_uid, "any")  # the reader is on 12 now
        assert len(asked.values) == 3
        state.set_slice(11)
        assert [r.index for r in asked.values] == [10, 11, 12, 11]
        state.heatmap_skipped(skipped.job, volume.slices[11].sop_instance_uid, "any")  # while back on 11
        assert [r.index for r in asked.values] == [10, 11, 12, 11, 11]

    def test_maps_of_a_study_left_behind_are_dropped(self, state, volume, tmp_path, make_result):
        asked = Recorder(state.events.heatmap_requested)
        request = open_volume(state, volume, tmp_path)
        state.heatmap.label = "any"
        state.analysis_done(request.job, make_result(20), False)
        old = asked.values[-1]
        open_volume(state, volume, tmp_path)
        state.heatmap_done(old.job, volume.slices[10].sop_instance_uid, "any", np.ones((32, 32), np.float32))
        assert len(state.heatmaps) == 0


def test_settings_round_trip() -> None:
    settings = Settings(default_window="bone", show_overlays=False, heatmap_opacity=0.3, auto_analyse=False)
    state = ViewerState.from_settings(settings)
    assert state.display.window == PRESETS["bone"] and not state.display.show_overlays
    assert state.heatmap.opacity == 0.3 and not state.auto_analyse
    state.display.toggle_patient()
    state.display.toggle_layout()
    state.toggle_auto_analyse()
    state.save_to(settings)
    assert settings.show_patient_overlay is False and settings.auto_analyse is True and settings.layout == "mpr"
    assert ViewerState.from_settings(settings).display.layout == "mpr"


def test_privacy_hides_the_folder_path_in_the_status_and_the_message(tmp_path: Path) -> None:
    state = ViewerState()
    state.display.show_patient = False
    folder = tmp_path / "DOE_JOHN_123456"
    job = state.open_folder(folder)
    assert "DOE_JOHN" not in state.status and "path hidden" in state.status
    state.load_empty(job, f"No CT images found in {folder} (3 files looked at).")
    assert "DOE_JOHN" not in state.message and "DOE_JOHN" not in state.status


@pytest.fixture(scope="module")
def index(mixed_studies):  # type: ignore[no-untyped-def]
    from ichviewer.core.dicom.index import index_folder

    return index_folder(mixed_studies)


class TestWorklist:
    """A folder of several studies: its analysis as a job, the viewer's results in its rows, N across studies."""

    @staticmethod
    def opened(state: ViewerState, index, auto_analyse: bool = True):  # type: ignore[no-untyped-def]
        """The folder indexed as the loader would; its worklist started; (worklist, request)."""
        from ichviewer.core.worklist import Worklist

        state.auto_analyse = auto_analyse
        state.load_indexed(state.open_folder(index.root), index)
        requests = Recorder(state.events.worklist_requested)
        state.start_worklist(Worklist(index, "truth"))
        return state.worklist, requests.values[-1]

    @staticmethod
    def analyse_all(state: ViewerState, request) -> None:  # type: ignore[no-untyped-def]
        """What the AI worker does with a worklist request (on this thread, with the oracle)."""
        from ichviewer.core.triage import run_queue
        from tests.worklist_folder import OracleClassifier

        on_row = lambda row: state.worklist_row(request.job, row)  # noqa: E731
        finished = run_queue(request.index, request.rows, request.queue, OracleClassifier(), on_row)
        state.worklist_ended(request.job, finished)

    @staticmethod
    def load(state: ViewerState, request: LoadRequest) -> None:
        """Decode the requested series and hand it over, as the loader would."""
        from ichviewer.core.study_loading import load_series

        state.load_done(request.job, load_series(request.index, request.series))

    def key_of(self, worklist, patient_id: str) -> str:  # type: ignore[no-untyped-def]
        return next(key for key, row in worklist.rows.items() if row.patient_id == patient_id)

    def test_the_worklist_is_a_job_whose_rows_and_end_reach_the_state(self, state, index):
        from ichviewer.core.worklist_rows import Status

        worklist, request = self.opened(state, index)
        assert request.job.kind == "worklist" and sorted(request.queue.pending()) == sorted(worklist.queued_keys())
        assert worklist.queue is request.queue and len(request.queue.pending()) == 4
        self.analyse_all(state, request)
        assert sum(r.status is Status.DONE for r in worklist.rows.values()) == 4
        assert worklist.queue is None and state.status == "Worklist analysed: 2 suspected"
        state.open_folder(index.root)
        assert request.job.cancelled and state.worklist is None

    def test_stop_puts_the_study_in_progress_back_and_late_rows_are_dropped(self, state, index):
        from dataclasses import replace as changed

        from ichviewer.core.worklist_rows import Status

        worklist, request = self.opened(state, index)
        key = request.queue.take_ready()
        state.worklist_row(request.job, changed(request.rows[key], status=Status.ANALYSING, progress=0.4))
        worklist.stop()
        assert request.job.cancelled and worklist.rows[key].status is Status.QUEUED and worklist.queue is None
        state.worklist_row(request.job, changed(request.rows[key], status=Status.FAILED, error="late"))
        assert worklist.rows[key].status is Status.QUEUED

    def test_without_a_model_every_queued_study_says_why(self, state, index):
        from ichviewer.core.worklist_rows import Status

        worklist, request = self.opened(state, index)
        state.model_failed("model.safetensors: sha256 does not match the card")
        assert request.job.cancelled and worklist.queue is None
        failed = [r for r in worklist.rows.values() if r.series_uid]
        assert all(r.status is Status.FAILED and "AI unavailable: model.safetensors" in r.error for r in failed)

    def test_the_opened_study_is_analysed_by_the_viewer_and_its_row_takes_the_result(self, state, index):
        from tests.worklist_folder import OracleClassifier

        worklist, request = self.opened(state, index)
        key = self.key_of(worklist, "P30002")
        loads = Recorder(state.events.load_requested)
        analyses = Recorder(state.events.analysis_requested)
        state.open_worklist_study(key)
        self.load(state, loads.values[-1])
        state.analysis_done(analyses.values[-1].job, OracleClassifier().predict(state.volume), False)
        row = worklist.rows[key]
        assert row.verdict_text == "suspected" and row.verdict.subtypes == ("subdural",)
        assert key not in request.queue.pending() and len(request.queue.pending()) == 3

    def test_with_automatic_analysis_off_the_opened_study_jumps_the_queue(self, state, index):
        worklist, request = self.opened(state, index, auto_analyse=False)
        last = request.queue.pending()[-1]
        state.open_worklist_study(last)
        assert request.queue.pending()[0] == last

    def test_n_past_the_last_flagged_slice_opens_the_next_suspected_study(self, state, index):
        from tests.worklist_folder import OracleClassifier

        worklist, request = self.opened(state, index)
        self.analyse_all(state, request)
        first, second = (r for r in worklist.visible() if r.verdict_text == "suspected")
        loads = Recorder(state.events.load_requested)
        analyses = Recorder(state.events.analysis_requested)
        state.open_worklist_study(first.key)
        self.load(state, loads.values[-1])
        assert state.slice_index == first.verdict.top_slice
        state.analysis_done(analyses.values[-1].job, OracleClassifier().predict(state.volume), False)
        state.set_slice(first.verdict.flagged[-1])
        state.jump_flagged(+1)  # past the last flagged slice of the first suspected study
        assert loads.values[-1].series.uid == second.series_uid
        self.load(state, loads.values[-1])
        assert state.series.study_uid == second.key and state.slice_index == second.verdict.flagged[0]
        state.analysis_done(analyses.values[-1].job, OracleClassifier().predict(state.volume), False)
        state.jump_flagged(+1)
        assert state.series.study_uid == second.key  # the last suspected study: N stays in it, wrapping
        state.set_slice(second.verdict.flagged[0])
        state.jump_flagged(-1)  # before its first flagged slice: back to the previous study, at its last one
        self.load(state, loads.values[-1])
        assert state.series.study_uid == first.key and state.slice_index == first.verdict.flagged[-1]
