"""One generation counter; a new job of a kind cancels the previous one of that kind only."""

from __future__ import annotations

from ichviewer.core.jobs import ANALYSIS, LOAD, Jobs


def test_a_new_job_cancels_the_previous_of_its_kind() -> None:
    jobs = Jobs()
    load = jobs.start(LOAD)
    analysis = jobs.start(ANALYSIS)
    again = jobs.start(LOAD)
    assert load.cancelled and not jobs.is_current(load)
    assert jobs.is_current(again) and jobs.is_current(analysis)
    assert (load.generation, analysis.generation, again.generation) == (1, 2, 3)


def test_cancel_by_kind_or_all() -> None:
    jobs = Jobs()
    load, analysis = jobs.start(LOAD), jobs.start(ANALYSIS)
    jobs.cancel(ANALYSIS)
    assert analysis.cancelled and not load.cancelled and jobs.current(ANALYSIS) is None
    jobs.cancel()
    assert load.cancelled and jobs.current(LOAD) is None
