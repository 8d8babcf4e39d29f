"""Triage benchmark: index time (headers only) and studies/minute for N synthetic studies; prints figures only.

Phantoms of mixed truth (every third has a bleed), written once per N into a temporary folder,
then `index_folder` and `run_queue` with the bundled model (no result cache: a fresh cache folder).
Peak resident memory is printed to show it stays flat (one volume at a time).

Run: `python bench/triage.py [--n 10 50 200] [--slices 24] [--size 256] [--device cpu|cuda] [--index-only]`
(`--index-only`: write and index, no model; for the scale of the headers-only index where analysing
N studies would take too long).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ichviewer.core.dicom.index import index_folder  # noqa: E402
from ichviewer.core.inference import Classifier  # noqa: E402
from ichviewer.core.labels import SUBTYPE_KEYS  # noqa: E402
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study  # noqa: E402
from ichviewer.core.triage import run_queue  # noqa: E402
from ichviewer.core.work_queue import WorkQueue  # noqa: E402
from ichviewer.core.worklist_rows import Status, rows_from_index  # noqa: E402


def write_studies(root: Path, n: int, slices: int, size: int) -> None:
    for i in range(n):
        subtypes = (SUBTYPE_KEYS[i % len(SUBTYPE_KEYS)],) if i % 3 == 0 else ()
        spec = PhantomSpec(seed=40000 + i, n_slices=slices, size=size, pixel_mm=230 / size, subtypes=subtypes)
        write_phantom_study(generate_phantom(spec), root / f"study-{i:03d}", patient_id=f"B{i:03d}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--slices", type=int, default=24)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--index-only", action="store_true", help="write and index the studies; analyse none")
    args = parser.parse_args()
    classifier = None if args.index_only else Classifier(device=args.device)
    model = "no model" if classifier is None else f"model {classifier.card.title} on {classifier.device_label}"
    print(f"{model}; {args.slices} slices of {args.size}² per study; {os.cpu_count()} CPUs")
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["ICHVIEWER_CACHE"] = str(Path(tmp) / "cache")  # fresh scores, not the cache's
            root = Path(tmp) / "studies"
            start = time.perf_counter()
            write_studies(root, n, args.slices, args.size)
            written = time.perf_counter() - start
            start = time.perf_counter()
            index = index_folder(root)
            indexed = time.perf_counter() - start
            rows = {row.key: row for row in rows_from_index(index)}
            line = (
                f"N={n:>4}: written in {written:.1f} s; indexed {len(index.studies)} studies in {indexed:.2f} s "
                f"({n * args.slices / indexed:.0f} files/s), {len(rows)} worklist rows"
            )
            if classifier is None:
                print(line)
                continue
            queue = WorkQueue(rows)
            peak_before = peak_rss_mb()
            start = time.perf_counter()
            run_queue(index, dict(rows), queue, classifier, lambda row, rows=rows: rows.__setitem__(row.key, row))
            analysed = time.perf_counter() - start
            done = sum(r.status is Status.DONE for r in rows.values())
            print(
                f"{line}; analysed {done} in {analysed:.1f} s = {done / analysed * 60:.1f} studies/min; "
                f"peak RSS {peak_before:.0f} → {peak_rss_mb():.0f} MB"
            )


if __name__ == "__main__":
    main()
