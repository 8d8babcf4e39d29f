"""Train the hemorrhage classifier from the pack (+ phantom made here); write the model folder.

`PYTHONPATH=. python3 -m ichviewer.training.train --pack .train/pack.npz --out DIR` (also
`ichviewer train …`). CUDA when present (bf16 autocast, channels_last), else the CPU. Needs
numpy, scipy, torch, torchvision, safetensors and tqdm only — no pydicom or Qt — so a bare GPU
machine runs it with the repository, the pack and `--init` (the ImageNet weights file).
Recipe: EfficientNet-Lite0 from ImageNet; masked BCE over six labels ("any" weighted 2, as the
RSNA metric); balanced sampling per source and label (`train_data`); GPU augmentation on HU
(`augment`); AdamW with warm-up and cosine decay; EMA of the weights, which is what is
validated and exported. A checkpoint after every epoch resumes exactly (`--resume`).
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.model import ModelInput, build_network
from ichviewer.core.preprocess import network_input
from ichviewer.training.augment import AugmentConfig, augment
from ichviewer.training.export import card_template, centre_operating_points, centred_card, write_model_folder
from ichviewer.training.metrics import RSNA_WEIGHTS, THRESHOLD_RULE, auc, choose_thresholds, weighted_log_loss
from ichviewer.training.pack import REAL_SOURCES, WINDOWS, pack_counts
from ichviewer.training.pretrained import init_from_imagenet
from ichviewer.training.split import PHANTOM_SEEDS
from ichviewer.training.train_data import (
    TrainingRows,
    limit_rows,
    load_pack_rows,
    parse_shares,
    phantom_rows,
    sampling_weights,
)
from ichviewer.training.train_state import EMA, resume, save_checkpoint

ARCHITECTURE = "efficientnet_lite0"
DEFAULT_SHARES = "rsna_dicom=0.3,rsna_png=0.3,head_ct=0.15,phantom=0.25"
CHECKPOINT = "checkpoint.pt"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ichviewer train", description="Train the hemorrhage classifier from a training pack."
    )
    p.add_argument("--pack", type=Path, required=True, help="training pack (python -m ichviewer.training.pack)")
    p.add_argument("--out", type=Path, default=Path(".train/run"), help="checkpoint, log and model/ go here")
    p.add_argument(
        "--init", type=Path, help="ImageNet weights (python -m ichviewer.training.pretrained); default: the package"
    )
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--epoch-size", type=int, default=4096, help="slices drawn per epoch (balanced sampling)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.02)
    p.add_argument("--warmup-epochs", type=float, default=1.0)
    p.add_argument("--ema", type=float, default=0.998, help="EMA decay per step (0: no EMA)")
    p.add_argument("--shares", default=DEFAULT_SHARES, help="share of each source in every epoch")
    p.add_argument("--positive-fraction", type=float, default=0.5, help="'any'-positive share of draws within a source")
    p.add_argument("--phantom", type=int, default=60, help="phantom volumes for training (seeds from 0)")
    p.add_argument("--phantom-val", type=int, default=10, help="phantom volumes for validation (seeds from 9000)")
    p.add_argument(
        "--phantom-size",
        type=_sizes,
        default=(256,),
        help="in-plane size(s) of generated phantoms, alternating over seeds (e.g. 256,512)",
    )
    p.add_argument("--no-augment", action="store_true")
    p.add_argument("--limit", type=int, default=0, help="at most N rows per source and split (smoke runs)")
    p.add_argument("--seed", type=int, default=2019)
    p.add_argument("--device", default="auto", choices=("auto", "cuda", "cpu"))
    p.add_argument("--workers", type=int, default=0, help="processes for phantom generation (0: all cores)")
    p.add_argument("--name", default="ichnet-lite0")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--resume", action="store_true", help=f"continue from DIR/{CHECKPOINT}")
    return p


def _sizes(text: str) -> tuple[int, ...]:
    """'256,512' → (256, 512)."""
    return tuple(int(part) for part in text.split(",") if part.strip())


def masked_bce(logits: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy over the known labels only, label-weighted ("any" ×2)."""
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    w = mask * weights
    return (loss * w).sum() / w.sum().clamp_min(1.0)


def predict(
    network: torch.nn.Module, hu: torch.Tensor, spec: ModelInput, amp: torch.dtype | None, batch: int = 256
) -> np.ndarray:
    """Sigmoid probabilities (N, 6) for int16 HU rows, without augmentation."""
    network.eval()
    out = []
    with torch.inference_mode():
        for first in range(0, hu.shape[0], batch):
            x = network_input(hu[first : first + batch].float(), spec).contiguous(memory_format=torch.channels_last)
            with torch.autocast(device_type=hu.device.type, dtype=amp or torch.float32, enabled=amp is not None):
                out.append(torch.sigmoid(network(x).float()).cpu())
    return torch.cat(out).numpy() if out else np.zeros((0, len(LABEL_KEYS)), dtype=np.float32)


def validation_figures(prob: np.ndarray, rows: TrainingRows) -> dict[str, Any]:
    """'any' AUC per source, the mean AUC over labels on the real sources pooled, RSNA log loss."""
    figures: dict[str, Any] = {"auc_any": {}}
    for source in np.unique(rows.source):
        r = rows.source == source
        figures["auc_any"][str(source)] = _nan_to_none(
            auc(rows.labels[r, 0][rows.mask[r, 0]], prob[r, 0][rows.mask[r, 0]])
        )
    real = np.isin(rows.source, REAL_SOURCES)
    per_label = [
        auc(rows.labels[real & rows.mask[:, k], k], prob[real & rows.mask[:, k], k]) for k in range(len(LABEL_KEYS))
    ]
    figures["auc_mean_real"] = _nan_to_none(float(np.nanmean(per_label)) if not np.isnan(per_label).all() else math.nan)
    figures["log_loss_real"] = _nan_to_none(weighted_log_loss(rows.labels[real], prob[real], rows.mask[real]))
    return figures


def _nan_to_none(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def describe_epoch(
    epoch: int, epochs: int, loss: float, figures: dict[str, Any], seconds: tuple[float, float], rate: float
) -> str:
    """One line per epoch: loss, validation AUCs and timing (to size a GPU run)."""
    any_auc = ", ".join(f"{s} {v:.3f}" if v is not None else f"{s} n/a" for s, v in figures["auc_any"].items())
    mean = figures["auc_mean_real"]
    return (
        f"epoch {epoch}/{epochs}  loss {loss:.4f}  val AUC any: {any_auc}  mean AUC (6 labels, real) "
        f"{mean if mean is None else f'{mean:.3f}'}  "
        f"[{seconds[0]:.1f} s train + {seconds[1]:.1f} s val, {rate:.0f} slices/s]"
    )


def load_rows(args: argparse.Namespace) -> tuple[TrainingRows, dict[str, Any], ModelInput]:
    """Pack rows, plus phantom volumes generated here, optionally limited per source (smoke runs)."""
    rows, meta, spec = load_pack_rows(args.pack)
    seeds = {
        "train": range(PHANTOM_SEEDS["train"][0], PHANTOM_SEEDS["train"][0] + args.phantom),
        "val": range(PHANTOM_SEEDS["val"][0], PHANTOM_SEEDS["val"][0] + args.phantom_val),
    }
    start = time.perf_counter()
    phantom = phantom_rows(seeds, spec, args.phantom_size, args.workers or None)
    if phantom is not None:
        rows = TrainingRows.concat([rows, phantom])
        seconds = time.perf_counter() - start
        print(f"phantom: {args.phantom} + {args.phantom_val} volumes, {len(phantom)} slices in {seconds:.1f} s")
    if args.limit:
        parts = [
            limit_rows(rows.select(np.flatnonzero(rows.split == s)), args.limit, args.seed) for s in ("train", "val")
        ]
        rows = TrainingRows.concat(parts)
    return rows, meta, spec


def row_counts(rows: TrainingRows) -> dict[str, dict[str, dict[str, int]]]:
    return pack_counts(rows.source, rows.split, rows.labels, rows.mask)


def train(args: argparse.Namespace, argv: list[str]) -> Path:
    """Run (or resume) training; return the model folder written at the end."""
    cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    device = torch.device("cuda" if cuda else "cpu")
    amp = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if cuda else None
    torch.manual_seed(args.seed)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    args.out.mkdir(parents=True, exist_ok=True)
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "handler"}

    rows, meta, spec = load_rows(args)
    train_rows = np.flatnonzero(rows.split == "train")
    val = rows.select(np.flatnonzero(rows.split == "val"))
    weights = sampling_weights(
        rows.source[train_rows], rows.labels[train_rows, 0] > 0, parse_shares(args.shares), args.positive_fraction
    )
    hu = torch.from_numpy(rows.hu[train_rows]).to(device)
    labels = torch.from_numpy(rows.labels[train_rows]).to(device)
    mask = torch.from_numpy(rows.mask[train_rows]).float().to(device)
    has_hu = torch.from_numpy(rows.has_hu[train_rows]).to(device)
    val_hu = torch.from_numpy(val.hu).to(device)
    label_weights = torch.tensor(RSNA_WEIGHTS, device=device)
    augmentation = AugmentConfig.off() if args.no_augment else AugmentConfig()

    network = build_network(ARCHITECTURE, spec.channels, len(LABEL_KEYS))
    init_message = init_from_imagenet(network, args.init)
    print(init_message)
    network = network.to(device, memory_format=torch.channels_last)
    ema = EMA(network, args.ema) if args.ema > 0 else None
    decay, no_decay = [], []
    for parameter in network.parameters():
        (no_decay if parameter.ndim <= 1 else decay).append(parameter)
    optimiser = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr
    )
    steps_per_epoch = math.ceil(args.epoch_size / args.batch_size)
    total, warmup = args.epochs * steps_per_epoch, max(1, int(args.warmup_epochs * steps_per_epoch))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min(
            (step + 1) / warmup, 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))
        ),
    )
    scaler = torch.amp.GradScaler("cuda", enabled=amp == torch.float16)

    history: list[dict[str, Any]] = []
    first_epoch = 1
    checkpoint_path = args.out / CHECKPOINT
    if args.resume:
        first_epoch, history = resume(checkpoint_path, settings, network, ema, optimiser, scheduler, scaler, device)
    precision = "AMP " + str(amp).removeprefix("torch.") if amp else "fp32"
    per_source = ", ".join(
        f"{s} {int((rows.source[train_rows] == s).sum())}" for s in np.unique(rows.source[train_rows])
    )
    print(
        f"training on {device} ({precision}): {len(train_rows)} slices ({per_source}), "
        f"{len(val)} validation slices; {args.epochs} epochs × {steps_per_epoch} steps of {args.batch_size}"
    )
    started = time.perf_counter()
    for epoch in range(first_epoch, args.epochs + 1):
        t0 = time.perf_counter()
        network.train()
        generator = torch.Generator().manual_seed(args.seed * 1000 + epoch)
        draws = torch.multinomial(
            torch.from_numpy(weights), steps_per_epoch * args.batch_size, replacement=True, generator=generator
        ).to(device)
        losses = []
        bar = tqdm(
            range(steps_per_epoch), desc=f"epoch {epoch}/{args.epochs}", leave=False, file=sys.stderr, disable=None
        )
        for step in bar:
            batch = draws[step * args.batch_size : (step + 1) * args.batch_size]
            x = network_input(augment(hu[batch].float(), has_hu[batch], augmentation), spec)
            with torch.autocast(device_type=device.type, dtype=amp or torch.float32, enabled=amp is not None):
                logits = network(x.contiguous(memory_format=torch.channels_last))
            loss = masked_bce(logits.float(), labels[batch], mask[batch], label_weights)
            optimiser.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimiser)
            torch.nn.utils.clip_grad_norm_(network.parameters(), 5.0)
            scaler.step(optimiser)
            scaler.update()
            scheduler.step()
            if ema is not None:
                ema.update(network)
            losses.append(float(loss.detach()) if step % 10 == 0 or step == steps_per_epoch - 1 else math.nan)
            bar.set_postfix(
                loss=f"{np.nanmean(losses[-50:]):.4f}", lr=f"{scheduler.get_last_lr()[0]:.2e}", refresh=False
            )
        if cuda:
            torch.cuda.synchronize()
        t1 = time.perf_counter()
        final = ema.network if ema is not None else network
        prob = predict(final, val_hu, spec, amp)
        figures = validation_figures(prob, val)
        t2 = time.perf_counter()
        history.append(
            {
                "epoch": epoch,
                "loss": round(float(np.nanmean(losses)), 5),
                **figures,
                "train_s": round(t1 - t0, 2),
                "val_s": round(t2 - t1, 2),
            }
        )
        print(
            describe_epoch(
                epoch,
                args.epochs,
                float(np.nanmean(losses)),
                figures,
                (t1 - t0, t2 - t1),
                steps_per_epoch * args.batch_size / (t1 - t0),
            ),
            flush=True,
        )
        save_checkpoint(checkpoint_path, epoch, settings, network, ema, optimiser, scheduler, scaler, history)
        with open(args.out / "log.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(history[-1]) + "\n")

    final = ema.network if ema is not None else network
    prob = predict(final, val_hu, spec, amp)
    real = np.isin(val.source, REAL_SOURCES)
    thresholds, detail = choose_thresholds(val.labels[real], prob[real], val.mask[real], LABEL_KEYS)
    card = training_card(
        args,
        argv,
        meta,
        spec,
        row_counts(rows),
        thresholds,
        detail,
        validation_figures(prob, val),
        history,
        init_message,
        device,
        amp,
        augmentation,
        time.perf_counter() - started,
    )
    final = final.float().to("cpu")
    card = centred_card(card, thresholds, centre_operating_points(final, thresholds))
    folder = write_model_folder(final, args.out / "model", card)
    (args.out / "validation.json").write_text(json.dumps({"thresholds": thresholds, "detail": detail}, indent=2) + "\n")
    print(f"thresholds (validation, {THRESHOLD_RULE})")
    for key, d in detail.items():
        print(
            f"  {key:<17} {thresholds[key]:.4f}  {d['rule']}: sens {d['sensitivity']} spec {d['specificity']} "
            f"(TP {d['tp']} FN {d['fn']} TN {d['tn']} FP {d['fp']}), AUC {d['auc']}"
        )
    print(f"wrote {folder} in {time.perf_counter() - started:.0f} s")
    return folder


def training_card(
    args: argparse.Namespace,
    argv: list[str],
    meta: dict[str, Any],
    spec: ModelInput,
    counts: dict[str, Any],
    thresholds: dict[str, float],
    detail: dict[str, Any],
    figures: dict[str, Any],
    history: list[dict[str, Any]],
    init_message: str,
    device: torch.device,
    amp: torch.dtype | None,
    augmentation: AugmentConfig,
    seconds: float,
) -> dict[str, Any]:
    """The model card: input, thresholds with their rule, training data and command; metrics come from evaluate."""
    card = card_template(
        args.name, args.version, ARCHITECTURE, spec.size, WINDOWS, spec.context_slices, LABEL_KEYS, thresholds
    )
    card["threshold_rule"] = THRESHOLD_RULE
    card["validation"] = {
        "note": "validation split, used to choose the thresholds (not a test result); thresholds "
        "here are on the raw network output, before score_calibration",
        "per_label": detail,
        **figures,
    }
    card["training"] = {
        "command": "PYTHONPATH=. python3 -m ichviewer.training.train " + shlex.join(argv),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "handler"},
        "data": {
            "slices_per_source_split_label": counts,
            "split": meta.get("split_recipe", ""),
            "pack_quantisation": meta.get("quantisation", ""),
        },
        "initialisation": init_message,
        "sampling": f"per epoch {args.epoch_size} draws with replacement; source shares {args.shares}; within a "
        f"source {args.positive_fraction:.0%} 'any'-positive draws, so the source carries no label prior",
        "loss": "binary cross-entropy over the known labels of each slice (head_ct: 'any' only), 'any' weighted 2",
        "optimiser": f"AdamW lr {args.lr} weight decay {args.weight_decay} (not on norms/biases), "
        f"{args.warmup_epochs} warm-up epoch(s) then cosine to 0; gradient norm clipped at 5; EMA {args.ema}",
        "augmentation": asdict(augmentation),
        "device": f"{device.type}{' ' + torch.cuda.get_device_name(0) if device.type == 'cuda' else ''}, "
        f"{'AMP ' + str(amp).removeprefix('torch.') if amp else 'fp32'}, torch {torch.__version__}",
        "seconds": round(seconds, 1),
        "history": history,
    }
    card["metrics"] = {"note": "filled from the held-out test split by `ichviewer evaluate --write-card`"}
    return card


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    train(args, argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
