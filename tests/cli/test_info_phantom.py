"""`ichviewer info` / `phantom` / `--demo` on synthetic studies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ichviewer.cli import main
from ichviewer.core.synthetic import demo
from ichviewer.core.synthetic.phantom import PhantomSpec


class TestInfo:
    def test_lists_the_phantom_series(self, phantom_series, capsys: pytest.CaptureFixture[str]) -> None:
        folder, phantom = phantom_series
        assert main(["info", str(folder)]) == 0
        out = capsys.readouterr().out
        assert "Axial 5mm brain (synthetic phantom)" in out
        assert f"{phantom.spec.n_slices} slices of 256×256" in out
        assert "gantry tilt 0.0°" in out
        assert "PHANTOM DEMO" in out
        assert "ground_truth" not in out  # sidecars are not reported as skipped files

    def test_folder_or_demo_is_required(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["info"]) == 2
        assert "FOLDER or --demo" in capsys.readouterr().err


class TestPhantomCommand:
    def test_writes_a_tilted_study_that_info_lists(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        out_dir = tmp_path / "ph"
        args = [
            "phantom",
            str(out_dir),
            "--seed",
            "2",
            "--subtypes",
            "subdural,intraventricular",
            "--slices",
            "10",
            "--size",
            "128",
            "--tilt",
            "14",
            "--syntax",
            "rle",
        ]
        assert main(args) == 0
        truth = json.loads((out_dir / "ground_truth.json").read_text())
        assert truth["spec"]["subtypes"] == ["subdural", "intraventricular"]
        assert len(truth["slices"]) == 10
        capsys.readouterr()
        assert main(["info", str(out_dir)]) == 0
        out = capsys.readouterr().out
        assert "10 slices of 128×128" in out and "gantry tilt 14.0°" in out and "RLE Lossless" in out
        assert main(args) == 2  # never overwrites
        assert "exists" in capsys.readouterr().err

    def test_unknown_subtype_is_an_error(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["phantom", str(tmp_path / "x"), "--subtypes", "chronic"]) == 2
        assert "unknown subtype" in capsys.readouterr().err


class TestDemo:
    def test_generated_once_and_listed(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setattr(demo, "DEMO_VERSION", "test-small")
        monkeypatch.setattr(
            demo, "DEMO_SPEC", PhantomSpec(seed=1, n_slices=6, size=96, pixel_mm=2.4, subtypes=("epidural",))
        )
        first = demo.demo_study_dir()
        assert first.parent.name == "test-small"
        assert sorted(p.name for p in first.parent.iterdir()) == ["hemorrhage"]  # no staging folder left
        stamp = (first / "ground_truth.json").stat().st_mtime_ns
        assert demo.demo_study_dir() == first
        assert (first / "ground_truth.json").stat().st_mtime_ns == stamp
        assert main(["info", "--demo"]) == 0
        assert "DEMO HEMORRHAGE" in capsys.readouterr().out
