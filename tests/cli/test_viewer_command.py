"""`ichviewer [FOLDER]`, `--demo` and `--device` reach the viewer; a missing folder or display is said plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ichviewer import cli
from ichviewer.core.synthetic import demo


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(
        "ichviewer.ui.main_window.run_viewer",
        lambda folder, device=None, layout=None: (
            calls.append((folder, device) if layout is None else (folder, device, layout)) or 0
        ),
    )
    return calls


def test_folder_opens_the_viewer(tmp_path: Path, launched) -> None:  # type: ignore[no-untyped-def]
    assert cli.main([str(tmp_path), "--device", "cpu"]) == 0
    assert launched == [(str(tmp_path), "cpu")]


def test_no_arguments_opens_an_empty_viewer(launched) -> None:  # type: ignore[no-untyped-def]
    assert cli.main([]) == 0
    assert launched == [(None, None)]


def test_layout_option_reaches_the_viewer(tmp_path: Path, launched, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main([str(tmp_path), "--layout", "mpr"]) == 0
    assert launched == [(str(tmp_path), None, "mpr")]
    with pytest.raises(SystemExit):
        cli.main(["--layout", "quad"])
    assert "invalid choice: 'quad'" in capsys.readouterr().err


def test_missing_folder_is_the_users_mistake(tmp_path: Path, launched, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main([str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert launched == []


def test_demo_opens_the_demo_study(tmp_path: Path, launched, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(demo, "demo_study_dir", lambda progress=None: tmp_path)
    assert cli.main(["--demo"]) == 0
    assert launched == [(tmp_path, None)]


def test_no_usable_display_is_said_before_qt_starts(launched, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    message = "Qt cannot open a window on this X11 display: ... sudo apt-get install libxcb-cursor0"
    monkeypatch.setattr("ichviewer.qt_platform.display_problem", lambda: message)
    assert cli.main([]) == 1
    assert "sudo apt-get install libxcb-cursor0" in capsys.readouterr().err and launched == []


def test_subcommands_are_not_taken_for_folders(launched, capsys) -> None:  # type: ignore[no-untyped-def]
    parser = cli.build_parser()
    assert not cli._wants_viewer(parser, ["info", "x"])
    assert not cli._wants_viewer(parser, ["scan", "x"])
    assert not cli._wants_viewer(parser, ["--version"])
    assert cli._wants_viewer(parser, ["info-folder"])
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "`ichviewer [FOLDER] [--demo] [--device D]`" in capsys.readouterr().out
    assert launched == []
