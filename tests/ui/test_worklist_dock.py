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
    assert not dock.worker.thread.isRunning()


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
    window.close()
