"""Loading a series: every core decodes, bad slices are named and dropped, values are never silently changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from dicom_edit import set_number

from ichviewer.core import volume as volume_module
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.synthetic.dicom_writer import write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.volume import UnreadableSeries, load_volume, middle_out, read_slice_hu

N = 6


@pytest.fixture(scope="module")
def hu() -> np.ndarray:
    return generate_phantom(PhantomSpec(seed=8, n_slices=N, size=64, pixel_mm=3.6)).hu


def _series(folder: Path):
    (series,) = index_folder(folder).series
    return series


def _edit(path: Path, **numbers: int) -> None:
    for keyword, value in numbers.items():
        set_number(path, keyword, value)


class TestValuesNeverChangeSilently:
    def test_flipped_pixel_representation_on_12_bit_data_is_refused(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "s", unsigned=True, spacing=(5.0, 3.6, 3.6))
        for path in paths:
            _edit(path, BitsStored=12, HighBit=11)  # 0…4095 fits: bone above 1024 HU has bit 11 set
        _edit(paths[3], PixelRepresentation=1)
        volume = load_volume(_series(tmp_path / "s"))
        (problem,) = volume.report.problems
        assert problem.path == paths[3]
        assert "Pixel Representation 1 differ from other slices of the series (12 / 0)" in problem.reason
        np.testing.assert_array_equal(volume.hu, np.delete(hu, 3, axis=0))

    def test_without_a_majority_every_slice_must_read_the_same_both_ways(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "s", unsigned=True, spacing=(5.0, 3.6, 3.6))
        for k, path in enumerate(paths):
            _edit(path, BitsStored=12, HighBit=11, **({"PixelRepresentation": 1} if k % 2 else {}))
        with pytest.raises(UnreadableSeries) as caught:  # every slice has bone above 1024 HU (bit 11 set)
            load_volume(_series(tmp_path / "s"))
        assert {s.path for s in caught.value.skipped} == set(paths)
        assert all("cannot tell which is right" in s.reason for s in caught.value.skipped)

    def test_flipped_representation_that_changes_nothing_loads(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "s", unsigned=True, spacing=(5.0, 3.6, 3.6))
        _edit(paths[1], PixelRepresentation=1)  # 16 bits stored, every value below 32768: same numbers
        volume = load_volume(_series(tmp_path / "s"))
        np.testing.assert_array_equal(volume.hu, hu)
        assert not volume.report

    def test_signed_data_read_as_unsigned_is_refused_as_impossible_hu(self, hu: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(hu, tmp_path / "s", spacing=(5.0, 3.6, 3.6))
        for path in paths:
            _edit(path, PixelRepresentation=0)
        with pytest.raises(ValueError, match="none of the 6 slices.*outside -1024…3071 HU"):
            load_volume(_series(tmp_path / "s"))


class TestLoad:
    def test_a_reader_bug_costs_one_slice_not_the_study(
        self, hu: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        paths = write_series(hu, tmp_path / "s", spacing=(5.0, 3.6, 3.6))
        real = volume_module.decode_stored

        def buggy(header, **kw):
            if header.path == paths[2]:
                raise RuntimeError("bug")
            return real(header, **kw)

        monkeypatch.setattr(volume_module, "decode_stored", buggy)
        volume = load_volume(_series(tmp_path / "s"))
        assert volume.n_slices == N - 1
        assert "unexpected RuntimeError: bug" in volume.report.problems[0].reason

    def test_memory_cap(self, hu: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        write_series(hu, tmp_path / "s", spacing=(5.0, 3.6, 3.6))
        monkeypatch.setattr(volume_module, "available_bytes", lambda: 10_000)
        with pytest.raises(ValueError, match="needs 0.0 GB for 6 slices of 64×64, but only 0.0 GB of memory"):
            load_volume(_series(tmp_path / "s"))

    def test_slices_arrive_middle_first_on_several_workers(self, hu: np.ndarray, tmp_path: Path) -> None:
        write_series(hu, tmp_path / "s", syntax="jpeg-lossless", spacing=(5.0, 3.6, 3.6))
        seen: list[int] = []
        volume = load_volume(_series(tmp_path / "s"), on_slice=lambda k, _: seen.append(k), workers=3)
        assert seen[0] == N // 2 and sorted(seen) == list(range(N))
        np.testing.assert_array_equal(volume.hu, hu)

    def test_single_slice_api(self, hu: np.ndarray, tmp_path: Path) -> None:
        write_series(hu, tmp_path / "s", syntax="j2k", spacing=(5.0, 3.6, 3.6))
        series = _series(tmp_path / "s")
        middle = sorted(series.slices, key=lambda h: h.instance_number or 0)[3]
        np.testing.assert_array_equal(read_slice_hu(middle), hu[3])
        np.testing.assert_array_equal(read_slice_hu(middle, flip_rows=True, flip_columns=True), hu[3, ::-1, ::-1])


def test_when_every_slice_of_a_size_fails_the_others_get_their_turn(hu: np.ndarray, tmp_path: Path) -> None:
    paths = write_series(hu[:2], tmp_path / "s", syntax="rle", spacing=(5.0, 3.6, 3.6))
    _edit(paths[0], Rows=17)  # RLE states no size: the tie on size may pick this one, which cannot decode
    volume = load_volume(_series(tmp_path / "s"))
    np.testing.assert_array_equal(volume.hu, hu[1:2])
    (problem,) = volume.report.problems
    assert problem.path == paths[0] and "RLE" in problem.reason


def test_middle_out() -> None:
    assert middle_out(5) == [2, 3, 1, 4, 0]
    assert middle_out(1) == [0]
