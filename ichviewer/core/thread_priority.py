"""Background threads at a lower CPU priority than the GUI, so frames stay smooth while they compute.

On Linux a thread's nice value is its own and the threads it starts inherit it, so a worker that
lowers its priority before torch starts its intra-op threads lowers theirs too: when the GUI
thread needs a core for a frame, the scheduler gives it one. Elsewhere nothing changes (Qt's
`QThread.setPriority` is the portable means, and it does nothing for Linux's normal threads).
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)
BACKGROUND_NICE = 10  # 1/10 of a normal thread's CPU share when both want the same core


def lower_this_thread_priority(nice: int = BACKGROUND_NICE) -> bool:
    """Raise the calling thread's nice value by `nice` (Linux); True when it was changed."""
    if not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except OSError as error:  # a sandbox may forbid it; the thread then runs as before
        log.info("could not lower the priority of thread %s: %s", tid, error)
        return False
    return True


def this_thread_nice() -> int | None:
    """The calling thread's nice value (Linux), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
