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
