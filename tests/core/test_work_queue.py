"""The triage queue: order, priority, pause (waiting and not), cancel, studies analysed elsewhere."""

from __future__ import annotations

import threading

from ichviewer.core.work_queue import WorkQueue


def test_opened_study_jumps_the_queue_and_pause_holds_it() -> None:
    queue = WorkQueue(["a", "b", "c"])
    assert queue.prioritise("c") and not queue.prioritise("x") and queue.take() == "c"
    queue.paused.set()
    taken: list[str | None] = []
    worker = threading.Thread(target=lambda: taken.append(queue.take()))
    worker.start()
    worker.join(0.5)
    assert worker.is_alive() and taken == []
    queue.paused.clear()
    worker.join(5)
    assert taken == ["a"]


def test_take_ready_never_waits() -> None:
    queue = WorkQueue(["a", "b"])
    queue.paused.set()
    assert queue.take_ready() is None and queue.pending() == ["a", "b"]
    queue.paused.clear()
    assert queue.take_ready() == "a"


def test_a_study_the_viewer_analysed_leaves_the_queue_and_a_cancelled_one_comes_back_first() -> None:
    queue = WorkQueue(["a", "b", "c"])
    queue.discard("b")
    queue.discard("x")
    assert queue.take() == "a"
    queue.put_back("a")
    assert queue.pending() == ["a", "c"]


def test_cancel_is_the_jobs_event() -> None:
    cancel = threading.Event()
    queue = WorkQueue(["a"], cancel)
    cancel.set()
    assert queue.take() is None and queue.take_ready() is None and queue.pending() == ["a"]
