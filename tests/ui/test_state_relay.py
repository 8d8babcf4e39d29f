"""Worker threads hand results to the state on the GUI thread."""

from __future__ import annotations

import threading

from ichviewer.ui.state_relay import StateRelay


class Target:
    def __init__(self) -> None:
        self.calls: list[tuple[int, str, bool]] = []

    def load_progress(self, done: int, message: str) -> None:
        self.calls.append((done, message, threading.current_thread() is threading.main_thread()))


def test_a_call_from_a_thread_runs_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    target = Target()
    relay = StateRelay(target)  # type: ignore[arg-type]
    thread = threading.Thread(target=relay.call, args=("load_progress", 3, "Loaded slice 3"))
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(target.calls))
    assert target.calls == [(3, "Loaded slice 3", True)]
