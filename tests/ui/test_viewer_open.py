"""Opening studies: series panel, empty and half-broken folders, cancelling a load, drop, dialogs."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from ichviewer.core.windowing import apply_window


class TestSeriesPanel:
    def test_lists_series_with_thumbnails_and_click_switches(self, qtbot, main_window, write_study, open_study):
        open_study(write_study(n=12, second=20))
        panel, view = main_window.series_panel, main_window.slice_view
        assert panel.count() == 2
        first = main_window.volume
        assert first.n_slices == 20 and first.series.description == "Axial 2.5mm"  # most images first
        other = next(s for s in main_window.index.series if s.uid != first.series.uid)
        qtbot.waitUntil(lambda: not panel.item_for(other.uid).icon().isNull())
        assert "Axial 5mm brain\n#2 · 12 images · 5 mm" == panel.item_for(other.uid).text()
        qtbot.keyClick(main_window, Qt.Key.Key_3)
        with qtbot.waitSignal(main_window.volumeLoaded, timeout=20000) as blocker:
            rect = panel.visualItemRect(panel.item_for(other.uid))
            qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        volume = blocker.args[0]
        assert volume.series.uid == other.uid and main_window.volume is volume
        assert volume.n_slices == 12 and view.index == 6
        assert view.window.name == "bone"  # the window survives a series switch
        np.testing.assert_array_equal(view.displayed_image, apply_window(volume.hu[6], view.window))
        assert main_window.slider.maximum() == 11
        assert main_window.windowTitle() == "ichviewer — Axial 5mm brain"
        assert panel.currentItem() is panel.item_for(other.uid)


class TestFirstImage:
    def test_first_image_comes_before_the_whole_series(self, qtbot, main_window, write_study):
        events: list[str] = []
        main_window.loader.firstSlice.connect(lambda i, hu, s: events.append(f"first {i}"))
        main_window.loader.loaded.connect(lambda v: events.append("loaded"))
        with qtbot.waitSignal(main_window.volumeLoaded, timeout=20000):
            main_window.open_folder(write_study(n=40))
        # middle-out decoding: an image from the middle of the stack is shown before the series is loaded
        # (decoder threads race, so the first one done may be a neighbour of slice 20)
        assert len(events) == 2 and events[1] == "loaded" and events[0].startswith("first ")
        assert abs(int(events[0].split()[1]) - 20) <= 2


class TestBadFolders:
    def test_folder_without_dicom_shows_a_message(self, qtbot, main_window, tmp_path):
        folder = tmp_path / "notes"
        folder.mkdir()
        (folder / "readme.txt").write_text("not a CT")
        with qtbot.waitSignal(main_window.loader.empty, timeout=10000):
            main_window.open_folder(folder)
        message = main_window.slice_view.message
        assert "No CT images to show" in message and str(folder) in message
        assert main_window.slice_view._message.isVisible()
        assert main_window.volume is None and main_window.slice_view.displayed_image is None
        assert "readme.txt" in main_window.show_load_report().text.toPlainText()

    def test_missing_folder_reports_failure(self, qtbot, main_window, tmp_path):
        with qtbot.waitSignal(main_window.loader.failed, timeout=10000):
            main_window.open_folder(tmp_path / "nowhere")
        assert "Could not open this study" in main_window.slice_view.message

    def test_half_broken_folder_opens_and_report_lists_the_bad_files(self, qtbot, main_window, write_study, open_study):
        folder = write_study(n=12)
        files = sorted((folder / "axial").iterdir())
        damaged = files[3]
        damaged.write_bytes(damaged.read_bytes()[:-5000])  # header intact, pixel data cut short
        (folder / "axial" / "DICOMDIR.txt").write_text("junk")
        open_study(folder)
        assert main_window.volume.n_slices == 11
        text = main_window.show_load_report().text.toPlainText()
        assert damaged.name in text and "DICOMDIR.txt" in text
        assert "problems" in main_window.status_message.text()


class TestCancel:
    def test_second_folder_cancels_the_first(self, qtbot, main_window, write_study):
        big = write_study("big", n=80, size=256, seed=2)
        small = write_study("small", n=8, seed=3)
        seen: list[str] = []
        main_window.volumeLoaded.connect(lambda v: seen.append(v.series.description + str(v.n_slices)))
        main_window.open_folder(big)
        qtbot.waitUntil(lambda: main_window.progress_bar.value() > 0, timeout=10000)
        main_window.open_folder(small)
        qtbot.waitUntil(lambda: main_window.volume is not None, timeout=20000)
        qtbot.waitUntil(lambda: main_window.loader.running_threads() == 0, timeout=20000)
        qtbot.wait(100)
        assert seen == ["Axial 5mm brain8"]
        assert main_window.volume.n_slices == 8

    def test_close_while_loading_leaves_no_thread(self, qtbot, main_window, write_study):
        main_window.open_folder(write_study("big", n=80, size=256, seed=2))
        qtbot.waitUntil(lambda: main_window.loader.busy, timeout=5000)
        main_window.close()
        assert main_window.loader.running_threads() == 0


class TestWindowChrome:
    @pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
    def test_drop_a_folder_opens_it(self, qtbot, main_window, write_study):
        folder = write_study()
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(folder / "axial"))])
        enter = QDragEnterEvent(
            QPoint(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(main_window, enter)
        assert enter.isAccepted()
        event = QDropEvent(
            QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
        with qtbot.waitSignal(main_window.volumeLoaded, timeout=20000):
            QApplication.sendEvent(main_window, event)
        assert main_window.folder == str(folder / "axial")
        assert main_window.settings.recent[0] == str(folder / "axial")

    def test_overlays_hide_with_keys_and_title_has_no_patient_name(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        view = main_window.slice_view
        assert "PHANTOM" in view.corner_text("top_left") and "ID PHANTOM-0001" in view.corner_text("top_left")
        assert "Axial 5mm brain" in view.corner_text("top_right")
        assert "Thick 5 mm" in view.corner_text("bottom_left")
        assert "PHANTOM" not in main_window.windowTitle()
        qtbot.keyClick(main_window, Qt.Key.Key_P)
        assert view.corner_text("top_left") == "" and view.corner_text("top_right") != ""
        qtbot.keyClick(main_window, Qt.Key.Key_O)
        assert all(view.corner_text(c) == "" for c in ("top_left", "top_right", "bottom_left", "bottom_right"))
        qtbot.keyClick(main_window, Qt.Key.Key_O)
        assert view.corner_text("bottom_left").startswith("Slice")

    def test_shortcut_dialog_lists_every_key(self, qtbot, main_window):
        rows = dict(main_window.show_shortcuts().rows())
        for key in (
            "Up",
            "Down",
            "PgUp",
            "PgDown",
            "Home",
            "End",
            "1",
            "2",
            "3",
            "4",
            "0",
            "R",
            "P",
            "O",
            "Ctrl+O",
            "Ctrl+L",
            "Wheel",
            "Ctrl + wheel",
            "Left-drag",
            "Middle-drag",
            "Right-drag",
        ):
            assert key in rows, key
        labels = main_window.status_bar.findChildren(type(main_window.status_message))
        assert any(label.text() == "Research use only — not for clinical use" for label in labels)

    def test_heatmap_hook_draws_above_the_image(self, qtbot, main_window, write_study, open_study):
        open_study(write_study())
        view = main_window.slice_view
        heat = np.zeros(main_window.volume.hu.shape[1:], np.float32)
        heat[40:60, 40:60] = 1.0
        view.set_heatmap(heat, 0.5)
        assert view.heatmap_visible and view.heat_item.zValue() > view.image_item.zValue()
        view.heatmap_visible = False
        assert not view.heat_item.isVisible()
        view.heatmap_visible = True
        qtbot.keyClick(main_window, Qt.Key.Key_Up)
        assert not view.heatmap_visible  # a heatmap belongs to one slice
