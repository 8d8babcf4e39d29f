"""Corner labels show their text only when overlays are on and there is text; they stay in their corners."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ichviewer.ui.corner_labels import CornerLabels


def test_texts_visibility_and_corners(qtbot) -> None:  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(400, 300)
    host.show()
    corners = CornerLabels(host)
    corners.set_texts({"top_left": "DOE JANE", "bottom_right": "W 80  L 40"}, visible=True)
    assert corners.text("top_left") == "DOE JANE" and corners.text("top_right") == ""
    right = corners.labels["bottom_right"]
    assert right.x() + right.width() <= 400 and right.y() + right.height() <= 300 and right.x() > 200
    corners.set_texts({"top_left": "DOE JANE"}, visible=False)
    assert corners.text("top_left") == ""
