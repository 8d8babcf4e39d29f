"""Plain change events: connect, emit, block; evented dataclass fields emit only real changes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from ichviewer.core.events import Event, EventedModel


@dataclass(eq=False)
class Model(EventedModel):
    EXTRA_EVENTS = ("poked",)
    name: str = "a"
    array: np.ndarray | None = None


class TestEvent:
    def test_callbacks_in_connection_order_once_each(self):
        event, seen = Event("x"), []
        event.connect(lambda v: seen.append(("first", v)))
        second = event.connect(lambda v: seen.append(("second", v)))
        event.connect(second)
        event.emit(3)
        assert seen == [("first", 3), ("second", 3)]
        event.disconnect(second)
        event.disconnect(second)  # twice is harmless
        event.emit(4)
        assert seen[-1] == ("first", 4) and len(seen) == 3

    def test_blocked(self):
        event, seen = Event("x"), []
        event.connect(seen.append)
        with event.blocked():
            event.emit(1)
        event.emit(2)
        assert seen == [2]

    def test_a_callback_error_reaches_the_caller(self):
        event = Event("x")
        event.connect(lambda v: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            event.emit(None)


class TestEventedModel:
    def test_fields_emit_on_change_only(self):
        model, seen = Model(), []
        model.events.name.connect(seen.append)
        model.name = "b"
        model.name = "b"
        assert seen == ["b"]

    def test_arrays_count_as_changed_when_replaced(self):
        model, seen = Model(), []
        model.events.array.connect(lambda v: seen.append(v is not None))
        model.array = np.zeros(3)
        model.array = np.zeros(3)
        assert seen == [True, True]

    def test_extra_events_and_unknown_names(self):
        model, seen = Model(), []
        model.events.poked.connect(seen.append)
        model.events.poked.emit("now")
        assert seen == ["now"]
        with pytest.raises(AttributeError, match="poked"):
            model.events.nothing  # noqa: B018
