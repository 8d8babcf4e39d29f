"""Whole-number slice ticks for score plots (viewer and PDF): never 1.2, 1.4 … on a one-slice study."""

from __future__ import annotations

NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def slice_ticks(n_slices: int, max_ticks: int = 10) -> list[int]:
    """Slice numbers (1-based) to label: 1, then multiples of a round step up to `n_slices`, at most ~`max_ticks`."""
    if n_slices < 1:
        return []
    step = next((s for s in NICE_STEPS if n_slices / s <= max_ticks), NICE_STEPS[-1])
    ticks = [1, *range(step, n_slices + 1, step)]
    return sorted(set(ticks))
