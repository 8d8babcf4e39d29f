"""Training state of the slice model that survives an interruption: the EMA of its weights and checkpoints.

A checkpoint after every epoch holds weights, EMA, optimiser, schedule and RNG states, so `--resume`
continues exactly; settings that would change the run are refused on resume.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import torch

RESUME_MAY_DIFFER = {"resume", "out", "workers", "device"}


class EMA:
    """Exponential moving average of a network's weights (and copies of its BN statistics)."""

    def __init__(self, network: torch.nn.Module, decay: float) -> None:
        self.network = copy.deepcopy(network).eval()
        self.network.requires_grad_(False)
        self.decay = decay
        self.updates = 0

    @torch.no_grad()
    def update(self, network: torch.nn.Module) -> None:
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))  # warm-up: early weights fade fast
        for mine, theirs in zip(self.network.state_dict().values(), network.state_dict().values(), strict=True):
            if mine.dtype.is_floating_point:
                mine.lerp_(theirs, 1 - decay)
            else:
                mine.copy_(theirs)


def save_checkpoint(
    path: Path,
    epoch: int,
    settings: dict[str, Any],
    network: torch.nn.Module,
    ema: EMA | None,
    optimiser: torch.optim.Optimizer,
    scheduler: Any,
    scaler: Any,
    history: list[dict[str, Any]],
) -> None:
    """Everything needed to continue exactly: weights, EMA, optimiser, schedule, RNG states (written atomically)."""
    state = {
        "epoch": epoch,
        "settings": settings,
        "history": history,
        "network": network.state_dict(),
        "ema": ema.network.state_dict() if ema else None,
        "ema_updates": ema.updates if ema else 0,
        "optimiser": optimiser.state_dict(),
        "scheduler": scheduler.state_dict(),
        "scaler": scaler.state_dict(),
        "rng_torch": torch.get_rng_state(),
        "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def resume(
    path: Path,
    settings: dict[str, Any],
    network: torch.nn.Module,
    ema: EMA | None,
    optimiser: torch.optim.Optimizer,
    scheduler: Any,
    scaler: Any,
    device: torch.device,
) -> tuple[int, list[dict[str, Any]]]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no checkpoint to resume from (train once without --resume)")
    state = torch.load(path, map_location=device, weights_only=True)
    changed = {
        k: (state["settings"].get(k), v)
        for k, v in settings.items()
        if k not in RESUME_MAY_DIFFER and state["settings"].get(k) != v
    }
    if changed:
        raise ValueError(f"{path}: settings differ from the checkpoint's: {changed}")
    network.load_state_dict(state["network"])
    if ema is not None:
        ema.network.load_state_dict(state["ema"])
        ema.updates = state["ema_updates"]
    optimiser.load_state_dict(state["optimiser"])
    scheduler.load_state_dict(state["scheduler"])
    scaler.load_state_dict(state["scaler"])
    torch.set_rng_state(state["rng_torch"].cpu())
    if state["rng_cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["rng_cuda"]])
    print(f"resumed from {path} after epoch {state['epoch']}")
    return state["epoch"] + 1, list(state["history"])
