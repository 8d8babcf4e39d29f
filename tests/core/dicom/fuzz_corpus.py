"""A seeded corpus of damaged studies: the project's phantom writer in every syntax, then mutated.

Each case is a copy of a small valid series (4 slices, 64²) in one transfer syntax and storage
variant, with one to three files mutated: bytes of the header, a header value replaced by one of
the values broken exports carry, the compressed frame's own header (SOF / SIZ / RLE table, a
second SOF, another codec's data), encapsulation items, truncation, the transfer syntax label,
or bytes of the pixel payload; and special or stray files beside them (a FIFO, links to
/dev/zero and /dev/urandom, a link loop, README, an empty or sparse 2 GB file).

Every file carries an oracle: "exact" (it must be named in the report or load with the pixels
it had before the mutation) or "safety" (payload bytes: no checksum can tell; it must only not
crash, hang or blow up memory). Expected HU per file come from the unmutated seed.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from dicom_edit import frame_of, set_number, set_value

from ichviewer.core.dicom.header import read_file_header
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.synthetic.dicom_writer import available_syntaxes, write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.volume import read_slice_hu

N_SLICES = 4
VARIANTS = {"signed": {}, "unsigned": {"unsigned": True}, "slope": {"slope": 0.5}, "padding": {"padding": -2000}}
BAD_STRINGS = ["", "1e308", "-1e300", "-inf", "nan", "0", "-1", "abc", "1\\2\\3\\4\\5\\6\\7", "65535", "-32768", "\0\0"]
STRING_TAGS = [
    "RescaleSlope",
    "RescaleIntercept",
    "PixelSpacing",
    "ImagePositionPatient",
    "ImageOrientationPatient",
    "SliceThickness",
    "WindowCenter",
    "Modality",
    "PhotometricInterpretation",
    "SOPInstanceUID",
    "SeriesInstanceUID",
    "ImageType",
    "InstanceNumber",
]

Mutation = Callable[[Path, np.random.Generator], tuple[str, str]]  # (description, oracle)

BINARY_TAGS = ["Rows", "Columns", "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation", "SamplesPerPixel"]
BAD_NUMBERS = [0, 1, 8, 12, 15, 17, 32, 255, 4096, 32768, 60000, 65535]
OTHER_SYNTAXES = [
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.5",
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.201",
    "1.2.3.4",
]
SPECIAL = ["fifo", "dev_zero", "dev_urandom", "loop", "dangling"]
STRAY = ["readme", "license", "notes", "empty", "sparse", "jpeg", "noise"]


@dataclass
class Case:
    """One damaged study: its folder, what was done to which file, and each file's oracle."""

    name: str
    folder: str
    expected: str  # .npz of unflipped HU per file name, from the unmutated seed
    mutations: dict[str, str] = field(default_factory=dict)
    oracle: dict[str, str] = field(default_factory=dict)  # file name -> "exact" | "safety" | "named"


@dataclass(frozen=True)
class Seed:
    syntax: str
    variant: str
    folder: Path
    expected: Path


def write_seeds(root: Path) -> list[Seed]:
    """Every syntax the writer has here × the storage variants, 4 slices each, with their expected HU."""
    hu = generate_phantom(PhantomSpec(seed=21, n_slices=N_SLICES, size=64, pixel_mm=3.6, subtypes=("subdural",))).hu
    seeds = []
    for syntax in available_syntaxes():
        for variant, options in VARIANTS.items():
            if syntax not in ("explicit", "jpeg-lossless") and variant not in ("signed", "unsigned"):
                continue  # slope and padding are format-independent: two syntaxes cover them
            folder = root / f"{syntax}-{variant}"
            write_series(hu, folder, syntax=syntax, spacing=(5.0, 3.6, 3.6), **options)
            expected = {h.path.name: read_slice_hu(h) for s in index_folder(folder).series for h in s.slices}
            assert len(expected) == N_SLICES
            np.savez(root / f"{syntax}-{variant}.npz", **expected)
            seeds.append(Seed(syntax, variant, folder, root / f"{syntax}-{variant}.npz"))
    return seeds


def make_corpus(root: Path, seeds: list[Seed], n_cases: int, seed: int = 15) -> list[Case]:
    """`n_cases` cases under `root`, the same for the same `seed`."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n_cases):
        source = seeds[int(rng.integers(len(seeds)))]
        folder = root / f"case{k:05d}"
        shutil.copytree(source.folder, folder)
        case = Case(f"case{k:05d}-{source.syntax}-{source.variant}", str(folder), str(source.expected))
        for path in sorted(folder.iterdir()):
            case.oracle[path.name] = "exact"
        victims = rng.choice(sorted(folder.iterdir()), size=int(rng.integers(1, 4)), replace=False)
        for victim in victims:
            _mutate(Path(victim), case, rng)
        if rng.random() < 0.25:
            _add_extra(folder, case, rng)
        cases.append(case)
    return cases


def save(cases: list[Case], path: Path) -> None:
    path.write_text(json.dumps([asdict(c) for c in cases]))


def _mutate(path: Path, case: Case, rng: np.random.Generator) -> None:
    encapsulated = pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID.is_compressed
    kinds = ["header_bytes", "string_value", "binary_value", "truncate", "syntax_label", "payload"]
    if encapsulated:
        kinds += ["frame_header", "frame_header", "frame_bytes", "items"]
    kind = str(rng.choice(kinds))
    deflated = "1.2.840.10008.1.2.1.99" in path.read_bytes()[:2048].decode("latin-1")
    if deflated and kind in ("string_value", "binary_value"):
        kind = "header_bytes"  # the data set is compressed: its values cannot be edited in place
    try:
        description, oracle = MUTATIONS[kind](path, rng)
    except _NotApplicable:
        description, oracle = _header_bytes(path, rng)
    case.mutations[path.name] = f"{case.mutations.get(path.name, '')}{kind}: {description}; "
    if case.oracle.get(path.name) != "safety":
        case.oracle[path.name] = oracle


class _NotApplicable(Exception):
    pass


def _pixel_value_offset(path: Path) -> int:
    """Where the encapsulated pixel data value starts (files are mutated once, so the reader still reads them)."""
    layout = read_file_header(path).slice.layout
    assert layout is not None
    return layout.offset


def _header_end(path: Path) -> int:
    """Where the bytes a reader can check end: the pixel data, or the deflated stream (which has no checksum)."""
    layout = read_file_header(path).slice.layout
    assert layout is not None
    return layout.deflated_from if layout.deflated_from is not None else layout.offset


def _header_bytes(path: Path, rng: np.random.Generator) -> tuple[str, str]:
    data = bytearray(path.read_bytes())
    end = _header_end(path)
    places = rng.integers(0, end, size=int(rng.integers(1, 9)))
    for place in places:
        data[int(place)] = int(rng.integers(0, 256))
    path.write_bytes(bytes(data))
    return f"bytes at {sorted(int(p) for p in places)}", "exact"


def _tag_value(tags: Sequence[str], values: Sequence[object], write: Callable[[Path, str, Any], None]) -> Mutation:
    """A mutation writing one of `values` into one of `tags` (not applicable where the file lacks the tag)."""

    def mutate(path: Path, rng: np.random.Generator) -> tuple[str, str]:
        keyword, value = str(rng.choice(tags)), rng.choice(values).item()
        try:
            write(path, keyword, value)
        except AssertionError:
            raise _NotApplicable() from None
        return f"{keyword} = {value!r}", "exact"

    return mutate


def _truncate(path: Path, rng: np.random.Generator) -> tuple[str, str]:
    size = path.stat().st_size
    cut = int(rng.integers(0, size))
    os.truncate(path, cut)
    return f"cut to {cut} of {size} bytes", "exact"


def _syntax_label(path: Path, rng: np.random.Generator) -> tuple[str, str]:
    uid = str(rng.choice(OTHER_SYNTAXES))
    set_value(path, "TransferSyntaxUID", uid + ("\0" if len(uid) % 2 else ""))
    return f"TransferSyntaxUID = {uid}", "exact"


def _payload(path: Path, rng: np.random.Generator) -> tuple[str, str]:
    """Bytes inside the pixel data (past any frame header) or the deflated stream: no reader can tell."""
    data = bytearray(path.read_bytes())
    start = _header_end(path) + 200
    if start >= len(data) - 8:
        raise _NotApplicable()
    places = rng.integers(start, len(data) - 4, size=int(rng.integers(1, 6)))
    for place in places:
        data[int(place)] ^= int(rng.integers(1, 256))
    path.write_bytes(bytes(data))
    return f"payload bytes at {sorted(int(p) for p in places)}", "safety"


def _frame_offset(path: Path) -> int:
    """Where the first fragment's codestream starts in the file."""
    data = path.read_bytes()
    value = _pixel_value_offset(path)
    (bot_length,) = struct.unpack("<L", data[value + 4 : value + 8])
    return value + 8 + bot_length + 8


def _frame_header(path: Path, rng: np.random.Generator) -> tuple[str, str]:
    """A field of the frame's own header set to a size, component count or kind the DICOM header does not have."""
    frame = frame_of(path)
    start = _frame_offset(path)
    data = bytearray(path.read_bytes())
    big = int(rng.choice([8, 4096, 0x6000, 0xFFFF]))
    if frame.startswith(b"\xff\xd8"):
        sof = next(i for i in range(2, len(frame) - 1) if frame[i] == 0xFF and frame[i + 1] in (0xC3, 0xF7, 0xC1, 0xC0))
        choice = int(rng.integers(4))
        if choice == 0:
            data[start + sof + 5 : start + sof + 9] = struct.pack(">HH", big, big)
            what = f"SOF size {big}×{big}"
        elif choice == 1:
            data[start + sof + 9] = int(rng.choice([3, 0, 4]))
            what = "SOF components"
        elif choice == 2:
            data[start + sof + 1] = 0xF7 if frame[sof + 1] == 0xC3 else 0xC3
            what = "SOF marker of the other JPEG family"
        else:
            (length,) = struct.unpack(">H", frame[sof + 2 : sof + 4])
            second = bytearray(frame[sof : sof + 2 + length])
            second[5:9] = struct.pack(">HH", 4096, 4096)
            data[start + sof : start + sof] = second
            _grow_item(data, path, len(second))
            what = "a second SOF of 4096×4096"
    elif frame.startswith(b"\xff\x4f"):
        field_at = {"width": 8, "height": 12, "tile width": 24, "components": 40}
        name = str(rng.choice(list(field_at)))
        at = start + field_at[name]
        data[at : at + (2 if name == "components" else 4)] = struct.pack(
            ">H" if name == "components" else ">L", big if name != "tile width" else 1
        )
        what = f"J2K SIZ {name}"
    else:
        choice = int(rng.integers(3))
        if choice == 0:
            data[start : start + 4] = struct.pack("<L", int(rng.choice([0, 1, 3, 16, 0xFFFFFFFF])))
            what = "RLE segment count"
        else:
            data[start + 4 * choice : start + 4 * choice + 4] = struct.pack(
                "<L", int(rng.choice([0, 63, 65, 0x7FFFFFFF]))
            )
            what = f"RLE offset {choice}"
    path.write_bytes(bytes(data))
    return what, "exact"


def _grow_item(data: bytearray, path: Path, grown: int) -> None:
    """After inserting bytes into the first fragment, fix that item's length so the file stays well-formed."""
    value = _pixel_value_offset(path)
    (bot_length,) = struct.unpack("<L", data[value + 4 : value + 8])
    at = value + 8 + bot_length + 4
    (length,) = struct.unpack("<L", data[at : at + 4])
    data[at : at + 4] = struct.pack("<L", length + grown)


def _frame_bytes(path: Path, rng: np.random.Generator) -> tuple[str, str]:
    """Random bytes in the first 64 bytes of the codestream (tables included): safety only."""
    start = _frame_offset(path)
    data = bytearray(path.read_bytes())
    places = start + rng.integers(0, 64, size=int(rng.integers(1, 4)))
    for place in places:
        data[int(place)] = int(rng.integers(0, 256))
    path.write_bytes(bytes(data))
    return f"codestream bytes at {sorted(int(p - start) for p in places)}", "safety"


def _items(path: Path, rng: np.random.Generator) -> tuple[str, str]:
    """The encapsulation: an item's tag or length damaged, or the delimiter removed."""
    data = bytearray(path.read_bytes())
    value = _pixel_value_offset(path)
    (bot_length,) = struct.unpack("<L", data[value + 4 : value + 8])
    item = value + 8 + bot_length
    choice = int(rng.integers(3))
    if choice == 0:
        data[item + 4 : item + 8] = struct.pack("<L", int(rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF])))
        what = "fragment length"
    elif choice == 1:
        data[item : item + 4] = b"\xfe\xff\x0d\xe0"
        what = "fragment tag"
    else:
        data[value : value + 4] = b"\x00\x00\x00\x00"
        what = "offset table item tag"
    path.write_bytes(bytes(data))
    return what, "exact"


MUTATIONS = {
    "header_bytes": _header_bytes,
    "string_value": _tag_value(STRING_TAGS, BAD_STRINGS, set_value),
    "binary_value": _tag_value(BINARY_TAGS, BAD_NUMBERS, set_number),
    "truncate": _truncate,
    "syntax_label": _syntax_label,
    "payload": _payload,
    "frame_header": _frame_header,
    "frame_bytes": _frame_bytes,
    "items": _items,
}


def _add_extra(folder: Path, case: Case, rng: np.random.Generator) -> None:
    kind = str(rng.choice(SPECIAL + STRAY))
    name = {"readme": "README", "license": "LICENSE", "notes": "notes.txt", "jpeg": "photo.jpg"}.get(kind, kind)
    path = folder / name
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")
    elif kind == "dev_urandom":
        path.symlink_to("/dev/urandom")
    elif kind == "loop":
        path.symlink_to(folder / "loop2")
        (folder / "loop2").symlink_to(path)
        case.oracle["loop2"] = "named"
    elif kind == "dangling":
        path.symlink_to(folder / "nothing_here")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "sparse":
        with open(path, "wb") as sparse:
            sparse.truncate(2 * 2**30)  # 2 GB that take no disk space
    elif kind == "noise":
        path.write_bytes(rng.bytes(int(rng.integers(10, 5000))))
    else:
        path.write_bytes(b"\xff\xd8\xff\xe0" + rng.bytes(100) if kind == "jpeg" else b"some text\n" * 10)
    case.oracle[name] = "named"
    case.mutations[name] = f"added: {kind}"
