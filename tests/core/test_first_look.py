"""first_look: the middle slice of a one-series folder from three headers, exactly as the volume has it, or nothing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.first_look import first_look
from ichviewer.core.synthetic.dicom_writer import write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.volume import load_folder_volume

N = 9


@pytest.fixture(scope="module")
def hu() -> np.ndarray:
    return generate_phantom(PhantomSpec(seed=5, n_slices=N, size=64, pixel_mm=3.6, subtypes=("subdural",))).hu


def _check_matches_the_volume(folder: Path) -> int:
    look = first_look(folder)
    assert look is not None
    volume = load_folder_volume(folder)
    np.testing.assert_array_equal(look.hu, volume.hu[look.index])
    assert look.series.uid == volume.series.uid and look.series.slices[0].path == volume.slices[look.index].path
    return look.index


class TestFirstLook:
    @pytest.mark.parametrize("syntax", ["explicit", "jpeg-lossless", "j2k"])
    def test_names_in_slice_order_give_the_middle_slice(self, hu: np.ndarray, tmp_path: Path, syntax: str) -> None:
        write_series(hu, tmp_path / "s", syntax=syntax)
        assert _check_matches_the_volume(tmp_path / "s") == N // 2

    def test_names_against_the_slice_order(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "s")
        for k, path in enumerate(paths):  # the last slice gets the first name
            path.rename(path.with_name(f"tmp{k}"))
        for k in range(N):
            (tmp_path / "s" / f"tmp{k}").rename(tmp_path / "s" / f"IM{N - 1 - k:03d}")
        assert _check_matches_the_volume(tmp_path / "s") == N - 1 - N // 2

    def test_tilted_series(self, tmp_path: Path) -> None:
        tilted = generate_phantom(PhantomSpec(seed=2, n_slices=N, size=64, pixel_mm=3.6, tilt_deg=15))
        write_series(tilted.hu, tmp_path / "s", tilt_deg=15)
        _check_matches_the_volume(tmp_path / "s")

    @pytest.mark.parametrize("names", ["shuffled", "uid"])
    def test_names_out_of_slice_order_give_nothing(self, hu: np.ndarray, tmp_path: Path, names: str) -> None:
        write_series(hu, tmp_path / "s", file_names=names)
        assert first_look(tmp_path / "s") is None

    def test_a_missing_slice_gives_nothing(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "s")
        os.remove(paths[2])
        assert first_look(tmp_path / "s") is None

    def test_two_series_give_nothing(self, hu: np.ndarray, tmp_path: Path) -> None:
        write_series(hu, tmp_path / "study" / "a", uid_seed=1)
        write_series(hu, tmp_path / "study" / "b", uid_seed=2)
        assert first_look(tmp_path / "study") is None

    def test_an_unreadable_middle_file_gives_nothing(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "s")
        paths[N // 2].write_bytes(b"not dicom at all" * 10)
        assert first_look(tmp_path / "s") is None

    def test_damaged_pixels_give_nothing_and_the_file_is_untouched(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "s", syntax="jpeg-lossless")
        middle = paths[N // 2]
        middle.write_bytes(middle.read_bytes()[:-400])
        before = middle.read_bytes()
        assert first_look(tmp_path / "s") is None
        assert middle.read_bytes() == before

    def test_tiny_folders_give_nothing(self, hu: np.ndarray, tmp_path: Path) -> None:
        write_series(hu[:2], tmp_path / "s")
        (tmp_path / "empty").mkdir()
        assert first_look(tmp_path / "s") is None and first_look(tmp_path / "empty") is None
