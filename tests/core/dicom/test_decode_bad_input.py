"""Damaged pixel data in every syntax the writer makes: the slice is named in the load report, the rest loads exactly.

Truncated files (the file ends inside the pixel data or inside a fragment), codestreams cut short
inside a well-formed fragment, fragments whose item length runs past the data, and native pixel
data of the wrong length; through the new decoder (imagecodecs) and the old one (pydicom's plugins).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_edit import frame_of, replace_frame

from ichviewer.core.dicom.decode import UnreadablePixels, decode_stored
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.synthetic.dicom_writer import SYNTAXES, available_syntaxes
from ichviewer.core.volume import CTVolume, load_folder_volume

COMPRESSED = [s for s in available_syntaxes() if SYNTAXES[s].is_compressed]
NATIVE = [s for s in available_syntaxes() if not SYNTAXES[s].is_compressed]
VICTIM = 2
ITEM = b"\xfe\xff\x00\xe0"  # (FFFE,E000) Item, little endian as encapsulated data always is


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _load_named(paths: list[Path], small_hu: np.ndarray) -> tuple[CTVolume, str]:
    """Load the folder (checking it is left as it was); the reason given for the victim file."""
    folder = paths[0].parent
    before = _digests(folder)
    volume = load_folder_volume(folder)
    assert _digests(folder) == before
    lines = [line for line in volume.report.lines() if paths[VICTIM].name in line]
    assert lines, f"{paths[VICTIM].name} is not named in the load report: {volume.report.lines()}"
    np.testing.assert_array_equal(volume.hu, np.delete(small_hu, VICTIM, axis=0))
    return volume, lines[0]


def _pixel_data_start(path: Path) -> int:
    """Offset of the first byte of Pixel Data's value (after its element header)."""
    data = path.read_bytes()
    for tag in (b"\xe0\x7f\x10\x00", b"\x7f\xe0\x00\x10"):  # little, big endian
        at = data.rfind(tag)
        if at >= 0:
            vr = data[at + 4 : at + 6]
            return at + (12 if vr in (b"OB", b"OW") else 8)
    raise AssertionError(f"no Pixel Data in {path}")


@pytest.mark.parametrize("syntax", [s for s in available_syntaxes() if s != "deflated"])
def test_a_file_cut_inside_its_pixel_data(study: Callable[..., list[Path]], small_hu: np.ndarray, syntax: str) -> None:
    paths = study(syntax)
    victim = paths[VICTIM]
    start = _pixel_data_start(victim)
    victim.write_bytes(victim.read_bytes()[: start + (victim.stat().st_size - start) * 3 // 5])
    _, reason = _load_named(paths, small_hu)
    assert "truncated" in reason or "ends" in reason or "short" in reason, reason


def test_a_deflated_file_cut_short(study: Callable[..., list[Path]], small_hu: np.ndarray) -> None:
    paths = study("deflated")
    victim = paths[VICTIM]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size * 3 // 4])
    _load_named(paths, small_hu)


@pytest.mark.parametrize("syntax", COMPRESSED)
def test_a_codestream_cut_short_inside_a_whole_fragment(
    study: Callable[..., list[Path]], small_hu: np.ndarray, syntax: str
) -> None:
    paths = study(syntax)
    frame = frame_of(paths[VICTIM])
    replace_frame(paths[VICTIM], frame[: len(frame) // 2])
    (series,) = index_folder(paths[0].parent).series
    header = next((h for h in series.slices if h.path == paths[VICTIM]), None)
    if header is not None:  # else its frame header was already refused when indexing
        for prefer_imagecodecs in (True, False):
            with pytest.raises(UnreadablePixels):
                decode_stored(header, prefer_imagecodecs=prefer_imagecodecs)
    _load_named(paths, small_hu)


@pytest.mark.parametrize("syntax", COMPRESSED)
def test_a_fragment_whose_length_runs_past_the_data(
    study: Callable[..., list[Path]], small_hu: np.ndarray, syntax: str
) -> None:
    paths = study(syntax)
    victim = paths[VICTIM]
    data = bytearray(victim.read_bytes())
    start = _pixel_data_start(victim)
    assert data[start : start + 4] == ITEM  # the Basic Offset Table
    (table_length,) = struct.unpack("<L", data[start + 4 : start + 8])
    fragment = start + 8 + table_length
    assert data[fragment : fragment + 4] == ITEM
    (length,) = struct.unpack("<L", data[fragment + 4 : fragment + 8])
    data[fragment + 4 : fragment + 8] = struct.pack("<L", length + 4096)
    victim.write_bytes(bytes(data))
    _load_named(paths, small_hu)


@pytest.mark.parametrize("syntax", NATIVE)
def test_native_pixel_data_of_the_wrong_length(
    study: Callable[..., list[Path]], small_hu: np.ndarray, syntax: str
) -> None:
    paths = study(syntax)
    ds = pydicom.dcmread(paths[VICTIM])
    ds.PixelData = ds.PixelData[: -2 * 64]  # one row of 64 pixels missing, the length says so
    paths[VICTIM].unlink()
    ds.save_as(paths[VICTIM], enforce_file_format=True)
    _, reason = _load_named(paths, small_hu)
    assert "64×64" in reason or "bytes" in reason, reason
