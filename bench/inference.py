"""Inference benchmark for the bundled model: prints figures, asserts nothing.

- slices/s batched vs one slice at a time (CPU; and CUDA at fp16 when present, else it says "no CUDA device"),
- model load time, and the 240-slice study end to end (model load included),
- time to first score and to the whole study for a 40- and a 240-slice 512² phantom study,
- Grad-CAM ms/slice (one slice at a time, as the viewer asks, and batched, as the PDF asks),
- peak memory (resident set growth during the 240-slice analysis).

Run: `python bench/inference.py [--device cpu|cuda] [--slices 40 240]`.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from ichviewer.core.gradcam import heatmaps  # noqa: E402
from ichviewer.core.inference import Classifier  # noqa: E402
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom  # noqa: E402
from ichviewer.training.datasets import Stack, as_volume  # noqa: E402


def phantom_volume(n_slices: int):  # type: ignore[no-untyped-def]
    """A 512² phantom study with all five subtypes, as an in-memory CTVolume."""
    phantom = generate_phantom(
        PhantomSpec(
            seed=11,
            n_slices=n_slices,
            size=512,
            slice_mm=160.0 / n_slices,
            subtypes=("epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"),
        )
    )
    return as_volume(Stack("bench", f"bench-{n_slices}", phantom.hu, ()))


def rss_mib() -> float:
    """Resident memory now (Linux /proc; elsewhere the peak so far)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakRss:
    """Samples the resident memory every 5 ms while the block runs: the peak of the work itself."""

    def __enter__(self) -> PeakRss:
        self.before = self.peak = rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_mib())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib())


def bench_device(device: str, sizes: list[int]) -> None:
    start = time.perf_counter()
    classifier = Classifier(device=device)
    if device == "cuda":
        torch.cuda.synchronize()
    load_s = time.perf_counter() - start
    print(
        f"\n== {classifier.card.title} on {classifier.device_label} (torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads) ==\nmodel load (card, sha256, weights, to the device): {load_s:.2f} s"
    )
    volumes = {n: phantom_volume(n) for n in sizes}
    small = volumes[min(sizes)]
    classifier.predict(small)  # warm-up (allocations, cudnn autotune)

    batch = classifier.batch_size
    start = time.perf_counter()
    classifier.predict(small)
    batched = small.n_slices / (time.perf_counter() - start)
    classifier.batch_size = 1
    start = time.perf_counter()
    classifier.predict(small)
    single = small.n_slices / (time.perf_counter() - start)
    classifier.batch_size = batch
    print(
        f"throughput ({small.n_slices} slices 512²): batched ({batch}) {batched:.1f} slices/s, "
        f"one at a time {single:.1f} slices/s"
    )

    for n, volume in volumes.items():
        first: list[float] = []
        with PeakRss() as memory:
            start = time.perf_counter()
            classifier.predict(
                volume,
                on_batch=lambda *_, first=first, start=start: (
                    first.append(time.perf_counter() - start) if not first else None
                ),
            )
            total = time.perf_counter() - start
        print(
            f"{n:>4}-slice study: first scores after {1000 * first[0]:.0f} ms, whole study {total:.2f} s "
            f"({n / total:.1f} slices/s; end to end with the model load {load_s + total:.2f} s); resident memory "
            f"{memory.before:.0f} MiB before (volume {volume.hu.nbytes / 2**20:.0f} MiB), peak {memory.peak:.0f} MiB "
            f"(+{memory.peak - memory.before:.0f})"
        )

    indices = list(range(small.n_slices // 2 - 4, small.n_slices // 2 + 4))
    times = []
    for index in indices:
        start = time.perf_counter()
        heatmaps(classifier, small, [index], "any")
        times.append(1000 * (time.perf_counter() - start))
    start = time.perf_counter()
    heatmaps(classifier, small, indices, "any")
    per_batched = 1000 * (time.perf_counter() - start) / len(indices)
    print(
        f"Grad-CAM: one slice at a time median {statistics.median(times):.0f} ms/slice "
        f"(p95 {np.percentile(times, 95):.0f}); batched {per_batched:.0f} ms/slice"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--slices", type=int, nargs="+", default=[40, 240])
    args = parser.parse_args()
    devices = (
        ["cpu", "cuda"]
        if args.device == "auto" and torch.cuda.is_available()
        else ["cpu" if args.device == "auto" else args.device]
    )
    if "cuda" not in devices:
        print("GPU: no CUDA device (run `bench/inference.py --device cuda` where one is, for the fp16 figures)")
    for device in devices:
        bench_device(device, args.slices)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
