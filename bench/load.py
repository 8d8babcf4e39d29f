"""Benchmark: loading a 240-slice 512×512 head CT in every transfer syntax, against a plain pydicom loop.

Each figure is printed beside its baseline from the same run: the project's full load (index +
decode into one int16 volume) vs `for f in files: pydicom.dcmread(f).pixel_array` (the ratio),
the new decoder (imagecodecs on a thread per core) vs the old one (pydicom's plugins on the same
pipeline), header indexing on 1 vs 2 threads, one slice's decode time, and peak memory
(tracemalloc, which sees numpy's buffers) vs the volume's own size. The three loads run
interleaved, `--repeat` times, and each figure is the median of its repeats (the ratio is the
median of the per-repeat ratios), so load from other processes weighs on each alike; "cores"
is the process CPU time over the wall time of the project's load (2.0 = both cores busy
throughout; less when other processes hold them), and the CPU time of each load is printed
too (the work itself, which other processes do not inflate). The same comparison runs on
../shared/data DICOM when present.

Run: `.venv/bin/python bench/load.py [--slices 240] [--syntax explicit j2k ...] [--repeat 3]`.
Targets (issue 11): JPEG Lossless full load ≤ 0.35× and JPEG 2000 ≤ 0.6× the plain loop on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from pydicom.uid import UID

from ichviewer.core.dicom.config import configure_pydicom
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.dicom.records import StudyIndex
from ichviewer.core.synthetic.dicom_writer import available_syntaxes, write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.volume import load_volume, read_slice_hu

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REAL_FOLDERS = ("rsna_dicom", "dcm_qa_ct")


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of `run()`."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def median_of(repeat: int, runs: dict[str, Callable[[], object]]) -> dict[str, list[tuple[float, float]]]:
    """Each run `repeat` times, interleaved: {name: [(wall, cpu), …]}."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            samples[name].append(timed(run))
    return samples


def plain_loop(files: list[Path]) -> None:
    """The baseline: what a script that reads every file with pydicom does."""
    for path in files:
        _ = pydicom.dcmread(path).pixel_array


def full_load(folder: Path, prefer_imagecodecs: bool = True) -> list[np.ndarray]:
    """The project's path: index the folder, then decode every series into its volume."""
    index = index_folder(folder)
    return [load_volume(s, prefer_imagecodecs=prefer_imagecodecs).hu for s in index.series]


def peak_memory_mb(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def decode_ms(index: StudyIndex, prefer_imagecodecs: bool) -> float:
    """One slice's decode (one thread, its CPU time: others' load does not count), averaged over up to 40 slices."""
    headers = [h for s in index.series for h in s.slices]
    sample = headers[:: max(1, len(headers) // 40)]
    start = time.thread_time()
    for header in sample:
        read_slice_hu(header, prefer_imagecodecs=prefer_imagecodecs)
    return (time.thread_time() - start) / len(sample) * 1e3


def compare(name: str, folder: Path, repeat: int, expected: np.ndarray | None = None) -> None:
    """Print every figure for one folder beside its baseline."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    index = index_folder(folder)
    n = sum(s.n_images for s in index.series)
    dicom_files = [h.path for s in index.series for h in s.slices]
    if expected is not None:
        (volume,) = full_load(folder)
        assert np.array_equal(volume, expected), "round trip is not exact"
    runs = median_of(
        repeat,
        {
            "plain": lambda: plain_loop(dicom_files),
            "new": lambda: full_load(folder),
            "old": lambda: full_load(folder, prefer_imagecodecs=False),
            "index 1": lambda: index_folder(folder, workers=1),
            "index 2": lambda: index_folder(folder, workers=2),
        },
    )
    wall = {key: statistics.median(w for w, _ in samples) for key, samples in runs.items()}
    ratio = statistics.median(new[0] / plain[0] for new, plain in zip(runs["new"], runs["plain"], strict=True))
    ratio_old = statistics.median(new[0] / old[0] for new, old in zip(runs["new"], runs["old"], strict=True))
    cores = statistics.median(cpu / w for w, cpu in runs["new"])
    cpu = {key: statistics.median(c for _, c in samples) for key, samples in runs.items()}
    spread = f"{min(w for w, _ in runs['new']):.2f}–{max(w for w, _ in runs['new']):.2f}"
    array_mb = n * 512 * 512 * 2 / 1e6 if expected is None else expected.nbytes / 1e6
    peak = peak_memory_mb(lambda: full_load(folder))
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    print(
        f"{name:>18}: {n} slices, {size_mb:6.1f} MB, {', '.join(UID(t).name for t in syntaxes(index))}; "
        f"load average {os.getloadavg()[0]:.1f}\n"
        f"{'':>20}full load {wall['new']:6.2f} s [{spread}] vs plain pydicom loop {wall['plain']:6.2f} s "
        f"= {ratio:4.2f}× (cores {cores:3.1f}) | old decoder {wall['old']:6.2f} s ({ratio_old:4.2f}× of it)\n"
        f"{'':>20}CPU time: full load {cpu['new']:6.2f} s, plain loop {cpu['plain']:6.2f} s, old decoder "
        f"{cpu['old']:6.2f} s\n"
        f"{'':>20}index {wall['index 2']:5.2f} s on 2 threads vs {wall['index 1']:5.2f} s on 1 | "
        f"decode {decode_ms(index, True):5.1f} ms/slice vs old {decode_ms(index, False):5.1f} (1 thread, CPU) | "
        f"peak {peak:6.1f} MB vs volume {array_mb:6.1f} MB = {peak / array_mb:4.2f}×"
    )


def syntaxes(index: StudyIndex) -> list[str]:
    return sorted({t for s in index.series for t in s.transfer_syntaxes})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=240)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--syntax", nargs="+", default=available_syntaxes())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-real", action="store_true", help="skip ../shared/data")
    args = parser.parse_args()
    configure_pydicom()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, pydicom {pydicom.__version__}"
    )
    print(f"phantom: {args.slices} slices × {args.size}×{args.size} int16; medians of {args.repeat} interleaved runs")
    block = generate_phantom(
        PhantomSpec(
            seed=1, n_slices=48, size=args.size, pixel_mm=230.0 / args.size, subtypes=("subdural", "intraparenchymal")
        )
    ).hu
    hu = np.concatenate([block] * (args.slices // 48 + 1))[: args.slices]  # anatomy repeats; decode cost does not care
    with tempfile.TemporaryDirectory(prefix="ichviewer-bench-") as tmp:
        for syntax in args.syntax:
            folder = Path(tmp) / syntax
            write_series(hu, folder, syntax=syntax, file_names="uid")
            compare(syntax, folder, args.repeat, expected=hu)
    if not args.no_real:
        for name in REAL_FOLDERS:
            if (REAL_DATA / name).is_dir():
                compare(name, REAL_DATA / name, args.repeat)
            else:
                print(f"{name:>18}: not present ({REAL_DATA / name})")


if __name__ == "__main__":
    main()
