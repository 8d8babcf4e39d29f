"""Index a folder: read every study file's header (in parallel), group CT images by study and series.

Files may have any name or none; every file that cannot be used becomes a SkippedFile with a
plain reason instead of an exception. Within a series, a slice whose rescale or padding differs
from the rest is left out (its HU would not match its neighbours'), images at the same position
are split into repeat stacks, and identical copies are left out. Files are only ever read.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from pathlib import Path

from ichviewer.core.dicom.header import FileHeader, read_file_header
from ichviewer.core.dicom.pixel_data import frame_bytes
from ichviewer.core.dicom.records import Series, SeriesFields, SkippedFile, SliceHeader, Study, StudyIndex
from ichviewer.core.dicom.stacks import pixel_bytes_digest, split_repeats
from ichviewer.core.dicom.walk import UnusableFile, study_files
from ichviewer.core.load_report import plural
from ichviewer.core.progress import Cancel, Progress, check_cancel, report

log = logging.getLogger(__name__)
HEADER_WORKERS = 2  # the parse holds the GIL; a second thread overlaps the file reads (bench/load.py)


def index_folder(
    root: str | os.PathLike[str],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    workers: int = HEADER_WORKERS,
) -> StudyIndex:
    """Read the headers of every study file under `root` and group CT images by study and series."""
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"{root} does not exist")
    entries = list(study_files(root))
    paths = [e for e in entries if isinstance(e, Path)]
    skipped = [e for e in entries if isinstance(e, SkippedFile)]
    by_series: dict[str, list[FileHeader]] = defaultdict(list)
    known: dict[str, SeriesFields] = {}
    for done, (path, result) in enumerate(_read_headers(paths, workers, cancel, known)):
        report(progress, done, len(paths), f"Reading headers: {path.name}")
        if isinstance(result, UnusableFile):
            skipped.append(SkippedFile(path, str(result), result.problem))
        else:
            by_series[result.series.uid].append(result)
            known.setdefault(result.series.uid, result.series)
    report(progress, len(paths), len(paths), "Grouping series")
    series: list[Series] = []
    for members in by_series.values():
        kept, left_out = _consistent(members)
        skipped.extend(left_out)
        if not kept:
            continue
        stacks = split_repeats([m.slice for m in kept], pixel_bytes_digest(_frame))
        skipped.extend(stacks.copies)
        series.extend(_make_series(kept[0].series, stacks.stacks))
    studies: dict[str, list[Series]] = defaultdict(list)
    for s in series:
        studies[s.study_uid].append(s)
    ordered = tuple(
        Study(uid, tuple(sorted(members, key=lambda s: (s.number is None, s.number or 0, s.repeat, s.description))))
        for uid, members in sorted(studies.items(), key=lambda kv: (kv[1][0].study_date, kv[0]))
    )
    return StudyIndex(root, ordered, tuple(sorted(skipped, key=lambda s: str(s.path))), len(entries))


def _read_headers(
    paths: list[Path], workers: int, cancel: Cancel | None, known: dict[str, SeriesFields]
) -> Iterator[tuple[Path, FileHeader | UnusableFile]]:
    """(path, header or the reason it is unusable) for each path, in order."""

    def read(path: Path) -> FileHeader | UnusableFile:
        return _read_one(path, known)

    if workers <= 1 or len(paths) < 8:
        for path in paths:
            check_cancel(cancel)
            yield path, read(path)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ichviewer-headers") as pool:
        chunk = 4 * workers
        for start in range(0, len(paths), chunk):
            check_cancel(cancel)
            batch = paths[start : start + chunk]
            yield from zip(batch, pool.map(read, batch), strict=True)


def _read_one(path: Path, known: dict[str, SeriesFields]) -> FileHeader | UnusableFile:
    try:
        return read_file_header(path, known)
    except UnusableFile as problem:
        return problem
    except Exception as error:  # a reader bug must cost one file, not the folder; the log keeps the traceback
        log.exception("unexpected error reading %s", path)
        return UnusableFile(f"could not be read (unexpected {type(error).__name__}: {str(error)[:120]})")


def _frame(header: SliceHeader) -> bytes:
    assert header.layout is not None
    return frame_bytes(header.path, header.layout)


def _consistent(members: list[FileHeader]) -> tuple[list[FileHeader], list[SkippedFile]]:
    """Slices whose rescale and padding agree with a strict majority of their series, and the others, with why.

    Without a majority (say two slices, two intercepts) no slice can be trusted over another.
    """
    formats = Counter(m.slice.value_format for m in members)
    if len(formats) == 1:
        return members, []
    (main, count), *_ = formats.most_common()
    if count * 2 <= len(members):
        values = "; ".join(f"{_format_text(f)} in {plural(n, 'slice')}" for f, n in formats.most_common())
        reason = f"the slices of its series disagree on rescale ({values}): cannot tell which HU are right"
        return [], [SkippedFile(m.slice.path, reason) for m in members]
    kept = [m for m in members if m.slice.value_format == main]
    left_out = [
        SkippedFile(
            m.slice.path,
            f"its rescale ({_format_text(m.slice.value_format)}) differs from the other {count} slices of the series "
            f"({_format_text(main)}): its HU would not match theirs",
        )
        for m in members
        if m.slice.value_format != main
    ]
    return kept, left_out


def _format_text(value_format: tuple[float, float, tuple[int, int] | None]) -> str:
    slope, intercept, padding = value_format
    text = f"slope {slope:g}, intercept {intercept:g}"
    if padding is not None:
        text += f", padding {padding[0]}" + (f"…{padding[1]}" if padding[1] != padding[0] else "")
    return text


def _make_series(fields: SeriesFields, stacks: tuple[tuple[SliceHeader, ...], ...]) -> list[Series]:
    """One Series per stack; repeat stacks get their own uid and '(repeat k)' in the description."""
    base = Series(**{f.name: getattr(fields, f.name) for f in dataclass_fields(SeriesFields)}, slices=stacks[0])
    if len(stacks) == 1:
        return [base]
    sizes = ", ".join(f"repeat {k}: {plural(len(s), 'image')}" for k, s in enumerate(stacks[1:], 2))
    note = (
        f"Series {fields.number if fields.number is not None else fields.description!r} holds images at the same "
        f"positions with different pixels: a repeat acquisition, kept as its own stack ({sizes}) in the series list."
    )
    result = [replace(base, notes=(note,))]
    for k, stack in enumerate(stacks[1:], 2):
        description = f"{fields.description} (repeat {k})" if fields.description else f"(repeat {k})"
        result.append(
            replace(
                base,
                uid=f"{fields.uid}#repeat{k}",
                description=description,
                slices=stack,
                repeat=k,
                notes=(note,),
            )
        )
    return result
