"""Opening a folder: the series a reader sees first, a clear reason when there is none, the folder's report."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.study_loading import NoCTSeries, choose_series, load_series, load_study
from ichviewer.core.synthetic.dicom_writer import write_series


def test_load_study_loads_the_default_series(tmp_path) -> None:  # type: ignore[no-untyped-def]
    hu = np.full((6, 32, 32), 30, np.int16)
    write_series(hu, tmp_path / "s")
    index, volume = load_study(tmp_path)
    assert volume.series is choose_series(index) and volume.n_slices == 6


def test_load_series_reports_every_slice_it_decodes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    write_series(np.zeros((5, 16, 16), np.int16), tmp_path / "s")
    (tmp_path / "s" / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    index = index_folder(tmp_path)
    seen: list[int] = []
    volume = load_series(index, index.series[0], on_slice=lambda i, hu: seen.append(i))
    assert sorted(seen) == list(range(5)) and volume.n_slices == 5
    assert any("scan.png" in line for line in volume.report.lines())  # the folder's skipped files too


def test_no_ct_series_says_what_was_found(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(NoCTSeries, match="No CT images found"):
        load_study(tmp_path)


def test_readme_licence_and_other_non_dicom_files_are_listed_once_not_counted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """By name (README, LICENSE, .txt/.pdf/.jpg) or by content (text without 'DICM'): ignored, not problems."""
    write_series(np.full((6, 32, 32), 30, np.int16), tmp_path / "s")
    for name in ("README", "LICENSE", "notes.txt", "report.pdf", "photo.jpg"):
        (tmp_path / name).write_text("not an image\n" * 40)
    (tmp_path / "s" / "info").write_text("Exported by a PACS on 2024-01-01\n" * 20)  # no suffix, text inside
    _, volume = load_study(tmp_path)
    report = volume.report
    assert report.problem_count == 0 and not report
    assert len(report.ignored) == 6 and report.summary().endswith("6 files ignored (not images)")
    assert sum(line.startswith("ignored:") for line in report.lines()) <= 2  # grouped by reason, each file named
    assert all(name in "\n".join(report.lines()) for name in ("README", "LICENSE", "notes.txt", "info"))
