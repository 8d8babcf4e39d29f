"""The model folder: a card (`metadata.json`) that declares everything, and safely loaded weights.

A model is `models/<name>/` with `metadata.json` (MONAI-bundle-style keys) and a safetensors
weights file whose sha256 the card states. Inference reads the card, so a new model needs no
code change. torch is imported only by the functions that build or load a network.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.windowing import Window

if TYPE_CHECKING:
    import torch

CARD_FILE = "metadata.json"
DEFAULT_MODEL = "ichnet-slab"
SLAB_SEQUENCE = "efficientnet_lite0_slab_gru"  # core.slab_network: 5 mm slabs, neighbours, a GRU over the study
ARCHITECTURES = ("efficientnet_lite0", "resnet18", SLAB_SEQUENCE)


class ModelError(Exception):
    """The model cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class ModelInput:
    """What the network expects: HU windows as channels, square size, neighbour slices."""

    windows: tuple[Window, ...]
    size: int
    context_slices: int  # neighbours on each side; channels = windows × (2·context + 1)
    mean: tuple[float, ...]
    std: tuple[float, ...]
    crop_to_head: bool
    mm_per_pixel: float | None = None  # a fixed physical grid centred on the head (None: head box → size)
    slab_mm: float | None = None  # slabs this thick along the normal (core.slabs); None: native slices

    @property
    def channels(self) -> int:
        return len(self.windows) * (2 * self.context_slices + 1)

    def per_slab(self) -> ModelInput:
        """The input of one slab alone (its windows, their statistics): what a slab model's trunk takes."""
        n = len(self.windows)
        return replace(self, context_slices=0, mean=self.mean[:n], std=self.std[:n])


@dataclass(frozen=True)
class ModelCard:
    """The parsed `metadata.json`; `raw` keeps every key for the About box and the PDF."""

    folder: Path
    name: str
    version: str
    architecture: str
    weights_file: str
    sha256: str
    input: ModelInput
    labels: tuple[str, ...]
    thresholds: dict[str, float]
    raw: dict[str, Any] = field(repr=False)

    @property
    def weights_path(self) -> Path:
        return self.folder / self.weights_file

    @property
    def title(self) -> str:
        return f"{self.name} {self.version}"

    def threshold(self, label: str) -> float:
        return self.thresholds.get(label, 0.5)


def bundled_models_dir() -> Path:
    """The `models/` folder packaged with ichviewer (found through importlib.resources)."""
    return Path(str(importlib.resources.files("ichviewer") / "models"))


def default_model_dir() -> Path:
    return bundled_models_dir() / DEFAULT_MODEL


def read_card(folder: str | Path) -> ModelCard:
    """Parse and check `folder/metadata.json`; raise ModelError naming the problem."""
    folder = Path(folder)
    path = folder / CARD_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: model card not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError(f"{path}: unreadable model card ({error})") from None
    try:
        image = raw["network_data_format"]["inputs"]["image"]
        if image.get("format") != "hounsfield":
            raise ModelError(f"{path}: input format {image.get('format')!r} is not 'hounsfield'")
        windows = tuple(Window(float(w["level"]), float(w["width"]), str(w["name"])) for w in image["windows"])
        size = int(image["size"])
        model_input = ModelInput(
            windows=windows,
            size=size,
            context_slices=int(image.get("context_slices", 0)),
            mean=tuple(float(v) for v in image["normalization"]["mean"]),
            std=tuple(float(v) for v in image["normalization"]["std"]),
            crop_to_head=bool(image.get("crop_to_head", True)),
            mm_per_pixel=_optional_float(image.get("mm_per_pixel")),
            slab_mm=_optional_float(image.get("slab_mm")),
        )
        labels = tuple(raw["network_data_format"]["outputs"]["pred"]["labels"])
        card = ModelCard(
            folder=folder,
            name=str(raw["name"]),
            version=str(raw["version"]),
            architecture=str(raw["architecture"]["name"]),
            weights_file=str(raw["weights"]["file"]),
            sha256=str(raw["weights"]["sha256"]).lower(),
            input=model_input,
            labels=labels,
            thresholds={k: float(v) for k, v in raw.get("thresholds", {}).items()},
            raw=raw,
        )
    except ModelError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"{path}: model card is missing or has a bad field ({error})") from None
    unknown = [label for label in labels if label not in LABEL_KEYS]
    if unknown:
        raise ModelError(f"{path}: unknown labels {unknown}; known: {list(LABEL_KEYS)}")
    if len(model_input.mean) != model_input.channels or len(model_input.std) != model_input.channels:
        raise ModelError(f"{path}: normalization needs {model_input.channels} values per statistic")
    return card


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not number > 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return number


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_network(architecture: str, in_channels: int, n_outputs: int) -> torch.nn.Module:
    """Build an untrained torchvision network by the card's architecture name."""
    import torch
    import torchvision
    from torchvision.ops.misc import SqueezeExcitation

    if architecture == SLAB_SEQUENCE:
        from ichviewer.core.slab_network import SlabSequenceNet

        if in_channels % 3:
            raise ModelError(f"{architecture} takes 3 slabs of windows, not {in_channels} channels")
        return SlabSequenceNet(build_network("efficientnet_lite0", in_channels // 3, n_outputs), n_outputs)
    if architecture == "efficientnet_lite0":
        # EfficientNet-Lite0 = EfficientNet-B0 without squeeze-excitation and with ReLU6
        # (Google's mobile variant): same torchvision graph, faster on CPU.
        network = torchvision.models.efficientnet_b0(weights=None)
        _replace_modules(network, SqueezeExcitation, lambda _: torch.nn.Identity())
        _replace_modules(network, torch.nn.SiLU, lambda _: torch.nn.ReLU6(inplace=True))
        stem = network.features[0][0]
        head = network.classifier[1]
    elif architecture == "resnet18":
        network = torchvision.models.resnet18(weights=None)
        stem, head = network.conv1, network.fc
    else:
        raise ModelError(f"unknown architecture {architecture!r} (known: {', '.join(ARCHITECTURES)})")
    if in_channels != stem.in_channels:
        new_stem = torch.nn.Conv2d(
            in_channels, stem.out_channels, stem.kernel_size, stem.stride, stem.padding, bias=stem.bias is not None
        )
        _set_module(network, stem, new_stem)
    _set_module(network, head, torch.nn.Linear(head.in_features, n_outputs))
    return network


def _replace_modules(root: torch.nn.Module, kind: type, make: Any) -> None:
    for name, child in root.named_children():
        if isinstance(child, kind):
            setattr(root, name, make(child))
        else:
            _replace_modules(child, kind, make)


def _set_module(root: torch.nn.Module, old: torch.nn.Module, new: torch.nn.Module) -> None:
    for parent in root.modules():
        for name, child in parent.named_children():
            if child is old:
                setattr(parent, name, new)
                return
    raise ValueError("module not found in network")


def target_layer(network: torch.nn.Module, architecture: str) -> torch.nn.Module:
    """The last convolutional block, where Grad-CAM reads activations and gradients."""
    if architecture == "efficientnet_lite0":
        return network.features[-1]  # type: ignore[index,return-value]
    if architecture == SLAB_SEQUENCE:
        return network.top[-1]  # type: ignore[index,return-value]
    if architecture == "resnet18":
        return network.layer4[-1]  # type: ignore[index,return-value]
    raise ModelError(f"no Grad-CAM layer known for {architecture!r}")


def load_model(folder: str | Path | None = None) -> tuple[torch.nn.Module, ModelCard]:
    """Read the card, check the weights' sha256, load them safely; network in eval mode on CPU."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    card = read_card(folder or default_model_dir())
    path = card.weights_path
    if not path.is_file():
        raise ModelError(f"{path}: weights file not found")
    actual = file_sha256(path)
    if actual != card.sha256:
        raise ModelError(
            f"{path}: sha256 {actual[:12]}… does not match the card's {card.sha256[:12]}… "
            "(file truncated, damaged or replaced)"
        )
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as error:
        raise ModelError(f"{path}: unreadable weights ({error})") from None
    network = build_network(card.architecture, card.input.channels, len(card.labels))
    try:
        network.load_state_dict(state, strict=True)
    except RuntimeError as error:
        first = str(error).splitlines()[0]
        raise ModelError(f"{path}: weights do not fit the card's architecture ({first})") from None
    network.eval()
    return network, card
