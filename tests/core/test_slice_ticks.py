"""Slice ticks are whole slice numbers within the study, however few slices it has."""

from __future__ import annotations

from ichviewer.core.slice_ticks import slice_ticks


def test_small_studies_get_whole_numbers_only() -> None:
    assert slice_ticks(0) == []
    assert slice_ticks(1) == [1]
    assert slice_ticks(2) == [1, 2]
    assert slice_ticks(7) == [1, 2, 3, 4, 5, 6, 7]


def test_larger_studies_get_round_steps_and_no_more_than_about_ten() -> None:
    assert slice_ticks(36) == [1, 5, 10, 15, 20, 25, 30, 35]
    ticks = slice_ticks(238)
    assert ticks[:3] == [1, 25, 50] and len(ticks) <= 11 and max(ticks) <= 238
