"""CTVolume: the slices of one series as int16 Hounsfield units, in order, with geometry.

Pixel data is decoded through pydicom's decoder plugins (pylibjpeg for JPEG Lossless, JPEG-LS,
JPEG 2000, RLE); HU are computed in float per slice and stored as int16, so memory stays at
one int16 array (no float copy of the study). Slices decode in parallel, middle slice first,
so a viewer can show an image long before the series has finished loading.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pydicom
from pydicom.pixels import pixel_array

from ichviewer.core.dicom_index import Series, SkippedFile, SliceHeader
from ichviewer.core.geometry import StackGeometry, plan_stack
from ichviewer.core.progress import Cancel, Progress, check_cancel, report
from ichviewer.core.windowing import AIR_HU, Window, scanner_window

MAX_HU = int(np.iinfo(np.int16).max)


@dataclass(frozen=True)
class LoadReport:
    """What a user should know about a load: files left out (with reasons) and geometry warnings."""

    skipped: tuple[SkippedFile, ...] = ()
    warnings: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.skipped or self.warnings)

    def merged(self, other: LoadReport) -> LoadReport:
        return LoadReport(self.skipped + other.skipped, self.warnings + other.warnings)

    def lines(self) -> list[str]:
        """One line per problem, warnings first, for the CLI and the report dialog."""
        return [f"warning: {w}" for w in self.warnings] + [f"skipped: {s}" for s in self.skipped]


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


class UnreadablePixels(Exception):
    """Pixel data present in the header but not decodable; the message says why."""


def read_slice_hu(header: SliceHeader, flip_rows: bool = False, flip_columns: bool = False) -> np.ndarray:
    """Decode one file and return its HU as int16, flipped for display.

    HU = stored value × (0028,1053) Rescale Slope + (0028,1052) Rescale Intercept, in float for
    fractional slopes (a floor to integer would give a black image); (0028,0120) Pixel Padding
    Value and anything below −1024 HU become air.
    """
    try:
        stored = _stored_pixels(header)
    except Exception as error:  # decoders raise many types on damaged data
        raise UnreadablePixels(_decode_reason(header, error)) from None
    if stored.shape != (header.rows, header.columns):
        raise UnreadablePixels(
            f"pixel data is {stored.shape}, header says {header.rows}×{header.columns} (multi-frame or damaged)"
        )
    slope, intercept = header.rescale_slope, header.rescale_intercept
    if slope == 1.0 and float(intercept).is_integer():
        hu = stored.astype(np.int32) + int(intercept)
    else:
        hu = np.rint(stored.astype(np.float32) * np.float32(slope) + np.float32(intercept))
    if header.pixel_padding is not None:
        low, high = sorted(header.pixel_padding)
        hu[(stored >= low) & (stored <= high)] = AIR_HU
    np.clip(hu, AIR_HU, MAX_HU, out=hu)
    hu = hu.astype(np.int16)
    if flip_rows:
        hu = hu[::-1]
    if flip_columns:
        hu = hu[:, ::-1]
    return np.ascontiguousarray(hu)


def _stored_pixels(header: SliceHeader) -> np.ndarray:
    """Stored values of one file; the syntax is passed for files without file meta, deflated ones are inflated whole."""
    if header.transfer_syntax == pydicom.uid.DeflatedExplicitVRLittleEndian:
        return pydicom.dcmread(header.path).pixel_array  # pixel_array(path) cannot read a deflated stream
    return pixel_array(str(header.path), transfer_syntax_uid=header.transfer_syntax)


def _decode_reason(header: SliceHeader, error: Exception) -> str:
    size = header.path.stat().st_size if header.path.exists() else 0
    name = pydicom.uid.UID(header.transfer_syntax).name
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return (
        f"pixel data could not be decoded ({name}, file of {size} bytes: {text}); the file may be truncated or damaged"
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
) -> CTVolume:
    """Decode the series into one int16 array; slices that fail are dropped and reported.

    `on_slice(index, hu)` is called for each decoded slice, middle slice first. `workers`
    threads decode in parallel (default: up to 4). Raises Cancelled when `cancel` is set and
    ValueError when no slice could be read.
    """
    geometry = plan_stack(series.slices)
    n = geometry.n_slices
    hu = np.empty((n, geometry.rows, geometry.columns), dtype=np.int16)
    failed: dict[int, str] = {}
    done = 0
    report(progress, 0, n, f"Loading {n} slices")
    for index, result in _decode_all(geometry, middle_out(n), workers, cancel):
        if isinstance(result, UnreadablePixels):
            failed[index] = str(result)
        else:
            hu[index] = result
            if on_slice is not None:
                on_slice(index, hu[index])
        done += 1
        report(progress, done, n, f"Loaded slice {done} of {n}")
    if len(failed) == n:
        reasons = "; ".join(sorted(set(failed.values()))[:3])
        raise ValueError(f"none of the {n} slices of series '{series.title}' could be decoded: {reasons}")
    if failed:
        hu, geometry = _drop_slices(hu, geometry, failed)
    load_report = LoadReport(geometry.rejected, geometry.warnings)
    if folder_report is not None:
        load_report = folder_report.merged(load_report)
    hu.setflags(write=False)
    return CTVolume(hu=hu, series=series, geometry=geometry, report=load_report)


def _decode_all(
    geometry: StackGeometry, order: list[int], workers: int | None, cancel: Cancel | None
) -> Iterator[tuple[int, np.ndarray | UnreadablePixels]]:
    """Decode slices on a thread pool, keeping a few in flight, yielding as they finish."""
    workers = workers or min(4, os.cpu_count() or 1)

    def decode(index: int) -> np.ndarray | UnreadablePixels:
        try:
            return read_slice_hu(geometry.slices[index], geometry.flip_rows, geometry.flip_columns)
        except UnreadablePixels as error:
            return error

    pending: dict[Future[np.ndarray | UnreadablePixels], int] = {}
    queue = iter(order)
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
    from ichviewer.core.dicom_index import index_folder

    index = index_folder(path, progress, cancel)
    series = index.default_series()
    if series is None:
        raise ValueError(index.empty_reason() or f"no CT series in {path}")
    return load_volume(series, progress, cancel, folder_report=LoadReport(index.skipped))
