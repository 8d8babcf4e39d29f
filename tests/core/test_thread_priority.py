"""Background threads lower their own priority only: the GUI thread (here the test's) keeps its own."""

from __future__ import annotations

import sys
import threading

import pytest

from ichviewer.core.thread_priority import BACKGROUND_NICE, lower_this_thread_priority, this_thread_nice


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_a_worker_lowers_its_own_priority_and_its_threads_inherit_it() -> None:
    before = this_thread_nice()
    seen: dict[str, int | bool | None] = {}

    def worker() -> None:
        seen["changed"] = lower_this_thread_priority()
        seen["worker"] = this_thread_nice()
        started = threading.Thread(target=lambda: seen.setdefault("its thread", this_thread_nice()))
        started.start()
        started.join()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["changed"] is True
    assert seen["worker"] == seen["its thread"] == min(before + BACKGROUND_NICE, 19)  # type: ignore[operator]
    assert this_thread_nice() == before


@pytest.mark.skipif(sys.platform.startswith("linux"), reason="elsewhere nothing changes")
def test_elsewhere_nothing_changes() -> None:
    assert lower_this_thread_priority() is False and this_thread_nice() is None
