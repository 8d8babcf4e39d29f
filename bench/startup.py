"""Start-up speed and a lean start: `ichviewer FOLDER` → first image, folder chosen → first image, memory.

Prints, each beside its baseline from the same run (medians of `--repeat` runs, the spread in brackets):

- launch: `ichviewer FOLDER` as a new process until the first image is painted, with the window
  shown on the way; beside it the bare interpreter start (`python -c pass`) and `import PySide6.QtWidgets`;
- folder chosen → first image painted in an open window (240-slice series, file names in slice
  order, as scanners write them), and → the whole series loaded; the first image when the names
  are not in slice order (no first look: it waits for the index); beside them what the pipeline
  would do without a first look, each alone: indexing the folder and decoding the middle slice;
- resident memory and whether torch is imported: window shown, volume loaded (before the AI
  starts), the peak while the AI scores the series (the viewer, and the classifier's own process
  beside it), and a new process reopening the study whose results are cached (it must show them
  without starting the classifier).

The series is written with core.synthetic.dicom_writer (`--syntax`, default explicit little endian) into
a temporary folder; settings, cache and logs go to temporary folders too. Offscreen Qt unless a
display is set.

    .venv/bin/python bench/startup.py [--slices 240] [--repeat 5] [--syntax explicit] [--no-ai]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render import rss_mib, synthetic_head, wait_until  # noqa: E402

# Run as `python -c DRIVER FOLDER MODE`: `ichviewer FOLDER` exactly as the command line starts it
# (cli.main), with a 1 ms timer, started when the window is shown, that watches for the first image.
DRIVER = """
import json, os, sys, time
marks = {"interpreter": time.monotonic()}
folder, mode = sys.argv[1], sys.argv[2]
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from ichviewer import cli
from ichviewer.ui import main_window

def rss():
    return next(int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmRSS:"))

def watch(window):
    state = window.state
    if "first_image" not in marks and window.slice_view.shown_slice is not None:
        window.slice_view.graphics.viewport().repaint()
        marks["first_image"] = time.monotonic()
    done = mode == "first-image" and "first_image" in marks
    ai = state.ai
    if mode == "ai-done" and ai.phase.value in ("done", "failed", "not applicable"):
        marks["ai"] = {"phase": ai.phase.value, "from_cache": ai.from_cache}
        done = True
    if done:
        marks.update(rss_mib=rss(), torch="torch" in sys.modules)
        window.close()
        QApplication.instance().quit()

def show(window):
    QMainWindow.show(window)
    marks["window_shown"] = time.monotonic()
    timer = QTimer(window)
    timer.timeout.connect(lambda: watch(window))
    timer.start(1)

main_window.MainWindow.show = show
status = cli.main([folder, "--device", "cpu"])
print("MARKS " + json.dumps(marks))
sys.exit(status)
"""


def classifier_rss_mib(window) -> float:  # type: ignore[no-untyped-def]
    """Resident memory of the AI's child process (Linux /proc; 0 where it has not started or cannot be read)."""
    process = getattr(window.ai_worker.classifier, "_process", None)
    try:
        status = Path(f"/proc/{process.pid}/status").read_text() if process is not None else ""
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


def median_text(values: list[float], unit: str = "ms", scale: float = 1000.0) -> str:
    """'median unit [min–max]' of seconds (or anything, with `scale`)."""
    scaled = [v * scale for v in values]
    return f"{statistics.median(scaled):6.0f} {unit} [{min(scaled):.0f}–{max(scaled):.0f}]"


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, object]]:
    """Start a Python child, return (its start time on the monotonic clock, the MARKS it printed)."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{args[:2]} failed ({done.returncode}): {done.stderr[-2000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("MARKS ")]
    return start, json.loads(lines[-1][6:]) if lines else {"end": time.monotonic()}


def launch_figures(folder: Path, repeat: int, env: dict[str, str]) -> None:
    """`ichviewer FOLDER` until the first image, beside a bare interpreter and a bare Qt import."""
    bare, qt, shown, first, imports = [], [], [], [], []
    memory: list[float] = []
    for _ in range(repeat):  # interleaved, so that the machine's load weighs on each the same
        start = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        bare.append(time.monotonic() - start)
        start = time.monotonic()
        subprocess.run([sys.executable, "-c", "import PySide6.QtWidgets"], env=env, check=True)
        qt.append(time.monotonic() - start)
        start, marks = run_child(["-c", DRIVER, str(folder), "first-image"], env)
        imports.append(float(marks["interpreter"]) - start)  # type: ignore[arg-type]
        shown.append(float(marks["window_shown"]) - start)  # type: ignore[arg-type]
        first.append(float(marks["first_image"]) - start)  # type: ignore[arg-type]
        memory.append(float(marks["rss_mib"]))  # type: ignore[arg-type]
    print(f"launch `ichviewer FOLDER` → first image painted: {median_text(first)}   (target < 2000 ms)")
    print(f"    of which: interpreter up {median_text(imports)}, window shown {median_text(shown)}")
    print(f"    baselines: `python -c pass` {median_text(bare)}, `import PySide6.QtWidgets` {median_text(qt)}")
    print(f"    resident memory at the first image {statistics.median(memory):.0f} MiB")


def in_window_figures(folder: Path, unordered: Path, repeat: int, ai: bool) -> None:
    """Folder chosen → first image in an open window; memory along the way; the AI's analysis."""
    from PySide6.QtWidgets import QApplication

    from ichviewer.core.dicom.index import index_folder
    from ichviewer.core.study_loading import choose_series
    from ichviewer.core.thumbnails import middle_slice_hu
    from ichviewer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(device="cpu", ai=ai)
    state = window.state
    window.show()
    wait_until(app, lambda: False, timeout=0.5, quiet=True)  # the window settles (and the AI worker reads its card)
    print(f"window shown, no study:         {memory_text()}")
    at_volume: list[str] = []
    state.events.volume.connect(lambda v: v is not None and not at_volume and at_volume.append(memory_text()))

    def open_once(path: Path, wait_for_ai: bool = True) -> tuple[float, float]:
        viewport = window.slice_view.graphics.viewport()
        window.open_folder(path)  # drops the study on screen first
        start = time.perf_counter()
        wait_until(app, lambda: window.slice_view.shown_slice is not None)
        viewport.repaint()
        first = time.perf_counter() - start
        wait_until(app, lambda: state.volume is not None and not state.loading.busy)
        whole = time.perf_counter() - start
        if ai and wait_for_ai:
            wait_until(app, lambda: not state.ai.busy)  # from the cache after the first time
        return first, whole

    first, whole = open_once(folder, wait_for_ai=False)
    print(f"volume loaded (AI not started): {at_volume[0]}")
    if ai:
        peak, child_peak = rss_mib(), 0.0
        torch_seen = False
        while state.ai.busy:  # the analysis started when the volume was loaded
            app.processEvents()
            time.sleep(0.01)
            peak = max(peak, rss_mib())
            child_peak = max(child_peak, classifier_rss_mib(window))
            torch_seen = torch_seen or "torch" in sys.modules
        print(
            f"while the AI scores it:         peak resident memory {peak:.0f} MiB, torch imported: {torch_seen}; "
            f"the classifier's process {child_peak:.0f} MiB ({state.ai.phase.value}: {state.ai.message})"
        )
    firsts, wholes, late_firsts, index_times, middle_times = [first], [whole], [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        index = index_folder(folder)
        index_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        middle_slice_hu(choose_series(index))
        middle_times.append(time.perf_counter() - start)
        late_firsts.append(open_once(unordered)[0])
        if len(firsts) < repeat:
            first, whole = open_once(folder)
            firsts.append(first)
            wholes.append(whole)
    print(f"folder chosen → first image painted: {median_text(firsts)}   (target < 300 ms)")
    print(f"folder chosen → whole series loaded: {median_text(wholes)}")
    print(f"    file names not in slice order (no first look: the index comes first): {median_text(late_firsts)}")
    print(
        f"    baselines alone, same run: index the folder {median_text(index_times)}, "
        f"decode its middle slice {median_text(middle_times)}"
    )
    window.close()


def memory_text() -> str:
    return f"resident memory {rss_mib():5.0f} MiB, torch {'imported' if 'torch' in sys.modules else 'not imported'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--syntax", default="explicit")
    parser.add_argument("--no-ai", action="store_true", help="skip the analysis (and the memory it takes)")
    args = parser.parse_args()
    from ichviewer.core.synthetic.dicom_writer import write_series

    with tempfile.TemporaryDirectory(prefix="ichviewer-bench-") as tmp:
        env = dict(os.environ)
        for name in ("CONFIG", "CACHE", "DATA", "LOGS"):
            env[f"ICHVIEWER_{name}"] = os.environ[f"ICHVIEWER_{name}"] = str(Path(tmp) / name.lower())
        folder, unordered = Path(tmp) / "series", Path(tmp) / "unordered"
        hu = synthetic_head(args.slices)
        write_series(hu, folder, syntax=args.syntax)  # CT0001.dcm …: names in slice order
        write_series(hu, unordered, syntax=args.syntax, file_names="uid", uid_seed=2)
        del hu  # the memory figures are the viewer's, not this script's copy of the series
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, Qt platform {os.environ['QT_QPA_PLATFORM']}; "
            f"{args.slices} slices of 512×512 ({args.syntax}); medians of {args.repeat} [min–max]"
        )
        launch_figures(folder, args.repeat, env)
        in_window_figures(folder, unordered, args.repeat, ai=not args.no_ai)
        if not args.no_ai:
            start, marks = run_child(["-c", DRIVER, str(folder), "ai-done"], env)
            print(
                f"a new process reopening the study: AI {marks['ai']}, torch imported: {marks['torch']}, "
                f"resident memory {float(marks['rss_mib']):.0f} MiB"  # type: ignore[arg-type]
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
