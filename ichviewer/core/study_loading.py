"""Open a study folder: index it, choose the series to show, decode it (shared by the viewer's loader and `scan`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.load_report import LoadReport
from ichviewer.core.progress import Cancel, Progress
from ichviewer.core.volume import CTVolume, load_volume


class NoCTSeries(ValueError):
    """The folder holds no CT series; the message says what was found instead."""


def choose_series(index: StudyIndex) -> Series:
    """The series a reader looks at first (`StudyIndex.default_series`), or NoCTSeries saying why there is none."""
    series = index.default_series()
    if series is None:
        raise NoCTSeries(index.empty_reason() or f"No CT series in {index.root}")
    return series


def load_series(
    index: StudyIndex,
    series: Series,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    on_slice: Callable[[int, np.ndarray], None] | None = None,
) -> CTVolume:
    """Decode `series`; its load report also lists the files the folder index left out."""
    return load_volume(series, progress, cancel, on_slice=on_slice, folder_report=LoadReport(index.skipped))


def load_study(
    folder: str | Path, progress: Progress | None = None, cancel: Cancel | None = None
) -> tuple[StudyIndex, CTVolume]:
    """Index `folder` and decode the series a reader looks at first."""
    index = index_folder(folder, progress, cancel)
    return index, load_series(index, choose_series(index), progress, cancel)
