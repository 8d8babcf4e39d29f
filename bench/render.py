"""Viewer speed: W/L change → repainted frame, scroll step → next frame, launch → first image; the same in the
MPR layout (axial | coronal | sagittal), untilted and on a tilted series.

Offscreen Qt, the real MainWindow at 1400×900 with a 512×512 series. Each frame is forced
with a synchronous repaint of the view's viewport (in the MPR layout: of all three views).
Prints median and 95th percentile in ms. The launch figure writes a 240-slice 512² series with
core.synthetic.dicom_writer into a temporary folder, then times constructing the window + opening
the folder until the first image is on screen and until the whole series is loaded. `--scenario mpr`
skips the axial-layout figures and the AI (the reformats are what it times); `--mpr-tilt 0` skips
the tilted series, where an axial scroll moves the reformat planes too.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/render.py [--frames 300] [--slices 240] [--scenario all|mpr]
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

from ichviewer.core.synthetic.dicom_writer import write_series  # noqa: E402
from ichviewer.core.windowing import Window  # noqa: E402


def synthetic_head(n: int, size: int = 512) -> np.ndarray:
    """An int16 head-like volume (skull ellipse, noisy brain), enough texture for real decoding."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:size, :size]
    r2 = ((yy - size / 2) / (0.42 * size)) ** 2 + ((xx - size / 2) / (0.36 * size)) ** 2
    base = np.where(r2 < 1.0, 1200, -1000)
    base = np.where(r2 < 0.8, 35, base).astype(np.int16)
    hu = np.empty((n, size, size), np.int16)
    for k in range(n):
        hu[k] = base + rng.integers(-8, 9, size=(size, size), dtype=np.int16)
    return hu


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


def frame_times(window, frames: int) -> tuple[list[Frame], list[Frame]]:  # type: ignore[no-untyped-def]
    """Seconds per forced repaint after a W/L change, then after a scroll step (events processed between)."""
    app = QApplication.instance()
    state = window.state
    viewport = window.slice_view.graphics.viewport()
    wl: list[Frame] = []
    for i in range(frames):
        window_ = Window(40 + (i % 50), 80 + 2 * (i % 40), "custom")
        wl.append(timed(lambda w=window_: (setattr(state.display, "window", w), viewport.repaint())))
        app.processEvents()  # worker signals (AI progress) are handled as in the real event loop
    scroll: list[Frame] = []
    direction = 1
    for _ in range(frames):
        if not 0 <= state.slice_index + direction < state.dims.n_slices:
            direction = -direction
        scroll.append(timed(lambda d=direction: (state.step(d), viewport.repaint())))
        app.processEvents()
    return wl, scroll


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
    parser.add_argument("--scenario", choices=("all", "mpr"), default="all")
    parser.add_argument("--mpr-tilt", type=float, default=15.0, help="gantry tilt of the second MPR series (0: none)")
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

        start = time.perf_counter()
        window = MainWindow(ai=args.scenario == "all")
        state = window.state
        window.show()
        print(f"window shown, no study: {memory()}")
        window.open_folder(folder)
        first = wait_until(app, lambda: window.slice_view.shown_slice is not None)
        window.slice_view.graphics.viewport().repaint()
        first_painted = time.perf_counter()
        loaded = wait_until(app, lambda: state.volume is not None and not state.loading.busy)
        print(
            f"launch → first image: {1000 * (first_painted - start):.0f} ms "
            f"(image set at {1000 * (first - start):.0f} ms); whole series loaded: {loaded - start:.2f} s"
        )

        print(f"series loaded: {memory()}")
        if args.scenario == "mpr":
            run_mpr(app, window, args, Path(tmp))
            window.close()
            return 0
        view = window.slice_view
        viewport = view.graphics.viewport()
        ai_done = wait_until(app, lambda: not state.ai.busy, timeout=600)
        print(f"AI analysis of the series finished {ai_done - start:.2f} s after launch; {memory()}")
        for _ in range(20):  # warm-up
            state.step(1)
            viewport.repaint()
        size = viewport.size()
        print(f"view {size.width()}×{size.height()} px, slice 512×512, zoom {view.zoom_factor():.2f}×")
        heat_modes = [False, True] if state.result is not None else [False]
        for heat in heat_modes:
            state.heatmap.visible = heat
            flagged = len(state.result.flagged_slices()) if state.result else 0
            settle = time.perf_counter() + 3.0  # let a Grad-CAM still running for the last slice finish
            wait_until(app, lambda settle=settle: time.perf_counter() > settle)
            wl, scroll = frame_times(window, args.frames)
            what = (
                f"heatmap on ({flagged} flagged slices; Grad-CAM computed in the worker on first visit)"
                if heat
                else "heatmap off"
            )
            print(f"AI idle, {what}:")
            print(f"W/L change → repainted frame:  {percentiles(wl)}")
            print(f"scroll step → next frame:      {percentiles(scroll)}")
        if state.analyse(use_cache=False) is not None:  # the reader scrolls while the classifier scores the study
            wl, scroll = frame_times(window, args.frames)
            running = state.ai.busy
            print(f"while the AI scores the study (on the same 2 cores; still running at the end: {running}):")
            print(f"W/L change → repainted frame:  {percentiles(wl)}")
            print(f"scroll step → next frame:      {percentiles(scroll)}")
        wait_until(app, lambda: not state.ai.busy, timeout=600)
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
