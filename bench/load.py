"""Benchmark: loading a 240-slice 512×512 head CT in every transfer syntax, against a plain pydicom loop.

Each figure is printed beside its baseline from the same run: the project's full load (index +
decode into one int16 volume) vs `for f in files: pydicom.dcmread(f).pixel_array` (the ratio),
the new decoder (imagecodecs on a thread per core) vs the old one (pydicom's plugins on the same
pipeline), header indexing on 1 vs 2 threads, one slice's decode time, and peak memory
(tracemalloc, which sees numpy's buffers) vs the volume's own size. Times are the best of
`--repeat` runs. The same comparison runs on ../shared/data DICOM when present.

Run: `.venv/bin/python bench/load.py [--slices 240] [--syntax explicit j2k ...] [--repeat 3]`.
Targets (issue 11): JPEG Lossless full load ≤ 0.35× and JPEG 2000 ≤ 0.6× the plain loop on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom

from ichviewer.core.dicom.config import configure_pydicom
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.dicom.records import StudyIndex
from ichviewer.core.synthetic.dicom_writer import available_syntaxes, write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.volume import load_volume, read_slice_hu

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REAL_FOLDERS = ("rsna_dicom", "dcm_qa_ct")


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The shortest of `repeat` wall-clock times of `run()`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


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
    """One slice's decode (one thread), averaged over up to 40 slices."""
    headers = [h for s in index.series for h in s.slices]
    sample = headers[:: max(1, len(headers) // 40)]
    start = time.perf_counter()
    for header in sample:
        read_slice_hu(header, prefer_imagecodecs=prefer_imagecodecs)
    return (time.perf_counter() - start) / len(sample) * 1e3


def compare(name: str, folder: Path, repeat: int, expected: np.ndarray | None = None) -> None:
    """Print every figure for one folder beside its baseline."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    index = index_folder(folder)
    n = sum(s.n_images for s in index.series)
    dicom_files = [h.path for s in index.series for h in s.slices]
    if expected is not None:
        (volume,) = full_load(folder)
        assert np.array_equal(volume, expected), "round trip is not exact"
    t_plain = best_of(repeat, lambda: plain_loop(dicom_files))
    t_new = best_of(repeat, lambda: full_load(folder))
    t_old = best_of(repeat, lambda: full_load(folder, prefer_imagecodecs=False))
    t_index_1 = best_of(repeat, lambda: index_folder(folder, workers=1))
    t_index_2 = best_of(repeat, lambda: index_folder(folder, workers=2))
    array_mb = n * 512 * 512 * 2 / 1e6 if expected is None else expected.nbytes / 1e6
    peak = peak_memory_mb(lambda: full_load(folder))
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    print(
        f"{name:>18}: {n} slices, {size_mb:6.1f} MB\n"
        f"{'':>20}full load {t_new:6.2f} s vs plain pydicom loop {t_plain:6.2f} s = {t_new / t_plain:4.2f}× | "
        f"old decoder {t_old:6.2f} s ({t_new / t_old:4.2f}× of it)\n"
        f"{'':>20}index {t_index_2:5.2f} s on 2 threads vs {t_index_1:5.2f} s on 1 | "
        f"decode {decode_ms(index, True):5.1f} ms/slice vs old {decode_ms(index, False):5.1f} (1 thread) | "
        f"peak {peak:6.1f} MB vs volume {array_mb:6.1f} MB = {peak / array_mb:4.2f}×"
    )


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
    print(f"phantom: {args.slices} slices × {args.size}×{args.size} int16; times are the best of {args.repeat}")
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
