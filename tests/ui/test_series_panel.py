"""The series panel lists the index, shows thumbnails, and a click opens that series through the state."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_lists_series_with_thumbnails_and_click_switches(qtbot, main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study(n=12, second=20))
    panel, state = main_window.series_panel, main_window.state
    assert panel.count() == 2
    first = state.volume
    assert first.n_slices == 20 and first.series.description == "Axial 2.5mm"  # most images first
    other = next(s for s in state.index.series if s.uid != first.series.uid)
    qtbot.waitUntil(lambda: not panel.item_for(other.uid).icon().isNull())
    assert panel.item_for(other.uid).text() == "Axial 5mm brain\n#2 · 12 images · 5 mm"
    state.apply_preset("bone")
    rect = panel.visualItemRect(panel.item_for(other.uid))
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: state.volume is not None and state.volume.series.uid == other.uid, timeout=20000)
    assert state.volume.n_slices == 12 and state.slice_index == 6
    assert state.display.window.name == "bone"  # the window survives a series switch
    assert main_window.windowTitle() == "ichviewer — Axial 5mm brain"
    assert panel.currentItem() is panel.item_for(other.uid)
    assert main_window.slider.maximum() == 11


def test_a_phantom_scanned_twice_at_the_same_positions_is_two_entries(qtbot, main_window, open_study, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Same series, same positions, other pixels (a re-scan): nothing dropped, the repeat labelled as such."""
    import pydicom
    from dicom_edit import rewrite

    from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study

    folder = tmp_path / "study"
    first = write_phantom_study(generate_phantom(PhantomSpec(seed=3, n_slices=8, size=96)), folder / "first")
    header = pydicom.dcmread(next(first.glob("*.dcm")), stop_before_pixels=True)
    second = generate_phantom(PhantomSpec(seed=4, n_slices=8, size=96, subtypes=("subdural",)))
    rescan = write_phantom_study(
        second, folder / "rescan", uid_seed=4, study_uid=header.StudyInstanceUID, series_uid=header.SeriesInstanceUID
    )
    for k, path in enumerate(sorted(rescan.glob("*.dcm"))):  # a re-scan has its own instances
        rewrite(path, SOPInstanceUID=f"2.25.{1000 + k}", AcquisitionNumber=2)
    open_study(folder)
    state, panel = main_window.state, main_window.series_panel
    assert [s.n_images for s in state.index.series] == [8, 8] and not state.index.problems
    repeat = state.index.series[1]
    assert repeat.repeat == 2
    assert panel.item_for(repeat.uid).text() == (
        "Axial 5mm brain (synthetic phantom)\n⟳ repeat acquisition 2\n#2 · 8 images · 5 mm"
    )
    assert "a repeat acquisition, kept as its own stack" in panel.item_for(repeat.uid).toolTip()
    assert "repeat" not in panel.item_for(state.index.series[0].uid).text()
