"""Synthetic axial head CT with hemorrhages of known place: the demo study and the tests' ground truth.

Anatomy is drawn per slice from analytic shapes in millimetres (signed distances, so every
edge is anti-aliased over one pixel): scalp, skull with diploë, skull base compartments,
grey/white matter with sulci (the zero set of a smooth random field), ventricles, fissures
and cisterns. Each hemorrhage subtype is drawn with its typical shape and place; its mask is
where blood covers more than half a pixel. Level t runs 0 (skull base) → 1 (vertex).

Two geometries. By default each slice is drawn at its own level, the slices spread evenly over
the head, and a gantry tilt lives in the DICOM headers only (the training data's convention).
With `anatomy_step_mm` the phantom is physical: the anatomy is drawn on an untilted grid of that
step along z and every pixel is sampled where the written headers place it (slices `slice_mm`
apart along the table, planes tilted by `tilt_deg`), as a tilted gantry records a real head;
patient coordinates (mm, LPS) then equal the anatomy's, so reformats and measurements can be
checked against known truth.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from ichviewer.core.labels import LABEL_KEYS, SUBTYPE_KEYS
from ichviewer.core.synthetic.shapes import AIR, Lesion, Slab, draw_slice, plan_lesions

# sidecars written next to the DICOM files; the study index skips them quietly
GROUND_TRUTH_JSON = "ground_truth.json"
GROUND_TRUTH_MASKS = "ground_truth_masks.npz"
MIN_LABEL_VOXELS = 20  # fewer blood voxels on a slice are erased: a label needs a visible bleed
HEAD_HEIGHT_MM = 160.0  # skull base to vertex; the default stack always spans it
SULCI_Z_MM = 3.1  # z correlation of the sulcal field (0.6 of the default 5.2 mm level step)
TEXTURE_Z_MM = 3.0  # z correlation of the texture in the physical phantom


@dataclass(frozen=True)
class PhantomSpec:
    """What to generate; the same spec always gives the same volume."""

    seed: int
    n_slices: int = 32
    size: int = 512
    pixel_mm: float = 0.45  # 512 × 0.45 = 230 mm field of view; use 230 / size for smaller images
    slice_mm: float = 5.0
    subtypes: tuple[str, ...] = ()
    noise_hu: float = 6.0
    tilt_deg: float = 0.0
    midline_shift_mm: float = 0.0  # ventricles and deep nuclei moved towards the patient's left (+) or right (−)
    anatomy_step_mm: float | None = None  # physical geometry (module docstring); None: the default drawing

    def __post_init__(self) -> None:
        unknown = [s for s in self.subtypes if s not in SUBTYPE_KEYS]
        if unknown:
            raise ValueError(f"unknown subtype(s) {', '.join(unknown)}; choose from {', '.join(SUBTYPE_KEYS)}")
        if self.n_slices < 2 or self.size < 32:
            raise ValueError("a phantom needs at least 2 slices of 32×32 pixels")
        if self.anatomy_step_mm is not None and not 0.05 <= self.anatomy_step_mm <= self.slice_mm:
            raise ValueError(f"anatomy_step_mm must be between 0.05 mm and slice_mm, got {self.anatomy_step_mm}")

    @property
    def voxel_mm3(self) -> float:
        """Volume of one voxel as the written headers describe it (slices slice_mm·cos(tilt) apart)."""
        return self.pixel_mm**2 * self.slice_mm * float(np.cos(np.radians(self.tilt_deg)))

    def dicom_origin(self) -> tuple[float, float, float] | None:
        """(0020,0032) of slice 0 that makes patient mm equal anatomy mm (physical phantoms only)."""
        if self.anatomy_step_mm is None:
            return None
        half = (self.size - 1) / 2 * self.pixel_mm
        tilt = np.radians(self.tilt_deg)
        return (-half, -half * float(np.cos(tilt)), self.table_mm()[0] + half * float(np.sin(tilt)))

    def table_mm(self) -> np.ndarray:
        """z (mm) of each slice's centre row in a physical phantom: `slice_mm` apart, centred on the head."""
        start = (HEAD_HEIGHT_MM - (self.n_slices - 1) * self.slice_mm) / 2
        return start + np.arange(self.n_slices) * self.slice_mm


@dataclass(frozen=True)
class Phantom:
    """A generated volume with its ground truth: blood masks per label and labels per slice."""

    spec: PhantomSpec
    hu: np.ndarray  # int16 (z, y, x), slice 0 inferior
    masks: dict[str, np.ndarray] = field(repr=False)  # label key → bool (z, y, x); "any" = union
    slice_labels: np.ndarray = field(repr=False)  # (z, 6) uint8 in LABEL_KEYS order
    lesions: tuple[Lesion, ...] = ()

    def volume_ml(self, key: str = "any") -> float:
        """True volume of a label's blood in mL: its mask's voxels in the written geometry."""
        return float(self.masks[key].sum()) * self.spec.voxel_mm3 / 1000.0


def random_spec(seed: int, size: int = 512) -> PhantomSpec:
    """A varied spec for training-like data: 0–3 subtypes, some noise and tilt variation (230 mm field of view)."""
    rng = np.random.default_rng([seed, 7])
    n = int(rng.choice([0, 1, 1, 2, 2, 3]))
    subtypes = tuple(sorted(rng.choice(SUBTYPE_KEYS, size=n, replace=False).tolist()))
    tilt = float(rng.choice([0.0, 0.0, rng.uniform(-20, 20)]))
    return PhantomSpec(
        seed=seed,
        size=size,
        pixel_mm=230.0 / size,
        subtypes=subtypes,
        noise_hu=float(rng.uniform(4, 9)),
        tilt_deg=round(tilt, 1),
    )


def generate_phantom(spec: PhantomSpec) -> Phantom:
    """Draw the volume slice by slice; deterministic for a spec."""
    rng = np.random.default_rng(spec.seed)
    n, size = spec.n_slices, spec.size
    if spec.anatomy_step_mm is not None:
        hu, masks, lesions = _generate_physical(spec, rng)
    else:
        levels = np.linspace(0.0, 1.0, n)
        field_ = _sulcal_field(rng, n, size, size * spec.pixel_mm)
        texture = _smooth_noise(rng, (n, size, size), 3.0 / spec.pixel_mm)
        lesions = plan_lesions(spec.subtypes, rng)
        hu = np.empty((n, size, size), dtype=np.int16)
        masks = {key: np.zeros((n, size, size), dtype=bool) for key in LABEL_KEYS}
        for k, t in enumerate(levels):
            image, blood = draw_slice(_slab(spec, float(t), field_[k], texture[k]), lesions, MIN_LABEL_VOXELS)
            hu[k] = _with_noise(image, rng, spec.noise_hu, spec.pixel_mm)
            for key, mask in blood.items():
                masks[key][k] = mask
    masks["any"] = np.logical_or.reduce([masks[key] for key in SUBTYPE_KEYS])
    slice_labels = np.stack([masks[key].reshape(n, -1).any(axis=1) for key in LABEL_KEYS], axis=1).astype(np.uint8)
    return Phantom(spec=spec, hu=hu, masks=masks, slice_labels=slice_labels, lesions=tuple(lesions))


def _slab(spec: PhantomSpec, t: float, sulci: np.ndarray, texture: np.ndarray) -> Slab:
    """The sampling grid of one level: x to the patient's left, y posterior, centred on the image (mm)."""
    coords = (np.arange(spec.size, dtype=np.float32) - (spec.size - 1) / 2) * np.float32(spec.pixel_mm)
    x, y = np.meshgrid(coords, coords)
    return Slab(
        x=x,
        y=y,
        t=t,
        z_mm=t * HEAD_HEIGHT_MM,
        px=spec.pixel_mm,
        sulci=sulci,
        texture=texture,
        shift_mm=spec.midline_shift_mm,
    )


def _generate_physical(
    spec: PhantomSpec, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray], list[Lesion]]:
    """Anatomy on an untilted grid `anatomy_step_mm` apart, sampled on the planes the headers describe.

    Pixel (k, r, c) lies at x = (c − c₀)·px, y = (r − c₀)·px·cos θ, z = table_k − (r − c₀)·px·sin θ
    (c₀ the image centre); it is interpolated linearly between grid rows and levels. Outside the
    head's height there is air.
    """
    n, size, px = spec.n_slices, spec.size, spec.pixel_mm
    step = spec.anatomy_step_mm or spec.slice_mm
    n_levels = int(round(HEAD_HEIGHT_MM / step)) + 1
    step = HEAD_HEIGHT_MM / (n_levels - 1)
    field_ = _sulcal_field(rng, n_levels, size, size * px, z_sigma=SULCI_Z_MM / step)
    texture = _smooth_noise(rng, (n_levels, size, size), 3.0 / px, z_sigma=TEXTURE_Z_MM / step)
    lesions = plan_lesions(spec.subtypes, rng)
    anatomy = np.empty((n_levels, size, size), dtype=np.float32)
    blood = {kind: np.zeros((n_levels, size, size), dtype=np.float32) for kind in SUBTYPE_KEYS}
    for j in range(n_levels):
        image, masks_j = draw_slice(_slab(spec, j / (n_levels - 1), field_[j], texture[j]), lesions, MIN_LABEL_VOXELS)
        anatomy[j] = image
        for kind, mask in masks_j.items():
            blood[kind][j] = mask
    del field_, texture
    centre = (size - 1) / 2
    tilt = np.radians(spec.tilt_deg)
    offset = np.arange(size) - centre
    grid_row = offset * np.cos(tilt) + centre
    hu = np.empty((n, size, size), dtype=np.int16)
    masks = {key: np.zeros((n, size, size), dtype=bool) for key in LABEL_KEYS}
    for k, table in enumerate(spec.table_mm()):
        level = (table - offset * px * np.sin(tilt)) / step
        image = _sample_rows(anatomy, level, grid_row, fill=AIR)
        hu[k] = _with_noise(image, rng, spec.noise_hu, px)
        for kind in SUBTYPE_KEYS:
            mask = _sample_rows(blood[kind], level, grid_row, fill=0.0) > 0.5
            if mask.sum() >= MIN_LABEL_VOXELS:
                masks[kind][k] = mask
    return hu, masks, lesions


def _sample_rows(grid: np.ndarray, level: np.ndarray, row: np.ndarray, fill: float) -> np.ndarray:
    """Row r of the result: `grid` (levels, rows, columns) at fractional (level[r], row[r]), bilinear."""
    inside = (level >= 0) & (level <= grid.shape[0] - 1)
    j = np.clip(level, 0, grid.shape[0] - 1)
    j0 = np.minimum(j.astype(int), grid.shape[0] - 2)
    i0 = np.minimum(row.astype(int), grid.shape[1] - 2)
    wj = (j - j0)[:, None].astype(np.float32)
    wi = (row - i0)[:, None].astype(np.float32)
    below = grid[j0, i0] * (1 - wi) + grid[j0, i0 + 1] * wi
    above = grid[j0 + 1, i0] * (1 - wi) + grid[j0 + 1, i0 + 1] * wi
    out = below * (1 - wj) + above * wj
    out[~inside] = fill
    return out


def _sulcal_field(rng: np.random.Generator, n: int, size: int, fov: float, z_sigma: float = 0.6) -> np.ndarray:
    """A smooth random field per slice whose zero set draws gyri ~8–10 mm apart, correlated along z."""
    coarse = max(8, int(round(fov / 2.0)))
    noise = rng.standard_normal((n, coarse, coarse)).astype(np.float32)
    noise = ndimage.gaussian_filter(noise, sigma=(z_sigma, 1.5, 1.5), mode="wrap")
    zoom = size / coarse
    return np.stack([ndimage.zoom(s, zoom, order=1, grid_mode=True, mode="grid-wrap") for s in noise])


def _smooth_noise(
    rng: np.random.Generator, shape: tuple[int, int, int], sigma_px: float, z_sigma: float = 0.0
) -> np.ndarray:
    """Unit-variance noise smoothed in-plane over `sigma_px` (and over `z_sigma` levels): texture for diploë, clot."""
    coarse_step = max(1, int(sigma_px))
    small = rng.standard_normal((shape[0], shape[1] // coarse_step + 1, shape[2] // coarse_step + 1)).astype(np.float32)
    small = ndimage.gaussian_filter(small, sigma=(z_sigma, 1.0, 1.0))
    small /= small.std() or 1.0
    return np.stack([ndimage.zoom(s, coarse_step, order=1)[: shape[1], : shape[2]] for s in small])


def _with_noise(image: np.ndarray, rng: np.random.Generator, noise_hu: float, px: float) -> np.ndarray:
    """Scanner texture: Gaussian noise slightly smoothed (finer than a pixel at 0.45 mm), then int16 HU."""
    noise = rng.standard_normal(image.shape).astype(np.float32)
    sigma = 0.35 / px
    noise = ndimage.gaussian_filter(noise, sigma) * np.float32(noise_hu / _smoothed_std(sigma))
    smoothed = ndimage.gaussian_filter(image, 0.25 / px)
    return np.clip(np.rint(smoothed + noise), -1024, 3071).astype(np.int16)


def _smoothed_std(sigma: float) -> float:
    """Standard deviation left in unit white noise after a 2-D Gaussian blur of `sigma` pixels."""
    return float(1.0 / (2.0 * np.sqrt(np.pi) * sigma)) if sigma > 0.5 else 1.0


def write_phantom_study(phantom: Phantom, out_dir: Path, **options: Any) -> Path:
    """Write the phantom as a DICOM series plus its ground truth sidecars; return the folder."""
    from ichviewer.core.synthetic.dicom_writer import write_series  # pydicom: not needed to generate (GPU training)

    out_dir = Path(out_dir)
    spec = phantom.spec
    options.setdefault("spacing", (spec.slice_mm, spec.pixel_mm, spec.pixel_mm))
    options.setdefault("tilt_deg", spec.tilt_deg)
    options.setdefault("uid_seed", spec.seed)
    if spec.dicom_origin() is not None:
        options.setdefault("origin", spec.dicom_origin())
    for name in (GROUND_TRUTH_JSON, GROUND_TRUTH_MASKS):
        if (out_dir / name).exists():
            raise FileExistsError(f"{out_dir / name} exists; phantom studies are never overwritten")
    paths = write_series(phantom.hu, out_dir, **options)
    import pydicom

    uids = [str(pydicom.dcmread(p, stop_before_pixels=True, force=True).SOPInstanceUID) for p in paths]
    labels = [dict(zip(LABEL_KEYS, (int(v) for v in row), strict=True)) for row in phantom.slice_labels]
    truth = {
        "spec": asdict(spec),
        "label_keys": list(LABEL_KEYS),
        "lesions": [asdict(lesion) for lesion in phantom.lesions],
        "slices": [
            {"index": k, "sop_instance_uid": uid, "file": p.name, "labels": lab}
            for k, (uid, p, lab) in enumerate(zip(uids, paths, labels, strict=True))
        ],
        "by_sop_instance_uid": {uid: lab for uid, lab in zip(uids, labels, strict=True)},
    }
    with open(out_dir / GROUND_TRUTH_JSON, "x", encoding="utf-8") as fp:
        json.dump(truth, fp, indent=1)
    with open(out_dir / GROUND_TRUTH_MASKS, "xb") as fp:
        masks: dict[str, Any] = {key: phantom.masks[key] for key in LABEL_KEYS}
        np.savez_compressed(fp, **masks)
    return out_dir
