"""The whole window under Xvfb on a phantom study, saved to artifacts/screens/ for people to look at.

Runs the real launch path (`ichviewer.cli.main([FOLDER])`) in a subprocess on the xcb platform;
a timer inside that process grabs the X root window once the volume is on screen.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "artifacts" / "screens"
SCREEN_SIZE = (1600, 1000)

GRAB_SCRIPT = """
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ichviewer.cli import main

folder, out = sys.argv[1], sys.argv[2]
app = QApplication(sys.argv[:1])

started = time.monotonic()

def grab(window):
    view = window.slice_view.graphics
    corner = view.mapToGlobal(view.rect().topLeft())
    result = window.state.ai.result
    with open(out + ".json", "w") as fp:
        json.dump({"view": [corner.x(), corner.y(), view.width(), view.height()],
                   "flagged": result.flagged_slices() if result else None,
                   "heatmap": window.slice_view.heat_item.isVisible()}, fp)
    app.primaryScreen().grabWindow(0).save(out)
    window.close()

def wait_heatmap(window):
    if window.slice_view.heat_item.isVisible() or time.monotonic() - started > 150:
        QTimer.singleShot(500, lambda: grab(window))
    else:
        QTimer.singleShot(100, lambda: wait_heatmap(window))

def poll():
    windows = [w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"]
    state = windows[0].state if windows else None
    if state is not None and state.volume is not None and not state.loading.busy:
        if state.ai.busy and time.monotonic() - started < 150:
            QTimer.singleShot(100, poll)  # the analysis is still running
            return
        if state.ai.result is not None and state.ai.result.flagged_slices():
            state.jump_flagged(+1)  # a flagged slice, with its heatmap
        wait_heatmap(windows[0])
    else:
        QTimer.singleShot(100, poll)

QTimer.singleShot(100, poll)
sys.exit(main([folder]))
"""


@pytest.fixture(scope="module")
def phantom_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ichviewer.core.labels import SUBTYPE_KEYS
    from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study

    folder = tmp_path_factory.mktemp("phantom") / "study"
    write_phantom_study(generate_phantom(PhantomSpec(seed=3, subtypes=tuple(SUBTYPE_KEYS))), folder)
    return folder


def test_window_screenshot_under_xvfb(phantom_folder: Path, tmp_path: Path) -> None:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        pytest.skip("xvfb-run is not installed (apt-get install xvfb); the screenshot needs an X server")
    out = SCREENS / "viewer_xvfb.png"
    SCREENS.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["ICHVIEWER_CONFIG"] = str(tmp_path / "config")
    result = subprocess.run(
        [
            xvfb,
            "-a",
            "-s",
            f"-screen 0 {SCREEN_SIZE[0]}x{SCREEN_SIZE[1]}x24",
            sys.executable,
            "-c",
            GRAB_SCRIPT,
            str(phantom_folder),
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if "could not load the qt platform plugin" in result.stderr.lower():
        pytest.skip(f"Qt's xcb platform cannot start here (missing X libraries): {result.stderr.strip()[-300:]}")
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(out)).convertToFormat(QImage.Format.Format_Grayscale8)
    assert (image.width(), image.height()) == SCREEN_SIZE
    grey = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[:, : image.width()]
    info = json.loads(Path(str(out) + ".json").read_text())
    x, y, w, h = info["view"]
    view = grey[y : y + h, x : x + w]
    assert (view < 20).mean() > 0.1  # air around the head
    assert (view > 235).mean() > 0.005  # skull (white in the brain window)
    head = view[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4]
    assert ((head > 60) & (head < 200)).mean() > 0.3  # grey matter fills the middle of the head
    assert view.std() > 40
    assert info["flagged"], "the bundled model flagged nothing on a phantom with all five subtypes"
    assert info["heatmap"], "no Grad-CAM heatmap was on screen"
