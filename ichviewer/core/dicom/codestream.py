"""A compressed frame's own header, checked against the DICOM header before any decoder sees it.

Decoders allocate what the codestream declares: a JPEG SOF of 0x60000 × 0x60000 or a second
SOF of 4096² inside a 512² slice would cost gigabytes. So the frame's kind (its first marker)
must match the transfer syntax, and its size, components and precision (JPEG / JPEG-LS SOF,
JPEG 2000 SIZ, RLE segment table) must match Rows, Columns, Samples and Bits Allocated. A whole
JPEG / JPEG-LS frame must also end with its EOI marker: libjpeg-turbo and CharLS decode a frame
cut short without an error, filling the rows it lacks, so a truncated slice would show wrong HU.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from pydicom.uid import UID

from ichviewer.core.dicom.walk import UnusableFile

JPEG_SYNTAXES = {
    "1.2.840.10008.1.2.4.50": {0xC0},  # baseline, 8 bit
    "1.2.840.10008.1.2.4.51": {0xC0, 0xC1},  # extended, 12 bit
    "1.2.840.10008.1.2.4.57": {0xC3},  # lossless
    "1.2.840.10008.1.2.4.70": {0xC3},  # lossless, first-order prediction
}
JPEG_LS_SYNTAXES = {"1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"}
J2K_SYNTAXES = {
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.202",
    "1.2.840.10008.1.2.4.203",
}
RLE_SYNTAX = "1.2.840.10008.1.2.5"
SOF_LS = 0xF7
_SOF_MARKERS = {m for m in range(0xC0, 0xD0) if m not in (0xC4, 0xC8, 0xCC)} | {SOF_LS}
_SOF_ANYWHERE = re.compile(rb"\xff[\xc0-\xc3\xc5-\xc7\xc9-\xcb\xcd-\xcf\xf7]")
_STANDALONE = set(range(0xD0, 0xD8)) | {0x01}
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
MAX_TILES = 4096
_KIND_NAMES = {0xC0: "baseline JPEG", 0xC1: "extended JPEG", 0xC3: "lossless JPEG", SOF_LS: "JPEG-LS"}


@dataclass(frozen=True)
class FrameHeader:
    """What a codestream says about its image."""

    kind: str  # "JPEG-LS", "lossless JPEG", "JPEG 2000", "RLE" …
    rows: int
    columns: int
    components: int
    precision: int  # bits per sample; for RLE, 8 × segments per sample


def expected_kind(transfer_syntax: str) -> str | None:
    """The codestream family a transfer syntax promises, or None for syntaxes checked elsewhere."""
    if transfer_syntax in JPEG_SYNTAXES:
        return "JPEG"
    if transfer_syntax in JPEG_LS_SYNTAXES:
        return "JPEG-LS"
    if transfer_syntax in J2K_SYNTAXES:
        return "JPEG 2000"
    if transfer_syntax == RLE_SYNTAX:
        return "RLE"
    return None


def check_frame(
    codestream: bytes,
    transfer_syntax: str,
    rows: int,
    columns: int,
    bits_allocated: int,
    *,
    whole: bool,
) -> None:
    """Raise UnusableFile unless the frame's own header matches the syntax and the DICOM header.

    `whole` says the full codestream is given (a second SOF is then looked for everywhere);
    otherwise only its start, as read while indexing.
    """
    family = expected_kind(transfer_syntax)
    if family is None:
        return
    header = read_frame_header(codestream, family, whole=whole)
    if header is None:
        return  # the start read while indexing ends before the frame header: checked when decoded
    allowed = {_KIND_NAMES[m] for m in JPEG_SYNTAXES[transfer_syntax]} if family == "JPEG" else {family}
    if header.kind not in allowed:
        raise UnusableFile(
            f"the pixel data is {header.kind} data, but the transfer syntax says "
            f"'{UID(transfer_syntax).name}': the file is mislabelled"
        )
    if header.kind == "RLE":
        if header.precision != bits_allocated:
            raise UnusableFile(
                f"the RLE header lists {header.precision // 8} segments; {bits_allocated}-bit greyscale has "
                f"{bits_allocated // 8}"
            )
        return
    if (header.rows, header.columns) != (rows, columns):
        raise UnusableFile(
            f"the {header.kind} frame is {header.columns}×{header.rows} pixels, the DICOM header says "
            f"{columns}×{rows}: refused before decoding"
        )
    if header.components != 1:
        raise UnusableFile(f"the {header.kind} frame has {header.components} components; a CT slice has 1")
    if not 2 <= header.precision <= bits_allocated:
        raise UnusableFile(
            f"the {header.kind} frame stores {header.precision}-bit samples, but Bits Allocated is {bits_allocated}"
        )


def read_frame_header(codestream: bytes, family: str, *, whole: bool) -> FrameHeader | None:
    """The frame header of a codestream, whatever kind it turns out to be; None if not reached yet."""
    kind = sniff(codestream)
    if kind == "JPEG":
        return _jpeg_header(codestream, whole)
    if kind == "JPEG 2000":
        return _j2k_header(codestream, whole)
    try:
        return _rle_header(codestream, whole)
    except UnusableFile:
        if family == "RLE":
            raise
    raise UnusableFile(f"the compressed frame does not start like {family} data (it starts {codestream[:4].hex()})")


def sniff(codestream: bytes) -> str | None:
    """'JPEG' (JPEG or JPEG-LS), 'JPEG 2000' or None, from the first bytes."""
    if codestream.startswith(b"\xff\xd8"):
        return "JPEG"
    if codestream.startswith(b"\xff\x4f\xff\x51") or codestream.startswith(_JP2_SIGNATURE):
        return "JPEG 2000"
    return None


def _jpeg_header(data: bytes, whole: bool) -> FrameHeader | None:
    """SOF of a JPEG or JPEG-LS stream; exactly one frame header, height given (no DNL)."""
    position = 2
    found: list[tuple[int, bytes]] = []
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise UnusableFile(f"the compressed frame's JPEG header is damaged (no marker at byte {position})")
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker in _STANDALONE:
            position += 2
            continue
        if marker < 0xC0:
            raise UnusableFile(f"the compressed frame's JPEG header is damaged (no such marker: 0x{marker:02X})")
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2:
            raise UnusableFile(f"the compressed frame's JPEG header is damaged (segment of length {length})")
        if marker in _SOF_MARKERS:
            found.append((marker, data[position + 4 : position + 2 + length]))
        if marker == 0xDA:  # start of scan: the header ends here
            break
        position += 2 + length
    else:
        if not whole and not found:
            return None
    if whole:
        extra = sum(1 for _ in _SOF_ANYWHERE.finditer(data, position))
        if extra:
            found.extend([(0, b"")] * extra)
    if not found:
        raise UnusableFile("the JPEG data has no frame header (SOF)")
    if len(found) > 1:
        raise UnusableFile(f"the JPEG data holds {len(found)} frame headers (SOF); one image has one: refused")
    marker, segment = found[0]
    if len(segment) < 6:
        raise UnusableFile("the JPEG frame header (SOF) is cut short")
    precision, height, width, components = struct.unpack(">BHHB", segment[:6])
    if height == 0:
        raise UnusableFile("the JPEG frame header gives height 0 (a DNL marker), which CT slices never use")
    if whole and not data.rstrip(b"\x00").endswith(b"\xff\xd9"):  # fragments are padded to even length with 0
        raise UnusableFile(
            "the JPEG data ends without its end-of-image marker: the frame is cut short (the decoder would "
            "silently fill the missing rows)"
        )
    kind = _KIND_NAMES.get(marker, f"JPEG (SOF{marker - 0xC0})")
    return FrameHeader(kind, height, width, components, precision)


def _j2k_header(data: bytes, whole: bool) -> FrameHeader:
    """SIZ of a JPEG 2000 codestream (inside a JP2 'jp2c' box if wrapped); with `whole`, every tile must have data.

    A SIZ that promises more tiles than the codestream holds parts for decodes without an error
    into an image that is mostly empty: refused.
    """
    if data.startswith(_JP2_SIGNATURE):
        at = data.find(b"jp2c")
        if at < 4:
            raise UnusableFile("JPEG 2000 file format without a codestream box")
        data = data[at + 4 :]
        if not data.startswith(b"\xff\x4f\xff\x51"):
            raise UnusableFile("the JPEG 2000 codestream box does not start with SOC and SIZ")
    if len(data) < 4 + 38 + 3:
        raise UnusableFile("the JPEG 2000 header (SIZ) is cut short")
    (length, _caps, x, y, x0, y0, tile_x, tile_y, tile_x0, tile_y0, components) = struct.unpack(
        ">HHLLLLLLLLH", data[4:42]
    )
    if components == 0 or length != 38 + 3 * components or len(data) < 4 + length:
        raise UnusableFile(f"the JPEG 2000 header (SIZ) is damaged ({components} components in {length} bytes)")
    if x <= x0 or y <= y0 or tile_x == 0 or tile_y == 0 or tile_x0 > x0 or tile_y0 > y0:
        raise UnusableFile("the JPEG 2000 header (SIZ) gives an empty image or tile grid")
    tiles = -(-(x - tile_x0) // tile_x) * -(-(y - tile_y0) // tile_y)
    if tiles > MAX_TILES:
        raise UnusableFile(f"the JPEG 2000 image is cut into {tiles:,} tiles (at most {MAX_TILES} accepted)")
    precisions = []
    for k in range(components):
        size, dx, dy = data[42 + 3 * k : 45 + 3 * k]
        if dx != 1 or dy != 1:
            raise UnusableFile("the JPEG 2000 image has subsampled components, which a CT slice never has")
        precisions.append((size & 0x7F) + 1)
    if whole:
        _check_tiles(data, tiles)
    return FrameHeader("JPEG 2000", y - y0, x - x0, components, max(precisions))


def _check_tiles(data: bytes, tiles: int) -> None:
    """Each tile of the SIZ has a tile-part (SOT, FF90, never found inside packet data)."""
    found = set()
    at = data.find(b"\xff\x90")
    while at >= 0 and at + 6 <= len(data):
        (index,) = struct.unpack(">H", data[at + 4 : at + 6])
        if index >= tiles:
            raise UnusableFile(f"the JPEG 2000 data has a tile {index}, its header (SIZ) only {tiles} tiles")
        found.add(index)
        at = data.find(b"\xff\x90", at + 2)
    if len(found) < tiles:
        raise UnusableFile(
            f"the JPEG 2000 header (SIZ) promises {tiles} tiles, the codestream holds data for {len(found)}: refused"
        )


def _rle_header(data: bytes, whole: bool) -> FrameHeader:
    """The RLE header: segment count and offsets, in order and (for a whole frame) inside it.

    RLE does not state the image size (rows and columns are -1 here): the decoder is given an
    output of exactly Rows × Columns and refuses segments that do not fill it.
    """
    if len(data) < 64:
        raise UnusableFile(f"the RLE frame is {len(data)} bytes, shorter than its 64-byte header")
    segments, *offsets = struct.unpack("<16L", data[:64])
    if not 1 <= segments <= 15:
        raise UnusableFile(f"the RLE header lists {segments} segments (1 to 15 possible)")
    used = offsets[:segments]
    if used[0] != 64 or any(b <= a for a, b in zip(used, used[1:], strict=False)) or (whole and used[-1] >= len(data)):
        raise UnusableFile(f"the RLE header's segment offsets {used} do not fit a frame of {len(data):,} bytes")
    return FrameHeader("RLE", -1, -1, 1, 8 * segments)
