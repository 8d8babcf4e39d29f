"""Themes: the bundled style sheets, applied to the application; an unknown name is refused."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from ichviewer.core.settings import THEMES
from ichviewer.ui.theme import apply_theme, style_sheet


def test_every_theme_has_a_style_sheet_and_applies(qapp) -> None:  # type: ignore[no-untyped-def]
    for name in THEMES:
        apply_theme(qapp, name)
        assert QApplication.instance().styleSheet() == style_sheet(name) != ""
    with pytest.raises(ValueError, match="unknown theme"):
        style_sheet("solarized")


def test_the_focused_image_and_fields_get_a_visible_ring(qtbot, main_window, write_study, open_study) -> None:  # type: ignore[no-untyped-def]
    """Which widget takes the keys must be visible: the image's border turns blue when it has focus."""
    from PySide6.QtWidgets import QApplication

    for name in THEMES:
        assert "QGraphicsView#sliceGraphics:focus" in style_sheet(name) and "QSpinBox:focus" in style_sheet(name)
    apply_theme(QApplication.instance(), "dark")
    open_study(write_study())
    view = main_window.slice_view.graphics

    def border() -> tuple[int, int, int]:
        colour = view.grab().toImage().pixelColor(0, view.height() // 2)
        return colour.red(), colour.green(), colour.blue()

    main_window.window_controls.level.setFocus()
    qtbot.waitUntil(lambda: not view.hasFocus())
    unfocused = border()
    main_window.slice_view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    assert border() != unfocused and border()[2] > 150  # blue ring
