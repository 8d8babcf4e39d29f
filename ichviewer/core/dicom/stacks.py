"""Images of one series at the same position: an identical copy is left out, a repeat acquisition is kept.

A head re-scanned at the same table positions (motion, contrast, a second try) leaves two
images per position with different pixels. Dropping one as a "duplicate" would mix the two
acquisitions or hide one; instead each becomes its own stack: the k-th image at a position
(ordered by Acquisition Number, acquisition time, Instance Number, file name) goes to stack k.
Images at positions only a repeat covers join it when their Acquisition Number says so.
Identical images (same SOP Instance UID, or the same pixel data bytes) are left out, and said so.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ichviewer.core.dicom.records import SkippedFile, SliceHeader, series_normal

SAME_POSITION_MM = 0.01
ORIENTATION_DIGITS = 3


@dataclass(frozen=True)
class Stacks:
    """A series' images split into stacks (first acquisition first), and the identical copies left out."""

    stacks: tuple[tuple[SliceHeader, ...], ...]
    copies: tuple[SkippedFile, ...]


def split_repeats(slices: Sequence[SliceHeader], pixel_digest: Callable[[SliceHeader], bytes | None]) -> Stacks:
    """Split `slices` (one series) where several images share a position; `pixel_digest` compares pixels."""
    placed = _placed(slices)
    groups = _same_position_groups(placed)
    copies: list[SkippedFile] = []
    rank: dict[int, int] = {}
    for group in groups:
        distinct = _drop_copies(group, pixel_digest, copies)
        for k, header in enumerate(sorted(distinct, key=_acquisition_order)):
            rank[id(header)] = k + 1
    dropped = {id(s) for s in slices if any(c.path == s.path for c in copies)}
    n_stacks = max(rank.values(), default=1)
    if n_stacks == 1:
        kept = tuple(s for s in slices if id(s) not in dropped)
        return Stacks((kept,), tuple(copies))
    repeat_numbers = _acquisitions_by_stack(slices, rank)
    stacks: dict[int, list[SliceHeader]] = defaultdict(list)
    for header in slices:
        if id(header) in dropped:
            continue
        stack = rank.get(id(header)) or repeat_numbers.get(header.acquisition_number, 1)
        stacks[stack].append(header)
    return Stacks(tuple(tuple(stacks[k]) for k in sorted(stacks)), tuple(copies))


def pixel_bytes_digest(read: Callable[[SliceHeader], bytes]) -> Callable[[SliceHeader], bytes | None]:
    """A digest of a file's pixel data bytes (None when unreadable: decoding will say why)."""

    def digest(header: SliceHeader) -> bytes | None:
        try:
            return hashlib.blake2b(read(header), digest_size=16).digest()
        except Exception:  # an unreadable file is reported when it is decoded
            return None

    return digest


def _placed(slices: Sequence[SliceHeader]) -> list[tuple[float, SliceHeader]]:
    """(distance along the normal, header) of the slices with the series' main orientation and size."""
    normal = series_normal(list(slices))
    if normal is None:
        return []
    with_geometry = [s for s in slices if s.orientation is not None and s.position is not None]
    if not with_geometry:
        return []
    orientation = Counter(tuple(np.round(s.orientation or (), ORIENTATION_DIGITS)) for s in with_geometry)
    main = orientation.most_common(1)[0][0]
    size = Counter((s.rows, s.columns) for s in with_geometry).most_common(1)[0][0]
    return sorted(
        (
            (float(np.dot(s.position or (), normal)), s)
            for s in with_geometry
            if tuple(np.round(s.orientation or (), ORIENTATION_DIGITS)) == main and (s.rows, s.columns) == size
        ),
        key=lambda item: item[0],
    )


def _same_position_groups(placed: list[tuple[float, SliceHeader]]) -> list[list[SliceHeader]]:
    groups: list[list[SliceHeader]] = []
    previous = None
    for distance, header in placed:
        if previous is not None and distance - previous < SAME_POSITION_MM:
            groups[-1].append(header)
        else:
            groups.append([header])
        previous = distance
    return [g for g in groups if len(g) > 1]


def _drop_copies(
    group: list[SliceHeader], pixel_digest: Callable[[SliceHeader], bytes | None], copies: list[SkippedFile]
) -> list[SliceHeader]:
    """The images of a same-position group that differ; the others are recorded as identical copies."""
    kept: list[tuple[SliceHeader, bytes | None]] = []
    for header in sorted(group, key=_acquisition_order):
        digest = pixel_digest(header)
        twin = next(
            (
                k
                for k, k_digest in kept
                if (k.sop_instance_uid and k.sop_instance_uid == header.sop_instance_uid)
                or (digest is not None and digest == k_digest and k.value_format == header.value_format)
            ),
            None,
        )
        if twin is None:
            kept.append((header, digest))
        else:
            why = "same SOP Instance UID" if twin.sop_instance_uid == header.sop_instance_uid else "same pixels"
            copies.append(
                SkippedFile(
                    header.path, f"an identical copy of {twin.path.name} ({why}, same position): left out", False
                )
            )
    return [k for k, _ in kept]


def _acquisition_order(header: SliceHeader) -> tuple[int, str, int, str]:
    return (
        header.acquisition_number if header.acquisition_number is not None else 2**31,
        header.acquisition_time,
        header.instance_number if header.instance_number is not None else 2**31,
        str(header.path),
    )


def _acquisitions_by_stack(slices: Sequence[SliceHeader], rank: dict[int, int]) -> dict[int | None, int]:
    """Acquisition Numbers found only in one repeat stack (never in stack 1): images with them join it."""
    numbers: dict[int, set[int | None]] = defaultdict(set)
    for header in slices:
        if id(header) in rank:
            numbers[rank[id(header)]].add(header.acquisition_number)
    first = numbers.get(1, set())
    owner: dict[int | None, int] = {}
    for stack, values in sorted(numbers.items()):
        for value in values:
            if stack > 1 and value is not None and value not in first:
                owner.setdefault(value, stack)
    return owner
