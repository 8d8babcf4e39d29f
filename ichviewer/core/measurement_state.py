"""The open series' measurements: the undo history, the tool in hand, the one selected, kept in the store.

Views draw `items`; the tools and the panel call `add`, `replace`, `delete`, `undo` and `redo`.
Every change is saved at once through `core.store` under the series' (0020,000D) Study Instance
UID and (0020,000E) Series Instance UID, never beside the study, and `open` reads them back when
the series is opened again. A store that cannot be used keeps the measurements in memory only and
says why in `problem` (the status bar shows it).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ichviewer.core.events import EventedModel
from ichviewer.core.measure import Measurement
from ichviewer.core.measurement_list import History
from ichviewer.core.store import Store, StoreError

# "" is no tool: the left button drags the window; the others are measurement kinds
TOOLS = ("", "length", "angle", "ellipse", "polygon", "midline", "abc", "region")

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Measurements(EventedModel):
    """The measurements of the series on screen with their undo history; saved on every change."""

    history: History = field(default_factory=History)
    tool: str = ""
    selected: str = ""  # id of the measurement chosen in the panel ("" none)
    problem: str = ""  # why the store could not be read or written ("" none)
    series: tuple[str, str] | None = None  # (study UID, series UID) they belong to
    store_path: Path | None = None  # None: the user data directory's store

    @property
    def items(self) -> tuple[Measurement, ...]:
        return self.history.items

    def get(self, id: str) -> Measurement | None:
        return next((m for m in self.items if m.id == id), None)

    # --- the series -----------------------------------------------------------------------------
    def open(self, study_uid: str, series_uid: str) -> None:
        """Show the measurements saved for this series (none yet: an empty list); undo starts afresh."""
        self.series = (study_uid, series_uid)
        self.selected = ""
        items: tuple[Measurement, ...] = ()
        problem = ""
        try:
            with Store(self.store_path) as store:
                loaded = store.load_measurements(study_uid, series_uid)
            items = loaded.items
            if loaded.problems:
                problem = f"{len(loaded.problems)} saved measurement(s) could not be read: {loaded.problems[0]}"
        except (StoreError, sqlite3.Error, OSError) as error:
            problem = f"Saved measurements could not be read: {error}"
            log.warning(problem)
        self.problem = problem
        self.history = History(items)

    def close(self) -> None:
        """No series on screen: no measurements (they are saved already)."""
        self.series = None
        self.selected = ""
        self.history = History()

    # --- edits ----------------------------------------------------------------------------------
    def add(self, item: Measurement) -> None:
        self._change(self.history.add(item))
        self.selected = item.id

    def replace(self, item: Measurement) -> None:
        """Put `item` in place of the measurement with its id (moved points, new settings)."""
        if self.get(item.id) is not None and self.get(item.id) != item:
            self._change(self.history.replace(item))

    def delete(self, id: str) -> None:
        if self.get(id) is not None:
            self._change(self.history.delete(id))

    def undo(self) -> None:
        self._change(self.history.undo())

    def redo(self) -> None:
        self._change(self.history.redo())

    def select(self, id: str) -> None:
        self.selected = id if self.get(id) is not None else ""

    def set_tool(self, tool: str) -> None:
        """The tool in hand ("" for none: the left button drags the window)."""
        if tool not in TOOLS:
            raise ValueError(f"unknown measuring tool {tool!r}; tools: {', '.join(t for t in TOOLS if t)}")
        self.tool = tool

    def _change(self, history: History) -> None:
        if history is self.history:
            return
        self.history = history
        if self.get(self.selected) is None:
            self.selected = ""
        self._save()

    def _save(self) -> None:
        if self.series is None:
            return
        try:
            with Store(self.store_path) as store:
                store.save_measurements(*self.series, self.items)
            self.problem = ""
        except (StoreError, sqlite3.Error, OSError) as error:
            self.problem = f"Measurements could not be saved (kept until the study is closed): {error}"
            log.warning(self.problem)
