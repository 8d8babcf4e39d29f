"""The series' measurement list: edits with undo, saved in the store at once, read back when the series reopens."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.measure import measure
from ichviewer.core.measurement_state import Measurements
from ichviewer.core.mpr import Mpr
from ichviewer.core.state import ViewerState
from ichviewer.core.store import Store, store_path


@pytest.fixture(autouse=True)
def _own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no saved measurements."""
    monkeypatch.setenv("ICHVIEWER_DATA", str(tmp_path / "data"))


@pytest.fixture
def lengths(physical_heads):  # type: ignore[no-untyped-def]
    mpr = Mpr.from_volume(physical_heads[0.0][1])
    return [measure(mpr, "length", "axial", 30, [(50, 50), (50, 50 + 10 * k)]) for k in (1, 2, 3)]


class TestMeasurements:
    def test_every_edit_is_saved_and_undone(self, lengths) -> None:
        a, b, c = lengths
        ms = Measurements()
        ms.open("study", "series")
        ms.add(a)
        ms.add(b)
        assert ms.selected == b.id
        ms.delete(a.id)
        assert ms.items == (b,)
        ms.undo()
        assert ms.items == (a, b)
        ms.redo()
        ms.add(c)
        with Store() as store:
            assert store.load_measurements("study", "series").items == (b, c)
        ms.undo()
        with Store() as store:
            assert store.load_measurements("study", "series").items == (b,)
        assert ms.selected == ""  # the selected one was undone

    def test_reopening_the_series_restores_them_and_starts_a_new_undo(self, lengths) -> None:
        ms = Measurements()
        ms.open("study", "series")
        ms.add(lengths[0])
        ms.close()
        assert ms.items == () and ms.series is None
        again = Measurements()
        again.open("study", "series")
        assert again.items == (lengths[0],) and not again.history.can_undo
        again.open("study", "other series")
        assert again.items == ()

    def test_an_unusable_store_keeps_them_in_memory_and_says_why(self, lengths, tmp_path: Path) -> None:
        bad = tmp_path / "not-a-store.sqlite3"
        bad.write_bytes(b"this is no database" * 100)
        ms = Measurements(store_path=bad)
        ms.open("study", "series")
        assert "could not be read" in ms.problem and str(bad) in ms.problem
        ms.add(lengths[0])
        assert ms.items == (lengths[0],) and "could not be saved" in ms.problem
        assert bad.read_bytes() == b"this is no database" * 100  # left as it was

    def test_tools_are_checked(self) -> None:
        ms = Measurements()
        ms.set_tool("length")
        assert ms.tool == "length"
        with pytest.raises(ValueError, match="unknown measuring tool 'ruler'"):
            ms.set_tool("ruler")

    def test_the_state_opens_them_with_the_volume_and_drops_them_with_it(self, make_volume, tmp_path) -> None:
        volume = make_volume(np.zeros((4, 16, 16), np.int16))
        mpr = Mpr.from_volume(volume)
        state = ViewerState(auto_analyse=False)
        state.load_done(state.open_folder(tmp_path), volume)
        assert state.measurements.series == (volume.series.study_uid, volume.series.uid)
        state.measurements.add(measure(mpr, "length", "axial", 1, [(1, 1), (1, 5)]))
        assert store_path().is_file()
        state.open_folder(tmp_path)
        assert state.measurements.items == ()
        state.load_done(state.jobs.current("load"), volume)
        assert len(state.measurements.items) == 1
