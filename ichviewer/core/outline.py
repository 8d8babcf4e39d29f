"""Outlines of a 2-D mask as closed polygons along pixel edges: exactly the pixels that were counted.

Vertices lie on pixel corners, (row ± ½, col ± ½), so a viewer drawing the polygons in image
pixel coordinates outlines the region without smoothing anything away. Each pixel's edges run
clockwise on screen; edges shared by two inside pixels cancel; the rest chain into loops
(outer boundaries clockwise, holes counter-clockwise). Where two inside pixels touch only at a
corner the loops turn so that they stay apart (4-connected regions get one loop each).
"""

from __future__ import annotations

import numpy as np

# one pixel's edges, clockwise on screen (rows down): from corner (row, col) offsets to corner offsets
_EDGES = (((0, 0), (0, 1)), ((0, 1), (1, 1)), ((1, 1), (1, 0)), ((1, 0), (0, 0)))
_NEIGHBOURS = ((-1, 0), (0, 1), (1, 0), (0, -1))  # the pixel across each edge


def mask_outlines(mask: np.ndarray) -> list[np.ndarray]:
    """Closed polygons (m, 2) of (row, col) pixel coordinates around the True pixels of `mask` (last ≠ first vertex)."""
    mask = np.asarray(mask, dtype=bool)
    padded = np.pad(mask, 1)
    starts, ends = [], []
    for (start, end), (dr, dc) in zip(_EDGES, _NEIGHBOURS, strict=True):
        outside = padded[1 + dr : padded.shape[0] - 1 + dr, 1 + dc : padded.shape[1] - 1 + dc]
        rows, cols = np.nonzero(mask & ~outside)
        starts.append(np.stack([rows + start[0], cols + start[1]], axis=1))
        ends.append(np.stack([rows + end[0], cols + end[1]], axis=1))
    start_corners, end_corners = np.concatenate(starts), np.concatenate(ends)
    leaving: dict[tuple[int, int], list[int]] = {}
    for index, corner in enumerate(map(tuple, start_corners.tolist())):
        leaving.setdefault(corner, []).append(index)
    used = np.zeros(len(start_corners), dtype=bool)
    loops = []
    for first in range(len(start_corners)):
        if used[first]:
            continue
        corners, edge = [], first
        while not used[edge]:
            used[edge] = True
            corners.append(start_corners[edge])
            heading = end_corners[edge] - start_corners[edge]
            options = [e for e in leaving[tuple(end_corners[edge].tolist())] if not used[e]]
            if not options or (end_corners[edge] == start_corners[first]).all():
                break
            edge = min(options, key=lambda e: _turn(heading, end_corners[e] - start_corners[e]))
        loops.append(_without_straight_runs(np.array(corners)) - 0.5)
    return loops


def _turn(heading: np.ndarray, step: np.ndarray) -> int:
    """0 for a right turn (on screen), 1 straight on, 2 left: at a touching corner turn right, keeping loops apart."""
    cross = int(heading[0] * step[1] - heading[1] * step[0])  # (row, col) axes: negative cross is a right turn
    return 0 if cross < 0 else (1 if cross == 0 else 2)


def _without_straight_runs(corners: np.ndarray) -> np.ndarray:
    """Drop vertices in the middle of straight runs (a square outline keeps its four corners)."""
    before, after = np.roll(corners, 1, axis=0), np.roll(corners, -1, axis=0)
    d1, d2 = corners - before, after - corners
    turning = (d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]) != 0
    return corners[turning].astype(float)
