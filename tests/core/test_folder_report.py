"""`ichviewer info`'s text: every series (repeats too), and every file left out named, grouped by reason."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pydicom
from dicom_edit import rewrite

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.folder_report import describe_folder, describe_index
from ichviewer.core.synthetic.dicom_writer import write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom


def _study(tmp_path: Path) -> tuple[np.ndarray, list[Path]]:
    hu = generate_phantom(PhantomSpec(seed=6, n_slices=5, size=64, pixel_mm=3.6)).hu
    return hu, write_series(hu, tmp_path / "study", spacing=(5.0, 3.6, 3.6))


def test_every_left_out_file_is_named_however_many(tmp_path: Path) -> None:
    _, paths = _study(tmp_path)
    for k in range(30):
        truncated = tmp_path / "study" / "cut" / f"IM{k:03d}"
        truncated.parent.mkdir(exist_ok=True)
        truncated.write_bytes(paths[0].read_bytes()[:-100])
    (tmp_path / "study" / "README").write_text("about this export")
    if os.name == "posix":
        os.mkfifo(tmp_path / "study" / "pipe")
    text = describe_folder(tmp_path / "study")
    for k in range(30):
        assert f"cut/IM{k:03d}" in text
    assert "README" in text and "more (use --verbose)" not in text and "files like it" not in text
    assert f"Skipped {30 + (os.name == 'posix')} files" in text
    assert "Ignored 1 file (not CT images; not counted as problems):" in text
    assert "1 study, 1 CT series" in text


def test_verbose_gives_each_file_its_own_line_with_the_full_path(tmp_path: Path) -> None:
    _, paths = _study(tmp_path)
    (tmp_path / "study" / "notes.txt").write_text("x")
    text = describe_folder(tmp_path / "study", verbose=True)
    assert f"{tmp_path / 'study' / 'notes.txt'}: not a DICOM file (by its name)" in text


def test_a_repeat_acquisition_is_listed_as_its_own_series_with_a_note(tmp_path: Path) -> None:
    hu, paths = _study(tmp_path)
    uid = str(pydicom.dcmread(paths[0], stop_before_pixels=True).SeriesInstanceUID)
    repeat = write_series(hu[:2] + 20, tmp_path / "study" / "r", spacing=(5.0, 3.6, 3.6), series_uid=uid)
    for k, path in enumerate(repeat):
        rewrite(path, SOPInstanceUID=f"2.25.{k + 7}", AcquisitionNumber=2)
    text = describe_index(index_folder(tmp_path / "study"))
    assert "(repeat 2) (CT, 2 images)" in text and "(CT, 5 images)" in text
    assert "a repeat acquisition, kept as its own stack (repeat 2: 2 images)" in text


def test_identical_copies_are_listed_as_ignored_not_skipped(tmp_path: Path) -> None:
    _, paths = _study(tmp_path)
    shutil.copy(paths[2], tmp_path / "study" / "again.dcm")
    text = describe_folder(tmp_path / "study")
    assert "Skipped" not in text
    assert "again.dcm: an identical copy of CT0003.dcm (same SOP Instance UID, same position): left out" in text
