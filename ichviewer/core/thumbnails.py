"""Series thumbnails: the middle slice of each series in the brain window, shrunk to icon size."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ichviewer.core.dicom.decode import UnreadablePixels
from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.geometry import plan_stack
from ichviewer.core.progress import Cancel
from ichviewer.core.volume import CTVolume, read_slice_hu
from ichviewer.core.windowing import PRESETS, apply_window

THUMBNAIL_SIZE = 96  # pixels on the longer side


def middle_slice_hu(series: Series) -> np.ndarray:
    """int16 HU of the series' middle slice along the normal, decoded on its own (display orientation)."""
    geometry = plan_stack(series.slices)
    return read_slice_hu(geometry.slices[geometry.n_slices // 2], geometry.flip_rows, geometry.flip_columns)


def thumbnail(hu: np.ndarray, size: int = THUMBNAIL_SIZE) -> np.ndarray:
    """uint8 (y, x): the slice in the brain window, nearest-neighbour shrunk to about `size` pixels."""
    step = max(1, max(hu.shape) // size)
    return np.ascontiguousarray(apply_window(hu, PRESETS["brain"])[::step, ::step])


def series_thumbnails(
    index: StudyIndex, loaded: CTVolume | None = None, cancel: Cancel | None = None
) -> Iterator[tuple[str, np.ndarray]]:
    """(series uid, thumbnail) for every series of `index`; the loaded volume's from memory.

    A series whose middle slice cannot be decoded gets no thumbnail (its problem is in the load
    report when it is opened); the others still do.
    """
    for series in index.series:
        if cancel is not None and cancel.is_set():
            return
        if loaded is not None and series.uid == loaded.series.uid:
            hu = loaded.hu[loaded.n_slices // 2]
        else:
            try:
                hu = middle_slice_hu(series)
            except (UnreadablePixels, ValueError, IndexError, OSError):
                continue
        yield series.uid, thumbnail(hu)
