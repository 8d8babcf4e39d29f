"""A study's measurements as an immutable list with invertible edits, so undo/redo is a stack of edits.

`History.do(edit)` returns a new history; `undo()` applies the last edit's inverse, `redo()`
applies it again. A viewer state keeps one History per series and saves `history.items`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ichviewer.core.measure import Measurement


@dataclass(frozen=True)
class Added:
    item: Measurement
    index: int  # position in the list after the edit


@dataclass(frozen=True)
class Removed:
    item: Measurement
    index: int  # position it had


@dataclass(frozen=True)
class Replaced:
    old: Measurement
    new: Measurement  # same id: an edit of the points


Edit = Added | Removed | Replaced


def inverse(edit: Edit) -> Edit:
    """The edit that undoes `edit`."""
    if isinstance(edit, Added):
        return Removed(edit.item, edit.index)
    if isinstance(edit, Removed):
        return Added(edit.item, edit.index)
    return Replaced(edit.new, edit.old)


def apply(items: tuple[Measurement, ...], edit: Edit) -> tuple[Measurement, ...]:
    """`items` after `edit`; KeyError/ValueError when the edit does not fit (a bug in the caller)."""
    if isinstance(edit, Added):
        if any(m.id == edit.item.id for m in items):
            raise ValueError(f"measurement {edit.item.id} is already in the list")
        return items[: edit.index] + (edit.item,) + items[edit.index :]
    if isinstance(edit, Removed):
        if edit.index >= len(items) or items[edit.index] != edit.item:
            raise KeyError(f"measurement {edit.item.id} is not at {edit.index}")
        return items[: edit.index] + items[edit.index + 1 :]
    index = _position(items, edit.old.id)
    if edit.new.id != edit.old.id:
        raise ValueError("a replacement keeps the measurement's id")
    return items[:index] + (edit.new,) + items[index + 1 :]


def _position(items: tuple[Measurement, ...], id: str) -> int:
    for index, m in enumerate(items):
        if m.id == id:
            return index
    raise KeyError(f"no measurement {id}")


@dataclass(frozen=True)
class History:
    """Measurements plus the edits that led there (undo) and the ones undone (redo)."""

    items: tuple[Measurement, ...] = ()
    done: tuple[Edit, ...] = ()
    undone: tuple[Edit, ...] = ()

    def do(self, edit: Edit) -> History:
        """Apply an edit; it can be undone, and whatever was undone can no longer be redone."""
        return History(apply(self.items, edit), self.done + (edit,), ())

    def add(self, item: Measurement) -> History:
        return self.do(Added(item, len(self.items)))

    def replace(self, new: Measurement) -> History:
        """Put `new` in place of the measurement with its id (moved points, edited values)."""
        return self.do(Replaced(self.items[_position(self.items, new.id)], new))

    def delete(self, id: str) -> History:
        index = _position(self.items, id)
        return self.do(Removed(self.items[index], index))

    def undo(self) -> History:
        if not self.done:
            return self
        edit = self.done[-1]
        return History(apply(self.items, inverse(edit)), self.done[:-1], self.undone + (edit,))

    def redo(self) -> History:
        if not self.undone:
            return self
        edit = self.undone[-1]
        return History(apply(self.items, edit), self.done + (edit,), self.undone[:-1])

    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    def get(self, id: str) -> Measurement:
        return self.items[_position(self.items, id)]
