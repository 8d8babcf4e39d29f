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
                    "windows": [{"name": w, "level": PRESETS[w].level, "width": PRESETS[w].width} for w in windows],
                    "channel_order": [
                        f"slice{o:+d}:{w}" for o in range(-context_slices, context_slices + 1) for w in windows
                    ],
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


def output_layer(network: torch.nn.Module) -> torch.nn.Linear:
    """The final linear layer that produces the label logits (torchvision EfficientNet or ResNet)."""
    import torch

    layer = network.classifier[-1] if hasattr(network, "classifier") else getattr(network, "fc", None)  # type: ignore[index]
    if not isinstance(layer, torch.nn.Linear):
        raise ValueError(f"no final linear layer found in {type(network).__name__}")
    return layer


def centre_operating_points(
    network: torch.nn.Module, thresholds: dict[str, float], labels: tuple[str, ...] = LABEL_KEYS
) -> dict[str, float]:
    """Shift each label's output bias so its chosen threshold becomes 0.5; return the logit offsets.

    A per-label logit shift is monotone, so AUCs, sensitivities and specificities do not change;
    what changes is that a displayed score of 0.5 means "at the operating point" for every label,
    instead of thresholds like 0.002 that no reader can see on a 0–1 plot.
    """
    import math

    import torch

    layer = output_layer(network)
    offsets = {}
    with torch.no_grad():
        for k, key in enumerate(labels):
            t = min(max(float(thresholds[key]), 1e-6), 1 - 1e-6)
            offsets[key] = round(-math.log(t / (1 - t)), 6)
            layer.bias[k] += offsets[key]
    return offsets


def centred_card(card: dict[str, Any], thresholds: dict[str, float], offsets: dict[str, float]) -> dict[str, Any]:
    """The card after `centre_operating_points`: thresholds 0.5, the raw ones and the shift recorded."""
    return {
        **card,
        "thresholds": {key: 0.5 for key in thresholds},
        "score_calibration": {
            "note": "each label's output bias was shifted by its logit offset so that the threshold chosen on the "
            "validation split maps to a score of 0.5; scores are monotone in the raw network output "
            "(AUC, sensitivity and specificity unchanged) but are not calibrated probabilities",
            "raw_thresholds": thresholds,
            "logit_offsets": offsets,
        },
    }
