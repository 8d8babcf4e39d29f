"""Bad input in a study folder: each case is named in the load report and the rest still loads."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pydicom
import pytest

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.synthetic.dicom_writer import write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.volume import load_folder_volume

N = 6


@pytest.fixture(scope="module")
def hu() -> np.ndarray:
    return generate_phantom(PhantomSpec(seed=4, n_slices=N, size=96, pixel_mm=2.4)).hu


@pytest.fixture
def series(hu: np.ndarray, tmp_path: Path) -> list[Path]:
    return write_series(hu, tmp_path / "study")


def _fingerprint(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in folder.iterdir()}


def _load_and_check_untouched(folder: Path):
    before = _fingerprint(folder)
    volume = load_folder_volume(folder)
    assert _fingerprint(folder) == before  # opened read-only, never modified
    return volume


def _reason_for(volume, path: Path) -> str:
    lines = [line for line in volume.report.lines() if path.name in line]
    assert lines, f"{path.name} not named in the load report: {volume.report.lines()}"
    return lines[0]


class TestBadFiles:
    def test_truncated_file(self, series: list[Path], hu: np.ndarray) -> None:
        victim = series[2]
        victim.write_bytes(victim.read_bytes()[:-3000])
        volume = _load_and_check_untouched(victim.parent)
        assert "truncated" in _reason_for(volume, victim)
        assert volume.n_slices == N - 1
        np.testing.assert_array_equal(volume.hu, np.delete(hu, 2, axis=0))

    def test_non_dicom_file(self, series: list[Path], hu: np.ndarray) -> None:
        stray = series[0].parent / "notes.txt"
        stray.write_text("scanner export log\n" * 20)
        volume = _load_and_check_untouched(stray.parent)
        assert "not a DICOM file" in _reason_for(volume, stray)
        np.testing.assert_array_equal(volume.hu, hu)

    def test_dicom_without_pixel_data(self, series: list[Path], hu: np.ndarray) -> None:
        ds = pydicom.dcmread(series[4])
        del ds.PixelData
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        extra = series[0].parent / "header_only.dcm"
        ds.save_as(extra, enforce_file_format=True)
        volume = _load_and_check_untouched(extra.parent)
        assert "no pixel data" in _reason_for(volume, extra)
        np.testing.assert_array_equal(volume.hu, hu)

    def test_slice_of_different_size(self, series: list[Path], hu: np.ndarray, tmp_path: Path) -> None:
        odd = write_series(hu[:1, :64, :80], tmp_path / "odd", uid_seed=0, file_names="uid")[0]
        ds = pydicom.dcmread(odd)
        ds.ImagePositionPatient = [0, 0, 2.5]
        moved = series[0].parent / "odd_size.dcm"
        ds.save_as(moved, enforce_file_format=True)
        volume = _load_and_check_untouched(moved.parent)
        reason = _reason_for(volume, moved)
        assert "80×64" in reason and "96×96" in reason
        np.testing.assert_array_equal(volume.hu, hu)

    @pytest.mark.parametrize("syntax", ["1.2.840.10008.1.2.4.50", "1.2.3.4.5.6.7"])
    def test_unsupported_transfer_syntax(self, series: list[Path], hu: np.ndarray, syntax: str) -> None:
        victim = series[5]
        ds = pydicom.dcmread(victim)
        ds.file_meta.TransferSyntaxUID = syntax
        ds.PixelData = pydicom.encaps.encapsulate([b"\xff\xd8garbage\xff\xd9"])
        ds["PixelData"].VR = "OB"
        victim.unlink()
        ds.save_as(victim, enforce_file_format=True)
        volume = _load_and_check_untouched(victim.parent)
        reason = _reason_for(volume, victim)
        assert "decode" in reason or "decoder" in reason or "compressed" in reason
        assert volume.n_slices == N - 1
        np.testing.assert_array_equal(volume.hu, hu[:5])


class TestBadFolders:
    def test_empty_folder(self, tmp_path: Path) -> None:
        (tmp_path / "empty").mkdir()
        with pytest.raises(ValueError, match="(?i)empty|no files|no CT"):
            load_folder_volume(tmp_path / "empty")

    def test_only_mr(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "mr")
        for path in paths:
            ds = pydicom.dcmread(path)
            ds.Modality = "MR"
            path.unlink()
            ds.save_as(path, enforce_file_format=True)
        index = index_folder(tmp_path / "mr")
        assert index.default_series() is None
        assert "MR" in (index.empty_reason() or "")
        with pytest.raises(ValueError, match="CT"):
            load_folder_volume(tmp_path / "mr")
