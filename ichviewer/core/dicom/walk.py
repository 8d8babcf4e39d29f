"""Which files under a folder are study files: regular files only, opened without ever blocking.

A FIFO, socket or device (or a link to one, such as /dev/zero) is listed as "not a regular file"
and never opened; links are followed to regular files and folders, never round a loop. Files
that are plainly not DICOM by name (README, .txt, .jpg …) are listed once, without being opened.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ichviewer.core.dicom.records import SkippedFile

# Ground truth the synthetic phantom writes beside its DICOM files: not images, and not worth a line.
SIDECAR_NAMES = frozenset({"ground_truth.json", "ground_truth_masks.npz"})
NOT_DICOM_NAMES = frozenset(
    {"readme", "license", "licence", "copying", "notice", "authors", "thumbs.db", "desktop.ini"}
)
NOT_DICOM_SUFFIXES = frozenset(
    ".txt .md .rst .pdf .doc .docx .rtf .html .htm .xml .json .csv .tsv .log .ini .cfg .yaml .yml "
    ".jpg .jpeg .png .gif .bmp .tif .tiff .webp .svg .mp4 .avi .mov .zip .gz .tgz .bz2 .xz .7z .rar .tar "
    ".exe .dll .so .dylib .bat .sh .py .js .css .nii .nrrd .mha .mhd .npz .npy .iso".split()
)
DICOMDIR_NAMES = frozenset({"dicomdir", "dirfile"})


class UnusableFile(Exception):
    """A file that cannot be used; the message says why in plain language.

    `problem` is False for files that were never meant to be images (they are listed, not counted).
    """

    def __init__(self, reason: str, problem: bool = True) -> None:
        super().__init__(reason)
        self.problem = problem


@dataclass(frozen=True)
class RegularFile:
    """An open study file with the size and modification time it had when opened."""

    fp: BinaryIO
    size: int
    mtime_ns: int


def not_dicom_by_name(path: Path) -> str | None:
    """Why a file is plainly not a DICOM image from its name alone, or None."""
    name = path.name.lower()
    stem = name.split(".", 1)[0]
    if name in DICOMDIR_NAMES:
        return "DICOMDIR (an index of a CD/DVD, not an image)"
    if stem in NOT_DICOM_NAMES or name in NOT_DICOM_NAMES or path.suffix.lower() in NOT_DICOM_SUFFIXES:
        return "not a DICOM file (by its name)"
    return None


def study_files(root: Path) -> Iterator[Path | SkippedFile]:
    """Every study file under `root` in a stable order, or a SkippedFile for what is left out.

    Hidden entries and the phantom's sidecars are passed over quietly.
    """
    if not os.path.isdir(root):
        yield from _one_entry(root)
        return
    seen: set[tuple[int, int]] = set()
    yield from _walk(root, seen)


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path | SkippedFile]:
    try:
        info = os.stat(folder)
    except OSError as error:
        yield SkippedFile(folder, f"folder cannot be read ({error.strerror or error})")
        return
    key = (info.st_dev, info.st_ino)
    if key in seen:
        return  # a link back to a folder already walked: walking it again would never end
    seen.add(key)
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as error:
        yield SkippedFile(folder, f"folder cannot be read ({error.strerror or error})")
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in SIDECAR_NAMES:
            continue
        path = Path(entry.path)
        if _is_dir(entry):
            yield from _walk(path, seen)
        else:
            yield from _one_entry(path)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False


def _one_entry(path: Path) -> Iterator[Path | SkippedFile]:
    """The path itself if it is (or links to) a regular file, else why not."""
    try:
        info = os.stat(path)  # follows links
    except OSError as error:
        if error.errno == errno.ELOOP:
            yield SkippedFile(path, "a link that loops back on itself (symlink loop): not a regular file")
        elif error.errno == errno.ENOENT and os.path.islink(path):
            yield SkippedFile(path, f"a link to a missing file ({os.readlink(path)}): not a regular file")
        else:
            yield SkippedFile(path, f"cannot be read ({error.strerror or error})")
        return
    if stat.S_ISREG(info.st_mode):
        reason = not_dicom_by_name(path)
        yield path if reason is None else SkippedFile(path, reason, problem=False)
        return
    yield SkippedFile(path, f"{_kind(info.st_mode)}{_link_target(path)}: not a regular file, never opened")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


def _link_target(path: Path) -> str:
    return f" (a link to {os.path.realpath(path)})" if os.path.islink(path) else ""


def open_regular(path: Path) -> RegularFile:
    """Open `path` read-only, refusing anything but a regular file before a byte is read.

    O_NONBLOCK makes opening a FIFO return at once (opening one blocks until a writer appears);
    the file is then checked with fstat on the open descriptor, so a file swapped for a special
    file after the folder was walked is still refused.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise UnusableFile("cannot be read (permission denied)") from None
    except OSError as error:
        raise UnusableFile(f"cannot be read ({error.strerror or error})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnusableFile(f"{_kind(info.st_mode)}: not a regular file, never read")
        return RegularFile(os.fdopen(fd, "rb"), info.st_size, info.st_mtime_ns)
    except BaseException:
        os.close(fd)
        raise


def read_at(file: RegularFile, offset: int, length: int) -> bytes:
    """Up to `length` bytes from `offset`, never past the size the file had when opened."""
    length = max(0, min(length, file.size - offset))
    if length == 0:
        return b""
    file.fp.seek(offset)
    return file.fp.read(length)
