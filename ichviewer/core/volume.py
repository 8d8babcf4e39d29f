"""CTVolume: the slices of one series as int16 Hounsfield units, in order, with geometry.

Frames are decoded by `core.dicom.decode` (imagecodecs, which releases the GIL, with pydicom's
plugins as fallback) on a thread pool, middle slice first, so every core works and a viewer can
show an image long before the series has finished. Memory stays at one int16 array (no float
copy of the study), and a series that would not fit in the memory available is refused.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ichviewer.core.dicom.decode import UnreadablePixels, decode_stored
from ichviewer.core.dicom.hu import stored_to_hu
from ichviewer.core.dicom.records import Series, SkippedFile, SliceHeader
from ichviewer.core.geometry import StackGeometry, plan_stack
from ichviewer.core.load_report import LoadReport
from ichviewer.core.memory import available_bytes
from ichviewer.core.progress import Cancel, Progress, check_cancel, report
from ichviewer.core.windowing import Window, scanner_window

log = logging.getLogger(__name__)
MEMORY_SHARE = 0.6  # of the memory available, the most one volume may take (decoding and the AI need the rest)


@dataclass(frozen=True, eq=False)
class CTVolume:
    """int16 HU array (z, y, x) in display orientation, with the geometry and headers behind it."""

    hu: np.ndarray
    series: Series
    geometry: StackGeometry
    report: LoadReport

    @property
    def n_slices(self) -> int:
        return int(self.hu.shape[0])

    @property
    def slices(self) -> tuple[SliceHeader, ...]:
        return self.geometry.slices

    @property
    def spacing(self) -> tuple[float, float, float]:
        """(between slices, between rows, between columns) in mm."""
        return (self.geometry.spacing, *self.geometry.pixel_spacing)

    @property
    def thickness(self) -> float | None:
        return self.series.thickness

    def slice_position(self, index: int) -> float:
        """Position of slice `index` along the stack normal, in mm (as overlays show it)."""
        return float(self.geometry.slice_positions[index])

    def patient_point(self, index: int, row: float, column: float) -> np.ndarray:
        """Patient coordinates (mm, DICOM LPS) of a pixel of slice `index`."""
        g = self.geometry
        dy, dx = g.pixel_spacing
        return g.positions[index] + column * dx * g.orientation[:3] + row * dy * g.orientation[3:]

    def scanner_window(self) -> Window | None:
        """The window the scanner suggested for the middle slice, if any."""
        header = self.slices[self.n_slices // 2]
        return scanner_window(header.window_center, header.window_width)


class UnreadableSeries(ValueError):
    """Not one slice of a series could be decoded; `skipped` names each file and why."""

    def __init__(self, series: Series, skipped: tuple[SkippedFile, ...]) -> None:
        shown = "; ".join(f"{s.path.name}: {s.reason}" for s in skipped[:3])
        rest = f"; also {', '.join(s.path.name for s in skipped[3:])}" if len(skipped) > 3 else ""
        n = len(skipped)
        super().__init__(f"none of the {n} slices of series '{series.title}' could be decoded ({shown}{rest})")
        self.skipped = skipped


StoredFormat = tuple[int, bool]  # (Bits Stored, signed)


def read_slice_hu(
    header: SliceHeader,
    flip_rows: bool = False,
    flip_columns: bool = False,
    *,
    must_agree_with: tuple[StoredFormat, ...] = (),
    prefer_imagecodecs: bool = True,
) -> np.ndarray:
    """Decode one file and return its HU as int16, flipped for display; UnreadablePixels if it cannot be.

    The fast single-slice path (a viewer shows the middle slice with it before the rest loads).
    `must_agree_with` lists the (Bits Stored, Pixel Representation) of the rest of the series
    that this slice does not share: read that way its values must not change, else it is
    refused (a flipped Pixel Representation must never silently change HU).
    """
    stored = decode_stored(header, prefer_imagecodecs=prefer_imagecodecs)
    for other in must_agree_with:
        _check_same_values(header, stored, other, prefer_imagecodecs)
    hu = stored_to_hu(stored, header)
    if flip_rows:
        hu = hu[::-1]
    if flip_columns:
        hu = hu[:, ::-1]
    return np.ascontiguousarray(hu)


def _check_same_values(header: SliceHeader, stored: np.ndarray, other: StoredFormat, prefer: bool) -> None:
    assert header.layout is not None
    own = (header.layout.bits_stored, header.layout.signed)
    if own == other:
        return
    layout = replace(header.layout, bits_stored=other[0], signed=other[1])
    if np.array_equal(stored, decode_stored(replace(header, layout=layout), prefer_imagecodecs=prefer)):
        return
    raise UnreadablePixels(
        f"Bits Stored {own[0]} / Pixel Representation {int(own[1])} differ from other slices of the series "
        f"({other[0]} / {int(other[1])}) and change this slice's values: cannot tell which is right"
    )


def middle_out(n: int) -> list[int]:
    """Slice indices from the middle outwards: the middle slice is the first one shown."""
    middle = n // 2
    order = [middle]
    for step in range(1, n):
        for index in (middle + step, middle - step):
            if 0 <= index < n and len(order) < n:
                order.append(index)
    return order


def load_volume(
    series: Series,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    on_slice: Callable[[int, np.ndarray], None] | None = None,
    workers: int | None = None,
    folder_report: LoadReport | None = None,
    prefer_imagecodecs: bool = True,
) -> CTVolume:
    """Decode the series into one int16 array; slices that fail are dropped and reported.

    `on_slice(index, hu)` is called for each decoded slice, middle slice first. `workers`
    threads decode in parallel (default: one per core). When not one slice of the stack decodes,
    the slices its geometry left out (another size or orientation) get their turn, so damaged
    headers cannot hide good slices. Raises Cancelled when `cancel` is set, UnreadableSeries
    (a ValueError) when no slice could be read, ValueError when it would not fit in memory.
    """
    slices = series.slices
    unreadable: tuple[SkippedFile, ...] = ()
    while True:
        geometry = plan_stack(slices)
        hu, failed = _decode_stack(geometry, progress, cancel, on_slice, workers, prefer_imagecodecs)
        if len(failed) < geometry.n_slices:
            break
        unreadable += tuple(SkippedFile(geometry.slices[i].path, reason) for i, reason in sorted(failed.items()))
        kept = {s.path for s in geometry.slices}
        slices = tuple(s for s in slices if s.path not in kept)
        if not slices:
            raise UnreadableSeries(series, unreadable + geometry.rejected)
    if failed:
        hu, geometry = _drop_slices(hu, geometry, failed)
    load_report = LoadReport(unreadable + geometry.rejected, geometry.warnings, series.notes)
    if folder_report is not None:
        load_report = folder_report.merged(load_report)
    hu.setflags(write=False)
    return CTVolume(hu=hu, series=series, geometry=geometry, report=load_report)


def _decode_stack(
    geometry: StackGeometry,
    progress: Progress | None,
    cancel: Cancel | None,
    on_slice: Callable[[int, np.ndarray], None] | None,
    workers: int | None,
    prefer_imagecodecs: bool,
) -> tuple[np.ndarray, dict[int, str]]:
    """The stack's slices decoded into one new array, and the reason for each that failed."""
    n = geometry.n_slices
    _check_memory(n, geometry.rows, geometry.columns)
    hu = np.empty((n, geometry.rows, geometry.columns), dtype=np.int16)
    failed: dict[int, str] = {}
    report(progress, 0, n, f"Loading {n} slices")
    for done, (index, result) in enumerate(_decode_all(geometry, middle_out(n), workers, cancel, prefer_imagecodecs)):
        if isinstance(result, UnreadablePixels):
            failed[index] = str(result)
        else:
            hu[index] = result
            if on_slice is not None:
                on_slice(index, hu[index])
        report(progress, done + 1, n, f"Loaded slice {done + 1} of {n}")
    return hu, failed


def _check_memory(n: int, rows: int, columns: int) -> None:
    """Refuse, with a message, a series whose array would not fit in the memory available."""
    need = n * rows * columns * np.dtype(np.int16).itemsize
    available = available_bytes()
    if available is not None and need > MEMORY_SHARE * available:
        raise ValueError(
            f"the series needs {need / 2**30:.1f} GB for {n} slices of {columns}×{rows}, "
            f"but only {available / 2**30:.1f} GB of memory is available: close other programs or open fewer slices"
        )


def _formats_to_agree_with(geometry: StackGeometry) -> dict[StoredFormat, tuple[StoredFormat, ...]]:
    """For each (Bits Stored, signed) in the series, the others its slices must agree with.

    Slices with the format of a strict majority need not agree with anyone; the others must give
    the majority's values; without a majority, every slice must give the same values every way.
    """
    counts = Counter((s.layout.bits_stored, s.layout.signed) for s in geometry.slices if s.layout is not None)
    if len(counts) <= 1:
        return {}
    (usual, n_usual), *_ = counts.most_common()
    if n_usual * 2 > sum(counts.values()):
        return {f: () if f == usual else (usual,) for f in counts}
    return {f: tuple(other for other in counts if other != f) for f in counts}


def _decode_all(
    geometry: StackGeometry, order: list[int], workers: int | None, cancel: Cancel | None, prefer: bool
) -> Iterator[tuple[int, np.ndarray | UnreadablePixels]]:
    """Decode the first slice of `order`, then the rest on a thread pool (a few in flight), yielding as they finish."""
    workers = workers or min(8, os.cpu_count() or 1)
    agree = _formats_to_agree_with(geometry)

    def decode(index: int) -> np.ndarray | UnreadablePixels:
        header = geometry.slices[index]
        try:
            return read_slice_hu(
                header,
                geometry.flip_rows,
                geometry.flip_columns,
                must_agree_with=agree.get((header.layout.bits_stored, header.layout.signed), ())
                if header.layout is not None
                else (),
                prefer_imagecodecs=prefer,
            )
        except UnreadablePixels as error:
            return error
        except Exception as error:  # a bug must cost one slice, not the study; the log keeps the traceback
            log.exception("unexpected error decoding %s", header.path)
            return UnreadablePixels(f"could not be decoded (unexpected {type(error).__name__}: {str(error)[:120]})")

    pending: dict[Future[np.ndarray | UnreadablePixels], int] = {}
    queue = iter(order)
    first = next(queue, None)
    if first is not None:  # alone, so that it is the first one shown
        yield first, decode(first)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ichviewer-decode") as pool:
        try:
            for index in queue:
                pending[pool.submit(decode, index)] = index
                if len(pending) >= 2 * workers:
                    break
            while pending:
                check_cancel(cancel)
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = pending.pop(future)
                    yield index, future.result()
                    next_index = next(queue, None)
                    if next_index is not None:
                        pending[pool.submit(decode, next_index)] = next_index
        finally:
            for future in pending:
                future.cancel()


def _drop_slices(hu: np.ndarray, geometry: StackGeometry, failed: dict[int, str]) -> tuple[np.ndarray, StackGeometry]:
    """Remove failed slices in place (no second array) and re-measure the stack."""
    keep = [i for i in range(geometry.n_slices) if i not in failed]
    for target, source in enumerate(keep):
        if target != source:
            hu[target] = hu[source]
    bad = tuple(SkippedFile(geometry.slices[i].path, reason) for i, reason in sorted(failed.items()))
    remeasured = plan_stack([geometry.slices[i] for i in keep])
    return hu[: len(keep)], replace(remeasured, rejected=geometry.rejected + bad)


def load_folder_volume(
    path: str | Path,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> CTVolume:
    """Index `path` and load the series a reader would look at first (CLI, evaluation, tests)."""
    from ichviewer.core.dicom.index import index_folder

    index = index_folder(path, progress, cancel)
    series = index.default_series()
    if series is None:
        raise ValueError(index.empty_reason() or f"no CT series in {path}")
    return load_volume(series, progress, cancel, folder_report=LoadReport(index.skipped))
