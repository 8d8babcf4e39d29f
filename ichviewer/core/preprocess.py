"""Turn HU slices into the classifier's input, exactly as its card declares.

Shared by inference, Grad-CAM and training, so the three can never drift apart:
1. crop each slice to a square around the head (the largest connected region above 0 HU, so
   text, markers, the table and the scan-field border are left out), padding with air;
2. resize the HU crop to the card's size (antialiased bilinear, in float);
3. window into the card's channels (0..1 ramps) and normalise with the card's mean/std.
`CropBox` maps model-grid results (Grad-CAM heatmaps) back onto the slice's pixel grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from ichviewer.core.model import ModelInput
from ichviewer.core.windowing import AIR_HU, window_unit

if TYPE_CHECKING:
    import torch

HEAD_THRESHOLD_HU = 0  # skin, skull and brain are above; air, fat and foam are below
HEAD_MARGIN = 0.04  # of the box side, kept around the head on each side
MASK_STEP = 4  # the head mask is found on every 4th pixel: fast and precise enough
MIN_SIDE = 16


@dataclass(frozen=True)
class CropBox:
    """A square region of a slice (it may extend past the edges: padded with air)."""

    top: int
    left: int
    side: int

    def paste(self, grid: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        """Resample a (S, S) model-grid map into this box of a slice of `shape`; 0 elsewhere."""
        import torch

        resized = torch.nn.functional.interpolate(
            torch.as_tensor(grid, dtype=torch.float32)[None, None],
            size=(self.side, self.side),
            mode="bilinear",
            align_corners=False,
        )[0, 0].numpy()
        out = np.zeros(shape, dtype=np.float32)
        y0, x0 = max(self.top, 0), max(self.left, 0)
        y1, x1 = min(self.top + self.side, shape[0]), min(self.left + self.side, shape[1])
        if y1 > y0 and x1 > x0:
            out[y0:y1, x0:x1] = resized[y0 - self.top : y1 - self.top, x0 - self.left : x1 - self.left]
        return out


def head_box(hu: np.ndarray) -> CropBox:
    """Square box around the largest region above 0 HU in a (y, x) slice; whole image if none."""
    rows, cols = hu.shape
    region = head_region(hu[::MASK_STEP, ::MASK_STEP], HEAD_THRESHOLD_HU)
    if not region.any():
        return _square(0, rows, 0, cols, margin=0.0)
    inside_rows, inside_cols = np.flatnonzero(region.any(axis=1)), np.flatnonzero(region.any(axis=0))
    y0, y1 = inside_rows[0] * MASK_STEP, min(rows, (inside_rows[-1] + 1) * MASK_STEP)
    x0, x1 = inside_cols[0] * MASK_STEP, min(cols, (inside_cols[-1] + 1) * MASK_STEP)
    return _square(int(y0), int(y1), int(x0), int(x1), margin=HEAD_MARGIN)


def head_region(hu: np.ndarray, threshold_hu: float = -300.0) -> np.ndarray:
    """The head as a (y, x) bool mask: the largest region above `threshold_hu` (scalp and all inside
    it; air and padding lie below), holes filled. Empty when nothing is above the threshold."""
    labels, count = ndimage.label(hu > threshold_hu)
    if count == 0:
        return np.zeros(hu.shape, dtype=bool)
    sizes = ndimage.sum_labels(np.ones(hu.shape), labels, index=np.arange(1, count + 1))
    return ndimage.binary_fill_holes(labels == 1 + int(np.argmax(sizes)))


def _square(y0: int, y1: int, x0: int, x1: int, margin: float) -> CropBox:
    side = max(MIN_SIDE, int(round(max(y1 - y0, x1 - x0) * (1 + 2 * margin))))
    return CropBox(top=(y0 + y1 - side) // 2, left=(x0 + x1 - side) // 2, side=side)


def crop_square(image: np.ndarray, box: CropBox, fill: int = AIR_HU) -> np.ndarray:
    """Cut `box` out of a (..., y, x) array, padding with `fill` where it leaves the image."""
    rows, cols = image.shape[-2:]
    out = np.full((*image.shape[:-2], box.side, box.side), fill, dtype=image.dtype)
    y0, x0 = max(box.top, 0), max(box.left, 0)
    y1, x1 = min(box.top + box.side, rows), min(box.left + box.side, cols)
    if y1 > y0 and x1 > x0:
        out[..., y0 - box.top : y1 - box.top, x0 - box.left : x1 - box.left] = image[..., y0:y1, x0:x1]
    return out


def context_indices(index: int, n_slices: int, context: int) -> list[int]:
    """The slice and its neighbours (clamped at the ends of the stack), inferior first."""
    return [min(max(index + offset, 0), n_slices - 1) for offset in range(-context, context + 1)]


def resized_hu(hu: np.ndarray, index: int, spec: ModelInput) -> tuple[torch.Tensor, CropBox]:
    """Float HU (2·context+1, S, S) of slice `index` and its neighbours, cropped and resized."""
    box = head_box(hu[index]) if spec.crop_to_head else _square(0, hu.shape[1], 0, hu.shape[2], 0.0)
    return resized_crop(hu[context_indices(index, hu.shape[0], spec.context_slices)], box, spec.size), box


def resized_crop(images: np.ndarray, box: CropBox, size: int) -> torch.Tensor:
    """(k, y, x) images cut to `box` (air outside) and resized to float (k, size, size), antialiased."""
    import torch

    image = torch.from_numpy(crop_square(images, box).astype(np.float32))[None]
    if box.side != size:
        image = torch.nn.functional.interpolate(
            image, size=(size, size), mode="bilinear", align_corners=False, antialias=True
        )
    return image[0]


def study_centre(hu: np.ndarray, every: int = 4) -> tuple[float, float]:
    """(row, column) of the centre of the head's bounding box over the stack (every `every`-th
    slice); the image centre where no slice holds a head. One centre per study keeps a slab's
    neighbours aligned with it."""
    boxes = [head_region(hu[k, ::MASK_STEP, ::MASK_STEP], HEAD_THRESHOLD_HU) for k in range(0, len(hu), every)]
    union = np.any(boxes, axis=0) if boxes else np.zeros((1, 1), dtype=bool)
    if not union.any():
        return (hu.shape[1] - 1) / 2, (hu.shape[2] - 1) / 2
    rows, cols = np.flatnonzero(union.any(axis=1)), np.flatnonzero(union.any(axis=0))
    return (
        (rows[0] + rows[-1] + 1) * MASK_STEP / 2 - 0.5,
        (cols[0] + cols[-1] + 1) * MASK_STEP / 2 - 0.5,
    )


def physical_box(centre: tuple[float, float], pixel_spacing: tuple[float, float], spec: ModelInput) -> CropBox:
    """The square of `spec.size × spec.mm_per_pixel` mm around `centre`, in native pixels."""
    if spec.mm_per_pixel is None:
        raise ValueError("the model input has no fixed pixel size")
    pixel_mm = float(np.mean(pixel_spacing)) or 1.0
    side = max(MIN_SIDE, int(round(spec.size * spec.mm_per_pixel / pixel_mm)))
    return CropBox(top=int(round(centre[0] - (side - 1) / 2)), left=int(round(centre[1] - (side - 1) / 2)), side=side)


def network_input(hu: torch.Tensor, spec: ModelInput) -> torch.Tensor:
    """Window and normalise float HU (N, k, S, S) into the network's (N, k·W, S, S) input."""
    import torch

    channels = window_unit(hu, spec.windows).flatten(1, 2)  # slice-major: (slice, window)
    mean = torch.tensor(spec.mean, dtype=hu.dtype, device=hu.device).view(1, -1, 1, 1)
    std = torch.tensor(spec.std, dtype=hu.dtype, device=hu.device).view(1, -1, 1, 1)
    return (channels - mean) / std


def model_batch(hu: np.ndarray, indices: list[int], spec: ModelInput) -> tuple[torch.Tensor, list[CropBox]]:
    """The network input for slices `indices` of an int16 (z, y, x) volume, and their crop boxes."""
    import torch

    pairs = [resized_hu(hu, i, spec) for i in indices]
    if not pairs:
        return torch.empty(0, spec.channels, spec.size, spec.size), []
    return network_input(torch.stack([p[0] for p in pairs]), spec), [p[1] for p in pairs]
