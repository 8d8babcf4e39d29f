"""The worklist: rows from headers, the queue (failures, cancel, priority), ranking, exports, reviews in the store."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.store import Store
from ichviewer.core.triage import run_queue
from ichviewer.core.work_queue import WorkQueue
from ichviewer.core.worklist import Worklist
from ichviewer.core.worklist_export import write_worklist_csv, write_worklist_json
from ichviewer.core.worklist_rows import Status, StudyRow, ranked, verdict_of
from tests.worklist_folder import BLEEDS, NORMALS, OracleClassifier, write_study


@pytest.fixture(scope="module")
def index(mixed_studies):  # type: ignore[no-untyped-def]
    return index_folder(mixed_studies)


def analysed(index, classifier=None):  # type: ignore[no-untyped-def]
    worklist = Worklist(index, "truth")
    queue = WorkQueue(worklist.queued_keys())
    n, steps = len(queue.pending()), []
    progress = lambda done, total, message: steps.append((done, total))  # noqa: E731  (the terminal's bar)
    finished = run_queue(index, dict(worklist.rows), queue, classifier or OracleClassifier(), worklist.update, progress)
    assert steps[0] == (0, n) and steps[-1] == (n, n)  # one step a study
    return worklist, finished


def by_patient(rows: list[StudyRow]) -> dict[str, StudyRow]:
    return {row.patient_id: row for row in rows if row.patient_id}


def test_one_row_per_study_from_headers_and_a_row_for_each_unusable_folder(index) -> None:  # type: ignore[no-untyped-def]
    rows = Worklist(index, "truth").rows.values()
    studies = by_patient(list(rows))
    assert set(studies) == {f"P{seed}" for seed in (*BLEEDS, *NORMALS)}
    assert all(r.status is Status.QUEUED and r.n_slices == 12 and r.date == "20240101" for r in studies.values())
    assert studies["P30001"].patient_name == "TEST 30001" and "Axial" in studies["P30001"].series_title
    others = {row.folder.name: row for row in rows if not row.patient_id}
    assert others["study-30005"].status is Status.FAILED and "truncated" in others["study-30005"].error
    assert others["study-30006"].status is Status.NOT_APPLICABLE and "MR" in others["study-30006"].error


def test_queue_ranks_every_bleed_above_every_normal_and_exports_the_ranking(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    worklist, finished = analysed(index)
    assert finished
    order = [row.patient_id for row in ranked(list(worklist.rows.values()))]
    bleeds, normals = {f"P{s}" for s in BLEEDS}, {f"P{s}" for s in NORMALS}
    assert set(order[:2]) == bleeds and set(order[2:4]) == normals and order[4:] == ["", ""]
    row = by_patient(list(worklist.rows.values()))["P30002"]
    assert row.status is Status.DONE and row.verdict is not None and row.verdict.subtypes == ("subdural",)
    assert row.verdict.flagged and row.verdict.top_slice in row.verdict.flagged

    write_worklist_csv(tmp_path / "w.csv", list(worklist.rows.values()))
    write_worklist_json(tmp_path / "w.json", list(worklist.rows.values()), index.root, {"name": "oracle"})
    with (tmp_path / "w.csv").open(newline="") as file:
        table = list(csv.DictReader(file))
    assert [r["patient_id"] for r in table[:4]] == order[:4] and [r["rank"] for r in table] == list("123456")
    assert {r["verdict"] for r in table[:2]} == {"suspected"} and {r["verdict"] for r in table[2:4]} == {"not detected"}
    assert table[4]["status"] == "failed" and "truncated" in table[4]["error"] and "study-30005" in table[4]["folder"]
    data = json.loads((tmp_path / "w.json").read_text())
    assert [s["patient_id"] for s in data["studies"]] == order and "clinical" in data["intended_use"].lower()
    assert data["studies"][0]["flagged_slices"] and min(data["studies"][0]["flagged_slices"]) >= 1


def test_a_study_failing_while_loading_is_a_row_with_its_reason_and_the_queue_goes_on(tmp_path: Path) -> None:
    write_study(tmp_path, 30011, ("subdural",))
    gone = write_study(tmp_path, 30012, (), date="20240102")
    index = index_folder(tmp_path)
    for path in gone.glob("*.dcm"):
        path.unlink()  # the USB disk was pulled after the folder was indexed
    worklist, finished = analysed(index)
    rows = by_patient(list(worklist.rows.values()))
    assert finished and rows["P30011"].status is Status.DONE
    assert rows["P30012"].status is Status.FAILED and rows["P30012"].verdict_text == "error"
    assert "CT0001.dcm" in rows["P30012"].error, rows["P30012"].error


def test_cancel_stops_between_studies_and_leaves_the_rest_queued(index) -> None:  # type: ignore[no-untyped-def]
    worklist = Worklist(index, "truth")
    queue = WorkQueue(worklist.queued_keys())
    seen: list[StudyRow] = []

    def on_row(row: StudyRow) -> None:
        worklist.update(row)
        seen.append(row)
        if row.status is Status.DONE:
            queue.cancel.set()

    assert run_queue(index, dict(worklist.rows), queue, OracleClassifier(), on_row) is False
    statuses = [row.status for row in worklist.rows.values() if row.patient_id]
    assert statuses.count(Status.DONE) == 1 and statuses.count(Status.QUEUED) == 3
    assert len(queue.pending()) == 3


def test_cancel_inside_a_study_puts_it_back_queued(index) -> None:  # type: ignore[no-untyped-def]
    worklist = Worklist(index, "truth")
    queue = WorkQueue(worklist.queued_keys())
    first = queue.pending()[0]

    def on_row(row: StudyRow) -> None:
        worklist.update(row)
        if row.status is Status.ANALYSING and row.progress > 0.2:
            queue.cancel.set()  # while loading: the loader checks the event between slices

    assert run_queue(index, dict(worklist.rows), queue, OracleClassifier(), on_row) is False
    assert worklist.rows[first].status is Status.QUEUED and queue.pending()[0] == first


def test_reviews_survive_a_restart_and_belong_to_the_model_version(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "store.sqlite3"
    key = next(k for k, r in Worklist(index, "1.0").rows.items() if r.patient_id == "P30001")
    with Store(path) as store:
        worklist = Worklist(index, "1.0", store)
        changed: list[StudyRow] = []
        worklist.events.row.connect(changed.append)
        worklist.set_review(key, True, "seen by Dr A")
        assert changed[-1].reviewed
    with Store(path) as store:
        row = Worklist(index, "1.0", store).rows[key]
        assert row.reviewed and row.note == "seen by Dr A"
        assert not Worklist(index, "2.0", store).rows[key].reviewed  # a new model calls for a new review
    assert not any(p.suffix == ".sqlite3" for p in index.root.rglob("*"))


def test_analysis_keeps_the_review_and_suspected_only_filters(index) -> None:  # type: ignore[no-untyped-def]
    worklist = Worklist(index, "truth")
    key = next(k for k, r in worklist.rows.items() if r.patient_id == "P30003")
    worklist.set_review(key, True, "normal")
    queue = WorkQueue(worklist.queued_keys())
    run_queue(index, dict(worklist.rows), queue, OracleClassifier(), worklist.update)
    assert worklist.rows[key].reviewed and worklist.rows[key].status is Status.DONE
    worklist.set_suspected_only(True)
    assert {r.patient_id for r in worklist.visible()} == {f"P{s}" for s in BLEEDS}


def test_verdict_of_a_result(make_result) -> None:  # type: ignore[no-untyped-def]
    verdict = verdict_of(make_result(10, {(4, "any"): 0.9, (4, "subdural"): 0.8, (7, "any"): 0.6}))
    assert verdict.suspected and verdict.score == pytest.approx(0.9) and verdict.top_slice == 4
    assert verdict.subtypes == ("subdural",) and verdict.flagged == (4, 7)
    assert not verdict_of(make_result(10)).suspected


def test_the_folder_is_only_read(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = shutil.copytree(index.root, tmp_path / "copy")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in copy.rglob("*"))
    analysed(index_folder(copy))
    assert sorted((p.name, p.stat().st_mtime_ns) for p in copy.rglob("*")) == before
