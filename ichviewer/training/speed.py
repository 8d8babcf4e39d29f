"""CPU inference speed of a model folder, as the card states it: slices/s through Classifier.predict."""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from ichviewer.core.windowing import AIR_HU


def synthetic_head(n_slices: int = 48, size: int = 512) -> np.ndarray:
    """An int16 (z, y, x) stack of elliptical heads (brain 35 HU, skull 1000 HU) in air."""
    y, x = np.mgrid[-1 : 1 : size * 1j, -1 : 1 : size * 1j]
    r = (x / 0.72) ** 2 + (y / 0.86) ** 2
    image = np.where(r < 1.0, 1000, AIR_HU)
    image = np.where(r < 0.85, 35, image).astype(np.int16)
    return np.repeat(image[None], n_slices, axis=0)


def cpu_speed(model_dir: Path, threads: int = 2, batch: int = 16, repeats: int = 3) -> dict[str, Any]:
    """Best of `repeats` timings of predict() on a 512² stack (crop, resize, windows, network), CPU."""
    import torch

    from ichviewer.core.inference import Classifier
    from ichviewer.training.datasets import Stack, as_volume

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        classifier = Classifier(model_dir, device="cpu")
        classifier.batch_size = batch
        volume = as_volume(Stack("speed", "speed", synthetic_head(3 * batch), ()))
        classifier.predict(volume)  # warm-up
        best = min(_timed(lambda: classifier.predict(volume)) for _ in range(repeats))
    finally:
        torch.set_num_threads(previous)
    size = classifier.card.input.size
    return {
        "slices_per_s": round(volume.n_slices / best, 1),
        "detail": f"512² slices → {size}² input, batches of {batch}, {threads} CPU threads, torch "
        f"{torch.__version__}, {_cpu_name()}; includes cropping, resizing and windowing",
    }


def _timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
