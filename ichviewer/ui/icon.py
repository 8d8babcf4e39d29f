"""The application icon (resources/icons), set on the QApplication so every window and the task bar show it."""

from __future__ import annotations

import importlib.resources

from PySide6.QtGui import QIcon

ICON_SIZES = (16, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The ichviewer icon with every pre-rendered PNG size, so Qt picks a sharp one from 16 to 256 px."""
    icons = importlib.resources.files("ichviewer") / "resources" / "icons"
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icons / f"ichviewer-{size}.png"))
    return icon
