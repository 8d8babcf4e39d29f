"""The application icon carries every pre-rendered size."""

from __future__ import annotations

from PySide6.QtCore import QSize

from ichviewer.ui.icon import ICON_SIZES, app_icon


def test_every_size_is_there(qapp) -> None:  # type: ignore[no-untyped-def]
    sizes = app_icon().availableSizes()
    assert all(QSize(n, n) in sizes for n in ICON_SIZES)
