"""Badges over the slice view: orientation letters, the heatmap's label while computing and shown, names hidden."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtWidgets import QGraphicsDropShadowEffect

from ichviewer.core.jobs import ANALYSIS


def test_orientation_letters_follow_the_overlay_toggle(main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study())
    view, display = main_window.slice_view, main_window.state.display
    assert [view.badges.text(e) for e in ("left", "right", "top", "bottom")] == ["R", "L", "A", "P"]
    left, right = view.badges.labels["left"].geometry(), view.badges.labels["right"].geometry()
    assert left.center().x() < view.graphics.width() / 4 and right.center().x() > view.graphics.width() * 3 / 4
    display.show_overlays = False
    assert view.badges.text("left") == ""


def test_names_hidden_badge_while_privacy_is_on(main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study())
    view, display = main_window.slice_view, main_window.state.display
    assert view.badges.text("privacy") == ""
    display.toggle_patient()
    assert view.badges.text("privacy") == "Names hidden (P)" and view.corner_text("top_left") == ""
    display.show_overlays = False  # the badge stays: the reader must know names are hidden
    assert view.badges.text("privacy") == "Names hidden (P)"


def test_heatmap_caption_computing_then_the_label(main_window, write_study, open_study, make_result) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study(n=12))
    state, view = main_window.state, main_window.slice_view
    uids = tuple(s.sop_instance_uid for s in state.volume.slices)
    result = replace(make_result(12, {(3, "any"): 0.9, (3, "subdural"): 0.8}), sop_instance_uids=uids)
    job = state.jobs.start(ANALYSIS)
    state.model_ready("test", "CPU", result.labels)  # the window was built without AI: pretend a model
    state.analysis_done(job, result, False)
    state.set_slice(3)
    assert view.badges.text("heat") == "Computing heatmap (Subdural)…"
    state.heatmap_done(job, uids[3], "subdural", np.ones(state.volume.hu.shape[1:], np.float32))
    assert view.badges.text("heat") == "Heatmap: Subdural (strongest label)" and view.heat_item.isVisible()
    state.step(1)
    assert view.badges.text("heat") == ""


def test_overlay_texts_are_outlined(main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    open_study(write_study())
    view = main_window.slice_view
    for label in [*view.corners.labels.values(), view.badges.labels["left"], view.badges.labels["heat"]]:
        assert isinstance(label.graphicsEffect(), QGraphicsDropShadowEffect)
