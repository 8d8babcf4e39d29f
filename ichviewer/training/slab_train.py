"""Train the slab-and-sequence model on the trunk maps of `slab_pack` (CPU is enough).

The trunk stays as the slice model left it; fusion, the last two stages, the slab head and the
sequence model train on whole studies (every slab at once, so the GRU sees real neighbours) and on
single images (sequences of one). Loss: masked BCE per slab on the final logits ("any" weighted
2, as the RSNA metric), half of it again on the slab head's logits, and BCE of the study logit
(the maximum over its slabs) for whole studies. Each epoch draws every train study once (a
random view) and half the phantom studies; the epoch with the lowest validation loss on the clean
views of real studies is kept. Several seeds run one after another; `slab_select` picks one.

`python -m ichviewer.training.slab_train --slabs .train/slabs --out .train/seq --seeds 0,1,2`
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.model import SLAB_SEQUENCE, build_network, load_model
from ichviewer.core.slab_network import SlabSequenceNet, neighbours

LABEL_WEIGHTS = torch.tensor([2.0, 1.0, 1.0, 1.0, 1.0, 1.0])
PHANTOM_SHARE = 0.5  # of the phantom studies drawn per epoch
NEIGHBOUR_DROP = 0.1  # a slab sees itself as neighbour (as at the ends of a stack)
WHOLE_STUDIES = ("ct_ich", "rsna_dicom")


@dataclass
class StudyViews:
    """All views of one stack: maps (V, L, 192, 8, 8) float16, labels/known (L, 6), view names."""

    source: str
    group: str
    part: str
    views: list[str]
    maps: np.ndarray
    labels: np.ndarray
    known: np.ndarray
    embeddings: np.ndarray | None = None  # (V, L, 1280) of the frozen encoder, when only the sequence trains
    slab: np.ndarray | None = None  # (V, L, n) the frozen slab head's logits

    @property
    def length(self) -> int:
        return int(self.labels.shape[0])

    def study_truth(self) -> tuple[np.ndarray, np.ndarray]:
        positive = self.labels.max(axis=0) > 0
        return positive.astype(np.float32), positive | self.known.all(axis=0)


def load_slabs(folder: Path, part: str) -> list[StudyViews]:
    """Every stack of a split part, its views together (clean first)."""
    groups: dict[tuple[str, str], list[tuple[str, dict[str, np.ndarray]]]] = {}
    for path in sorted(folder.glob("*/*.npz")):
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            if meta["part"] != part:
                continue
            arrays = {k: data[k] for k in ("maps", "labels", "known")}
        groups.setdefault((meta["source"], meta["group"]), []).append((meta["view"], arrays))
    out = []
    for (source, group), items in sorted(groups.items()):
        items.sort(key=lambda item: (item[0] != "clean", item[0]))
        out.append(
            StudyViews(
                source,
                group,
                part,
                [name for name, _ in items],
                np.stack([a["maps"] for _, a in items]),
                items[0][1]["labels"].astype(np.float32),
                items[0][1]["known"].astype(bool),
            )
        )
    return out


def study_logits(net: SlabSequenceNet, maps: torch.Tensor, drop: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """(slab logits, final logits) of one study's trunk maps (L, 192, 8, 8); `drop` hides neighbours."""
    below, above = neighbours(maps)
    if drop > 0:
        hide = (torch.rand(len(maps)) < drop)[:, None, None, None]
        below, above = torch.where(hide, maps, below), torch.where(hide, maps, above)
    embedding = net.embed(below, maps, above)
    slab = net.slab_logits(embedding)
    return slab, net.sequence_logits(embedding[None], slab[None])[0]


def masked_bce(logits: torch.Tensor, labels: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    weights = LABEL_WEIGHTS * known
    return (loss * weights).sum() / weights.sum().clamp_min(1.0)


def embed_views(net: SlabSequenceNet, studies: list[StudyViews]) -> None:
    """Fill each stack's embeddings and slab logits for every view with the frozen encoder (sequence-only training)."""
    net.eval()
    with torch.inference_mode():
        for study in studies:
            embeddings, slabs = [], []
            for view in study.maps:
                maps = torch.from_numpy(view.astype(np.float32))
                embedding = net.embed(*_ordered(neighbours(maps), maps))
                embeddings.append(embedding.numpy())
                slabs.append(net.slab_logits(embedding).numpy())
            study.embeddings, study.slab = np.stack(embeddings), np.stack(slabs)


def _ordered(pair: tuple[torch.Tensor, torch.Tensor], maps: torch.Tensor) -> tuple[torch.Tensor, ...]:
    return pair[0], maps, pair[1]


def study_loss(net: SlabSequenceNet, study: StudyViews, view: int, train: bool) -> tuple[torch.Tensor, int]:
    labels, known = torch.from_numpy(study.labels), torch.from_numpy(study.known).float()
    if study.embeddings is not None and study.slab is not None:  # only the sequence model learns
        slab = torch.from_numpy(study.slab[view])
        final = net.sequence_logits(torch.from_numpy(study.embeddings[view])[None], slab[None])[0]
        loss = masked_bce(final, labels, known)
    else:
        maps = torch.from_numpy(study.maps[view].astype(np.float32))
        slab, final = study_logits(net, maps, NEIGHBOUR_DROP if train else 0.0)
        loss = masked_bce(final, labels, known) + 0.5 * masked_bce(slab, labels, known)
    if study.length > 1:
        truth, truth_known = (torch.from_numpy(a) for a in study.study_truth())
        loss = loss + masked_bce(final.max(dim=0).values[None], truth[None], truth_known.float()[None])
    return loss, study.length


def validation_loss(net: SlabSequenceNet, studies: list[StudyViews]) -> float:
    """Mean loss over the real whole validation studies, every view (clean and each scanner look): what the
    product decides on. Single images, most of the validation stacks, would otherwise outvote them."""
    net.eval()
    with torch.inference_mode():
        losses = [
            float(study_loss(net, s, v, train=False)[0])
            for s in studies
            if s.source in WHOLE_STUDIES
            for v in range(len(s.views))
        ]
    return float(np.mean(losses))


def trainable(net: SlabSequenceNet, sequence_only: bool) -> list[torch.nn.Parameter]:
    """The parameters that learn: the sequence model alone, or everything after the trunk."""
    learning = ("reduce.", "gru.", "seq_head.") if sequence_only else None
    out = []
    for name, p in net.named_parameters():
        learn = p.requires_grad and not name.startswith("trunk.") and name != "offset"
        if learning is not None:
            learn = learn and name.startswith(learning)
        p.requires_grad_(learn)
        if learn:
            out.append(p)
    return out


def train_seed(
    base: SlabSequenceNet,
    train: list[StudyViews],
    val: list[StudyViews],
    seed: int,
    epochs: int,
    lr: float,
    sequence_only: bool = True,
) -> tuple[SlabSequenceNet, list[dict[str, float]]]:
    """One run; returns the network of the best validation epoch and the log."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = copy.deepcopy(base)
    params = trainable(net, sequence_only)
    optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=0.02)
    studies = [s for s in train if s.length > 1 and s.source != "phantom"]
    phantoms = [s for s in train if s.source == "phantom"]
    singles = [s for s in train if s.length == 1]
    steps_per_epoch = len(studies) + math.ceil(PHANTOM_SHARE * len(phantoms)) + math.ceil(len(singles) / 16)
    total = epochs * steps_per_epoch
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=total, pct_start=0.1)
    best, best_state, log = math.inf, copy.deepcopy(net.state_dict()), []
    for epoch in range(epochs):
        net.train()
        net.trunk.eval()
        start = time.monotonic()
        drawn = phantoms and list(rng.choice(len(phantoms), math.ceil(PHANTOM_SHARE * len(phantoms)), replace=False))
        batches: list[list[StudyViews]] = [[s] for s in studies] + [[phantoms[i]] for i in drawn or []]
        order = rng.permutation(len(singles))
        batches += [[singles[i] for i in order[k : k + 16]] for k in range(0, len(order), 16)]
        running = []
        for b in rng.permutation(len(batches)):
            losses = [study_loss(net, s, int(rng.integers(len(s.views))), train=True)[0] for s in batches[b]]
            loss = torch.stack(losses).mean()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 5.0)
            optimiser.step()
            schedule.step()
            running.append(float(loss.detach()))
        val_loss = validation_loss(net, val)
        log.append(
            {
                "epoch": epoch + 1,
                "train_loss": float(np.mean(running)),
                "val_loss": val_loss,
                "seconds": time.monotonic() - start,
            }
        )
        print(
            f"seed {seed} epoch {epoch + 1}: train {np.mean(running):.4f} val {val_loss:.4f} "
            f"({time.monotonic() - start:.0f} s)",
            flush=True,
        )
        if val_loss < best:
            best, best_state = val_loss, copy.deepcopy(net.state_dict())
    net.load_state_dict(best_state)
    net.eval()
    return net, log


def base_network(model: Path | None) -> SlabSequenceNet:
    """The frozen encoder (trunk, stages 7-8, slab head) in a network whose sequence model is fresh.

    From a slice model (ichnet-lite0 1.0.0, the trunk's origin: git history of models/) its features and
    head, the head's centring undone; from a slab model (the bundled one) its encoder as it is.
    """
    network, card = load_model(model)
    if tuple(card.labels) != LABEL_KEYS:
        raise ValueError(f"the model's labels {card.labels} are not {LABEL_KEYS}")
    if isinstance(network, SlabSequenceNet):
        fresh = build_network(SLAB_SEQUENCE, card.input.channels, len(card.labels))
        assert isinstance(fresh, SlabSequenceNet)
        for part in ("trunk", "fusion", "top", "slab_head"):
            getattr(fresh, part).load_state_dict(getattr(network, part).state_dict())
        return fresh
    net = SlabSequenceNet(network, len(card.labels))
    head = network.classifier[1]  # type: ignore[index]
    net.slab_head.load_state_dict(head.state_dict())
    offsets = card.raw.get("score_calibration", {}).get("logit_offsets", {})
    with torch.no_grad():  # back to the raw network output: the centring is redone for the new thresholds
        for k, key in enumerate(card.labels):
            net.slab_head.bias[k] -= float(offsets.get(key, 0.0))
    return net


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--slabs", type=Path, default=Path(".train/slabs"))
    p.add_argument("--out", type=Path, default=Path(".train/seq"))
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--model", type=Path, help="the model whose encoder is used (default: the bundled one)")
    p.add_argument(
        "--train",
        choices=("sequence", "top"),
        default="sequence",
        help="sequence: only the bi-GRU learns, on the frozen encoder's slab vectors (default); "
        "top: also the neighbour fusion, stages 7-8 and the slab head (overfits the 45 training studies)",
    )
    args = p.parse_args(argv)
    train, val = load_slabs(args.slabs, "train"), load_slabs(args.slabs, "val")
    print(f"{len(train)} train stacks ({sum(s.length for s in train)} slabs), {len(val)} val stacks", flush=True)
    base = base_network(args.model)
    if args.train == "sequence":
        embed_views(base, train + val)
    args.out.mkdir(parents=True, exist_ok=True)
    for seed in (int(s) for s in args.seeds.split(",")):
        net, log = train_seed(base, train, val, seed, args.epochs, args.lr, args.train == "sequence")
        torch.save(net.state_dict(), args.out / f"seed{seed}.pt")
        (args.out / f"seed{seed}.json").write_text(
            json.dumps({"seed": seed, "log": log, "args": {k: str(v) for k, v in vars(args).items()}}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
