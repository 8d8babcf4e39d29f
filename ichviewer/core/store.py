"""What ichviewer keeps per study, in one SQLite file in the user data directory: measurements and review notes.

Never beside the study: study folders are only read. Measurements are keyed by (0020,000D)
Study Instance UID + (0020,000E) Series Instance UID; reviews (a worklist's "reviewed" flag and
note) by Study Instance UID + the model's version, since a new model calls for a new review.
`PRAGMA user_version` is the schema version; MIGRATIONS[i] takes a file from version i to
i + 1, all pending ones in one transaction when the store opens. A file written by a newer
ichviewer, or one that is not a database, is refused with a message and left as it is.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from ichviewer.core.measure import Measurement, MeasurementError, from_json, to_json
from ichviewer.core.user_dirs import data_dir

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE measurements (
        study_uid TEXT NOT NULL,
        series_uid TEXT NOT NULL,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        record TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        PRIMARY KEY (study_uid, series_uid, id)
    );
    CREATE TABLE reviews (
        study_uid TEXT NOT NULL,
        model_version TEXT NOT NULL,
        reviewed INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (study_uid, model_version)
    );
    """,
)
FILE_NAME = "ichviewer.sqlite3"

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The store file cannot be used; the message names it and says what to do."""


@dataclass(frozen=True)
class LoadedMeasurements:
    """A series' saved measurements, and a line for each record that could not be read back."""

    items: tuple[Measurement, ...]
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Review:
    """A reader's review of one study's AI results for one model version."""

    study_uid: str
    model_version: str
    reviewed: bool
    note: str
    updated_at: str  # ISO 8601, UTC


def store_path() -> Path:
    return data_dir() / FILE_NAME


class Store:
    """An open store; use as a context manager or call `close()`. One per thread (sqlite3's rule)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or store_path())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=5.0)
        try:
            self._migrate()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreError(
                f"{self.path} is not a readable ichviewer store ({error}); move it aside and ichviewer starts a new one"
            ) from None
        except StoreError:
            self._db.close()
            raise

    def _migrate(self) -> None:
        """Apply the migrations the file lacks, all in one transaction (none on failure)."""
        version, latest = self.schema_version, len(MIGRATIONS)
        if version > latest:
            raise StoreError(
                f"{self.path} was written by a newer ichviewer (schema {version}; this one knows {latest}): "
                "update ichviewer to use it"
            )
        if version == latest:
            return
        steps = "".join(
            MIGRATIONS[target - 1] + f"; PRAGMA user_version = {target};" for target in range(version + 1, latest + 1)
        )
        try:
            self._db.executescript(f"BEGIN; {steps} COMMIT;")
        except sqlite3.Error as error:
            if self._db.in_transaction:
                self._db.rollback()
            raise StoreError(
                f"{self.path} could not be updated from schema {version} to {latest} ({error}); it is left as it was"
            ) from None
        log.info("store %s migrated from schema %d to %d", self.path, version, latest)

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # --- measurements ---------------------------------------------------------------------------
    def save_measurements(self, study_uid: str, series_uid: str, items: Sequence[Measurement]) -> None:
        """Replace the series' measurements with `items`, in their order, in one transaction."""
        now = _now()
        rows = [
            (study_uid, series_uid, m.id, position, m.kind, json.dumps(to_json(m)), now)
            for position, m in enumerate(items)
        ]
        with self._db:
            self._db.execute("DELETE FROM measurements WHERE study_uid = ? AND series_uid = ?", (study_uid, series_uid))
            self._db.executemany("INSERT INTO measurements VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def load_measurements(self, study_uid: str, series_uid: str) -> LoadedMeasurements:
        """The series' measurements in saved order; damaged records are left out and named."""
        rows = self._db.execute(
            "SELECT id, record FROM measurements WHERE study_uid = ? AND series_uid = ? ORDER BY position",
            (study_uid, series_uid),
        ).fetchall()
        items, problems = [], []
        for id, record in rows:
            try:
                items.append(from_json(json.loads(record)))
            except (json.JSONDecodeError, MeasurementError) as error:
                problems.append(f"measurement {id} of series {series_uid} in {self.path}: {error}")
        for problem in problems:
            log.warning(problem)
        return LoadedMeasurements(tuple(items), tuple(problems))

    def measured_series(self, study_uid: str) -> dict[str, int]:
        """Series of a study with saved measurements, and how many each has."""
        rows = self._db.execute(
            "SELECT series_uid, COUNT(*) FROM measurements WHERE study_uid = ? GROUP BY series_uid", (study_uid,)
        )
        return {series: count for series, count in rows}

    # --- reviews --------------------------------------------------------------------------------
    def set_review(self, study_uid: str, model_version: str, reviewed: bool, note: str = "") -> Review:
        """Mark a study reviewed (or not) for a model version, with a free-text note."""
        review = Review(study_uid, model_version, bool(reviewed), note, _now())
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?, ?)",
                (study_uid, model_version, int(review.reviewed), note, review.updated_at),
            )
        return review

    def review(self, study_uid: str, model_version: str) -> Review | None:
        row = self._db.execute(
            "SELECT reviewed, note, updated_at FROM reviews WHERE study_uid = ? AND model_version = ?",
            (study_uid, model_version),
        ).fetchone()
        return None if row is None else Review(study_uid, model_version, bool(row[0]), row[1], row[2])


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
