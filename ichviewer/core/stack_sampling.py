"""Sampling a slice stack (n, rows, cols) at fractional (slice, row, col): the interpolation behind MPR.

A reformatted plane needs few native lines, and its native coordinates are affine in the image
position, so each coordinate is kept in the smallest shape that holds it ((h, 1), (1, w), a
scalar or (h, w)) and the work is organised around that: whole native rows are copied for a
coronal image, one column slab is taken for a sagittal one, and an axis is interpolated only
where its coordinate is fractional. Anything less regular goes to scipy's map_coordinates.
"""

from __future__ import annotations

from typing import cast

import numpy as np
from scipy import ndimage

from ichviewer.core.windowing import AIR_HU

SNAP = 1e-9  # affine coefficients this close to an integer are integral (exact grid points copy, not blend)


def affine_field(const: float, a: float, b: float, h: int, w: int) -> np.ndarray:
    """const + a·row + b·col over an h×w image, shaped (h, 1), (1, w), (1, 1) or (h, w): only what it varies with."""
    rows = np.arange(h, dtype=float)[:, None] * a if a else np.zeros((1, 1))
    cols = np.arange(w, dtype=float)[None, :] * b if b else np.zeros((1, 1))
    return cast(np.ndarray, const + rows + cols)


def snapped(x: np.ndarray, tolerance: float = 1e-6) -> np.ndarray:
    """Values within `tolerance` of an integer made integral."""
    nearest = np.rint(x)
    return cast(np.ndarray, np.where(np.abs(x - nearest) < tolerance, nearest, x))


def interpolate(data: np.ndarray, k: np.ndarray, r: np.ndarray, c: np.ndarray, order: int) -> np.ndarray:
    """Values of `data` at fractional, in-range (k, r, c), order 1 linear or 0 nearest, in their broadcast shape.

    float32 where values were blended, else the data's own type.
    """
    n, rows, cols = data.shape
    if order == 0:
        nearest = [np.rint(x).astype(np.intp) for x in (k, r, c)]
        return np.asarray(data[nearest[0], nearest[1], nearest[2]], dtype=np.float32)
    if c.size == 1:  # one native column (sagittal): its slab, then 2-D
        c0, c1, wc = _split(np.asarray(c).reshape(()), cols)
        return _bilinear(_lerp(data[:, :, int(c0)], data[:, :, int(c1)], wc), k, r)
    if k.shape[-1] == 1 and r.shape[-1] == 1 and c.shape[0] == 1:  # native rows along image rows (coronal)
        k0, k1, wk = (v[:, 0] for v in _split(k, n))
        r0, r1, wr = (v[:, 0] for v in _split(r, rows))
        lines = _lerp(data[k0, r0], data[k0, r1], wr[:, None])
        if wk.any():
            lines = _lerp(lines, _lerp(data[k1, r0], data[k1, r1], wr[:, None]), wk[:, None])
        c0, c1, wc = _split(c[0], cols)
        return _lerp(lines[:, c0], lines[:, c1], wc[None, :])
    coordinates = np.stack(np.broadcast_arrays(k, r, c))
    return cast(np.ndarray, ndimage.map_coordinates(data, coordinates, order=1, output=np.float32, prefilter=False))


def sheared_plane(data: np.ndarray, terms: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A plane through one native column whose slice index steps by whole slices per image row (sagittal).

    `terms` (3, 3): rows k, r, c; columns constant, per image row, per image column (r and c
    not varying with the row). The fraction of k then depends only on the image column: the
    column's slab is interpolated once along rows and along k, and each image column is a
    shifted copy of its slab column, the shear of a tilted stack. Returns float32 values (or
    the data's own type where nothing was blended) and `missing` beyond the outer slices.
    """
    n, rows, cols = data.shape
    h, w = shape
    (k_const, k_row, k_col), (r_const, _, r_col), (c_const, _, _) = terms
    j = np.arange(w)
    r = r_const + r_col * j
    outside = (r < -0.5) | (r > rows - 0.5)
    c0, c1, wc = _split(np.clip(np.asarray(c_const), 0, cols - 1), cols)
    slab = data[:, :, int(c0)]
    if wc:
        slab = _lerp(slab, data[:, :, int(c1)], wc)
    r0, r1, wr = _split(np.clip(r, 0, rows - 1), rows)
    table = slab[:, r0]  # (n, w)
    if wr.any():
        table = _lerp(table, slab[:, r1], wr[None, :])
    k_top = k_const + k_col * j
    whole = np.floor(k_top + 1e-6)
    fraction = np.clip(k_top - whole, 0, None).astype(np.float32)
    if fraction.any():
        table = _lerp(table, table[np.minimum(np.arange(n) + 1, n - 1)], fraction[None, :])
    k0 = whole.astype(np.intp)[None, :] + int(k_row) * np.arange(h)[:, None]
    if k_col:
        values = np.take(table.ravel(), k0 * w + j, mode="clip")
    else:  # untilted: image rows are whole table rows
        values = table[np.clip(k0[:, 0], 0, n - 1)]
    missing = (k0 < 0) | (k0 + fraction > n - 1 + 1e-6) | outside[None, :]
    return values, missing


def finish(
    values: np.ndarray, missing: np.ndarray, dtype: np.dtype, fill: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Samples back to the data's type (integers rounded), owned arrays; missing ones (and NaN) set to `fill`.

    Default `fill`: air for int16 HU, NaN for floats, else 0.
    """
    floating = dtype.kind == "f"
    if values.dtype != dtype:
        values = values.astype(dtype) if floating else np.rint(values).astype(dtype)
    values = np.require(values, requirements=["C", "W", "O"])
    missing = np.require(missing, requirements=["C", "W", "O"])
    if floating:
        missing |= np.isnan(values)
    if fill is None:
        fill = AIR_HU if dtype == np.int16 else (np.nan if floating else 0)
    if missing.any():
        values[missing] = fill
    return values, missing


def _split(x: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper index and float32 weight of linear interpolation along one axis (x within 0..size−1)."""
    low = x.astype(np.intp)  # x ≥ 0: truncation is the floor; at size − 1 the weight is 0
    return low, np.minimum(low + 1, size - 1), (x - low).astype(np.float32)


def _bilinear(slab: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """2-D linear interpolation of `slab` (n, rows) at fractional (k, r).

    When r varies only along the image columns the slab is first interpolated at those rows,
    leaving one gather per column along k.
    """
    n, rows = slab.shape
    k0, k1, wk = _split(k, n)
    if r.shape[0] == 1:
        r0, r1, wr = _split(r[0], rows)
        table = _lerp(slab[:, r0], slab[:, r1], wr[None, :])  # (n, w) or (n, 1)
        if k.shape[-1] == 1:
            return _lerp(table[k0[:, 0]], table[k1[:, 0]], wk)
        flat, width = table.ravel(), table.shape[1]
        columns = np.arange(width)
        return _lerp(flat[k0 * width + columns], flat[k1 * width + columns], wk)
    r0, r1, wr = _split(r, rows)
    flat = slab.ravel()
    lower = _lerp(flat[k0 * rows + r0], flat[k0 * rows + r1], wr)
    return _lerp(lower, _lerp(flat[k1 * rows + r0], flat[k1 * rows + r1], wr), wk)


def _lerp(a: np.ndarray, b: np.ndarray, w: np.ndarray | float) -> np.ndarray:
    """a + w·(b − a) in float32; `a` itself (its type kept) where every weight is 0."""
    if not np.any(w):
        return a
    a = a.astype(np.float32, copy=False)
    return cast(np.ndarray, a + w * (b.astype(np.float32, copy=False) - a))
