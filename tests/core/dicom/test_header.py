"""One file's header: every value checked before use; a bad one makes the file a plain-words report entry."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_edit import rewrite, set_number, set_value

from ichviewer.core.dicom import header as header_module
from ichviewer.core.dicom.header import read_file_header
from ichviewer.core.dicom.walk import UnusableFile


def _refused(path: Path) -> UnusableFile:
    with pytest.raises(UnusableFile) as caught:
        read_file_header(path)
    return caught.value


class TestRescale:
    @pytest.mark.parametrize(
        ("keyword", "value", "words"),
        [
            ("RescaleIntercept", "1e308", "outside"),
            ("RescaleIntercept", "-1e300", "outside"),
            ("RescaleIntercept", "nan", "not a finite number"),
            ("RescaleSlope", "", "present but empty"),
            ("RescaleSlope", "-inf", "not a finite number"),
            ("RescaleSlope", "0", "outside"),
            ("RescaleSlope", "-1", "outside"),
            ("RescaleSlope", "1\\2", "has 2 values"),
            ("RescaleSlope", "one", "not a finite number"),
        ],
    )
    def test_bad_values_are_named(self, study: Callable[..., list[Path]], keyword: str, value: str, words: str) -> None:
        path = study()[0]
        set_value(path, keyword, value)
        reason = str(_refused(path))
        assert words in reason
        assert {"RescaleIntercept": "Rescale Intercept (0028,1052)", "RescaleSlope": "Rescale Slope (0028,1053)"}[
            keyword
        ] in reason

    def test_fractional_slope_is_kept(self, study: Callable[..., list[Path]]) -> None:
        header = read_file_header(study(slope=0.5)[0]).slice
        assert (header.rescale_slope, header.rescale_intercept, header.has_rescale) == (0.5, 0.0, True)

    def test_missing_rescale_means_identity(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        rewrite(path, RescaleSlope=None, RescaleIntercept=None)
        header = read_file_header(path).slice
        assert (header.rescale_slope, header.rescale_intercept, header.has_rescale) == (1.0, 0.0, False)


class TestImageFormat:
    @pytest.mark.parametrize(("rows", "columns"), [(60000, 60000), (8, 8), (65535, 64)])
    def test_impossible_sizes(self, study: Callable[..., list[Path]], rows: int, columns: int) -> None:
        path = study()[0]
        set_number(path, "Rows", rows)
        set_number(path, "Columns", columns)
        reason = str(_refused(path))
        assert f"{columns}×{rows}" in reason and "no CT slice has that size" in reason

    def test_rows_and_columns_that_do_not_match_the_pixel_data(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        set_number(path, "Rows", 32)
        reason = str(_refused(path))
        assert "pixel data holds 8,192 bytes" in reason and "64×32" in reason

    @pytest.mark.parametrize(
        ("keyword", "number", "words"),
        [
            ("BitsAllocated", 12, "Bits Allocated (0028,0100) is 12"),
            ("BitsAllocated", 32, "Bits Allocated (0028,0100) is 32"),
            ("BitsStored", 17, "Bits Stored (0028,0101) is 17: outside 1…16"),
            ("PixelRepresentation", 2, "Pixel Representation (0028,0103) is 2"),
            ("SamplesPerPixel", 3, "colour image (3 samples per pixel"),
        ],
    )
    def test_bad_format_values(self, study: Callable[..., list[Path]], keyword: str, number: int, words: str) -> None:
        path = study()[0]
        set_number(path, keyword, number)
        assert words in str(_refused(path))

    def test_multi_frame(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        rewrite(path, NumberOfFrames=2)
        assert "multi-frame image (2 frames)" in str(_refused(path))


class TestGeometryValues:
    @pytest.mark.parametrize(
        ("keyword", "value", "words"),
        [
            ("PixelSpacing", "0\\0.45", "Pixel Spacing (0028,0030) is '0'"),
            ("PixelSpacing", "0.45", "has 1 value, expected 2 values"),
            ("ImagePositionPatient", "1\\2", "has 2 values, expected 3 values"),
            ("ImagePositionPatient", "1\\nan\\3", "not a finite number"),
            ("ImagePositionPatient", "1e300\\0\\0", "outside"),
            ("ImageOrientationPatient", "1\\0\\0\\1\\0\\0", "not two perpendicular unit vectors"),
            ("ImageOrientationPatient", "2\\0\\0\\0\\1\\0", "outside"),
        ],
    )
    def test_bad_geometry_is_refused(
        self, study: Callable[..., list[Path]], keyword: str, value: str, words: str
    ) -> None:
        path = study()[0]
        set_value(path, keyword, value)
        assert words in str(_refused(path))

    def test_descriptive_values_that_are_bad_read_as_absent(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        set_value(path, "WindowCenter", "abc")
        set_value(path, "SliceThickness", "-5")
        set_value(path, "InstanceNumber", "1.5")
        header = read_file_header(path).slice
        assert (header.window_center, header.slice_thickness, header.instance_number) == (None, None, None)


class TestPixelData:
    def test_truncated(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        path.write_bytes(path.read_bytes()[:-1000])
        assert "file is truncated: pixel data needs 8,192 bytes, only 7,192 present" in str(_refused(path))

    def test_header_only(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        rewrite(path, PixelData=None)
        assert "no pixel data" in str(_refused(path))

    def test_compressed_syntax_over_native_data(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        set_value(path, "TransferSyntaxUID", "1.2.840.10008.1.2.4.90\0")
        reason = str(_refused(path))
        assert "JPEG 2000" in reason and "not encapsulated" in reason

    def test_empty_and_huge_files(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "empty").write_bytes(b"")
        assert "empty file (0 bytes)" in str(_refused(tmp_path / "empty"))
        monkeypatch.setattr(header_module, "MAX_FILE_BYTES", 1000)
        (tmp_path / "big").write_bytes(b"\0" * 2000)
        assert "far larger than one CT slice" in str(_refused(tmp_path / "big"))

    def test_deflate_bomb_is_refused(self, study: Callable[..., list[Path]], monkeypatch: pytest.MonkeyPatch) -> None:
        path = study("deflated")[0]
        data = path.read_bytes()
        (meta_length,) = struct.unpack("<L", data[140:144])
        start = 144 + meta_length
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        bomb = compressor.compress(b"\0" * (120 * 2**20)) + compressor.flush()
        assert len(bomb) < 200_000
        path.write_bytes(data[:start] + bomb)
        assert "inflates to more than" in str(_refused(path))

    def test_deflated_file_reads(self, study: Callable[..., list[Path]]) -> None:
        header = read_file_header(study("deflated")[0]).slice
        assert header.layout is not None and header.layout.deflated_from is not None


class TestNotCT:
    def test_text_and_random_bytes_are_not_dicom_and_not_problems(self, tmp_path: Path) -> None:
        (tmp_path / "log").write_text("scanner export log\n" * 50)
        (tmp_path / "noise").write_bytes(np.random.default_rng(0).bytes(5000))
        for name in ("log", "noise"):
            problem = _refused(tmp_path / name)
            assert str(problem) == "not a DICOM file" and not problem.problem

    def test_other_modality_is_listed_not_counted(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        rewrite(path, Modality="MR")
        problem = _refused(path)
        assert "MR object, not CT" in str(problem) and not problem.problem

    def test_localizer(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        rewrite(path, ImageType=["ORIGINAL", "PRIMARY", "LOCALIZER"])
        assert "scout/localizer" in str(_refused(path))

    def test_dicomdir_by_content(self, study: Callable[..., list[Path]]) -> None:
        path = study()[0]
        rewrite(path, SOPClassUID="1.2.840.10008.1.3.10")
        problem = _refused(path)
        assert "DICOMDIR" in str(problem) and not problem.problem


def test_no_attributes_are_added_to_pydicom_datasets(study: Callable[..., list[Path]]) -> None:
    path = study()[0]
    read_file_header(path)
    assert not any(name.startswith("ichviewer") for name in dir(pydicom.dcmread(path)))
