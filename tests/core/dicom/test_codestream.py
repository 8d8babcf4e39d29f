"""A compressed frame's own header is checked against the DICOM header before any decoder runs."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from dicom_edit import frame_of

from ichviewer.core.dicom.codestream import check_frame
from ichviewer.core.dicom.walk import UnusableFile

LOSSLESS = "1.2.840.10008.1.2.4.57"
LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG_LS = "1.2.840.10008.1.2.4.80"
J2K = "1.2.840.10008.1.2.4.90"
RLE = "1.2.840.10008.1.2.5"


def _check(frame: bytes, syntax: str, rows: int = 64, columns: int = 64, bits: int = 16, whole: bool = True) -> None:
    check_frame(frame, syntax, rows, columns, bits, whole=whole)


def _refused(frame: bytes, syntax: str, **kw) -> str:
    with pytest.raises(UnusableFile) as caught:
        _check(frame, syntax, **kw)
    return str(caught.value)


def _sof_at(frame: bytes, marker: bytes = b"\xff\xc3") -> int:
    at = frame.find(marker)
    assert at > 0
    return at


class TestJpeg:
    @pytest.mark.parametrize(("name", "syntax"), [("jpeg-lossless", LOSSLESS), ("jpeg-lossless-sv1", LOSSLESS_SV1)])
    def test_written_frames_pass(self, study: Callable[..., list[Path]], name: str, syntax: str) -> None:
        _check(frame_of(study(name)[0]), syntax)

    def test_sof_larger_than_the_header_is_refused(self, study: Callable[..., list[Path]]) -> None:
        frame = bytearray(frame_of(study("jpeg-lossless")[0]))
        at = _sof_at(bytes(frame))
        frame[at + 5 : at + 9] = struct.pack(">HH", 0x6000, 0x6000)
        assert "24576×24576 pixels, the DICOM header says 64×64: refused before decoding" in _refused(
            bytes(frame), LOSSLESS
        )

    def test_second_sof_before_the_scan(self, study: Callable[..., list[Path]]) -> None:
        frame = frame_of(study("jpeg-lossless")[0])
        at = _sof_at(frame)
        (length,) = struct.unpack(">H", frame[at + 2 : at + 4])
        big = bytearray(frame[at : at + 2 + length])
        big[5:9] = struct.pack(">HH", 4096, 4096)
        assert "2 frame headers (SOF)" in _refused(frame[:at] + bytes(big) + frame[at:], LOSSLESS)

    def test_second_sof_after_the_scan_is_found_in_the_whole_frame(self, study: Callable[..., list[Path]]) -> None:
        frame = frame_of(study("jpeg-lossless")[0])
        at = _sof_at(frame)
        (length,) = struct.unpack(">H", frame[at + 2 : at + 4])
        extra = frame[:-2] + frame[at : at + 2 + length] + frame[-2:]
        _check(extra[:4096], LOSSLESS, whole=False)  # the start alone cannot know
        assert "2 frame headers" in _refused(extra, LOSSLESS)

    def test_jpeg_ls_data_labelled_jpeg_lossless(self, study: Callable[..., list[Path]]) -> None:
        reason = _refused(frame_of(study("jpegls")[0]), LOSSLESS_SV1)
        assert "the pixel data is JPEG-LS data, but the transfer syntax says 'JPEG Lossless" in reason
        assert "mislabelled" in reason

    def test_lossless_jpeg_labelled_jpeg_2000(self, study: Callable[..., list[Path]]) -> None:
        assert "lossless JPEG data, but the transfer syntax says 'JPEG 2000" in _refused(
            frame_of(study("jpeg-lossless")[0]), J2K
        )

    def test_precision_over_bits_allocated(self, study: Callable[..., list[Path]]) -> None:
        assert "16-bit samples, but Bits Allocated is 8" in _refused(
            frame_of(study("jpeg-lossless")[0]), LOSSLESS, bits=8
        )

    def test_damaged_marker_sequence_and_height_zero(self, study: Callable[..., list[Path]]) -> None:
        frame = bytearray(frame_of(study("jpeg-lossless")[0]))
        at = _sof_at(bytes(frame))
        zero = bytearray(frame)
        zero[at + 5 : at + 7] = b"\0\0"
        assert "height 0" in _refused(bytes(zero), LOSSLESS)
        assert "JPEG header is damaged" in _refused(bytes(frame[:2]) + b"garbage" + bytes(frame[2:]), LOSSLESS)

    @pytest.mark.parametrize(("name", "syntax"), [("jpeg-lossless", LOSSLESS), ("jpegls", JPEG_LS)])
    def test_a_frame_cut_short_is_refused_whole_not_from_its_start(
        self, study: Callable[..., list[Path]], name: str, syntax: str
    ) -> None:
        frame = frame_of(study(name)[0])
        assert frame.rstrip(b"\0").endswith(b"\xff\xd9")
        _check(frame.rstrip(b"\0"), syntax)  # without the padding byte
        cut = frame[: len(frame) * 2 // 3]
        assert "ends without its end-of-image marker" in _refused(cut, syntax)
        _check(cut[:2048], syntax, whole=False)  # what indexing reads: the header is fine


class TestJpegLs:
    def test_sof55_size_is_checked(self, study: Callable[..., list[Path]]) -> None:
        frame = bytearray(frame_of(study("jpegls")[0]))
        _check(bytes(frame), JPEG_LS)
        at = _sof_at(bytes(frame), b"\xff\xf7")
        frame[at + 5 : at + 9] = struct.pack(">HH", 512, 512)
        assert "JPEG-LS frame is 512×512" in _refused(bytes(frame), JPEG_LS)


class TestJpeg2000:
    def _siz(self, frame: bytes, **fields: int) -> bytes:
        names = ("length", "caps", "x", "y", "x0", "y0", "tile_x", "tile_y", "tile_x0", "tile_y0", "components")
        values = dict(zip(names, struct.unpack(">HHLLLLLLLLH", frame[4:42]), strict=True))
        values.update(fields)
        return frame[:4] + struct.pack(">HHLLLLLLLLH", *values.values()) + frame[42:]

    def test_siz_is_checked(self, study: Callable[..., list[Path]]) -> None:
        frame = frame_of(study("j2k")[0])
        _check(frame, J2K)
        assert "JPEG 2000 frame is 4096×64" in _refused(self._siz(frame, x=4096, tile_x=4096), J2K)
        assert "1,048,576 tiles" in _refused(self._siz(frame, x=1024, y=1024, tile_x=1, tile_y=1), J2K)
        assert "components in" in _refused(self._siz(frame, components=3), J2K)
        assert "cut short" in _refused(frame[:20], J2K)

    def test_tiles_without_data_are_refused(self, study: Callable[..., list[Path]]) -> None:
        frame = self._siz(frame_of(study("j2k")[0]), tile_x=1)  # 64 tiles promised, one tile-part present
        _check(frame[:4096], J2K, whole=False)
        assert "promises 64 tiles, the codestream holds data for 1" in _refused(frame, J2K)


class TestRle:
    def test_segment_table_is_checked(self, study: Callable[..., list[Path]]) -> None:
        frame = frame_of(study("rle")[0])
        _check(frame, RLE)
        segments, first, second = struct.unpack("<3L", frame[:12])
        assert segments == 2 and first == 64
        assert "lists 3 segments; 16-bit greyscale has 2" in _refused(
            struct.pack("<3L", 3, first, second) + struct.pack("<L", second + 1) + frame[16:], RLE
        )
        assert "lists 0 segments" in _refused(struct.pack("<L", 0) + frame[4:], RLE)
        assert "do not fit" in _refused(frame[:4] + struct.pack("<2L", second, first) + frame[12:], RLE)
        assert "do not fit" in _refused(frame[:8] + struct.pack("<L", len(frame) + 10) + frame[12:], RLE)

    def test_rle_data_labelled_jpeg(self, study: Callable[..., list[Path]]) -> None:
        assert "the pixel data is RLE data, but the transfer syntax says 'JPEG Lossless" in _refused(
            frame_of(study("rle")[0]), LOSSLESS
        )
