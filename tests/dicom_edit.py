"""Byte-level edits of a DICOM file's header values, as a damaged export would have them.

pydicom refuses to write many broken values ('-inf' as a Decimal String, 70000 in a US), so
values are spliced into the file's bytes: the element's header is rewritten with the new length
and everything else stays as it was. Works for explicit and implicit little endian and explicit
big endian files (not deflated ones, whose data set is compressed).
"""

from __future__ import annotations

import struct
from pathlib import Path

import pydicom
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement

LONG_VRS = {"OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UN", "UC", "UR", "UT"}


def element_span(path: Path, keyword: str) -> tuple[int, int, RawDataElement]:
    """(start of the element, end of its value, the raw element) of a top-level element."""
    tag = tag_for_keyword(keyword)
    assert tag is not None, keyword
    if tag >> 16 == 2:
        return _meta_span(path.read_bytes(), tag)
    ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    raw = ds.get_item(tag, keep_deferred=True)
    assert isinstance(raw, RawDataElement), f"{keyword} not in {path} as a raw element"
    header = 8 if raw.is_implicit_VR or raw.VR not in LONG_VRS else 12
    return raw.value_tell - header, raw.value_tell + raw.length, raw


def _meta_span(data: bytes, tag: int) -> tuple[int, int, RawDataElement]:
    """A file meta element (explicit VR little endian, after the 132-byte preamble and 'DICM')."""
    position = 132
    while position + 8 <= len(data):
        group, element = struct.unpack("<HH", data[position : position + 4])
        vr = data[position + 4 : position + 6].decode("latin-1")
        if vr in LONG_VRS:
            (length,) = struct.unpack("<L", data[position + 8 : position + 12])
            value = position + 12
        else:
            (length,) = struct.unpack("<H", data[position + 6 : position + 8])
            value = position + 8
        if (group << 16 | element) == tag:
            raw = RawDataElement(pydicom.tag.Tag(tag), vr, length, data[value : value + length], value, False, True)
            return position, value + length, raw
        position = value + length
    raise AssertionError(f"({tag >> 16:04X},{tag & 0xFFFF:04X}) is not in the file meta")


def set_value(path: Path, keyword: str, value: bytes | str) -> None:
    """Replace an element's value bytes (strings are padded to an even length with a space)."""
    data = path.read_bytes()
    start, end, raw = element_span(path, keyword)
    body = value.encode("latin-1") if isinstance(value, str) else value
    if len(body) % 2:
        body += b" " if isinstance(value, str) else b"\0"
    order = "<" if raw.is_little_endian else ">"
    tag = struct.pack(order + "HH", raw.tag >> 16, raw.tag & 0xFFFF)
    if raw.is_implicit_VR:
        header = tag + struct.pack(order + "L", len(body))
    elif raw.VR in LONG_VRS:
        header = tag + raw.VR.encode() + b"\0\0" + struct.pack(order + "L", len(body))
    else:
        header = tag + (raw.VR or dictionary_VR(raw.tag)).encode() + struct.pack(order + "H", len(body))
    edited = data[:start] + header + body + data[end:]
    if raw.tag >> 16 == 2 and edited[128:132] == b"DICM" and edited[132:138] == b"\x02\x00\x00\x00UL":
        (group_length,) = struct.unpack("<L", edited[140:144])  # the file meta group's length changes with it
        grown = len(header) + len(body) - (end - start)
        edited = edited[:140] + struct.pack("<L", group_length + grown) + edited[144:]
    path.write_bytes(edited)


def set_number(path: Path, keyword: str, number: int) -> None:
    """Replace a binary (US/SS/UL) value in place, keeping its width and byte order."""
    _, _, raw = element_span(path, keyword)
    vr = raw.VR or dictionary_VR(raw.tag)
    code = {"US": "H", "SS": "h", "UL": "L", "SL": "l"}.get(vr, "H")
    order = "<" if raw.is_little_endian else ">"
    set_value(path, keyword, struct.pack(order + code, number))


def rewrite(path: Path, **values: object) -> None:
    """Set (or with None, delete) elements through pydicom, for well-formed changes; the file is replaced."""
    ds = pydicom.dcmread(path)
    for keyword, value in values.items():
        if value is None:
            if keyword in ds:
                delattr(ds, keyword)
        else:
            setattr(ds, keyword, value)
    path.unlink()
    ds.save_as(path, enforce_file_format=True)


def frame_of(path: Path) -> bytes:
    """The single compressed frame of an encapsulated file."""
    ds = pydicom.dcmread(path)
    return next(pydicom.encaps.generate_frames(ds.PixelData, number_of_frames=1))


def replace_frame(path: Path, frame: bytes, transfer_syntax: str | None = None) -> None:
    """Put another codestream (and optionally another transfer syntax) into an encapsulated file."""
    ds = pydicom.dcmread(path)
    ds.PixelData = pydicom.encaps.encapsulate([frame])
    if transfer_syntax is not None:
        ds.file_meta.TransferSyntaxUID = transfer_syntax
    path.unlink()
    ds.save_as(path, enforce_file_format=True)
