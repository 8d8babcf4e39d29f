"""Viewer frames: scroll and W/L with the heatmap off and on, and while the AI scores the study.

Offscreen Qt, the real MainWindow at 1400×900 with the bundled model on a 240-slice 512² 0.625 mm
series of the synthetic phantom with all five subtypes (about half its slices flagged: the
many-flags case). A frame is one scroll
step or one window change followed by every repaint it causes in the window (slice view,
slider, score plot cursor, flagged list, corner texts, W/L fields) and whatever worker
results arrived meanwhile, as the event loop would handle them: wall time and the GUI thread's
own CPU time (which other processes on the machine do not inflate). Frames come at `--interval`
ms, as a reader's wheel sends them, so the workers run between frames as they do in use.

Scenarios (each prints median and p95 per round; the summary gives the median over rounds):
  scroll / W/L, AI idle, heatmap off;
  scroll / W/L, heatmap on (Grad-CAM computed in the worker on a slice's first visit);
  scroll while the AI starts: the classifier's process starts, imports torch and loads the model
  (the first analysis of a session);
  scroll / W/L while the AI scores the study afresh (model loaded).
Before the rounds one `ichviewer scan` fills the bench's own result cache, so every round opens
with cached scores and no classifier started, as a reader's second look at a study would.

`--baseline DIR` runs the same scenarios on another checkout's `ichviewer` (e.g. `git archive main`
unpacked) in alternating child processes, round by round, so both see the same machine load.
`--profile FILE` writes a cProfile of the GUI thread over the frames (one round, this checkout).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/render.py [--frames 200] [--rounds 3] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

Frame = tuple[float, float]  # (wall seconds, GUI-thread CPU seconds) of one frame
SCENARIOS = ("heatmap off", "heatmap on", "while the AI starts", "while the AI scores")


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


def rss_mib() -> float:
    """Resident memory now (Linux /proc; the peak elsewhere)."""
    try:
        return next(int(line.split()[1]) / 1024 for line in open("/proc/self/status") if line.startswith("VmRSS:"))
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_until(app, condition: Callable[[], bool], timeout: float = 120.0, quiet: bool = False) -> float:  # type: ignore[no-untyped-def]
    """Process events until `condition()`; at `timeout` raise (or, `quiet`, just return)."""
    start = time.perf_counter()
    while not condition():
        app.processEvents()
        if time.perf_counter() - start > timeout:
            if quiet:
                break
            raise TimeoutError("condition not met")
        time.sleep(0.0005)
    return time.perf_counter()


def frames(app, action: Callable[[int], None], n: int, interval: float) -> list[Frame]:  # type: ignore[no-untyped-def]
    """`action(i)` then every repaint and queued result it brings, `n` times, one every `interval` s."""
    samples: list[Frame] = []
    for i in range(n):
        wall, cpu = time.perf_counter(), time.thread_time()
        action(i)
        app.processEvents()
        samples.append((time.perf_counter() - wall, time.thread_time() - cpu))
        wait_until(app, lambda w=wall: time.perf_counter() - w >= interval, timeout=interval, quiet=True)
    return samples


def scenario(app, window, n: int, interval: float) -> dict[str, list[Frame]]:  # type: ignore[no-untyped-def]
    """Scroll steps back and forth over the series, then window changes on a fixed slice."""
    from ichviewer.core.windowing import Window

    state = window.state
    direction = [1]

    def scroll(_: int) -> None:
        if not 0 <= state.slice_index + direction[0] < state.dims.n_slices:
            direction[0] = -direction[0]
        state.step(direction[0])

    def window_level(i: int) -> None:
        state.display.window = Window(40 + (i % 50), 80 + 2 * (i % 40), "custom")

    return {"scroll": frames(app, scroll, n, interval), "W/L": frames(app, window_level, n, interval)}


def child(args: argparse.Namespace) -> int:
    """One round: open the series, let the AI score it (cached after the first round), measure every scenario."""
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from ichviewer.ui.main_window import MainWindow

    window = MainWindow(device="cpu")
    state = window.state
    window.resize(1400, 900)
    window.show()
    window.open_folder(args.folder)
    wait_until(app, lambda: state.volume is not None and not state.loading.busy)
    wait_until(app, lambda: not state.ai.busy and state.result is not None, timeout=900)
    profile = cProfile.Profile() if args.profile else None
    if profile:
        profile.enable()
    out: dict[str, object] = {"flagged": len(state.result.flagged_slices()), "slices": state.volume.n_slices}
    if window.ai_worker.classifier is None:  # scores from the cache: the first analysis starts the classifier
        state.heatmap.visible = False
        state.analyse(use_cache=False)
        out["scroll|while the AI starts"] = scenario(app, window, args.frames, args.interval / 1000)["scroll"]
        wait_until(app, lambda: not state.ai.busy, timeout=900)
    for heat in (False, True):
        state.heatmap.visible = heat
        wait_until(app, lambda: False, timeout=2.0, quiet=True)  # a Grad-CAM still running for this slice ends
        for kind, samples in scenario(app, window, args.frames, args.interval / 1000).items():
            out[f"{kind}|heatmap {'on' if heat else 'off'}"] = samples
    state.analyse(use_cache=False)  # the reader scrolls while the classifier scores the study
    for kind, samples in scenario(app, window, args.frames, args.interval / 1000).items():
        out[f"{kind}|while the AI scores"] = samples
    out["ai still running at the end"] = state.ai.busy
    if profile:
        profile.disable()
        profile.dump_stats(args.profile)
    view = window.slice_view.graphics.viewport().size()
    out["view"] = f"{view.width()}×{view.height()} px, zoom {window.slice_view.zoom_factor():.2f}×"
    window.close()
    print("RESULT " + json.dumps(out))
    return 0


def p(samples: list[Frame], column: int, q: float) -> float:
    return float(np.percentile([s[column] for s in samples], q) * 1000)


def run_round(source: Path | None, args: argparse.Namespace, folder: Path, env: dict[str, str]) -> dict[str, object]:
    """One child process on this checkout (source None) or on `source`'s ichviewer."""
    child_env = dict(env)
    if source is not None:
        child_env["PYTHONPATH"] = os.pathsep.join([str(source), env.get("PYTHONPATH", "")])
    command = [sys.executable, __file__, "--child", "--folder", str(folder), "--frames", str(args.frames)]
    command += ["--interval", str(args.interval)] + (["--profile", args.profile] if args.profile else [])
    done = subprocess.run(command, env=child_env, capture_output=True, text=True, timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"render round failed ({done.returncode}): {done.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--slices", type=int, default=240)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--interval", type=float, default=20.0, help="ms between frames (a reader's wheel)")
    parser.add_argument("--baseline", type=Path, help="a checkout whose ichviewer to measure beside this one")
    parser.add_argument("--profile", help="cProfile of the GUI thread (one round, this checkout) to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    from ichviewer.core.labels import SUBTYPE_KEYS
    from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study

    sides: list[tuple[str, Path | None]] = [("this checkout", None)]
    if args.baseline is not None:
        sides.insert(0, (f"baseline {args.baseline}", args.baseline.resolve()))
    rounds = 1 if args.profile else args.rounds
    with tempfile.TemporaryDirectory(prefix="ichviewer-bench-") as tmp:
        env = dict(os.environ)
        for name in ("CONFIG", "CACHE", "DATA", "LOGS"):
            env[f"ICHVIEWER_{name}"] = str(Path(tmp) / name.lower())  # one cache: rounds after the first reuse scores
        folder = Path(tmp) / "series"
        spec = PhantomSpec(20240101, args.slices, slice_mm=0.625, subtypes=SUBTYPE_KEYS, anatomy_step_mm=0.625)
        write_phantom_study(generate_phantom(spec), folder)
        scan = [sys.executable, "-m", "ichviewer", "scan", str(folder), "--json", str(Path(tmp) / "scan.json")]
        subprocess.run(scan, env=env, capture_output=True, check=True, timeout=1800)  # the cache every round opens with
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, Qt platform {os.environ['QT_QPA_PLATFORM']}; {args.slices} slices 512², "
            f"{args.frames} frames per scenario, one every {args.interval:.0f} ms; {rounds} rounds"
        )
        results: dict[str, list[dict[str, object]]] = {name: [] for name, _ in sides}
        for k in range(rounds):
            for name, source in sides:  # alternating, so both see the same load from other processes
                outcome = run_round(None if args.profile else source, args, folder, env)
                results[name].append(outcome)
                print(
                    f"round {k + 1}, {name}: {outcome['flagged']} of {outcome['slices']} slices flagged, "
                    f"view {outcome['view']}"
                )
                for key, samples in outcome.items():
                    if isinstance(samples, list):
                        print(
                            f"    {key:<28} wall median {p(samples, 0, 50):6.2f} ms  p95 {p(samples, 0, 95):6.2f} ms"
                            f"   GUI CPU median {p(samples, 1, 50):5.2f} ms  p95 {p(samples, 1, 95):5.2f} ms"
                        )
    print(f"\nsummary: median over {rounds} rounds of each round's p50 / p95 (ms); target p95 ≤ 16 ms")
    keys = [key for key, value in results[sides[-1][0]][0].items() if isinstance(value, list)]
    for key in keys:
        cells = []
        for name, _ in sides:
            wall50 = statistics.median(p(r[key], 0, 50) for r in results[name])  # type: ignore[arg-type]
            wall95 = statistics.median(p(r[key], 0, 95) for r in results[name])  # type: ignore[arg-type]
            cpu95 = statistics.median(p(r[key], 1, 95) for r in results[name])  # type: ignore[arg-type]
            cells.append(f"{name.split()[0]}: wall {wall50:5.1f} / {wall95:5.1f}, GUI CPU p95 {cpu95:4.1f}")
        print(f"  {key:<28} " + "   |   ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
