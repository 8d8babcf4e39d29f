"""Dark (reading room, default) and light themes: a Qt style sheet from resources/styles."""

from __future__ import annotations

import importlib.resources

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from ichviewer.core.settings import THEMES
from ichviewer.qt_setup import load_fonts


def style_sheet(name: str) -> str:
    """The text of resources/styles/<name>.qss."""
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; themes: {', '.join(THEMES)}")
    return (importlib.resources.files("ichviewer") / "resources" / "styles" / f"{name}.qss").read_text(encoding="utf-8")


def apply_theme(app: QApplication, name: str) -> None:
    """Fusion style, the bundled DejaVu Sans at 10 pt, and the theme's style sheet."""
    app.setStyle("Fusion")
    app.setFont(QFont(load_fonts(), 10))
    app.setStyleSheet(style_sheet(name))
