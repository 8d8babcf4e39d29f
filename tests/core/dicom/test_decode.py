"""Decoding: imagecodecs and the pydicom fallback give identical stored values in every syntax; failures are caught."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from dicom_edit import frame_of, replace_frame

from ichviewer.core.dicom import decode
from ichviewer.core.dicom.decode import UnreadablePixels, decode_stored, stored_values
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.dicom.records import PixelLayout, SliceHeader
from ichviewer.core.synthetic.dicom_writer import available_syntaxes
from ichviewer.core.volume import load_folder_volume
from ichviewer.core.windowing import AIR_HU

VARIANTS = {"plain": {}, "unsigned": {"unsigned": True}, "slope 0.5": {"slope": 0.5}, "padding": {"padding": -2000}}


def _headers(folder: Path) -> list[SliceHeader]:
    (series,) = index_folder(folder).series
    return sorted(series.slices, key=lambda h: h.instance_number or 0)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("syntax", available_syntaxes())
def test_every_syntax_and_variant_gives_identical_hu_by_both_decoders(
    study: Callable[..., list[Path]], small_hu: np.ndarray, syntax: str, variant: str
) -> None:
    options = VARIANTS[variant]
    if variant == "padding" and syntax in ("j2k",):
        options = {"padding": -2000}
    paths = study(syntax, **options)
    expected = small_hu.copy()
    if variant == "padding":
        raw = decode_stored(_headers(paths[0].parent)[0])
        expected[:, raw == -2000] = AIR_HU
    volume = load_folder_volume(paths[0].parent)
    np.testing.assert_array_equal(volume.hu, expected)
    assert not volume.report
    for header in _headers(paths[0].parent):
        new = decode_stored(header)
        old = decode_stored(header, prefer_imagecodecs=False)
        assert new.dtype == old.dtype
        np.testing.assert_array_equal(new, old)


def _layout(bits_allocated: int = 16, bits_stored: int = 16, signed: bool = True) -> PixelLayout:
    return PixelLayout(0, None, bits_allocated, bits_stored, signed, False, None, 0, 0)


class TestStoredValues:
    def test_12_bit_signed_values_are_sign_extended_and_high_bits_masked(self) -> None:
        raw = np.array([[0x0FFF, 0x0800, 0x07FF, 0xF001]], dtype=np.uint16)  # the last has junk above bit 11
        values = stored_values(raw, 1, 4, _layout(bits_stored=12))
        assert values.tolist() == [[-1, -2048, 2047, 1]]

    def test_unsigned_12_bit(self) -> None:
        raw = np.array([[0x0FFF, 0xF001]], dtype=np.uint16)
        assert stored_values(raw, 1, 2, _layout(bits_stored=12, signed=False)).tolist() == [[4095, 1]]

    def test_signed_decoder_output_reinterpreted_by_pixel_representation(self) -> None:
        raw = np.array([[-1000, 40]], dtype=np.int16)  # e.g. JPEG 2000 says signed
        assert stored_values(raw, 1, 2, _layout(signed=False)).tolist() == [[64536, 40]]
        assert stored_values(raw, 1, 2, _layout(signed=True)).tolist() == [[-1000, 40]]

    def test_eight_bit(self) -> None:
        raw = np.array([[255, 1]], dtype=np.uint8)
        assert stored_values(raw, 1, 2, _layout(8, 8, signed=True)).tolist() == [[-1, 1]]

    def test_wrong_size_or_type_is_refused(self) -> None:
        with pytest.raises(UnreadablePixels, match="decoded to 8×8 samples; the header says 64×64"):
            stored_values(np.zeros((8, 8), np.uint16), 64, 64, _layout())
        with pytest.raises(UnreadablePixels, match="decoded to 4×2 samples; the header says 2×4"):
            stored_values(np.zeros((2, 4), np.uint16), 4, 2, _layout())
        with pytest.raises(UnreadablePixels, match="not whole numbers"):
            stored_values(np.zeros((2, 2), np.float32), 2, 2, _layout())
        with pytest.raises(UnreadablePixels, match="do not fit Bits Allocated"):
            stored_values(np.full((2, 2), 70000, np.int32), 2, 2, _layout())


class PanicException(BaseException):
    """Stands in for pyo3_runtime.PanicException, which derives from BaseException."""


class TestFailures:
    def test_any_decoder_failure_becomes_a_reason(
        self, study: Callable[..., list[Path]], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        header = _headers(study("rle")[0].parent)[0]

        def panic(frame: bytes, header: SliceHeader) -> np.ndarray:
            raise PanicException("called `Result::unwrap()` on an `Err` value")

        monkeypatch.setattr(decode, "_imagecodecs_decoders", lambda header: [panic])
        with pytest.raises(UnreadablePixels, match="could not be decoded .*unwrap"):
            decode_stored(header)

    @pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
    def test_interrupts_are_not_swallowed(
        self, study: Callable[..., list[Path]], monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]
    ) -> None:
        header = _headers(study("rle")[0].parent)[0]

        def interrupted(frame: bytes, header: SliceHeader) -> np.ndarray:
            raise stop()

        monkeypatch.setattr(decode, "_imagecodecs_decoders", lambda header: [interrupted])
        with pytest.raises(stop):
            decode_stored(header)

    def test_real_rle_panic_of_the_fallback_is_caught(self, study: Callable[..., list[Path]]) -> None:
        path = study("rle")[0]
        frame = frame_of(path)
        rng = np.random.default_rng(0)
        panicked = 0
        for _ in range(60):
            damaged = bytearray(frame)
            for _ in range(3):
                damaged[int(rng.integers(64, len(damaged)))] = int(rng.integers(0, 256))
            replace_frame(path, bytes(damaged))
            header = next((h for h in _headers(path.parent) if h.path == path), None)
            if header is None:
                continue  # its RLE header was damaged: refused before any decoder
            try:
                decode_stored(header, prefer_imagecodecs=False)  # pylibjpeg-rle, which panics on some damage
            except UnreadablePixels as problem:
                panicked += "PanicException" in str(problem)
        if not panicked:
            pytest.skip("this pylibjpeg-rle did not panic on any damaged frame")

    def test_rle_segments_that_do_not_fill_the_image_are_refused(self, study: Callable[..., list[Path]]) -> None:
        path = study("rle")[0]
        frame = frame_of(path)
        segments, first, second = struct.unpack("<3L", frame[:12])
        short = frame[:second] + frame[second : second + 10]  # the low-byte segment cut to 10 bytes
        replace_frame(path, short)
        with pytest.raises(UnreadablePixels, match="RLE|decoded"):
            decode_stored(_headers(path.parent)[0])

    def test_file_changed_after_indexing(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        header = _headers(path.parent)[0]
        path.write_bytes(path.read_bytes() + b"\0\0")
        with pytest.raises(UnreadablePixels, match="changed after the folder was read"):
            decode_stored(header)
