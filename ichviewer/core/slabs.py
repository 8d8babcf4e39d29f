"""Slabs of a fixed thickness along the slice normal: what the classifier sees, whatever the series.

A 0.625 mm and a 5 mm reconstruction of one head must look alike to the model, so the network
never sees native slices of other thicknesses: series with slices at least `native_min_mm`
apart are used slice by slice (their slabs are the slices), thinner ones are averaged into
slabs `slab_mm` thick, centred every `slab_mm` along the normal. Positions are distances along
the normal (core.geometry), so a tilted gantry changes nothing here. Each native slice takes the
weight of its share of the slab (box filter over the slice's own extent), and scores computed
per slab come back to every native slice by linear interpolation along the normal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SLAB_MM = 5.0
NATIVE_MIN_MM = 4.0  # series whose slices are at least this far apart are used as they are


@dataclass(frozen=True)
class SlabPlan:
    """Slab centres (mm along the normal) and each slab's weights over the native slices."""

    centres: np.ndarray  # (n_slabs,) mm, increasing
    weights: np.ndarray  # (n_slabs, n_native) float32, rows sum to 1
    native_positions: np.ndarray  # (n_native,) mm
    native: bool  # True: one slab per native slice (weights is the identity)

    @property
    def n_slabs(self) -> int:
        return int(self.centres.shape[0])

    def slab_hu(self, hu: np.ndarray, index: int) -> np.ndarray:
        """Float32 (y, x) HU of slab `index` from an int16 (z, y, x) native volume."""
        if self.native:
            return hu[index].astype(np.float32)
        row = self.weights[index]
        members = np.flatnonzero(row > 0)
        out = np.zeros(hu.shape[1:], dtype=np.float32)
        for k in members:
            out += row[k] * hu[k]
        return out

    def to_native(self, per_slab: np.ndarray) -> np.ndarray:
        """Per-slab values (n_slabs, …) at every native slice: linear along the normal, ends held."""
        per_slab = np.asarray(per_slab, dtype=np.float32)
        if self.native:
            return per_slab.copy()
        flat = per_slab.reshape(self.n_slabs, -1)
        out = np.stack(
            [np.interp(self.native_positions, self.centres, flat[:, j]) for j in range(flat.shape[1])], axis=1
        )
        return out.reshape((len(self.native_positions), *per_slab.shape[1:])).astype(np.float32)

    def nearest_slab(self, native_index: int) -> int:
        """The slab whose centre is closest to native slice `native_index` (its heatmap is that slab's)."""
        if self.native:
            return native_index
        return int(np.argmin(np.abs(self.centres - self.native_positions[native_index])))

    def slab_labels(self, native_labels: np.ndarray, min_share: float = 0.25) -> np.ndarray:
        """Per-slab 0/1 labels from per-native-slice ones: positive where positive slices weigh ≥ `min_share`."""
        if self.native:
            return native_labels.copy()
        share = self.weights @ (np.asarray(native_labels, dtype=np.float32) > 0)
        return (share >= min_share).astype(native_labels.dtype)


def plan_slabs(positions: np.ndarray, slab_mm: float = SLAB_MM, native_min_mm: float = NATIVE_MIN_MM) -> SlabPlan:
    """The slabs for native slices at `positions` (mm along the normal, increasing)."""
    positions = np.asarray(positions, dtype=np.float64)
    n = len(positions)
    gaps = np.diff(positions)
    if n < 2 or float(np.median(gaps)) >= native_min_mm:
        return SlabPlan(positions.copy(), np.eye(n, dtype=np.float32), positions.copy(), native=True)
    # each native slice stands for the stretch halfway to its neighbours (its own spacing at the ends)
    half_gap = np.concatenate([[gaps[0]], gaps, [gaps[-1]]]) / 2
    lower, upper = positions - half_gap[:-1], positions + half_gap[1:]
    span = upper[-1] - lower[0]
    n_slabs = max(1, int(round(span / slab_mm)))
    start = (lower[0] + upper[-1]) / 2 - (n_slabs - 1) * slab_mm / 2
    centres = start + np.arange(n_slabs) * slab_mm
    overlap = np.clip(
        np.minimum(upper[None, :], centres[:, None] + slab_mm / 2)
        - np.maximum(lower[None, :], centres[:, None] - slab_mm / 2),
        0.0,
        None,
    )
    empty = overlap.sum(axis=1) <= 0
    if empty.any():  # a slab inside a gap of the series: its nearest slice
        nearest = np.argmin(np.abs(positions[None, :] - centres[empty, None]), axis=1)
        overlap[np.flatnonzero(empty), nearest] = 1.0
    weights = (overlap / overlap.sum(axis=1, keepdims=True)).astype(np.float32)
    return SlabPlan(centres, weights, positions.copy(), native=False)
