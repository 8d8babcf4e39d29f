"""Qt set-up shared by the viewer and the headless PDF export: application object and fonts.

The bundled DejaVu Sans (resources/fonts) is registered so text renders the same on a bare
machine with no system fonts.
"""

from __future__ import annotations

import importlib.resources
import os
import sys

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

FONT_FAMILY = "DejaVu Sans"


def load_fonts() -> str:
    """Register the bundled fonts once; return the family to use."""
    fonts = importlib.resources.files("ichviewer") / "resources" / "fonts"
    if FONT_FAMILY not in QFontDatabase.families():
        for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
            QFontDatabase.addApplicationFontFromData((fonts / name).read_bytes())
    return FONT_FAMILY


def ensure_gui_application() -> QGuiApplication:
    """The running application, or a new QApplication (offscreen when there is no display).

    Always a QApplication, never a bare QGuiApplication: widgets created later in the same
    process (the viewer after a headless PDF, or tests) abort Qt without one.
    """
    from PySide6.QtWidgets import QApplication

    app = QGuiApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(sys.argv[:1])
    load_fonts()
    QGuiApplication.setFont(QFont(FONT_FAMILY, 10))
    return app  # type: ignore[return-value]
