"""The per-study store: measurements survive a restart, never touch the study folder; reviews; schema migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from ichviewer.core import store as store_module
from ichviewer.core.measure import measure
from ichviewer.core.mpr import Mpr
from ichviewer.core.store import Store, StoreError, store_path
from ichviewer.core.volume import load_folder_volume

STUDY, SERIES = "1.2.3.4", "1.2.3.4.5"


@pytest.fixture(scope="module")
def loaded(phantom_series):
    folder, _ = phantom_series
    volume = load_folder_volume(folder)
    return folder, volume, Mpr.from_volume(volume)


def some_measurements(volume, mpr):
    plane = mpr.plane(volume.hu, "coronal", 100)
    return [
        measure(mpr, "length", "axial", 5, [(10, 10), (40, 50)]),
        measure(mpr, "ellipse", "coronal", 100, [(3, 40), (9, 80)], plane),
        measure(mpr, "midline", "axial", 8, [(20, 128), (230, 128), (100, 131)]),
    ]


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


class TestMeasurements:
    def test_saved_measurements_survive_a_restart_and_the_study_folder_is_untouched(self, loaded) -> None:
        folder, volume, mpr = loaded
        before = folder_state(folder)
        items = some_measurements(volume, mpr)
        study, series = volume.series.study_uid, volume.series.uid
        with Store() as store:
            store.save_measurements(study, series, items)
        assert store_path().is_file() and Path(os.environ["ICHVIEWER_DATA"]) in store_path().parents
        with Store() as reopened:  # a new connection, as after restarting the viewer
            loaded_back = reopened.load_measurements(study, series)
            assert loaded_back.items == tuple(items) and loaded_back.problems == ()
            assert reopened.measured_series(study) == {series: 3}
        assert folder_state(folder) == before
        assert not any(p.suffix in (".sqlite3", ".json") and "measure" in p.name for p in folder.iterdir())

    def test_saving_replaces_the_series_list_in_order(self, loaded, tmp_path: Path) -> None:
        _, volume, mpr = loaded
        a, b, c = some_measurements(volume, mpr)
        with Store(tmp_path / "s.sqlite3") as store:
            store.save_measurements(STUDY, SERIES, [a, b, c])
            store.save_measurements(STUDY, SERIES, [c, a])
            store.save_measurements(STUDY, "other-series", [b])
            assert store.load_measurements(STUDY, SERIES).items == (c, a)
            assert store.load_measurements(STUDY, "other-series").items == (b,)
            assert store.load_measurements("no-study", SERIES).items == ()

    def test_a_damaged_record_is_named_and_the_rest_load(self, loaded, tmp_path: Path) -> None:
        _, volume, mpr = loaded
        items = some_measurements(volume, mpr)
        path = tmp_path / "s.sqlite3"
        with Store(path) as store:
            store.save_measurements(STUDY, SERIES, items)
        with sqlite3.connect(path) as db:
            db.execute('UPDATE measurements SET record = \'{"kind": "length"\' WHERE id = ?', (items[1].id,))
        db.close()
        with Store(path) as store:
            result = store.load_measurements(STUDY, SERIES)
        assert result.items == (items[0], items[2])
        assert len(result.problems) == 1 and items[1].id in result.problems[0] and str(path) in result.problems[0]


class TestReviews:
    def test_reviewed_flag_and_note_per_model_version(self, tmp_path: Path) -> None:
        path = tmp_path / "s.sqlite3"
        with Store(path) as store:
            assert store.review(STUDY, "1.0.0") is None
            store.set_review(STUDY, "1.0.0", True, "bleed confirmed, left frontal")
            store.set_review(STUDY, "1.1.0", False)
        with Store(path) as store:
            first = store.review(STUDY, "1.0.0")
            assert first is not None and first.reviewed and first.note == "bleed confirmed, left frontal"
            store.set_review(STUDY, "1.0.0", False, "reopened")
            again = store.review(STUDY, "1.0.0")
            assert again is not None and not again.reviewed and again.note == "reopened"
            newer = store.review(STUDY, "1.1.0")
            assert newer is not None and not newer.reviewed and newer.note == ""


class TestSchema:
    def test_new_file_is_at_the_latest_schema(self, tmp_path: Path) -> None:
        with Store(tmp_path / "s.sqlite3") as store:
            assert store.schema_version == len(store_module.MIGRATIONS) == 1

    def test_an_older_file_is_migrated_keeping_its_rows(self, loaded, tmp_path: Path, monkeypatch) -> None:
        _, volume, mpr = loaded
        items = some_measurements(volume, mpr)
        path = tmp_path / "s.sqlite3"
        with Store(path) as store:
            store.save_measurements(STUDY, SERIES, items)
        extra = "ALTER TABLE reviews ADD COLUMN reader TEXT NOT NULL DEFAULT ''"
        monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, extra))
        with Store(path) as store:
            assert store.schema_version == 2
            assert store.load_measurements(STUDY, SERIES).items == tuple(items)

    def test_a_failing_migration_changes_nothing(self, tmp_path: Path, monkeypatch) -> None:
        path = tmp_path / "s.sqlite3"
        Store(path).close()
        broken = ("CREATE TABLE notes (id TEXT)", "CREATE TABLE notes (id TEXT)")  # the second fails
        monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, *broken))
        with pytest.raises(StoreError, match="could not be updated from schema 1 to 3"):
            Store(path)
        monkeypatch.undo()
        with Store(path) as store:
            assert store.schema_version == 1
            tables = {row[0] for row in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert tables == {"measurements", "reviews"}

    def test_a_file_from_a_newer_ichviewer_is_refused_and_kept(self, tmp_path: Path) -> None:
        path = tmp_path / "s.sqlite3"
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 99")
        db.close()
        before = path.read_bytes()
        with pytest.raises(StoreError, match="newer ichviewer"):
            Store(path)
        assert path.read_bytes() == before

    def test_a_file_that_is_not_a_database_is_refused_and_kept(self, tmp_path: Path) -> None:
        path = tmp_path / "s.sqlite3"
        path.write_bytes(b"this is not sqlite" * 100)
        with pytest.raises(StoreError, match="move it aside"):
            Store(path)
        assert path.read_bytes() == b"this is not sqlite" * 100
