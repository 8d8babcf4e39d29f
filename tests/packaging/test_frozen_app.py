"""The PyInstaller app folder (packaging/ichviewer.spec) starts and scores the demo study like the source tree.

Slow: the build alone takes minutes, so the plain suite skips it. `make package-check` builds
dist/ichviewer and runs these with ICHVIEWER_FROZEN=dist/ichviewer; ICHVIEWER_BUILD=1 builds
into a temporary folder instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.labels import LABEL_KEYS, SUBTYPE_KEYS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "ichviewer.spec"


@pytest.fixture(scope="module")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen `ichviewer` executable: $ICHVIEWER_FROZEN, or a fresh onedir build in a temporary folder."""
    given = os.environ.get("ICHVIEWER_FROZEN")
    if given:
        path = Path(given)
        executable = path / "ichviewer" if path.is_dir() else path
        if not executable.is_file():
            pytest.fail(f"ICHVIEWER_FROZEN={given}: no ichviewer executable there")
        return executable
    if not os.environ.get("ICHVIEWER_BUILD"):
        pytest.skip(
            "the frozen app is checked by `make package-check` (CI runs it after the suite); "
            "set ICHVIEWER_FROZEN=dist/ichviewer or ICHVIEWER_BUILD=1 to run it here"
        )
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed (pip install -e '.[package]')")
    work = tmp_path_factory.mktemp("pyinstaller")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert build.returncode == 0, f"PyInstaller failed:\n{build.stderr[-4000:]}"
    return work / "dist" / "ichviewer" / "ichviewer"


def run_frozen(executable: Path, user_dirs: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the frozen app headless with the session's config and cache folders (those tests/conftest.py sets).

    Module-scoped fixtures start before the autouse fixture that sets them, so they are passed explicitly.
    """
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "ICHVIEWER_CONFIG": str(user_dirs / "config"),
        "ICHVIEWER_CACHE": str(user_dirs / "cache"),
    }
    return subprocess.run([str(executable), *args], capture_output=True, text=True, timeout=900, env=env)


@pytest.fixture(scope="module")
def frozen_scan(frozen_app: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The JSON of `ichviewer scan --demo --json` written by the frozen app."""
    out = tmp_path_factory.mktemp("frozen_scan") / "scan.json"
    done = run_frozen(frozen_app, tmp_path_factory.getbasetemp(), "scan", "--demo", "--no-cache", "--json", str(out))
    assert done.returncode == 0, f"frozen scan failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert "NOT FOR CLINICAL USE" in done.stdout
    return json.loads(out.read_text(encoding="utf-8"))


class TestFrozenScan:
    def test_scores_every_slice_for_all_six_labels(self, frozen_scan: dict) -> None:
        assert frozen_scan["labels"] == list(LABEL_KEYS)
        assert frozen_scan["model"]["name"] == "ichnet-slab"
        assert frozen_scan["device"].startswith("CPU")  # the package is CPU-only (packaging/rthook_cpu_only.py)
        slices = frozen_scan["slices"]
        assert len(slices) == 40 and [s["slice"] for s in slices] == list(range(1, 41))
        for s in slices:
            assert set(s["scores"]) == set(LABEL_KEYS)
            assert all(0.0 <= v <= 1.0 for v in s["scores"].values())

    def test_flags_the_demo_hemorrhages(self, frozen_scan: dict) -> None:
        """Every slice with blood in the demo's ground truth is flagged 'any'; each subtype is found where it is."""
        from ichviewer.core.synthetic.demo import DEMO_SPEC
        from ichviewer.core.synthetic.phantom import generate_phantom

        truth = generate_phantom(DEMO_SPEC).slice_labels.astype(bool)
        scores = np.array([[s["scores"][k] for k in LABEL_KEYS] for s in frozen_scan["slices"]])
        flags = scores >= np.array(frozen_scan["thresholds"])
        assert flags[truth[:, 0], 0].all(), "a slice with blood is not flagged 'any'"
        summary = {row["label"]: row for row in frozen_scan["summary"]}
        for k, key in enumerate(SUBTYPE_KEYS, start=1):
            assert summary[key]["verdict"] == "flagged"
            assert truth[summary[key]["max_slice"] - 1, k], f"{key}: highest score on a slice without {key}"
            assert flags[truth[:, k], k].mean() >= 0.8, f"{key}: most of its slices are missed"

    def test_matches_the_source_tree(self, frozen_scan: dict) -> None:
        """The frozen app gives the scores the source tree gives on the same demo files (same model, CPU)."""
        from ichviewer.core.inference import Classifier
        from ichviewer.core.synthetic.demo import demo_study_dir
        from ichviewer.core.volume import load_folder_volume

        reference = Classifier(device="cpu").predict(load_folder_volume(demo_study_dir()))
        frozen = np.array([[s["scores"][k] for k in LABEL_KEYS] for s in frozen_scan["slices"]])
        assert frozen_scan["series_uid"] == reference.series_uid
        np.testing.assert_allclose(frozen, reference.scores, atol=1e-3)


def test_info_demo_lists_the_series(frozen_app: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    done = run_frozen(frozen_app, tmp_path_factory.getbasetemp(), "info", "--demo")
    assert done.returncode == 0, done.stderr[-4000:]
    assert "40 images" in done.stdout and "synthetic phantom" in done.stdout
