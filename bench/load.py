"""Benchmark: index, full load and per-slice decode of a 240-slice 512×512 head CT; peak memory.

Run: `.venv/bin/python bench/load.py [--slices 240] [--syntax explicit j2k]`. Generation is not
timed. Peak memory is tracemalloc's peak (numpy reports its buffers) during a second load.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.synthetic.dicom_writer import write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.volume import load_volume, read_slice_hu


def bench(hu: np.ndarray, syntax: str, root: Path) -> None:
    """Write `hu` in `syntax`, then time the index, the load and a single-threaded decode per slice."""
    folder = root / syntax
    write_series(hu, folder, syntax=syntax, file_names="uid")
    size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    start = time.perf_counter()
    index = index_folder(folder)
    t_index = time.perf_counter() - start
    series = index.default_series()
    assert series is not None
    start = time.perf_counter()
    volume = load_volume(series)
    t_load = time.perf_counter() - start
    assert np.array_equal(volume.hu, hu), "round trip is not exact"
    sample = volume.slices[:: max(1, len(volume.slices) // 40)]
    start = time.perf_counter()
    for header in sample:
        read_slice_hu(header)
    t_slice = (time.perf_counter() - start) / len(sample)
    del volume
    tracemalloc.start()
    volume = load_volume(series)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    array_mb = volume.hu.nbytes / 1e6
    print(
        f"{syntax:>9}: files {size_mb:7.1f} MB | index {t_index:6.2f} s | full load {t_load:6.2f} s "
        f"({hu.shape[0] / t_load:5.0f} slices/s) | decode {t_slice * 1e3:6.1f} ms/slice (1 thread) | "
        f"peak {peak / 1e6:6.1f} MB vs array {array_mb:6.1f} MB = {peak / 1e6 / array_mb:4.2f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=240)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--syntax", nargs="+", default=["explicit", "j2k"])
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(f"input: {args.slices} slices × {args.size}×{args.size} int16")
    block = generate_phantom(
        PhantomSpec(
            seed=1, n_slices=48, size=args.size, pixel_mm=230.0 / args.size, subtypes=("subdural", "intraparenchymal")
        )
    ).hu
    hu = np.concatenate([block] * (args.slices // 48 + 1))[: args.slices]  # anatomy repeats; decode cost does not care
    with tempfile.TemporaryDirectory(prefix="ichviewer-bench-") as tmp:
        for syntax in args.syntax:
            bench(hu, syntax, Path(tmp))


if __name__ == "__main__":
    main()
