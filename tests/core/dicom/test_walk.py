"""The folder walk: regular files only, special files named and never opened, links followed without loops."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from ichviewer.core.dicom.records import SkippedFile
from ichviewer.core.dicom.walk import UnusableFile, not_dicom_by_name, open_regular, read_at, study_files

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets and /dev exist on POSIX systems")


def _walk(root: Path) -> tuple[list[str], dict[str, str]]:
    files, skipped = [], {}
    for entry in study_files(root):
        if isinstance(entry, SkippedFile):
            skipped[entry.path.name] = entry.reason
        else:
            files.append(entry.name)
    return files, skipped


class TestSpecialFiles:
    def test_fifo_socket_and_device_links_are_named_not_opened(self, tmp_path: Path) -> None:
        (tmp_path / "IM0001").write_bytes(b"x" * 200)
        os.mkfifo(tmp_path / "pipe")
        (tmp_path / "zero").symlink_to("/dev/zero")
        (tmp_path / "random").symlink_to("/dev/urandom")
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(tmp_path / "sock"))
            files, skipped = _walk(tmp_path)
        assert files == ["IM0001"]
        assert "named pipe (FIFO)" in skipped["pipe"] and "not a regular file" in skipped["pipe"]
        assert "/dev/zero" in skipped["zero"] and "character device" in skipped["zero"]
        assert "/dev/urandom" in skipped["random"]
        assert "socket" in skipped["sock"]

    def test_symlink_loops_and_broken_links(self, tmp_path: Path) -> None:
        (tmp_path / "a").symlink_to(tmp_path / "b")
        (tmp_path / "b").symlink_to(tmp_path / "a")
        (tmp_path / "gone").symlink_to(tmp_path / "missing")
        files, skipped = _walk(tmp_path)
        assert files == []
        assert "loops back on itself" in skipped["a"] and "loops back on itself" in skipped["b"]
        assert "missing file" in skipped["gone"]

    def test_links_to_files_and_folders_are_followed_once(self, tmp_path: Path) -> None:
        series = tmp_path / "series"
        series.mkdir()
        (series / "IM0001").write_bytes(b"x")
        (tmp_path / "link_to_file").symlink_to(series / "IM0001")
        (series / "back_to_parent").symlink_to(tmp_path)  # a folder loop
        files, skipped = _walk(tmp_path)
        assert sorted(files) == ["IM0001", "link_to_file"]
        assert skipped == {}

    def test_open_regular_refuses_a_fifo_without_blocking(self, tmp_path: Path) -> None:
        os.mkfifo(tmp_path / "pipe")  # opening it for reading would block forever without O_NONBLOCK
        with pytest.raises(UnusableFile, match="not a regular file"):
            open_regular(tmp_path / "pipe")

    def test_open_regular_refuses_dev_zero(self) -> None:
        with pytest.raises(UnusableFile, match="character device"):
            open_regular(Path("/dev/zero"))


class TestNames:
    @pytest.mark.parametrize("name", ["README", "LICENSE", "readme.md", "notes.txt", "photo.JPG", "Thumbs.db"])
    def test_plainly_not_dicom(self, name: str) -> None:
        assert "not a DICOM file" in (not_dicom_by_name(Path(name)) or "")

    @pytest.mark.parametrize("name", ["DICOMDIR", "DIRFILE"])
    def test_dicomdir(self, name: str) -> None:
        assert "DICOMDIR" in (not_dicom_by_name(Path(name)) or "")

    @pytest.mark.parametrize("name", ["IM0001", "CT0001.dcm", "1.2.840.113619.2.55.3", "file.DCM", "I10"])
    def test_image_names_are_read(self, name: str) -> None:
        assert not_dicom_by_name(Path(name)) is None

    def test_hidden_files_and_phantom_sidecars_are_passed_over(self, tmp_path: Path) -> None:
        for name in (".DS_Store", "ground_truth.json", "IM1"):
            (tmp_path / name).write_bytes(b"x")
        assert _walk(tmp_path) == (["IM1"], {})


def test_reads_stop_at_the_size_the_file_had_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abcdef")
    file = open_regular(path)
    try:
        with open(path, "ab") as grow:
            grow.write(b"appended later")
        assert read_at(file, 2, 2**40) == b"cdef"
        assert read_at(file, 10, 5) == b""
    finally:
        file.fp.close()
