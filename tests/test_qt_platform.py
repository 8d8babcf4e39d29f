"""Before Qt starts: the xcb plugin's needed libraries, what to install when some are missing, when to check."""

from __future__ import annotations

from pathlib import Path

import PySide6
import pytest

from ichviewer.qt_platform import display_problem, missing_xcb_libraries, needed_libraries, package_for

QT = Path(PySide6.__file__).parent / "Qt"
XCB_PLUGIN = QT / "plugins" / "platforms" / "libqxcb.so"

needs_linux_qt = pytest.mark.skipif(not XCB_PLUGIN.is_file(), reason="PySide6 has no xcb plugin here (not Linux)")


@needs_linux_qt
def test_reads_the_plugins_needed_libraries() -> None:
    needed = needed_libraries(XCB_PLUGIN)
    assert "libQt6XcbQpa.so.6" in needed and "libc.so.6" in needed


@needs_linux_qt
def test_missing_libraries_are_named_with_their_packages(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    absent = {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxkbcommon-x11.so.0"}
    monkeypatch.setattr("ichviewer.qt_platform._loads", lambda name: name not in absent)
    assert set(missing_xcb_libraries(QT)) == absent
    message = display_problem({"DISPLAY": ":0"}, QT)
    assert message is not None and "libxcb-cursor.so.0" in message
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0" in message


@needs_linux_qt
def test_nothing_to_say_when_every_library_loads(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # whether this machine has them is .ci/run's business; here: the check is silent when all load
    monkeypatch.setattr("ichviewer.qt_platform._loads", lambda name: True)
    assert missing_xcb_libraries(QT) == []
    assert display_problem({"DISPLAY": ":0"}, QT) is None


def test_package_names() -> None:
    assert package_for("libxcb-keysyms.so.1") == "libxcb-keysyms1"
    assert package_for("libX11-xcb.so.1") == "libx11-xcb1"
    assert package_for("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert package_for("libglib-2.0.so.0") == "libglib2.0-0"


def test_not_an_elf_file(tmp_path: Path) -> None:
    path = tmp_path / "x.so"
    path.write_bytes(b"not a library")
    with pytest.raises(ValueError, match="not a little-endian ELF"):
        needed_libraries(path)


@pytest.mark.parametrize(
    ("env", "checked"),
    [
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, False),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0"}, True),
    ],
)
def test_when_xcb_is_checked(env: dict[str, str], checked: bool, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setattr("ichviewer.qt_platform.missing_xcb_libraries", lambda qt_dir: ["libxcb-cursor.so.0"])
    assert (display_problem(env, QT) is not None) == checked


def test_no_display_at_all(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.platform", "linux")
    message = display_problem({}, QT)
    assert message is not None and "DISPLAY" in message and "ichviewer scan" in message
