"""The loader threads: first image early, empty and broken folders, a second folder cancels the first, clean close."""

from __future__ import annotations

import numpy as np


def test_first_image_comes_before_the_index_and_the_whole_series(qtbot, main_window, write_study) -> None:  # type: ignore[no-untyped-def]
    state, events = main_window.state, []
    state.events.preview.connect(lambda p: p is not None and events.append(f"first {p.index}"))
    state.events.index.connect(lambda i: i is not None and events.append("indexed"))
    state.events.thumbnail.connect(lambda uid: events.append("thumbnail"))
    state.events.volume.connect(lambda v: v is not None and events.append("loaded"))
    main_window.open_folder(write_study(n=40))
    qtbot.waitUntil(lambda: state.volume is not None and not state.loading.busy, timeout=20000)
    # file names in slice order: the middle file is shown before the folder is indexed (core.first_look),
    # then the series' middle slice decoded first (middle-out) with its thumbnail, then the whole series
    assert events == ["first 20", "indexed", "first 20", "thumbnail", "loaded"]
    np.testing.assert_array_equal(main_window.slice_view.shown_slice, state.volume.hu[20])


def test_without_a_first_look_the_middle_slice_still_comes_first(qtbot, main_window, write_study) -> None:  # type: ignore[no-untyped-def]
    folder = write_study(n=40)
    files = sorted((folder / "axial").iterdir())
    for k, order in enumerate(np.random.default_rng(0).permutation(len(files))):
        files[k].rename(files[k].with_name(f"IM{order:03d}"))  # names no longer in slice order
    state, events = main_window.state, []
    state.events.preview.connect(lambda p: p is not None and events.append(f"first {p.index}"))
    state.events.index.connect(lambda i: i is not None and events.append("indexed"))
    state.events.volume.connect(lambda v: v is not None and events.append("loaded"))
    main_window.open_folder(folder)
    qtbot.waitUntil(lambda: state.volume is not None, timeout=20000)
    assert events == ["indexed", "first 20", "loaded"]


def test_folder_without_dicom_shows_why(qtbot, main_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text("not a CT")
    main_window.open_folder(folder)
    state = main_window.state
    qtbot.waitUntil(lambda: not state.loading.busy, timeout=10000)
    assert "No CT images to show" in state.message and str(folder) in state.message
    assert main_window.slice_view.message == state.message and main_window.slice_view.shown_slice is None
    assert "readme.txt" in main_window.show_load_report().text.toPlainText()


def test_missing_folder_says_it_could_not_open(qtbot, main_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    main_window.open_folder(tmp_path / "nowhere")
    qtbot.waitUntil(lambda: bool(main_window.state.message), timeout=10000)
    assert "Could not open this study" in main_window.slice_view.message


def test_half_broken_folder_opens_and_the_report_lists_the_bad_files(main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    folder = write_study(n=12)
    files = sorted((folder / "axial").iterdir())
    damaged = files[3]
    damaged.write_bytes(damaged.read_bytes()[:-5000])  # header intact, pixel data cut short
    (folder / "axial" / "DICOMDIR.txt").write_text("junk")
    open_study(folder)
    assert main_window.state.volume.n_slices == 11
    text = main_window.show_load_report().text.toPlainText()
    assert damaged.name in text and "DICOMDIR.txt" in text
    assert "problems" in main_window.state.status


def test_second_folder_cancels_the_first(qtbot, main_window, write_study) -> None:  # type: ignore[no-untyped-def]
    big = write_study("big", n=80, size=256, seed=2)
    small = write_study("small", n=8, seed=3)
    state, seen = main_window.state, []
    state.events.volume.connect(lambda v: v is not None and seen.append(v.n_slices))
    main_window.open_folder(big)
    qtbot.waitUntil(lambda: state.loading.done > 0, timeout=10000)
    main_window.open_folder(small)
    qtbot.waitUntil(lambda: state.volume is not None, timeout=20000)
    qtbot.waitUntil(lambda: main_window.loader.running_threads() == 0, timeout=20000)
    qtbot.wait(100)
    assert seen == [8] and state.volume.n_slices == 8


def test_close_while_loading_leaves_no_thread(qtbot, main_window, write_study) -> None:  # type: ignore[no-untyped-def]
    main_window.open_folder(write_study("big", n=80, size=256, seed=2))
    qtbot.waitUntil(lambda: main_window.loader.running_threads() > 0, timeout=5000)
    main_window.close()
    assert main_window.loader.running_threads() == 0
