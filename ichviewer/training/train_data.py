"""The training set in memory: the pack's rows plus phantom slices made on this machine.

Phantom volumes are generated in worker processes (numpy/scipy) and passed through the same
`resized_hu` as the pack. Sampling is balanced per source and label: each source gets a fixed
share of every epoch and, within it, half of its draws are "any"-positive, so the source of an
image says nothing about its label (real positives are 46 % of rsna_png, 50 % of head_ct but 4 %
of the rsna_dicom training slices).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ichviewer.core.model import ModelInput
from ichviewer.training.pack import quantise, read_pack, training_input

HU_SOURCES = ("rsna_dicom", "phantom", "cq500")  # real HU: eligible for the brain-window-only degradation


@dataclass(frozen=True, eq=False)
class TrainingRows:
    """Parallel arrays, one row per labelled slice (numpy; the trainer moves them to its device)."""

    hu: np.ndarray  # int16 (N, k, S, S)
    labels: np.ndarray  # float32 (N, 6)
    mask: np.ndarray  # bool (N, 6)
    source: np.ndarray
    group: np.ndarray
    id: np.ndarray
    split: np.ndarray

    def __len__(self) -> int:
        return int(self.hu.shape[0])

    @property
    def has_hu(self) -> np.ndarray:
        return np.isin(self.source, HU_SOURCES)

    def select(self, rows: np.ndarray) -> TrainingRows:
        return TrainingRows(
            *(getattr(self, f)[rows] for f in ("hu", "labels", "mask", "source", "group", "id", "split"))
        )

    @staticmethod
    def concat(parts: list[TrainingRows]) -> TrainingRows:
        fields = ("hu", "labels", "mask", "source", "group", "id", "split")
        return TrainingRows(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))


def load_pack_rows(path: Path) -> tuple[TrainingRows, dict[str, Any], ModelInput]:
    """The pack's rows, its description, and the model input it was made for."""
    pack = read_pack(path)
    meta = pack["meta"]
    rows = TrainingRows(
        pack["hu"],
        pack["labels"].astype(np.float32),
        pack["mask"].astype(bool),
        pack["source"],
        pack["group"],
        pack["id"],
        pack["split"],
    )
    return rows, meta, training_input(int(meta["size"]), int(meta["context_slices"]))


def _phantom_seed_rows(seed: int, spec: ModelInput, part: str, phantom_size: int) -> TrainingRows:
    """One phantom volume as rows (runs in a worker process)."""
    import torch

    from ichviewer.core.preprocess import resized_hu
    from ichviewer.training.datasets import read_phantom

    torch.set_num_threads(1)
    stack = next(read_phantom([seed], size=phantom_size))
    hu = np.stack([quantise(resized_hu(stack.hu, s.index, spec)[0].numpy()) for s in stack.slices])
    n = len(stack.slices)
    return TrainingRows(
        hu,
        np.stack([s.labels for s in stack.slices]),
        np.stack([s.mask for s in stack.slices]),
        np.array(["phantom"] * n),
        np.array([stack.group] * n),
        np.array([s.id for s in stack.slices]),
        np.array([part] * n),
    )


def phantom_rows(
    seeds: dict[str, range], spec: ModelInput, phantom_size: int | tuple[int, ...], workers: int | None = None
) -> TrainingRows | None:
    """Rows for phantom seeds per split part ({"train": range, "val": range}), generated in parallel.

    Several sizes alternate over the seeds: a 512² phantom resized to the input is smoother than a
    256² one, and the network must not tie blood to one noise texture.
    """
    sizes = (phantom_size,) if isinstance(phantom_size, int) else tuple(phantom_size)
    jobs = [(seed, part, sizes[seed % len(sizes)]) for part, r in seeds.items() for seed in r]
    if not jobs:
        return None
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        parts = [_phantom_seed_rows(seed, spec, part, size) for seed, part, size in jobs]
    else:
        # spawn, not fork: the parent has torch (and maybe its thread pools) loaded
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_phantom_seed_rows, seed, spec, part, size) for seed, part, size in jobs]
            parts = [f.result() for f in futures]
    return TrainingRows.concat(parts)


def parse_shares(text: str) -> dict[str, float]:
    """'rsna_dicom=0.3,rsna_png=0.3' → {'rsna_dicom': 0.3, 'rsna_png': 0.3}."""
    shares = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        shares[name.strip()] = float(value)
    return shares


def sampling_weights(
    source: np.ndarray, positive: np.ndarray, shares: dict[str, float], positive_fraction: float
) -> np.ndarray:
    """Per-row draw probability: source share (renormalised over present sources) × label balance."""
    present = {s: v for s, v in shares.items() if v > 0 and (source == s).any()}
    missing = sorted(set(source.tolist()) - set(shares))
    if missing:
        raise ValueError(f"no sampling share given for source(s) {missing}; add them to --shares")
    total = sum(present.values())
    weights = np.zeros(len(source), dtype=np.float64)
    for s, share in present.items():
        rows = source == s
        pos, neg = rows & positive, rows & ~positive
        if pos.any() and neg.any():
            weights[pos] = share / total * positive_fraction / pos.sum()
            weights[neg] = share / total * (1 - positive_fraction) / neg.sum()
        else:
            weights[rows] = share / total / rows.sum()
    return weights


def limit_rows(rows: TrainingRows, per_source: int, seed: int) -> TrainingRows:
    """At most `per_source` rows of each source (a seeded choice; smoke runs and quick checks)."""
    rng = np.random.default_rng(seed)
    keep = [rng.permutation(np.flatnonzero(rows.source == s))[:per_source] for s in np.unique(rows.source)]
    return rows.select(np.sort(np.concatenate(keep)))
