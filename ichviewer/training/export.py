"""Write a model folder: safetensors weights + `metadata.json` card stating their sha256."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.model import CARD_FILE, file_sha256
from ichviewer.core.windowing import PRESETS

if TYPE_CHECKING:
    import torch

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
WEIGHTS_FILE = "model.safetensors"


def card_template(
    name: str,
    version: str,
    architecture: str = "efficientnet_lite0",
    size: int = 256,
    windows: tuple[str, ...] = ("brain", "subdural", "bone"),
    context_slices: int = 0,
    labels: tuple[str, ...] = LABEL_KEYS,
    thresholds: dict[str, float] | None = None,
) -> dict[str, Any]:
    """A complete card for a network with the given input; training fills in data and metrics."""
    n_slices = 2 * context_slices + 1
    return {
        "name": name,
        "version": version,
        "task": "slice-level detection of intracranial hemorrhage and its five subtypes on axial head CT",
        "intended_use": "Research and teaching only. Not a medical device; not for clinical use or diagnosis.",
        "architecture": {"name": architecture, "library": "torchvision"},
        "weights": {"file": WEIGHTS_FILE, "sha256": "", "bytes": 0},
        "network_data_format": {
            "inputs": {
                "image": {
                    "format": "hounsfield",
                    "windows": [
                        {"name": w, "level": PRESETS[w].level, "width": PRESETS[w].width} for w in windows
                    ],
                    "channel_order": [f"slice{o:+d}:{w}" for o in range(-context_slices, context_slices + 1) for w in windows],
                    "context_slices": context_slices,
                    "size": size,
                    "crop_to_head": True,
                    "normalization": {
                        "mean": list(IMAGENET_MEAN[: len(windows)]) * n_slices,
                        "std": list(IMAGENET_STD[: len(windows)]) * n_slices,
                    },
                }
            },
            "outputs": {"pred": {"type": "logits (sigmoid gives probabilities)", "labels": list(labels)}},
        },
        "thresholds": thresholds or {k: 0.5 for k in labels},
    }


def write_model_folder(network: torch.nn.Module, folder: Path, card: dict[str, Any]) -> Path:
    """Save weights (safetensors, contiguous CPU tensors) and the card with their sha256."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / card["weights"]["file"]
    state = {k: v.detach().to("cpu").contiguous() for k, v in network.state_dict().items()}
    save_file(state, str(weights))
    card = {**card, "weights": {**card["weights"], "sha256": file_sha256(weights), "bytes": weights.stat().st_size}}
    (folder / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return folder
