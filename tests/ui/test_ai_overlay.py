"""The AI overlay in the real window: the bundled model on a phantom study with known bleeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from ichviewer.core.heatmap_colors import HEAT_FLOOR
from ichviewer.core.labels import LABEL_KEYS


@pytest.fixture
def ai_window(qtbot):  # type: ignore[no-untyped-def]
    """MainWindow with the bundled model; threads joined on close."""
    from ichviewer.ui.main_window import MainWindow

    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    yield window
    window.close()
    assert not window.ai.running()
    assert window.loader.running_threads() == 0


def open_and_analyse(qtbot, window, folder: Path, scroll: bool = False):  # type: ignore[no-untyped-def]
    """Open `folder`; optionally scroll while the analysis runs; return (result, cached)."""
    moved = []
    # listen for `finished` before opening: a cached result can arrive before volumeLoaded returns
    # (and only for this study: a result of the one before is for an older generation)
    with qtbot.waitSignal(
        window.ai.worker.finished,
        timeout=120000,
        check_params_cb=lambda generation, *_: generation == window.ai.generation,
    ) as finished:
        with qtbot.waitSignal(window.volumeLoaded, timeout=30000):
            window.open_folder(folder)
        if scroll:
            start = window.slice_view.index
            for _ in range(5):
                qtbot.keyClick(window.slice_view, Qt.Key.Key_Down)
                moved.append(window.slice_view.index)
            assert moved[-1] == max(start - 5, 0)  # the event loop kept serving the reader
    _, result, cached = finished.args
    qtbot.waitUntil(lambda: window.ai.result is not None, timeout=5000)
    return result, cached


def test_analysis_runs_while_scrolling_and_fills_plot_list_and_slider(qtbot, ai_window, phantom_series) -> None:
    folder, phantom = phantom_series
    result, cached = open_and_analyse(qtbot, ai_window, folder, scroll=True)
    assert not cached
    assert result.scores.shape == (phantom.hu.shape[0], len(LABEL_KEYS))
    flagged = result.flagged_slices()
    truth = np.flatnonzero(phantom.slice_labels[:, 0])
    assert flagged, "the bundled model flags nothing on a phantom with all five subtypes"
    assert len(set(flagged) & set(truth.tolist())) >= len(truth) // 2
    ai = ai_window.ai
    x, y = ai.plot.curves["any"].getData()
    assert len(x) == result.n_slices and np.allclose(y, result.scores[:, 0])
    assert ai.findings.flagged.count() == len(flagged)
    assert ai_window.slider.marks("flagged") == flagged
    assert ai.export_action.isEnabled()
    assert "not for clinical use" in ai_window.status_bar.findChild(type(ai.status), "researchNotice").text()


def test_next_flagged_key_plot_click_and_heatmap_toggle(qtbot, ai_window, phantom_series) -> None:
    folder, _ = phantom_series
    result, _ = open_and_analyse(qtbot, ai_window, folder)
    view, ai = ai_window.slice_view, ai_window.ai
    flagged = result.flagged_slices()

    view.set_index(0 if flagged[0] != 0 else result.n_slices - 1)
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert view.index == result.next_flagged(0 if flagged[0] != 0 else result.n_slices - 1, 1)
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert view.index in flagged

    # the heatmap for the strongest label arrives from the worker and is drawn over the image
    qtbot.waitUntil(lambda: view.heat_item.isVisible(), timeout=60000)
    heat = view.heat_item.image
    assert heat.shape == view.displayed_image.shape[:2] and heat.max() > 255 * HEAT_FLOOR  # in the slice's grid
    assert view.heat_item.sceneBoundingRect() == view.image_item.sceneBoundingRect()  # on top of the slice, same mm
    expected = ai.heat_cache[(view.index, ai.heatmap_label(view.index))]
    assert np.abs(heat.astype(float) - 255 * expected).max() <= 0.5 + 1e-3
    qtbot.keyClick(view, Qt.Key.Key_H)
    assert not ai.heat_box.isChecked() and not view.heat_item.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_H)
    assert view.heat_item.isVisible()  # cached: back at once

    # a click in the score plot moves the view to that slice
    target = 3 if view.index != 3 else 5
    plot = ai.plot.plot
    scene_point = plot.getViewBox().mapViewToScene(pg_point(target + 1, 0.5))
    widget_point = plot.mapFromScene(scene_point)
    qtbot.mouseClick(
        plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(widget_point.x()), int(widget_point.y()))
    )
    assert view.index == target
    assert ai.plot.cursor.value() == pytest.approx(target + 1)


def pg_point(x: float, y: float):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_reopening_uses_the_cache_and_exports_a_pdf(qtbot, ai_window, phantom_series, tmp_path) -> None:
    from pypdf import PdfReader

    folder, _ = phantom_series
    first, _ = open_and_analyse(qtbot, ai_window, folder)
    again, cached = open_and_analyse(qtbot, ai_window, folder)
    assert cached and np.allclose(first.scores, again.scores)

    out = tmp_path / "report.pdf"
    ai_window.ai.export_pdf(out)
    qtbot.waitUntil(lambda: ai_window.ai.last_report == out, timeout=120000)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "not for clinical use" in " ".join(text.split()).lower()
    assert len(PdfReader(out).pages) >= 2  # flagged study: key slice pages follow the summary


def test_opening_another_study_cancels_and_closing_leaves_no_thread(
    qtbot, ai_window, phantom_series, write_study
) -> None:
    folder, _ = phantom_series
    with qtbot.waitSignal(ai_window.volumeLoaded, timeout=30000):
        ai_window.open_folder(folder)
    old = ai_window.ai.generation
    other = write_study("other", n=6, size=64)
    result, _ = open_and_analyse(qtbot, ai_window, other)
    assert ai_window.ai.generation > old
    assert result.n_slices == 6 and ai_window.ai.result is result


def test_broken_model_leaves_the_viewer_working(qtbot, tmp_path, write_study) -> None:
    import shutil

    from ichviewer.core.model import default_model_dir
    from ichviewer.ui.main_window import MainWindow

    broken = tmp_path / "broken"
    shutil.copytree(default_model_dir(), broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100000])  # a half-copied download
    window = MainWindow(model_dir=str(broken), device="cpu")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.ai.model_error is not None, timeout=30000)
    assert "AI unavailable" in window.ai.status.text()
    assert "model.safetensors" in window.ai.status.toolTip()
    with qtbot.waitSignal(window.volumeLoaded, timeout=30000):
        window.open_folder(write_study("ok", n=6, size=64))
    assert window.slice_view.displayed_image is not None
    assert "AI unavailable" in window.ai.findings.verdict.text()
    window.close()
    assert not window.ai.running()
