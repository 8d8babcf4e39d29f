"""The load report: every file named, one line per reason, non-images not counted, plurals right."""

from __future__ import annotations

from pathlib import Path

from ichviewer.core.dicom.records import SkippedFile
from ichviewer.core.load_report import LoadReport, grouped, plural


def test_plurals() -> None:
    assert (plural(1, "problem"), plural(2, "problem"), plural(0, "file")) == ("1 problem", "2 problems", "0 files")
    assert plural(1, "study", "studies") == "1 study" and plural(3, "study", "studies") == "3 studies"


def test_files_with_one_reason_share_a_line_that_names_every_one() -> None:
    reason = "a named pipe (FIFO): not a regular file, never opened"
    skipped = [SkippedFile(Path(f"/study/s1/pipe{k}"), reason) for k in range(3)]
    (line,) = grouped(skipped)
    assert line == f"3 files in /study/s1 — {reason}: pipe0, pipe1, pipe2"
    assert grouped(skipped, Path("/study")) == [f"{reason} (3 files): s1/pipe0, s1/pipe1, s1/pipe2"]


def test_lines_and_summary() -> None:
    report = LoadReport(
        skipped=(
            SkippedFile(Path("/s/CT0002.dcm"), "file is truncated"),
            SkippedFile(Path("/s/README"), "not a DICOM file (by its name)", problem=False),
            SkippedFile(Path("/s/LICENSE"), "not a DICOM file (by its name)", problem=False),
        ),
        warnings=("Gantry tilt of 15.0°",),
        notes=("a repeat acquisition",),
    )
    assert report.summary() == "1 file skipped, 1 warning; 2 files ignored (not images); 1 note"
    assert report.problem_count == 2 and bool(report)
    assert report.lines() == [
        "warning: Gantry tilt of 15.0°",
        "note: a repeat acquisition",
        "skipped: /s/CT0002.dcm: file is truncated",
        "ignored: 2 files in /s — not a DICOM file (by its name): README, LICENSE",
    ]


def test_only_ignored_files_are_no_problem() -> None:
    report = LoadReport(skipped=(SkippedFile(Path("/s/README"), "not a DICOM file", problem=False),))
    assert not report and report.problem_count == 0
    assert LoadReport().summary() == "Nothing was skipped and the slice geometry is regular."


def test_merged_keeps_each_file_once() -> None:
    a = LoadReport((SkippedFile(Path("/s/a"), "x"),), ("w",), ("n",))
    merged = a.merged(LoadReport((SkippedFile(Path("/s/a"), "x"), SkippedFile(Path("/s/b"), "y")), (), ("n",)))
    assert [s.path.name for s in merged.skipped] == ["a", "b"] and merged.notes == ("n",)
