"""Indexing a folder: series and stacks, repeat acquisitions kept apart, copies and bad files named."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_edit import rewrite, set_value

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.synthetic.dicom_writer import write_series
from ichviewer.core.volume import load_volume


def _repeat_of(first: list[Path], hu: np.ndarray, folder: Path, n: int, **tags: object) -> list[Path]:
    """`n` images at the positions of the first `n` of `first`, same series, other pixels and SOP UIDs."""
    series_uid = str(pydicom.dcmread(first[0], stop_before_pixels=True).SeriesInstanceUID)
    paths = write_series(hu[:n] + 30, folder, spacing=(5.0, 3.6, 3.6), series_uid=series_uid, file_names="uid")
    for k, path in enumerate(paths):
        rewrite(path, SOPInstanceUID=f"2.25.{1000 + k}", **tags)
    return paths


class TestRepeatAcquisition:
    def test_same_positions_with_other_pixels_become_a_second_stack(
        self, study: Callable[..., list[Path]], small_hu: np.ndarray, tmp_path: Path
    ) -> None:
        first = study()
        repeat = _repeat_of(first, small_hu, tmp_path / "study" / "rescan", 3, AcquisitionNumber=2)
        index = index_folder(tmp_path / "study")
        main, second = index.series
        assert (main.n_images, second.n_images) == (6, 3)
        assert second.repeat == 2 and "(repeat 2)" in second.description and second.uid.endswith("#repeat2")
        assert {h.path for h in second.slices} == set(repeat)
        assert index.default_series() is main
        assert "repeat acquisition" in main.notes[0] and "repeat 2: 3 images" in main.notes[0]
        assert not index.skipped  # nothing dropped as a "duplicate"
        np.testing.assert_array_equal(load_volume(second).hu, small_hu[:3] + 30)
        loaded = load_volume(main)
        np.testing.assert_array_equal(loaded.hu, small_hu)
        assert any("repeat acquisition" in line for line in loaded.report.lines())

    def test_without_acquisition_numbers_or_instance_numbers(
        self, study: Callable[..., list[Path]], small_hu: np.ndarray, tmp_path: Path
    ) -> None:
        first = study()
        repeat = _repeat_of(first, small_hu, tmp_path / "study" / "zz", 2)
        for path in first + repeat:  # as in the RSNA data: no numbers, no times
            rewrite(path, AcquisitionNumber=None, InstanceNumber=None)
        index = index_folder(tmp_path / "study")
        assert [s.n_images for s in index.series] == [6, 2]

    def test_images_only_the_repeat_covers_join_it_by_acquisition_number(
        self, study: Callable[..., list[Path]], small_hu: np.ndarray, tmp_path: Path
    ) -> None:
        first = study()
        for path in first[4:]:
            path.unlink()  # the first acquisition stopped after 4 slices …
        _repeat_of(first, small_hu, tmp_path / "study" / "rescan", 6, AcquisitionNumber=2)  # … the repeat covers 6
        assert [s.n_images for s in index_folder(tmp_path / "study").series] == [4, 6]


class TestCopies:
    def test_identical_pixels_at_the_same_position_are_left_out_and_said_so(
        self, study: Callable[..., list[Path]], tmp_path: Path
    ) -> None:
        first = study()
        copy = tmp_path / "study" / "copy_of_1.dcm"
        shutil.copy(first[0], copy)
        rewrite(copy, SOPInstanceUID="2.25.77")
        twin = tmp_path / "study" / "same_uid.dcm"
        shutil.copy(first[1], twin)
        index = index_folder(tmp_path / "study")
        assert [s.n_images for s in index.series] == [6]
        reasons = {s.path.name: s for s in index.skipped}
        copy_reason = reasons["copy_of_1.dcm"].reason
        assert "identical copy of CT0001.dcm" in copy_reason and "same pixels" in copy_reason
        assert "same SOP Instance UID" in reasons["same_uid.dcm"].reason
        assert not reasons["copy_of_1.dcm"].problem and index.problems == ()


class TestSeriesConsistency:
    def test_a_slice_whose_rescale_differs_is_left_out_with_both_values(self, study: Callable[..., list[Path]]) -> None:
        paths = study(unsigned=True)
        set_value(paths[2], "RescaleIntercept", "-1014")
        index = index_folder(paths[0].parent)
        (problem,) = index.problems
        assert problem.path == paths[2]
        assert "intercept -1014" in problem.reason and "other 5 slices" in problem.reason and "-1024" in problem.reason
        assert index.series[0].n_images == 5


class TestFolder:
    def test_parallel_and_sequential_indexing_agree(self, study: Callable[..., list[Path]], tmp_path: Path) -> None:
        study()
        study("jpegls", folder="study/b")
        (tmp_path / "study" / "README").write_text("hello")
        one, two = index_folder(tmp_path / "study", workers=1), index_folder(tmp_path / "study", workers=4)
        assert [(s.uid, [h.path for h in s.slices]) for s in one.series] == [
            (s.uid, [h.path for h in s.slices]) for s in two.series
        ]
        assert one.skipped == two.skipped

    def test_not_dicom_files_are_listed_not_counted(self, study: Callable[..., list[Path]], tmp_path: Path) -> None:
        study()
        for name in ("README", "LICENSE", "notes.txt", "scan.jpg", "DICOMDIR"):
            (tmp_path / "study" / name).write_text("x")
        index = index_folder(tmp_path / "study")
        assert len(index.skipped) == 5 and index.problems == ()
        assert index.files_seen == 11

    def test_missing_folder(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError):
            index_folder(tmp_path / "nowhere")


def test_without_a_majority_on_rescale_no_slice_is_trusted(study: Callable[..., list[Path]]) -> None:
    paths = study(unsigned=True)
    for path in paths[:3]:
        set_value(path, "RescaleIntercept", "-1000")
    index = index_folder(paths[0].parent)
    assert index.series == () and len(index.problems) == 6
    assert "disagree on rescale" in index.problems[0].reason and "in 3 slices" in index.problems[0].reason


def test_the_default_series_is_the_reading_thickness_not_the_thin_one(tmp_path: Path) -> None:
    hu = np.full((40, 16, 16), 30, dtype=np.int16)
    write_series(
        hu, tmp_path / "thin", spacing=(0.625, 1.0, 1.0), series_number=3, series_description="1mm", uid_seed=1
    )
    write_series(hu[:8], tmp_path / "thick", spacing=(5.0, 1.0, 1.0), series_number=2, series_description="5mm")
    index = index_folder(tmp_path)
    assert index.default_series().description == "5mm"  # type: ignore[union-attr]
