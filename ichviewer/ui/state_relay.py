"""Hands worker-thread results to the viewer state on the GUI thread (the state is changed on one thread only)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from ichviewer.core.state import ViewerState


class StateRelay(QObject):
    """`relay.call("load_done", job, volume)` from any thread runs `state.load_done(job, volume)` on the GUI thread."""

    _called = Signal(str, object)

    def __init__(self, state: ViewerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._called.connect(self._invoke, Qt.ConnectionType.QueuedConnection)

    def call(self, method: str, *args: Any) -> None:
        self._called.emit(method, args)

    def _invoke(self, method: str, args: tuple[Any, ...]) -> None:
        getattr(self.state, method)(*args)
