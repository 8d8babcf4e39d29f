"""The window with the bundled model on a phantom study with known bleeds: analysis, keys, heatmap, cache, PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from ichviewer.core.ai_state import ModelStatus, Phase
from ichviewer.core.heatmap_colors import HEAT_FLOOR
from ichviewer.core.labels import LABEL_KEYS
from ichviewer.ui.main_window import MainWindow


@pytest.fixture
def ai_window(qtbot):  # type: ignore[no-untyped-def]
    """MainWindow with the bundled model; threads joined on close."""
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    yield window
    window.close()
    assert not window.ai_worker.running() and window.loader.running_threads() == 0


def open_and_analyse(qtbot, window, folder: Path, scroll: bool = False):  # type: ignore[no-untyped-def]
    """Open `folder` (optionally scrolling while the analysis runs) and wait for its result."""
    state = window.state
    window.open_folder(folder)
    qtbot.waitUntil(lambda: state.volume is not None, timeout=30000)
    if scroll:
        start = state.slice_index
        for _ in range(5):
            qtbot.keyClick(window.slice_view, Qt.Key.Key_Down)
        assert state.slice_index == max(start - 5, 0)  # the event loop kept serving the reader
    qtbot.waitUntil(lambda: state.ai.phase is Phase.DONE, timeout=120000)
    return state.result


def test_analysis_runs_while_scrolling_and_fills_plot_list_and_slider(qtbot, ai_window, phantom_series) -> None:  # type: ignore[no-untyped-def]
    folder, phantom = phantom_series
    result = open_and_analyse(qtbot, ai_window, folder, scroll=True)
    assert not ai_window.state.ai.from_cache and result.scores.shape == (phantom.hu.shape[0], len(LABEL_KEYS))
    flagged = result.flagged_slices()
    truth = np.flatnonzero(phantom.slice_labels[:, 0])
    assert flagged, "the bundled model flags nothing on a phantom with all five subtypes"
    assert len(set(flagged) & set(truth.tolist())) >= len(truth) // 2
    dock = ai_window.ai_dock
    x, y = dock.plot.curves["any"].getData()
    assert len(x) == result.n_slices and np.allclose(y, result.column("any"))
    assert dock.findings.flagged.count() == len(flagged) and ai_window.slider.marks("flagged") == flagged
    assert "slices flagged" in ai_window.status_bar.ai_status.full_text()


def test_next_flagged_heatmap_toggle_and_plot_click(qtbot, ai_window, phantom_series) -> None:  # type: ignore[no-untyped-def]
    folder, _ = phantom_series
    result = open_and_analyse(qtbot, ai_window, folder)
    state, view = ai_window.state, ai_window.slice_view
    flagged = result.flagged_slices()
    start = 0 if flagged[0] != 0 else result.n_slices - 1
    state.set_slice(start)
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert state.slice_index == result.next_flagged(start, 1)
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert state.slice_index in flagged
    # the heatmap for the strongest label arrives from the worker and is drawn over the image
    qtbot.waitUntil(lambda: view.heat_item.isVisible(), timeout=60000)
    key, levels = state.current_heatmap()
    assert key[1] == result.top_label(state.slice_index)[0] and levels.max() > 255 * HEAT_FLOOR
    np.testing.assert_array_equal(view.heat_item.image, levels)
    qtbot.keyClick(view, Qt.Key.Key_H)
    assert not state.heatmap.visible and not view.heat_item.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_H)
    assert view.heat_item.isVisible()  # from the cache: back at once
    target = 3 if state.slice_index != 3 else 5
    plot = ai_window.ai_dock.plot.plot
    point = plot.mapFromScene(plot.getViewBox().mapViewToScene(QPointF(target + 1, 0.5)))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert state.slice_index == target


def test_reopening_uses_the_cache_and_exports_a_pdf(qtbot, ai_window, phantom_series, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    folder, _ = phantom_series
    first = open_and_analyse(qtbot, ai_window, folder)
    again = open_and_analyse(qtbot, ai_window, folder)
    assert ai_window.state.ai.from_cache and np.allclose(first.scores, again.scores)
    out = tmp_path / "report.pdf"
    ai_window.pdf_export.export(out)
    qtbot.waitUntil(lambda: ai_window.pdf_export.last_report == out, timeout=120000)
    reader = PdfReader(out)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "not for clinical use" in text.lower() and len(reader.pages) >= 2  # key slice pages follow
    assert "heatmap not available" not in text and f"Wrote {out}" in ai_window.state.status


def test_opening_another_study_drops_the_first_analysis(qtbot, ai_window, phantom_series, write_study) -> None:  # type: ignore[no-untyped-def]
    folder, _ = phantom_series
    ai_window.open_folder(folder)
    qtbot.waitUntil(lambda: ai_window.state.volume is not None, timeout=30000)
    result = open_and_analyse(qtbot, ai_window, write_study("other", n=12, size=64))  # 60 mm: a head the AI judges
    assert result.n_slices == 12 and ai_window.state.volume.n_slices == 12


def test_a_series_the_ai_does_not_judge_says_why_and_exports_one_page(qtbot, ai_window, write_study, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    state = ai_window.state
    ai_window.open_folder(write_study("short", n=6, size=64))  # 6 slices of 5 mm: 30 mm, not a whole head
    qtbot.waitUntil(lambda: state.ai.phase is Phase.NOT_APPLICABLE, timeout=120000)
    reason = "the series covers 30 mm along the head (at least 50 mm needed)"
    dock = ai_window.ai_dock
    assert dock.verdict.headline.text() == f"AI not applicable: {reason}" and not dock.plot.isVisible()
    assert ai_window.status_bar.ai_status.full_text() == f"AI not applicable: {reason}"
    export = next(a for a in ai_window.menuBar().actions()[0].menu().actions() if a.text().startswith("&Export"))
    assert export.isEnabled()
    out = tmp_path / "na.pdf"
    ai_window.pdf_export.export(out)
    (page,) = [" ".join(p.extract_text().split()) for p in PdfReader(out).pages]
    assert f"AI not applicable: {reason}" in page and f"Wrote {out}" in state.status


def test_broken_model_leaves_the_viewer_working(qtbot, tmp_path, write_study) -> None:  # type: ignore[no-untyped-def]
    from ichviewer.core.model import default_model_dir

    broken = tmp_path / "broken"
    shutil.copytree(default_model_dir(), broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100000])  # a half-copied download
    window = MainWindow(model_dir=str(broken), device="cpu")
    qtbot.addWidget(window)
    window.show()
    state = window.state
    window.open_folder(
        write_study("ok", n=12, size=64, seed=7)
    )  # the weights are read when its analysis starts (seed: not in the cache)
    qtbot.waitUntil(lambda: state.model.status is ModelStatus.UNAVAILABLE, timeout=30000)
    assert "AI unavailable" in window.status_bar.ai_status.full_text()
    assert "model.safetensors" in window.status_bar.ai_status.toolTip()
    assert state.volume is not None and window.slice_view.shown_slice is not None and state.ai.phase is Phase.IDLE
    assert "AI unavailable" in window.ai_dock.verdict.headline.text()
    window.close()
    assert not window.ai_worker.running()
