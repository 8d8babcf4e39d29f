"""CT-appropriate augmentation of float HU batches, on the training device (torch ops only).

Acts on the output of `core.preprocess.resized_hu` (N, k, S, S) before `network_input`, so the
windows are computed after it exactly as at inference:
- one affine per sample (rotation ±10°, scale ±10 %, shift ±6 %, left-right flip; never
  up-down: skull base and vertex are not interchangeable), padded with air;
- resolution loss (down- and up-sampling): the image sources come at 130–960 px, and
  blur must not tell the network which source, hence which label prior, a slice comes from;
- window jitter realised as a HU scale about the brain level and a HU offset, then noise;
- "brain-window-only" degradation for real-HU samples: the 8-bit export of `brain_png`
  through a jittered brain window, the look of the PNG sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ichviewer.core.windowing import AIR_HU
from ichviewer.training.brain_png import BRAIN, brain_window_only

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class AugmentConfig:
    """Ranges and probabilities; `AugmentConfig.off()` leaves images unchanged."""

    rotate_deg: float = 10.0
    scale: float = 0.10
    shift: float = 0.06
    p_flip: float = 0.5
    p_resolution: float = 0.3
    resolution: tuple[float, float] = (0.3, 0.9)  # linear size factor before upsampling back
    hu_scale: float = 0.08
    hu_offset: float = 6.0
    p_noise: float = 0.5
    noise_hu: float = 10.0  # largest noise standard deviation
    p_brain_only: float = 0.5
    brain_level: tuple[float, float] = (30.0, 50.0)
    brain_width: tuple[float, float] = (70.0, 130.0)

    @classmethod
    def off(cls) -> AugmentConfig:
        """No augmentation (validation, checks)."""
        return cls(
            rotate_deg=0.0,
            scale=0.0,
            shift=0.0,
            p_flip=0.0,
            p_resolution=0.0,
            hu_scale=0.0,
            hu_offset=0.0,
            p_noise=0.0,
            p_brain_only=0.0,
        )


def _uniform(n: int, low: float, high: float, device: torch.device) -> torch.Tensor:
    import torch

    return torch.rand(n, device=device) * (high - low) + low


def affine(hu: torch.Tensor, config: AugmentConfig) -> torch.Tensor:
    """Random rotation, scale, shift and left-right flip per sample; air outside the image."""
    import torch

    n, device = hu.shape[0], hu.device
    angle = _uniform(n, -config.rotate_deg, config.rotate_deg, device) * (math.pi / 180)
    scale = 1 + _uniform(n, -config.scale, config.scale, device)
    flip = torch.where(torch.rand(n, device=device) < config.p_flip, -1.0, 1.0)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [
            torch.stack([cos * flip, -sin, _uniform(n, -2 * config.shift, 2 * config.shift, device)], dim=1),
            torch.stack([sin * flip, cos, _uniform(n, -2 * config.shift, 2 * config.shift, device)], dim=1),
        ],
        dim=1,
    )
    grid = torch.nn.functional.affine_grid(theta, list(hu.shape), align_corners=False)
    moved = torch.nn.functional.grid_sample(
        hu - AIR_HU, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )
    return moved + AIR_HU


def lower_resolution(hu: torch.Tensor, config: AugmentConfig) -> torch.Tensor:
    """A random share of the batch down-sampled by one random factor and brought back to size."""
    import torch

    chosen = torch.rand(hu.shape[0], device=hu.device) < config.p_resolution
    if not bool(chosen.any()):
        return hu
    size = hu.shape[-1]
    factor = float(_uniform(1, *config.resolution, hu.device))
    small = torch.nn.functional.interpolate(
        hu[chosen], size=max(8, round(size * factor)), mode="bilinear", align_corners=False, antialias=True
    )
    out = hu.clone()
    out[chosen] = torch.nn.functional.interpolate(small, size=size, mode="bilinear", align_corners=False)
    return out


def intensity(hu: torch.Tensor, config: AugmentConfig) -> torch.Tensor:
    """HU scale about the brain level and offset (window jitter), then Gaussian noise on part of the batch."""
    import torch

    n, device = hu.shape[0], hu.device
    view = (n, 1, 1, 1)
    scale = (1 + _uniform(n, -config.hu_scale, config.hu_scale, device)).view(view)
    offset = _uniform(n, -config.hu_offset, config.hu_offset, device).view(view)
    out = BRAIN.level + (hu - BRAIN.level) * scale + offset
    sigma = (_uniform(n, 0, config.noise_hu, device) * (torch.rand(n, device=device) < config.p_noise)).view(view)
    return out + torch.randn_like(out) * sigma


def brain_only(hu: torch.Tensor, has_hu: torch.Tensor, config: AugmentConfig) -> torch.Tensor:
    """For real-HU samples, with probability p: the 8-bit brain-window export of the PNG sources."""
    import torch

    n, device = hu.shape[0], hu.device
    chosen = has_hu & (torch.rand(n, device=device) < config.p_brain_only)
    if not bool(chosen.any()):
        return hu
    m = int(chosen.sum())
    width = _uniform(m, *config.brain_width, device).view(m, 1, 1, 1)
    lower = _uniform(m, *config.brain_level, device).view(m, 1, 1, 1) - width / 2
    out = hu.clone()
    out[chosen] = brain_window_only(hu[chosen], lower, width)
    return out


def augment(hu: torch.Tensor, has_hu: torch.Tensor, config: AugmentConfig) -> torch.Tensor:
    """All augmentations, in acquisition order: geometry, resolution, intensity and noise, 8-bit export."""
    import torch

    with torch.no_grad():
        out = affine(hu, config)
        out = lower_resolution(out, config)
        out = intensity(out, config)
        return brain_only(out, has_hu, config)
