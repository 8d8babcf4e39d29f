"""Plain change events for the viewer state (napari's EventedModel idea, without Qt).

An `Event` calls its subscribers synchronously, in the order they connected, on the thread
that changed the state (the GUI thread in the viewer; workers hand their results over first).
An `EventedModel` emits `events.<field>(new value)` when one of its fields gets a different
value, so views subscribe to exactly what they draw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

Callback = Callable[[Any], object]


class Event:
    """One kind of change; `emit(value)` calls every connected callback with the value."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callback] = []
        self._blocked = 0

    def connect(self, callback: Callback) -> Callback:
        """Subscribe `callback(value)`; returns it, so this works as a decorator."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callback) -> None:
        """Unsubscribe (a callback that is not connected is ignored: views may close twice)."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, value: Any = None) -> None:
        if self._blocked:
            return
        for callback in list(self._callbacks):  # a callback may disconnect itself
            callback(value)

    @contextmanager
    def blocked(self) -> Iterator[None]:
        """Emit nothing inside the block (e.g. while several fields are reset together)."""
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._callbacks)} callbacks)"


class Events:
    """A namespace of named events: `events.window.connect(callback)`."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._events = {name: Event(name) for name in names}

    def __getattr__(self, name: str) -> Event:
        try:
            return self.__dict__["_events"][name]
        except KeyError:
            raise AttributeError(f"no event {name!r}; events: {', '.join(self.__dict__['_events'])}") from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._events)

    def __contains__(self, name: str) -> bool:
        return name in self._events


class EventedModel:
    """Base for dataclasses whose field assignments emit `events.<field>(value)` on change.

    Subclasses are `@dataclass(eq=False)`; extra event names (requests, notifications that are
    not fields) go in `EXTRA_EVENTS`. A value counts as changed unless it is the same object
    or compares equal (frozen dataclasses such as `Window` compare by value).
    """

    EXTRA_EVENTS: tuple[str, ...] = ()
    events: Events

    def __post_init__(self) -> None:
        names = tuple(f.name for f in fields(self)) + self.EXTRA_EVENTS  # type: ignore[arg-type]
        object.__setattr__(self, "events", Events(names))

    def __setattr__(self, name: str, value: Any) -> None:
        events = self.__dict__.get("events")
        if events is None or name not in events:
            object.__setattr__(self, name, value)
            return
        old = self.__dict__.get(name)
        object.__setattr__(self, name, value)
        if not _same(old, value):
            getattr(events, name).emit(value)


def _same(old: Any, new: Any) -> bool:
    """Identity, or equality for plain values; arrays never compare equal (they are replaced, not edited)."""
    if old is new:
        return True
    if hasattr(old, "__array__") or hasattr(new, "__array__"):
        return False
    return bool(old == new)
