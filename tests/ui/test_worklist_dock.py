"""The worklist dock: a folder of studies analysed in the background, ranked, filtered, reviewed, opened."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ichviewer.core.store import Store
from ichviewer.core.worklist_rows import Status
from ichviewer.ui.worklist_dock import COLUMNS, HIDDEN, REVIEWED, WorklistDock


def cell(dock: WorklistDock, row: int, name: str) -> str:
    item = dock.table.item(row, COLUMNS.index(name))
    return "" if item is None else item.text()


def test_worklist_analyses_ranks_filters_reviews_and_opens(qtbot, mixed_studies, tiny_model_dir) -> None:  # type: ignore[no-untyped-def]
    from ichviewer.ui.main_window import MainWindow

    window = MainWindow(model_dir=str(tiny_model_dir), device="cpu")
    qtbot.addWidget(window)
    window.show()
    window.open_folder(mixed_studies)
    qtbot.waitUntil(lambda: window.worklist_dock is not None, timeout=20000)
    dock = window.worklist_dock
    assert dock.table.rowCount() == 6
    worklist = dock.worklist
    finished = (Status.DONE, Status.FAILED, Status.NOT_APPLICABLE)
    qtbot.waitUntil(lambda: all(r.status in finished for r in worklist.rows.values()), timeout=60000)
    assert sum(r.status is Status.DONE for r in worklist.rows.values()) == 4
    assert [cell(dock, r, "#") for r in range(6)] == list("123456")  # ranked order on screen
    assert cell(dock, 5, "Verdict") in ("error", "not applicable")
    assert dock.summary.text().startswith("6 of 6 done")

    ids = {cell(dock, r, "ID") for r in range(6)}
    assert "P30001" in ids
    window.state.display.toggle_patient()  # P: names, IDs and dates hidden
    assert {cell(dock, r, "ID") for r in range(6)} == {HIDDEN} and {cell(dock, r, "Patient") for r in range(6)} == {
        HIDDEN
    }
    window.state.display.toggle_patient()

    suspected = sum(r.verdict_text == "suspected" for r in worklist.rows.values())
    dock.suspected_only.setChecked(True)
    assert dock.table.rowCount() == suspected
    dock.suspected_only.setChecked(False)

    key = dock.table.item(0, 0).data(Qt.ItemDataRole.UserRole)
    dock.table.item(0, REVIEWED).setCheckState(Qt.CheckState.Checked)
    assert worklist.rows[key].reviewed
    with Store() as store:
        assert store.review(key, worklist.model_version).reviewed

    dock.open_row(key)
    series_uid = worklist.rows[key].series_uid
    top = worklist.top_slice(key)
    qtbot.waitUntil(
        lambda: window.state.volume is not None and window.state.volume.series.uid == series_uid, timeout=20000
    )
    qtbot.waitUntil(lambda: window.state.dims.slice == top, timeout=5000)
    window.close()
    assert not window.ai_worker.running()


def test_a_folder_of_one_study_has_no_worklist(qtbot, main_window, open_study, write_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study())
    assert main_window.worklist_dock is None


def test_a_study_the_ai_does_not_judge_says_not_applicable_and_why(qtbot, tmp_path, tiny_model_dir) -> None:  # type: ignore[no-untyped-def]
    from ichviewer.ui.main_window import MainWindow
    from tests.worklist_folder import SHORT, write_not_applicable_folder

    window = MainWindow(model_dir=str(tiny_model_dir), device="cpu")
    qtbot.addWidget(window)
    window.show()
    window.open_folder(write_not_applicable_folder(tmp_path / "night"))
    qtbot.waitUntil(lambda: window.worklist_dock is not None, timeout=20000)
    dock = window.worklist_dock
    finished = (Status.DONE, Status.NOT_APPLICABLE)
    qtbot.waitUntil(lambda: all(r.status in finished for r in dock.worklist.rows.values()), timeout=60000)
    (row,) = [r for r in range(dock.table.rowCount()) if cell(dock, r, "ID") == f"P{SHORT}"]
    reason = "the series covers 40 mm along the head (at least 50 mm needed)"
    verdict = dock.table.item(row, COLUMNS.index("Verdict"))
    assert verdict.text() == "not applicable" and verdict.toolTip() == f"AI not applicable: {reason}"
    assert cell(dock, row, "Status") == f"not applicable: {reason}" and cell(dock, row, "Score") == ""
    assert cell(dock, 1 - row, "Verdict") in ("suspected", "not detected")


def test_pause_and_stop_act_on_the_queue(qtbot, mixed_studies) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from ichviewer.core.dicom.index import index_folder
    from ichviewer.core.labels import LABEL_KEYS
    from ichviewer.core.state import ViewerState
    from ichviewer.core.worklist import Worklist

    state = ViewerState()
    state.model_ready("oracle", "CPU", LABEL_KEYS)
    index = index_folder(mixed_studies)
    state.load_indexed(state.open_folder(mixed_studies), index)
    worklist = Worklist(index, "truth")
    job = state.start_worklist(worklist)  # no worker here: the queue waits as it is
    dock = WorklistDock(state, worklist)
    qtbot.addWidget(dock)
    assert dock.pause.isEnabled() and dock.stop.isEnabled()
    dock.pause.setChecked(True)
    assert dock.pause.text() == "Resume" and worklist.queue.paused.is_set() and worklist.queue.take_ready() is None
    key = worklist.queued_keys()[0]
    state.worklist_row(job, replace(worklist.rows[key], status=Status.ANALYSING, progress=0.3))
    dock.stop.click()
    assert job.cancelled and worklist.queue is None and worklist.rows[key].status is Status.QUEUED
    assert not dock.pause.isEnabled() and not dock.stop.isEnabled() and state.status == "Worklist analysis stopped"


def test_one_ai_worker_analyses_the_worklist_and_n_goes_on_to_the_next_suspected_study(
    qtbot, mixed_studies, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction

    from ichviewer.ui import ai_worker
    from ichviewer.ui.main_window import MainWindow
    from tests.worklist_folder import OracleClassifier

    oracles: list[OracleClassifier] = []
    monkeypatch.setattr(ai_worker, "open_classifier", lambda *a: oracles.append(OracleClassifier()) or oracles[-1])
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    state = window.state
    state.heatmap.visible = False  # the oracle has no network for Grad-CAM
    window.open_folder(mixed_studies)
    qtbot.waitUntil(lambda: window.worklist_dock is not None, timeout=20000)
    dock = window.worklist_dock
    finished = (Status.DONE, Status.FAILED, Status.NOT_APPLICABLE)
    qtbot.waitUntil(lambda: all(r.status in finished for r in dock.worklist.rows.values()), timeout=60000)
    qtbot.waitUntil(lambda: dock.worklist.queue is None, timeout=5000)
    assert len(oracles) == 1  # one model copy serves the viewer and the worklist
    first, second = (r for r in dock.worklist.visible() if r.verdict_text == "suspected")
    dock.open_row(first.key)
    qtbot.waitUntil(lambda: state.result is not None and state.series.study_uid == first.key, timeout=20000)
    assert state.slice_index == first.verdict.top_slice
    state.set_slice(first.verdict.flagged[-1])
    next_flagged = next(a for a in window.findChildren(QAction) if a.shortcut().toString() == "N")
    next_flagged.trigger()  # past the last flagged slice: the next suspected study, at its first flagged slice
    qtbot.waitUntil(lambda: state.volume is not None and state.series.study_uid == second.key, timeout=20000)
    assert state.slice_index == second.verdict.flagged[0]
    window.close()
