"""Benchmark: coronal and sagittal reformats of a 240×512×512 int16 stack (untilted, 15° tilt, uneven with a gap).

Run: `.venv/bin/python bench/mpr.py [--slices 240] [--size 512] [--repeat 40]`. The stack is
built in memory from headers (no files); its content is smooth noise, since a reformat's cost
does not depend on the values. Prints median and 95th percentile per plane, in ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from ichviewer.core.dicom.records import SliceHeader
from ichviewer.core.geometry import plan_stack
from ichviewer.core.mpr import Mpr, View
from ichviewer.core.synthetic.memory_stack import stack_headers


def headers(n: int, size: int, tilt_deg: float, z: np.ndarray) -> tuple[SliceHeader, ...]:
    """Headers of an axial stack at table positions `z` (mm), tilted about x like a gantry."""
    return stack_headers((n, size, size), z, tilt_deg, 0.45, origin=(-115.0, -115.0), slice_thickness=1.0)


def timed(mpr: Mpr, hu: np.ndarray, view: View, repeat: int) -> tuple[float, float]:
    """Median and p95 (ms) of `repeat` reformats at planes spread over the view."""
    planes = np.linspace(0, mpr.n_planes(view) - 1, repeat).astype(int)
    times = []
    for index in planes:
        start = time.perf_counter()
        mpr.plane(hu, view, int(index))
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times)), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slices", type=int, default=240)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    n, size = args.slices, args.size
    rng = np.random.default_rng(0)
    hu = rng.integers(-1000, 1500, size=(n, size, size), dtype=np.int16)
    uneven = np.cumsum(np.r_[0.0, rng.uniform(0.9, 1.1, n - 1)])
    uneven[n // 2 :] += 6.0  # a gap of about six missing slices
    stacks = {
        "untilted": headers(n, size, 0.0, np.arange(n, dtype=float)),
        "tilt 15°": headers(n, size, 15.0, np.arange(n, dtype=float)),
        "uneven + gap": headers(n, size, 0.0, uneven),
    }
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, numpy {np.__version__}")
    print(f"stack {n}×{size}×{size} int16, {args.repeat} planes per view")
    for name, stack in stacks.items():
        start = time.perf_counter()
        mpr = Mpr.from_geometry(plan_stack(stack))
        build = (time.perf_counter() - start) * 1000
        figures = []
        for view in ("coronal", "sagittal"):
            median, p95 = timed(mpr, hu, view, args.repeat)
            h, w = mpr.image_shape(view)
            figures.append(f"{view} {h}×{w}: median {median:.1f} ms, p95 {p95:.1f} ms")
        print(f"{name:13s} grid {mpr.grid_shape} built in {build:.1f} ms; " + "; ".join(figures))


if __name__ == "__main__":
    main()
