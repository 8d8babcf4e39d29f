"""The middle slice of a one-series folder, decoded before the folder is indexed (the first image, fast).

Indexing reads every file's header (a quarter of a second for 240 files on a busy machine), so
the viewer first looks at three files only: the first, middle and last by name. When they are
slices of one series whose Instance Numbers follow the file names across exactly as many
files as the folder holds, and whose positions put the middle file halfway, the middle file is
the middle slice: it is decoded and shown while the index is built. Anything else (several
series, unordered names, other files beside the slices) gets no first look, and the first image
waits for the index, as before. Files are only read.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from ichviewer.core.dicom.decode import UnreadablePixels
from ichviewer.core.dicom.header import FileHeader, read_file_header
from ichviewer.core.dicom.records import Series
from ichviewer.core.dicom.walk import UnusableFile, study_files
from ichviewer.core.geometry import plan_stack
from ichviewer.core.state import SlicePreview
from ichviewer.core.volume import read_slice_hu

HALFWAY_TOLERANCE = 0.25  # of one slice spacing: how far from halfway the middle file may sit


def first_look(folder: str | Path) -> SlicePreview | None:
    """The middle slice of `folder`'s one series when three headers show which file it is, else None."""
    paths = [entry for entry in study_files(Path(folder)) if isinstance(entry, Path)]
    n = len(paths)
    if n < 3:
        return None
    try:
        first, centre, last = (read_file_header(paths[k]) for k in (0, n // 2, n - 1))
    except UnusableFile:
        return None
    if not _numbered_in_name_order(first, centre, last, n):
        return None
    geometry = plan_stack([h.slice for h in (first, centre, last)])
    if geometry.rejected or geometry.slices[1] is not centre.slice:
        return None
    ascending = geometry.slices[0] is first.slice  # file names run along the normal, or against it
    index = n // 2 if ascending else n - 1 - n // 2
    positions = geometry.slice_positions
    halfway = positions[0] + (positions[2] - positions[0]) * index / (n - 1)
    if abs(positions[1] - halfway) > HALFWAY_TOLERANCE * abs(positions[2] - positions[0]) / (n - 1):
        return None  # gaps or uneven spacing: the middle file may not be the middle slice
    try:
        hu = read_slice_hu(centre.slice, geometry.flip_rows, geometry.flip_columns)
    except UnreadablePixels:
        return None
    series = Series(**asdict(centre.series), slices=(centre.slice,))
    return SlicePreview(series, index, hu)


def _numbered_in_name_order(first: FileHeader, centre: FileHeader, last: FileHeader, n: int) -> bool:
    """One series, one file per slice, Instance Numbers counting with the file names (up or down)."""
    if len({h.series.uid for h in (first, centre, last)}) != 1:
        return False
    numbers = [h.slice.instance_number for h in (first, centre, last)]
    if any(number is None for number in numbers):
        return False
    a, b, c = (int(number or 0) for number in numbers)
    step = 1 if c > a else -1
    return (c - a) * step == n - 1 and (b - a) * step == n // 2
