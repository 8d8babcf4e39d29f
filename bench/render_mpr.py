"""Viewer frames in the MPR layout (axial beside coronal over sagittal): W/L, axial scroll and coronal scroll, each
frame repainting all three views, on an untilted series and on a tilted copy (AI off: the reformats are what
it times). bench/render.py times the axial layout with the AI.

Offscreen Qt, the real MainWindow at 1400×900 with a 512×512 series written by core.synthetic.dicom_writer.
Each frame is forced with a synchronous repaint of the three views' viewports. Prints median and 95th
percentile in ms. `--mpr-tilt 0` skips the tilted series, where an axial scroll moves the reformat planes too.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/render_mpr.py [--frames 300] [--slices 240]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from render import synthetic_head  # noqa: E402  (bench/ is on the path when this script runs)

from ichviewer.core.synthetic.dicom_writer import write_series  # noqa: E402
from ichviewer.core.windowing import Window  # noqa: E402

Frame = tuple[float, float]  # (wall seconds, GUI-thread CPU seconds) of one frame


def percentiles(samples: list[Frame]) -> str:
    """Wall time per frame, and the GUI thread's own CPU time (what other processes on the machine do not inflate)."""
    wall, cpu = (np.array(column) * 1000 for column in zip(*samples, strict=True))
    return (
        f"median {np.median(wall):6.2f} ms   p95 {np.percentile(wall, 95):6.2f} ms   "
        f"(GUI thread CPU: median {np.median(cpu):5.2f} ms, p95 {np.percentile(cpu, 95):5.2f} ms; n={len(wall)})"
    )


def timed(action) -> Frame:  # type: ignore[no-untyped-def]
    """(wall seconds, GUI-thread CPU seconds) of `action()`."""
    wall, cpu = time.perf_counter(), time.thread_time()
    action()
    return time.perf_counter() - wall, time.thread_time() - cpu


def memory() -> str:
    """Resident memory now (Linux /proc; peak elsewhere) and whether torch has been imported yet."""
    try:
        rss = next(int(line.split()[1]) / 1024 for line in open("/proc/self/status") if line.startswith("VmRSS:"))
    except OSError:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"resident memory {rss:.0f} MiB, torch {'imported' if 'torch' in sys.modules else 'not imported'}"


def wait_until(app: QApplication, condition, timeout: float = 120.0) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while not condition():
        app.processEvents()
        if time.perf_counter() - start > timeout:
            raise TimeoutError("condition not met")
        time.sleep(0.0005)
    return time.perf_counter()


def mpr_frame_times(window, frames: int) -> tuple[dict[str, list[Frame]], str]:  # type: ignore[no-untyped-def]
    """The MPR layout: W/L, axial scroll and coronal scroll, each frame repainting the three views; their sizes."""
    app = QApplication.instance()
    state, views = window.state, window.views
    state.display.layout = "mpr"
    wait_until(app, lambda: views.coronal.plane is not None and views.sagittal.plane is not None)
    settle = time.perf_counter() + 0.5  # the splitter lays the three panes out
    wait_until(app, lambda: time.perf_counter() > settle)
    sizes = ", ".join(
        f"{name} {view.graphics.viewport().width()}×{view.graphics.viewport().height()} px"
        for name, view in (("axial", views.axial), ("coronal", views.coronal), ("sagittal", views.sagittal))
    )
    viewports = [view.graphics.viewport() for view in (views.axial, views.coronal, views.sagittal)]

    def paint() -> None:
        for viewport in viewports:
            viewport.repaint()

    for _ in range(10):  # warm-up
        state.step(1)
        paint()
    figures: dict[str, list[Frame]] = {"W/L change": [], "axial scroll": [], "coronal scroll": []}
    for i in range(frames):
        window_ = Window(40 + (i % 50), 80 + 2 * (i % 40), "custom")
        figures["W/L change"].append(timed(lambda w=window_: (setattr(state.display, "window", w), paint())))
        app.processEvents()
    for name, view, axis in (("axial scroll", "axial", 0), ("coronal scroll", "coronal", 1)):
        direction = 1
        for _ in range(frames):
            index, n = state.planes.index(view), (state.dims.n_slices if axis == 0 else state.planes.mpr.n_planes(view))
            if not 0 <= index + direction < n:
                direction = -direction
            figures[name].append(timed(lambda d=direction, v=view: (state.step_view(v, d), paint())))
            app.processEvents()
    state.display.layout = "axial"
    return figures, sizes


def print_mpr(window, frames: int, what: str) -> None:  # type: ignore[no-untyped-def]
    figures, sizes = mpr_frame_times(window, frames)
    mpr = window.state.planes.mpr
    print(f"MPR layout, {what} (grid {mpr.grid_shape}, tilt {mpr.tilt_deg:.1f}°; {sizes}); target p95 ≤ 16 ms:")
    for name, samples in figures.items():
        print(f"{name + ' → 3 views repainted:':<36}{percentiles(samples)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--slices", type=int, default=240)
    parser.add_argument("--mpr-tilt", type=float, default=15.0, help="gantry tilt of the second series (0: none)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ichviewer-bench-") as tmp:
        os.environ["ICHVIEWER_CONFIG"] = str(Path(tmp) / "config")
        folder = Path(tmp) / "series"
        t0 = time.perf_counter()
        write_series(synthetic_head(args.slices), folder)
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, Qt platform {os.environ['QT_QPA_PLATFORM']}"
        )
        print(f"wrote {args.slices} slices of 512×512 in {time.perf_counter() - t0:.1f} s")

        app = QApplication(sys.argv[:1])
        from ichviewer.ui.main_window import MainWindow

        window = MainWindow(ai=False)
        window.show()
        window.open_folder(folder)
        wait_until(app, lambda: window.state.volume is not None and not window.state.loading.busy)
        print(f"series loaded: {memory()}")
        run_mpr(app, window, args, Path(tmp))
        window.close()
    return 0


def run_mpr(app: QApplication, window, args: argparse.Namespace, tmp: Path) -> None:  # type: ignore[no-untyped-def]
    """The MPR figures on the open series, then on a tilted copy (AI idle)."""
    print_mpr(window, args.frames, f"{args.slices} slices of 512², untilted")
    if not args.mpr_tilt:
        return
    folder = tmp / "tilted"
    write_series(synthetic_head(args.slices), folder, tilt_deg=args.mpr_tilt, uid_seed=7)
    window.state.auto_analyse = False
    window.open_folder(folder)
    wait_until(app, lambda: window.state.volume is not None and not window.state.loading.busy)
    print_mpr(window, args.frames, f"{args.slices} slices of 512², gantry tilt {args.mpr_tilt:g}°")


if __name__ == "__main__":
    sys.exit(main())
