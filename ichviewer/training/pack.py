"""The compact training pack carried to a GPU machine: train + val slices, never test.

Each labelled slice is stored as int16 HU already passed through `core.preprocess.resized_hu`
(crop to head, resize to the card's size), so training feeds the network through the same
`network_input` as inference. HU inside [−100, 300] are kept exactly (to the integer); outside
that range they are rounded to steps of 8 HU (invisible in the bone window, 11 HU per grey
level), which is what lets the pack fit the carry limit. Built with `python -m
ichviewer.training.pack --data ../shared/data --out .train/pack.npz`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.model import ModelInput
from ichviewer.core.progress import Progress, report
from ichviewer.core.windowing import PRESETS
from ichviewer.training.export import IMAGENET_MEAN, IMAGENET_STD
from ichviewer.training.split import SPLIT_FILE, load_split, members

WINDOWS = ("brain", "subdural", "bone")
SIZE = 256
EXACT_RANGE = (-100, 300)  # HU kept to the integer; outside, steps of QUANT_STEP
QUANT_STEP = 8
PACK_LIMIT = 56 * 2**20
PACKED_PARTS = ("train", "val")
REAL_SOURCES = ("rsna_dicom", "rsna_png", "head_ct")


def training_input(size: int = SIZE, context_slices: int = 0) -> ModelInput:
    """The model input the pack and the card are made for (windows, ImageNet statistics, head crop)."""
    slices = 2 * context_slices + 1
    return ModelInput(
        windows=tuple(PRESETS[w] for w in WINDOWS),
        size=size,
        context_slices=context_slices,
        mean=IMAGENET_MEAN[: len(WINDOWS)] * slices,
        std=IMAGENET_STD[: len(WINDOWS)] * slices,
        crop_to_head=True,
    )


def quantise(hu: np.ndarray) -> np.ndarray:
    """Float HU → int16: exact (rounded) inside EXACT_RANGE, steps of QUANT_STEP HU outside."""
    low, high = EXACT_RANGE
    out = np.rint(hu)
    below, above = out < low, out > high
    out[below] = low + np.rint((out[below] - low) / QUANT_STEP) * QUANT_STEP
    out[above] = high + np.rint((out[above] - high) / QUANT_STEP) * QUANT_STEP
    return np.clip(out, -1024, 32767).astype(np.int16)


@dataclass(frozen=True)
class PackedSlice:
    """One row of the pack before stacking."""

    hu: np.ndarray  # int16 (2·context+1, S, S)
    labels: np.ndarray
    mask: np.ndarray
    source: str
    id: str
    group: str
    split: str


def real_stacks(
    data: Path, split: dict[str, Any], part: str, progress: Progress | None = None
) -> Iterator[tuple[str, Any]]:
    """(source, Stack) of the three real sources for one split part."""
    from ichviewer.training.datasets import read_image_folder, read_rsna

    dicom = data / "rsna_dicom"
    for stack in read_rsna(dicom / "labels.csv", dicom, groups=members(split, "rsna_dicom", part), progress=progress):
        yield "rsna_dicom", stack
    for source in ("rsna_png", "head_ct"):
        for stack in read_image_folder(data / source, source=source, ids=members(split, source, part)):
            yield source, stack


def pack_slices(
    data: Path, spec: ModelInput, split: dict[str, Any], progress: Progress | None = None
) -> Iterator[PackedSlice]:
    """Every labelled train/val slice of the real sources, resized exactly as inference does."""
    from ichviewer.core.preprocess import resized_hu

    for part in PACKED_PARTS:
        for source, stack in real_stacks(data, split, part, progress):
            for item in stack.slices:
                hu, _ = resized_hu(stack.hu, item.index, spec)
                yield PackedSlice(
                    quantise(hu.numpy()), item.labels.astype(np.uint8), item.mask, source, item.id, stack.group, part
                )


def write_pack(rows: list[PackedSlice], spec: ModelInput, out: Path, recipe: str) -> dict[str, Any]:
    """Save the rows with np.savez_compressed; return the pack's description (also stored inside)."""
    meta = {
        "labels": list(LABEL_KEYS),
        "windows": list(WINDOWS),
        "size": spec.size,
        "context_slices": spec.context_slices,
        "crop_to_head": spec.crop_to_head,
        "quantisation": f"HU exact in {list(EXACT_RANGE)}, steps of {QUANT_STEP} HU outside",
        "split_recipe": recipe,
        "counts": pack_counts(
            [r.source for r in rows],
            [r.split for r in rows],
            np.stack([r.labels for r in rows]),
            np.stack([r.mask for r in rows]),
        ),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        hu_bytes=split_bytes(np.stack([r.hu for r in rows])),
        labels=np.stack([r.labels for r in rows]),
        mask=np.stack([r.mask for r in rows]),
        source=np.array([r.source for r in rows]),
        id=np.array([r.id for r in rows]),
        group=np.array([r.group for r in rows]),
        split=np.array([r.split for r in rows]),
        meta=np.array(json.dumps(meta)),
    )
    return meta


def split_bytes(hu: np.ndarray) -> np.ndarray:
    """int16 → uint8 (2, ...) low and high byte planes: deflate packs them ~15 % smaller."""
    bits = hu.astype(np.int16).view(np.uint16)
    return np.stack([(bits & 0xFF).astype(np.uint8), (bits >> 8).astype(np.uint8)])


def join_bytes(planes: np.ndarray) -> np.ndarray:
    """The inverse of `split_bytes`."""
    return (planes[0].astype(np.uint16) | (planes[1].astype(np.uint16) << 8)).view(np.int16)


def read_pack(path: Path) -> dict[str, Any]:
    """The pack's arrays (hu as int16 (N, k, S, S)) and its description under "meta"."""
    with np.load(path, allow_pickle=False) as data:
        out = {k: data[k] for k in data.files if k not in ("hu_bytes", "meta")}
        out["hu"] = join_bytes(data["hu_bytes"])
        out["meta"] = json.loads(str(data["meta"]))
    return out


def pack_counts(source: Any, split: Any, labels: np.ndarray, mask: np.ndarray) -> dict[str, dict[str, dict[str, int]]]:
    """{source: {split: {"slices": n, label: positives, …}}} with only known labels counted."""
    source, split = np.asarray(source), np.asarray(split)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for s in sorted(set(source.tolist())):
        for p in sorted(set(split[source == s].tolist())):
            rows = (source == s) & (split == p)
            entry = {"slices": int(rows.sum())}
            for k, key in enumerate(LABEL_KEYS):
                if mask[rows, k].any():
                    entry[key] = int((labels[rows, k] * mask[rows, k]).sum())
            counts.setdefault(s, {})[p] = entry
    return counts


def build_pack(
    data: Path,
    out: Path,
    spec: ModelInput | None = None,
    split: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Read the train/val part of the real sources and write the pack; raise if it is over the limit."""
    spec = spec or training_input()
    split = split or load_split()
    rows = []
    for row in pack_slices(data, spec, split, progress):
        rows.append(row)
        report(progress, len(rows), 0, f"Packed {len(rows)} slices")
    if not rows:
        raise ValueError(f"{data}: no train/val slices found")
    meta = write_pack(rows, spec, out, split["recipe"])
    size = out.stat().st_size
    meta["bytes"] = size
    if size > PACK_LIMIT:
        raise ValueError(f"{out}: pack is {size / 2**20:.1f} MiB, over the {PACK_LIMIT / 2**20:.0f} MiB carry limit")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the training pack (train + val slices of the real data).")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path(".train/pack.npz"))
    parser.add_argument("--size", type=int, default=SIZE)
    parser.add_argument("--context", type=int, default=0, help="neighbouring slices on each side")
    parser.add_argument("--split", type=Path, default=SPLIT_FILE, help="split file (default: the committed one)")
    args = parser.parse_args(argv)
    meta = build_pack(args.data, args.out, training_input(args.size, args.context), load_split(args.split))
    print(json.dumps(meta["counts"], indent=1))
    print(f"wrote {args.out}: {meta['bytes'] / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
