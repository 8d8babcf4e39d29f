"""Trunk maps of every study's slabs, computed once on the CPU, for training the rest of the network.

Without a GPU the trunk (EfficientNet-Lite0 stages 0–6, taken from the slice model ichnet-lite0
and frozen) runs once per slab and view; fusion, the last stages and the sequence model then
train on its 192×8×8 maps in minutes. Every study goes through the inference path's own steps
(core.slabs plan, core.preprocess study centre and physical box, the card's windows), then a
`ScannerLook` per view. Train studies get a clean view and `--views` random looks; validation
studies a clean view and each named look (robustness, measured one by one). The test split is
never read here. One file per study and view: `OUT/<source>/<group>__<view>.npz`; existing files
are kept, so an interrupted run resumes.

`python -m ichviewer.training.slab_pack --data ../shared/data --out .train/slabs`
"""

from __future__ import annotations

import argparse
import json
import time
import zlib
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ichviewer.core.model import ModelInput, load_model
from ichviewer.core.preprocess import network_input, physical_box, resized_crop, study_centre
from ichviewer.core.slab_network import SlabSequenceNet
from ichviewer.core.slabs import SLAB_MM, plan_slabs
from ichviewer.training.datasets import SliceLabel, Stack
from ichviewer.training.scanner_look import NAMED_LOOKS, ScannerLook, apply_look, random_look
from ichviewer.training.split import load_split, members, phantom_seeds

MM_PER_PIXEL = 0.85
SIZE = 256
RSNA_PNG_PIXEL_MM = 0.47  # median of the RSNA studies' pixel spacing (512 px, 0.42–0.51 mm)
HEAD_CT_BOX_MM = 185.0  # head_ct images carry no pixel size: their head's longer side is taken as this
REAL_HU_SOURCES = ("rsna_dicom", "ct_ich", "phantom")


def slab_input(windows: ModelInput) -> ModelInput:
    """The card's input for the slab model: the slice model's windows on a fixed 0.85 mm grid, 5 mm slabs."""
    return replace(windows, size=SIZE, mm_per_pixel=MM_PER_PIXEL, slab_mm=SLAB_MM, crop_to_head=True)


def study_slabs(stack: Stack, spec: ModelInput) -> tuple[torch.Tensor, np.ndarray, np.ndarray, np.ndarray]:
    """Float HU (L, S, S) of a stack's slabs on the model grid, their labels, masks and centres (mm)."""
    positions, spacing = stack.physical()
    plan = plan_slabs(positions, spec.slab_mm or SLAB_MM)
    centre = study_centre(stack.hu)
    box = physical_box(centre, spacing, spec)
    slabs = np.stack([plan.slab_hu(stack.hu, k) for k in range(plan.n_slabs)])
    images = resized_crop(slabs, box, spec.size)
    labels = np.zeros((len(stack.hu), 6), dtype=np.float32)
    known = np.zeros((len(stack.hu), 6), dtype=bool)
    for item in stack.slices:
        labels[item.index], known[item.index] = item.labels, item.mask
    slab_labels = plan.slab_labels(labels)
    slab_known = plan.weights @ known.astype(np.float32) >= 0.999 if not plan.native else known
    return images, slab_labels.astype(np.uint8), np.asarray(slab_known, dtype=bool), plan.centres


def trunk_maps(net: SlabSequenceNet, images: torch.Tensor, spec: ModelInput, batch: int = 16) -> np.ndarray:
    """(L, 192, 8, 8) float16 trunk maps of (L, S, S) float HU slabs."""
    out = []
    with torch.inference_mode():
        for first in range(0, len(images), batch):
            x = network_input(images[first : first + batch, None], spec)
            out.append(net.trunk_maps(x.contiguous(memory_format=torch.channels_last)).half().numpy())
    return np.concatenate(out)


def single_image_spacing(stack: Stack) -> tuple[float, float]:
    """Pixel size of an image source without one: RSNA PNGs as their scans, head_ct from the head's size."""
    if stack.source == "rsna_png":
        return (RSNA_PNG_PIXEL_MM, RSNA_PNG_PIXEL_MM)
    from ichviewer.core.preprocess import head_box

    side = head_box(stack.hu[0]).side / 1.08  # the box adds 4 % on each side
    return (HEAD_CT_BOX_MM / side, HEAD_CT_BOX_MM / side)


def stacks(data: Path, part: str, phantoms: int) -> Iterator[Stack]:
    """Every stack of split part `part` ('train' or 'val'), whole studies first."""
    from ichviewer.training.ct_ich import read_ct_ich
    from ichviewer.training.datasets import read_image_folder, read_rsna

    if part == "test":
        raise ValueError("the test split stays sealed: it is only read by `ichviewer evaluate`")
    split = load_split()
    yield from read_ct_ich(data / "ct_ich", members(split, "ct_ich", part))
    yield from read_rsna(data / "rsna_dicom" / "labels.csv", data / "rsna_dicom", members(split, "rsna_dicom", part))
    yield from thin_phantoms(phantom_seeds(split, part, phantoms))
    for source in ("rsna_png", "head_ct"):
        for stack in read_image_folder(data / source, source=source, ids=members(split, source, part)):
            yield replace(stack, pixel_spacing=single_image_spacing(stack))


def thin_phantoms(seeds: range) -> Iterator[Stack]:
    """Synthetic studies of known truth: 5 mm slices, every third one 1.25 mm (with its noise)."""
    from ichviewer.core.synthetic.phantom import generate_phantom, random_spec

    for seed in seeds:
        spec = random_spec(seed, size=256)
        if seed % 3 == 2:
            spec = replace(spec, n_slices=128, slice_mm=1.25, noise_hu=spec.noise_hu * 2.0)
        phantom = generate_phantom(spec)
        mask = np.ones(6, dtype=bool)
        slices = tuple(
            SliceLabel(i, f"phantom-{seed}-{i:03d}", t.astype(np.float32), mask)
            for i, t in enumerate(np.asarray(phantom.slice_labels))
        )
        positions = np.arange(spec.n_slices, dtype=float) * spec.slice_mm
        yield Stack(
            "phantom", f"phantom-{seed}", phantom.hu, slices, pixel_spacing=(spec.pixel_mm,) * 2, positions=positions
        )


def views(part: str, source: str, group: str, n_random: int) -> list[tuple[str, ScannerLook]]:
    """(name, look) of the views made of one stack."""
    if part == "val":  # every named look on the real whole studies; the clean view elsewhere
        return list(NAMED_LOOKS.items()) if source in ("ct_ich", "rsna_dicom") else [("clean", NAMED_LOOKS["clean"])]
    rng = np.random.default_rng(_seed(group, "looks"))
    real = source in REAL_HU_SOURCES
    return [("clean", ScannerLook())] + [(f"look{k}", random_look(rng, real)) for k in range(1, n_random + 1)]


def _write_pending(net: SlabSequenceNet, spec: ModelInput, pending: list[Any]) -> int:
    """Trunk maps of every pending view in one pass, each written to its own file; the number of maps."""
    if not pending:
        return 0
    maps = trunk_maps(net, torch.cat([p[2] for p in pending]), spec)
    first = 0
    for path, meta, images, labels, known, centres in pending:
        np.savez(path, maps=maps[first : first + len(images)], labels=labels, known=known, centres=centres, meta=meta)
        first += len(images)
    return first


def _seed(*parts: str) -> int:
    """A seed that is the same in every process (unlike hash() of a str)."""
    return zlib.crc32("/".join(parts).encode())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--out", type=Path, default=Path(".train/slabs"))
    p.add_argument("--parts", default="train,val")
    p.add_argument("--views", type=int, default=3, help="random looks per train study (plus a clean view)")
    p.add_argument("--phantoms", type=int, default=36, help="phantom studies in train (val: up to 10)")
    p.add_argument("--model", type=Path, help="the model whose trunk is used (default: the bundled one)")
    args = p.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    network, card = load_model(args.model)
    net = network if isinstance(network, SlabSequenceNet) else SlabSequenceNet(network, len(card.labels))
    net = net.eval().to(memory_format=torch.channels_last)
    spec = slab_input(card.input.per_slab())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "input.json").write_text(json.dumps(asdict(spec), default=list, indent=1))
    start, done = time.monotonic(), 0
    for part in args.parts.split(","):
        pending: list[tuple[Path, str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for stack in stacks(args.data, part, args.phantoms if part == "train" else 10):
            folder = args.out / stack.source
            folder.mkdir(exist_ok=True)
            todo = [
                (name, look)
                for name, look in views(part, stack.source, stack.group, args.views)
                if not (folder / f"{stack.group}__{name}.npz").exists()
            ]
            if not todo:
                continue
            images, labels, known, centres = study_slabs(stack, spec)
            for name, look in todo:
                rng = np.random.default_rng(_seed(stack.group, name))
                meta = {"source": stack.source, "group": stack.group, "part": part, "view": name, "look": asdict(look)}
                looked = apply_look(images, look, rng)
                pending.append(
                    (folder / f"{stack.group}__{name}.npz", json.dumps(meta), looked, labels, known, centres)
                )
            if sum(len(p[2]) for p in pending) >= 16 or len(images) > 1:  # single images go through in batches
                done += _write_pending(net, spec, pending)
                pending = []
                print(
                    f"{part} {stack.source} {stack.group}: {done} maps in {time.monotonic() - start:.0f} s", flush=True
                )
        done += _write_pending(net, spec, pending)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
