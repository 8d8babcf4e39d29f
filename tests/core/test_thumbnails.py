"""Series thumbnails: brain-window middle slice, icon sized, from memory for the loaded series."""

from __future__ import annotations

import numpy as np

from ichviewer.core import thumbnails
from ichviewer.core.dicom.decode import UnreadablePixels
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.study_loading import load_study
from ichviewer.core.synthetic.dicom_writer import series_uids, write_series
from ichviewer.core.thumbnails import middle_slice_hu, series_thumbnails, thumbnail
from ichviewer.core.windowing import PRESETS, apply_window


def test_thumbnail_is_the_windowed_slice_shrunk() -> None:
    hu = np.arange(-1000, -1000 + 256 * 256, dtype=np.int32).reshape(256, 256).clip(-1000, 3000).astype(np.int16)
    small = thumbnail(hu)
    assert small.shape == (128, 128) and small.dtype == np.uint8
    np.testing.assert_array_equal(small, apply_window(hu, PRESETS["brain"])[::2, ::2])


def test_every_series_gets_one_and_an_undecodable_one_is_left_out(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    study, _, _ = series_uids(uid_seed=4)
    hu = np.stack([np.full((64, 64), 10 * k, np.int16) for k in range(9)])
    for number, n in ((1, 9), (2, 5), (3, 3)):
        write_series(hu[:n], tmp_path / str(number), study_uid=study, series_number=number, uid_seed=4)
    index, volume = load_study(tmp_path)
    assert len(index.series) == 3 and volume.n_slices == 9
    second = next(s for s in index.series if s.n_images == 5)
    assert middle_slice_hu(second)[0, 0] == 20
    third = next(s for s in index.series if s.n_images == 3)
    real = thumbnails.read_slice_hu

    def read(header, *flips):  # type: ignore[no-untyped-def]
        if header in third.slices:
            raise UnreadablePixels(f"{header.path}: JPEG 2000 stream ends early")
        return real(header, *flips)

    monkeypatch.setattr(thumbnails, "read_slice_hu", read)
    thumbs = dict(series_thumbnails(index_folder(tmp_path), volume))
    assert set(thumbs) == {volume.series.uid, second.uid} and all(t.shape == (64, 64) for t in thumbs.values())
    assert thumbs[volume.series.uid][0, 0] == apply_window(volume.hu[4], PRESETS["brain"])[0, 0]
