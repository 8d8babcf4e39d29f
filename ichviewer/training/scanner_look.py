"""What differs between scanners and sites, simulated on a study's slabs (float HU on the model grid).

One `ScannerLook` per study view (a scanner's look is the same on all its slices): head size and
pixel-size error, rotation, position, left-right flip, the AP stretch a tilted gantry gives,
image noise (thin slices, low dose), smooth and sharp kernels, coarser pixels, a partial field
of view, beam-hardening streaks at the skull base, the 8-bit brain-window export of the image
sources and its JPEG artefacts. `random_look` draws training looks; `NAMED_LOOKS` are the single
effects measured one by one on validation.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from ichviewer.core.windowing import AIR_HU
from ichviewer.training.brain_png import brain_window_only, grey_to_hu


@dataclass(frozen=True)
class ScannerLook:
    """One study's simulated acquisition; the defaults change nothing."""

    scale: float = 1.0  # > 1: the head looks larger (or the pixel size was over-estimated)
    rotate_deg: float = 0.0
    shift: tuple[float, float] = (0.0, 0.0)  # (rows, columns), fraction of the image side
    flip: bool = False
    stretch_ap: float = 1.0  # front-back stretch of a tilted gantry's oblique section (1/cos tilt)
    noise_hu: float = 0.0  # standard deviation of added, slightly correlated noise
    smooth_px: float = 0.0  # Gaussian kernel (soft reconstruction)
    sharpen: float = 0.0  # unsharp-mask amount (bone / sharp reconstruction)
    resolution: float = 1.0  # < 1: coarser pixels (down- then up-sampled by this factor)
    fov_radius: float = 0.0  # > 0: air outside a circle of this radius (fraction of the side)
    beam_hu: float = 0.0  # streak strength in the lowest third of the study
    brain_only: tuple[float, float] | None = None  # (level, width) of an 8-bit export
    jpeg_quality: int = 0  # > 0: the 8-bit export is JPEG-compressed at this quality

    @property
    def geometric(self) -> bool:
        return (self.scale, self.rotate_deg, self.shift, self.flip, self.stretch_ap) != (
            1.0,
            0.0,
            (0.0, 0.0),
            False,
            1.0,
        )


NAMED_LOOKS: dict[str, ScannerLook] = {
    "clean": ScannerLook(),
    "thin_slice_noise": ScannerLook(noise_hu=10.0),
    "smooth_kernel": ScannerLook(smooth_px=1.2),
    "sharp_kernel": ScannerLook(sharpen=1.2, noise_hu=4.0),
    "pixel_0.6mm": ScannerLook(resolution=0.85 / 0.6 / 2.0),  # 0.6 mm native pixels seen at half detail
    "head_small": ScannerLook(scale=0.88),
    "head_large": ScannerLook(scale=1.12),
    "rotated_15": ScannerLook(rotate_deg=15.0),
    "off_centre": ScannerLook(shift=(0.06, -0.06)),
    "tilt_stretch": ScannerLook(stretch_ap=1.1),
    "partial_fov": ScannerLook(fov_radius=0.36, shift=(0.05, 0.0)),
    "beam_hardening": ScannerLook(beam_hu=40.0),
    "brain_window_8bit": ScannerLook(brain_only=(40.0, 80.0)),
    "jpeg_q60": ScannerLook(brain_only=(40.0, 100.0), jpeg_quality=60),
}


def random_look(rng: np.random.Generator, real_hu: bool) -> ScannerLook:
    """A training look: each effect with its own probability; 8-bit exports only for real-HU sources."""
    look = ScannerLook(
        scale=float(rng.uniform(0.88, 1.12)),
        rotate_deg=float(rng.uniform(-15, 15)),
        shift=(float(rng.uniform(-0.06, 0.06)), float(rng.uniform(-0.06, 0.06))),
        flip=bool(rng.random() < 0.5),
        stretch_ap=float(rng.uniform(1.0, 1.1)) if rng.random() < 0.3 else 1.0,
        noise_hu=float(rng.uniform(2, 10)) if rng.random() < 0.6 else 0.0,
        resolution=float(rng.uniform(0.45, 0.9)) if rng.random() < 0.25 else 1.0,
        fov_radius=float(rng.uniform(0.34, 0.46)) if rng.random() < 0.15 else 0.0,
        beam_hu=float(rng.uniform(10, 50)) if rng.random() < 0.2 else 0.0,
    )
    kernel = rng.random()
    if kernel < 0.25:
        look = replace(look, smooth_px=float(rng.uniform(0.5, 1.4)))
    elif kernel < 0.5:
        look = replace(look, sharpen=float(rng.uniform(0.4, 1.5)))
    if real_hu and rng.random() < 0.25:
        look = replace(
            look,
            brain_only=(float(rng.uniform(30, 50)), float(rng.uniform(70, 130))),
            jpeg_quality=int(rng.integers(50, 96)) if rng.random() < 0.5 else 0,
        )
    return look


def apply_look(hu: torch.Tensor, look: ScannerLook, rng: np.random.Generator) -> torch.Tensor:
    """(L, S, S) float HU of one study's slabs, inferior first → the same slabs as `look` would show them."""
    out = hu
    if look.geometric:
        out = _affine(out, look)
    if look.resolution < 1.0:
        size = out.shape[-1]
        small = max(8, int(round(size * look.resolution)))
        out = torch.nn.functional.interpolate(out[None], size=(small, small), mode="bilinear", antialias=True)
        out = torch.nn.functional.interpolate(out, size=(size, size), mode="bilinear")[0]
    if look.smooth_px > 0:
        out = _blur(out, look.smooth_px)
    if look.sharpen > 0:
        out = out + look.sharpen * (out - _blur(out, 1.0))
    if look.beam_hu > 0:
        out = out + _streaks(out, look.beam_hu, rng)
    if look.noise_hu > 0:
        noise = _blur(torch.from_numpy(rng.standard_normal(out.shape).astype(np.float32)), 0.6)
        out = out + noise * (look.noise_hu / float(noise.std().clamp_min(1e-6)))
    if look.fov_radius > 0:
        out = _field_of_view(out, look.fov_radius)
    if look.brain_only is not None:
        level, width = look.brain_only
        out = _eight_bit(out, level - width / 2, width, look.jpeg_quality)
    return out


def _affine(hu: torch.Tensor, look: ScannerLook) -> torch.Tensor:
    angle = math.radians(look.rotate_deg)
    cos, sin = math.cos(angle), math.sin(angle)
    # output → input sampling: undo scale and AP stretch (rows are anterior → posterior), rotate, shift
    sx, sy = 1.0 / look.scale, 1.0 / (look.scale * look.stretch_ap)
    flip = -1.0 if look.flip else 1.0
    theta = torch.tensor(
        [[cos * sx * flip, -sin * sy, -2 * look.shift[1]], [sin * sx * flip, cos * sy, -2 * look.shift[0]]],
        dtype=torch.float32,
    )
    grid = torch.nn.functional.affine_grid(theta[None].expand(len(hu), 2, 3), [len(hu), 1, *hu.shape[-2:]], False)
    moved = torch.nn.functional.grid_sample((hu - AIR_HU)[:, None], grid, mode="bilinear", align_corners=False)
    return moved[:, 0] + AIR_HU


def _blur(hu: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, int(math.ceil(3 * sigma)))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-(x**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    image = hu[:, None]
    image = torch.nn.functional.conv2d(
        torch.nn.functional.pad(image, (radius, radius, 0, 0), mode="replicate"), kernel.view(1, 1, 1, -1)
    )
    image = torch.nn.functional.conv2d(
        torch.nn.functional.pad(image, (0, 0, radius, radius), mode="replicate"), kernel.view(1, 1, -1, 1)
    )
    return image[:, 0]


def _streaks(hu: torch.Tensor, strength: float, rng: np.random.Generator) -> torch.Tensor:
    """Dark bands between the dense bones of the skull base (lowest third of the slabs), inside the head."""
    n, size = hu.shape[0], hu.shape[-1]
    out = torch.zeros_like(hu)
    coords = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    for k in range(max(1, n // 3)):
        for _ in range(int(rng.integers(1, 4))):
            angle = float(rng.uniform(0, math.pi))
            offset = float(rng.uniform(-0.15, 0.15)) * size
            distance = xx * math.sin(angle) - yy * math.cos(angle) - offset
            out[k] -= strength * torch.exp(-(distance**2) / (2 * float(rng.uniform(1.5, 4.0)) ** 2))
    return out * (hu > -200)


def _field_of_view(hu: torch.Tensor, radius: float) -> torch.Tensor:
    size = hu.shape[-1]
    coords = (torch.arange(size, dtype=torch.float32) - (size - 1) / 2) / size
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    return hu.masked_fill((yy**2 + xx**2) > radius**2, AIR_HU)


def _eight_bit(hu: torch.Tensor, lower: float, width: float, jpeg_quality: int) -> torch.Tensor:
    if not jpeg_quality:
        return brain_window_only(hu, lower, width)  # type: ignore[no-any-return]
    from PIL import Image

    grey = ((hu - lower) / width).clamp(0, 1).mul(255).round().to(torch.uint8).numpy()
    out = np.empty(grey.shape, dtype=np.float32)
    for k, image in enumerate(grey):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="JPEG", quality=jpeg_quality)
        buffer.seek(0)
        out[k] = np.asarray(Image.open(buffer).convert("L"), dtype=np.float32)
    return torch.from_numpy(grey_to_hu(out).astype(np.float32))
