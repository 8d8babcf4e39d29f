"""Where a file's pixel data sits, and the bytes of its one frame, read within the file's size.

The header reader stops before (7FE0,0010); `element_at` reads that element's own header.
`frame_bytes` reads the value again at decode time: native data must be exactly
Rows × Columns × Bits Allocated / 8 bytes; encapsulated data is split into its items, each
length checked against what is left, and the fragments of the single frame joined.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from ichviewer.core.dicom.records import PixelLayout
from ichviewer.core.dicom.walk import RegularFile, UnusableFile, open_regular, read_at

PIXEL_DATA = 0x7FE00010
FLOAT_PIXEL_DATA = (0x7FE00008, 0x7FE00009)
ITEM, SEQUENCE_DELIMITER = 0xFFFEE000, 0xFFFEE0DD
UNDEFINED = 0xFFFFFFFF
LONG_VRS = {b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"SQ", b"UN", b"UC", b"UR", b"UT"}
MAX_INFLATED = 96 * 2**20  # a deflated data set larger than this is not one CT slice
MAX_ITEMS = 4096


@dataclass(frozen=True)
class PixelElement:
    """The pixel data element found where the header stopped: its tag, value offset and length."""

    tag: int
    offset: int
    length: int | None  # None: undefined length (encapsulated)


def element_at(data: bytes, position: int, implicit: bool, little: bool) -> PixelElement | None:
    """The element header at `position` of `data` if it is pixel data, else None."""
    head = data[position : position + 12]
    if len(head) < 8:
        return None
    order = "<" if little else ">"
    group, element = struct.unpack(order + "HH", head[:4])
    tag = group << 16 | element
    if tag != PIXEL_DATA and tag not in FLOAT_PIXEL_DATA:
        return None
    if implicit:
        (length,) = struct.unpack(order + "L", head[4:8])
        offset = position + 8
    elif head[4:6] in LONG_VRS:
        if len(head) < 12:
            return None
        (length,) = struct.unpack(order + "L", head[8:12])
        offset = position + 12
    else:
        (length,) = struct.unpack(order + "H", head[6:8])
        offset = position + 8
    return PixelElement(tag, offset, None if length == UNDEFINED else length)


def native_length_problem(length: int, rows: int, columns: int, bits_allocated: int) -> str | None:
    """Why native pixel data of `length` bytes cannot be Rows × Columns at Bits Allocated, or None."""
    expected = rows * columns * bits_allocated // 8
    if length in (expected, expected + expected % 2):  # odd lengths are padded to even
        return None
    return (
        f"pixel data holds {length:,} bytes, but {columns}×{rows} pixels of {bits_allocated} bits need "
        f"{expected:,}: the header does not describe this image"
    )


def inflate(data: bytes, limit: int | None = None) -> bytes:
    """The inflated data set of a deflated file, refused when it grows past MAX_INFLATED.

    With `limit`, only its first `limit` bytes (enough for the header) are inflated.
    """
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        result = inflater.decompress(data, limit or MAX_INFLATED)
    except zlib.error as error:
        raise UnusableFile(f"deflated data set is damaged ({error})") from None
    if inflater.unconsumed_tail and limit is None:
        raise UnusableFile(f"deflated data set inflates to more than {MAX_INFLATED // 2**20} MB: not one CT slice")
    return result


def fragments(value: bytes, *, need_all: bool = True) -> list[bytes]:
    """The fragments of encapsulated pixel data (Basic Offset Table item left out).

    Every item must be an (FFFE,E000) item whose length fits in what is left; with
    `need_all` the sequence delimiter (or the end of the value) must be reached.
    """
    items: list[bytes] = []
    position = 0
    while position + 8 <= len(value):
        tag_group, tag_element, length = struct.unpack("<HHL", value[position : position + 8])
        tag = tag_group << 16 | tag_element
        if tag == SEQUENCE_DELIMITER:
            break
        if tag != ITEM:
            raise UnusableFile(
                f"encapsulated pixel data is damaged: ({tag_group:04X},{tag_element:04X}) where an item belongs"
            )
        start = position + 8
        if length == UNDEFINED or start + length > len(value):
            if need_all:
                raise UnusableFile(
                    f"file is truncated inside the compressed pixel data: an item of {length:,} bytes "
                    f"has only {len(value) - start:,} left"
                )
            items.append(value[start:])
            break
        items.append(value[start : start + length])
        if len(items) > MAX_ITEMS:
            raise UnusableFile(f"encapsulated pixel data has more than {MAX_ITEMS} fragments")
        position = start + length
    if len(items) < 2 and need_all:
        raise UnusableFile("compressed pixel data holds no image (no fragment after the offset table)")
    return items[1:]


def frame_bytes(path: Path, layout: PixelLayout) -> bytes:
    """The native pixel data, or the codestream of the single compressed frame, of one file."""
    file = open_regular(path)
    try:
        if (file.size, file.mtime_ns) != (layout.file_size, layout.mtime_ns):
            raise UnusableFile("file changed after the folder was read (reload the folder)")
        value = _value(file, layout)
    finally:
        file.fp.close()
    if layout.length is not None:
        if len(value) < layout.length:
            raise UnusableFile(
                f"file is truncated: pixel data needs {layout.length:,} bytes, only {len(value):,} present"
            )
        return value
    return b"".join(fragments(value))


def _value(file: RegularFile, layout: PixelLayout) -> bytes:
    if layout.deflated_from is not None:
        data = inflate(read_at(file, layout.deflated_from, file.size))
        end = len(data) if layout.length is None else layout.offset + layout.length
        return data[layout.offset : end]
    length = file.size - layout.offset if layout.length is None else layout.length
    return read_at(file, layout.offset, length)
