"""Drawing one phantom slice: head anatomy and hemorrhages as anti-aliased analytic shapes (mm).

Split from `phantom.py` so that module stays the public API (spec, generate, write) and this
one holds the geometry. Coordinates: x to the patient's left, y posterior, z up; t is the
level from skull base (0) to vertex (1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AIR, FAT, CSF, WM, GM, BRAINSTEM, CEREBELLUM = -1000.0, -80.0, 6.0, 25.0, 41.0, 32.0, 35.0
SKIN, CORTICAL, DIPLOE, BASE_BONE, FALX, OEDEMA = 45.0, 1650.0, 480.0, 1100.0, 70.0, 17.0
HEAD_CY = 4.0  # head centre, mm posterior of the image centre


@dataclass(frozen=True)
class Slab:
    """One slice's sampling grid and random fields."""

    x: np.ndarray
    y: np.ndarray
    t: float
    z_mm: float
    px: float
    sulci: np.ndarray  # smooth field whose zero set gives the sulci
    texture: np.ndarray  # unit-variance smooth noise (diploë, air cells, clot)
    shift_mm: float = 0.0  # midline shift: deep structures and ventricles moved towards the patient's left (+)


@dataclass(frozen=True)
class Lesion:
    """One hemorrhage: kind, side (+1 left, −1 right), where (mm) and how big; JSON-friendly."""

    kind: str
    side: int
    z_mm: float  # centre level
    z_half_mm: float  # half the craniocaudal extent
    angle_deg: float = 0.0  # direction from the head centre (0 = patient left, 90 = posterior)
    x_mm: float = 0.0
    y_mm: float = 0.0
    size_mm: float = 0.0  # maximal thickness (EDH/SDH) or radius (IPH)
    extent_mm: float = 0.0  # half arc length (EDH/SDH/SAH) or second radius (IPH)
    hu: float = 70.0
    pattern: str = ""


def plan_lesions(subtypes: tuple[str, ...], rng: np.random.Generator) -> list[Lesion]:
    """Random but typical place and size for each requested subtype."""
    lesions = []
    for kind in subtypes:
        side = int(rng.choice([-1, 1]))
        lateral = 0.0 if side > 0 else 180.0
        hu = float(rng.uniform(62, 78) if kind not in ("epidural", "subdural") else rng.uniform(56, 68))
        if kind == "epidural":
            lesions.append(
                Lesion(
                    kind,
                    side,
                    rng.uniform(0.5, 0.66) * 160,
                    rng.uniform(9, 13),
                    angle_deg=lateral + side * rng.uniform(-35, 25),
                    size_mm=rng.uniform(9, 14),
                    extent_mm=rng.uniform(24, 32),
                    hu=hu,
                )
            )
        elif kind == "subdural":
            lesions.append(
                Lesion(
                    kind,
                    side,
                    rng.uniform(0.52, 0.66) * 160,
                    rng.uniform(22, 30),
                    angle_deg=lateral + side * rng.uniform(-15, 15),
                    size_mm=rng.uniform(5, 9),
                    extent_mm=rng.uniform(85, 110),
                    hu=hu,
                )
            )
        elif kind == "intraparenchymal":
            lesions.append(
                Lesion(
                    kind,
                    side,
                    rng.uniform(0.44, 0.58) * 160,
                    rng.uniform(10, 14),
                    x_mm=side * rng.uniform(22, 30),
                    y_mm=HEAD_CY + rng.uniform(-12, 14),
                    size_mm=rng.uniform(11, 17),
                    extent_mm=rng.uniform(9, 14),
                    hu=hu,
                )
            )
        elif kind == "intraventricular":
            lesions.append(Lesion(kind, side, 0.5 * 160, 14.0, y_mm=HEAD_CY + rng.uniform(12, 18), hu=hu))
        elif kind == "subarachnoid":
            pattern = str(rng.choice(["basal", "convexity"]))
            if pattern == "basal":
                lesions.append(Lesion(kind, side, 0.38 * 160, 14.0, hu=hu - 6, pattern=pattern))
            else:
                lesions.append(
                    Lesion(
                        kind,
                        side,
                        rng.uniform(0.62, 0.75) * 160,
                        14.0,
                        angle_deg=lateral + side * rng.uniform(-40, 10),
                        extent_mm=45.0,
                        hu=hu - 6,
                        pattern=pattern,
                    )
                )
    return lesions


def _alpha(sd: np.ndarray | float, px: float) -> np.ndarray:
    """Coverage of a pixel by the region sd < 0 (sd: signed distance in mm), linear over one pixel."""
    return np.clip(0.5 - np.asarray(sd, dtype=np.float32) / np.float32(px), 0.0, 1.0)


def _ellipse_sd(s: Slab, cx: float, cy: float, a: float, b: float, angle_deg: float = 0.0) -> np.ndarray:
    """Approximate signed distance (mm) to an ellipse: f / |∇f|, exact on the axes, good near the edge."""
    dx, dy = s.x - np.float32(cx), s.y - np.float32(cy)
    if angle_deg:
        c, n = np.float32(np.cos(np.radians(angle_deg))), np.float32(np.sin(np.radians(angle_deg)))
        dx, dy = dx * c + dy * n, dy * c - dx * n
    a, b = max(a, 1e-3), max(b, 1e-3)
    u, v = dx / np.float32(a), dy / np.float32(b)
    f = u * u + v * v - 1.0
    grad = 2.0 * np.sqrt((u / np.float32(a)) ** 2 + (v / np.float32(b)) ** 2) + np.float32(1e-6)
    return f / grad


def _segment_sd(s: Slab, p: tuple[float, float], q: tuple[float, float], half_width: float) -> np.ndarray:
    """Signed distance (mm) to a thick line segment from p to q."""
    px, py = np.float32(p[0]), np.float32(p[1])
    vx, vy = np.float32(q[0] - p[0]), np.float32(q[1] - p[1])
    h = np.clip(((s.x - px) * vx + (s.y - py) * vy) / (vx * vx + vy * vy), 0.0, 1.0)
    return np.hypot(s.x - px - h * vx, s.y - py - h * vy) - np.float32(half_width)


def _window(t: float, start: float, stop: float, ramp: float = 0.03) -> float:
    """1 inside [start, stop] in level, ramping to 0 over `ramp` outside (partial volume between slices)."""
    return float(np.clip(min(t - start, stop - t) / ramp + 0.5, 0.0, 1.0))


def _smoothstep(t: float, start: float, stop: float) -> float:
    u = float(np.clip((t - start) / (stop - start), 0.0, 1.0))
    return u * u * (3 - 2 * u)


def _paint(image: np.ndarray, alpha: np.ndarray, value: np.ndarray | float) -> None:
    """Composite `value` over `image` with coverage `alpha`, in place."""
    image += alpha * (np.asarray(value, dtype=np.float32) - image)


@dataclass
class _Anatomy:
    """A drawn slice plus the regions lesions need: inside the skull, brain, CSF spaces, ventricles."""

    image: np.ndarray
    depth: np.ndarray  # mm inside the inner table (negative outside)
    brain: np.ndarray  # coverage of brain parenchyma
    csf_spaces: np.ndarray  # coverage of sulci, fissures and cisterns (not ventricles)
    ventricles: np.ndarray


def head_semi_axes(t: float) -> tuple[float, float]:
    """Half the head's width (x) and length (y) at level t, skin to skin, in mm; centred at (0, HEAD_CY)."""
    shrink = float(np.sqrt(max(0.05, 1.0 - ((t - 0.42) / 0.64) ** 2)))
    return 74.0 * shrink, 93.0 * shrink


def draw_anatomy(s: Slab) -> _Anatomy:
    """Head CT anatomy at level s.t, in HU (float32, before noise)."""
    t, px = s.t, s.px
    big_a, big_b = head_semi_axes(t)
    head_sd = _ellipse_sd(s, 0.0, HEAD_CY, big_a, big_b)
    image = np.full(s.x.shape, AIR, dtype=np.float32)
    tangential = 1.0 + 1.3 * _smoothstep(t, 0.8, 1.0)  # the vertex cuts the skull obliquely
    scalp = 5.0
    outer = scalp + 1.8 * tangential
    diploe_mm = (2.6 + 1.6 * (1 - _smoothstep(t, 0.15, 0.4))) * tangential + 0.6 * s.texture
    inner = outer + diploe_mm
    inside = inner + 1.6 * tangential
    _paint(image, _alpha(head_sd, px), SKIN)
    _paint(image, _alpha(head_sd + 1.5, px) * _alpha(-(head_sd + 3.2), px), FAT)
    _paint(image, _alpha(head_sd + scalp, px), CORTICAL)
    _paint(image, _alpha(head_sd + outer, px), DIPLOE + 140.0 * s.texture)
    _paint(image, _alpha(head_sd + inner, px), CORTICAL - 150.0)
    depth = -(head_sd + inside)
    intracranial = _alpha(-depth, px)
    _paint(image, intracranial, CSF)

    in_a, in_b = big_a - 8.0, big_b - 8.0
    base = 1.0 - _smoothstep(t, 0.27, 0.37)
    if base > 0:
        _paint(image, intracranial * np.float32(base), BASE_BONE + 250.0 * s.texture)
    compartments = _compartments(s, in_a, in_b, depth)
    brain = np.zeros_like(image)
    brain_depth = np.full_like(image, -1e3)
    tissue = np.full_like(image, WM)
    for sd, value in compartments:
        cover = _alpha(sd + 1.0, px) * intracranial
        _paint(tissue, cover * (brain < 0.5), value)
        brain = np.maximum(brain, cover)
        brain_depth = np.maximum(brain_depth, -sd - 1.0)
    gyral = np.abs(s.sulci) / (np.hypot(*np.gradient(s.sulci)) + np.float32(1e-4)) * np.float32(px)
    sulcus_depth = 17.0 + 5.0 * s.texture
    cortex = np.maximum(
        _alpha(brain_depth - 3.2, px), _alpha(gyral - 2.6, px) * _alpha(brain_depth - sulcus_depth - 2.5, px)
    )
    _paint(tissue, cortex * (tissue < 28.5), GM)  # cortex on cerebrum only; cerebellum/brainstem keep their values
    sulci = _alpha(gyral - (0.75 + 0.6 * t), px) * _alpha(brain_depth - sulcus_depth, px) * brain
    sulci *= np.abs(tissue - BRAINSTEM) > 0.5  # no sulci on the brainstem
    _paint(tissue, sulci, CSF)
    _paint(image, brain, tissue)

    csf_spaces = sulci.copy()
    ventricles = np.zeros_like(image)
    for region, value, kind in _deep_structures(s, in_a, in_b):
        cover = region * brain
        _paint(image, cover, value)
        if kind == "ventricle":
            ventricles = np.maximum(ventricles, cover)
        elif kind == "cistern":
            csf_spaces = np.maximum(csf_spaces, cover)
    _skull_base_air(s, image, brain, big_a, big_b)
    return _Anatomy(image, depth, brain, csf_spaces, ventricles)


def _compartments(s: Slab, in_a: float, in_b: float, depth: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Brain compartments (signed distance, base HU): fossae of the skull base, then the whole cerebrum."""
    t, cy = s.t, HEAD_CY
    parts: list[tuple[np.ndarray, float]] = []
    cerebrum = _smoothstep(t, 0.3, 0.38)
    if cerebrum > 0:
        parts.append((-depth + 1.0 + 40.0 * (1.0 - cerebrum), WM))
    if t < 0.4:
        g_c = 0.6 + 0.4 * _smoothstep(t, 0.0, 0.14)
        stem = 10.0 + 3.0 * _smoothstep(t, 0.05, 0.2)
        parts.append((np.hypot(s.x, s.y - (cy + 6.0)) - stem, BRAINSTEM))
        for side in (-1, 1):
            parts.append(
                (_ellipse_sd(s, side * 0.3 * in_a, cy + 0.55 * in_b, 0.44 * in_a * g_c, 0.44 * in_b * g_c), CEREBELLUM)
            )
            g_t = _smoothstep(t, 0.0, 0.24)
            parts.append(
                (
                    _ellipse_sd(
                        s, side * 0.58 * in_a, cy - 0.1 * in_b, 0.36 * in_a * g_t + 1, 0.46 * in_b * g_t + 1, side * 10
                    ),
                    WM,
                )
            )
        g_f = _smoothstep(t, 0.12, 0.32)
        parts.append((_ellipse_sd(s, 0.0, cy - 0.5 * in_b, 0.66 * in_a * g_f + 1, 0.44 * in_b * g_f + 1), WM))
    return parts


def _deep_structures(s: Slab, in_a: float, in_b: float) -> list[tuple[np.ndarray, float, str]]:
    """Deep nuclei, ventricles, fissures, cisterns and calcifications present at level s.t."""
    t, px, cy, d = s.t, s.px, HEAD_CY, s.shift_mm  # d moves the supratentorial deep structures, not the falx
    out: list[tuple[np.ndarray, float, str]] = []

    def add(weight: float, sd: np.ndarray, value: float, kind: str) -> None:
        if weight > 0:
            out.append((_alpha(sd, px) * np.float32(weight), value, kind))

    for side in (-1, 1):
        add(_window(t, 0.38, 0.52), _ellipse_sd(s, side * 22 + d, cy - 3, 6.5, 14, side * 18), 36.0, "nucleus")
        add(_window(t, 0.38, 0.52), _ellipse_sd(s, side * 9.5 + d, cy + 9, 8, 10.5), 37.0, "nucleus")
        add(_window(t, 0.42, 0.58), _ellipse_sd(s, side * 11.5 + d, cy - 14, 5, 8.5, side * 20), 38.0, "nucleus")
        add(_window(t, 0.42, 0.58), _ellipse_sd(s, side * 6.5 + d, cy - 16, 3.8, 11, side * 28), CSF, "ventricle")
        add(_window(t, 0.40, 0.56), _ellipse_sd(s, side * 18 + d, cy + 24, 5.5, 12, side * 20), CSF, "ventricle")
        add(_window(t, 0.55, 0.66), _ellipse_sd(s, side * 9 + d, cy + 3, 4.5, 25, -side * 6), CSF, "ventricle")
        add(_window(t, 0.44, 0.50), np.hypot(s.x - (side * 18 + d), s.y - (cy + 25)) - 2.5, 160.0, "calcification")
        add(_window(t, 0.33, 0.50), _ellipse_sd(s, side * 0.68 * in_a, cy - 8, 1.7, 17, side * 55), CSF, "cistern")
    add(_window(t, 0.38, 0.50), _ellipse_sd(s, d, cy + 4, 1.8, 9), CSF, "ventricle")
    add(_window(t, 0.43, 0.47), np.hypot(s.x - d, s.y - (cy + 16)) - 2.2, 140.0, "calcification")
    add(_window(t, 0.10, 0.27), _ellipse_sd(s, 0, cy + 23, 5.5, 3.5), CSF, "ventricle")
    add(_window(t, 0.28, 0.37), _ellipse_sd(s, 0, cy - 12, 12, 8), CSF, "cistern")
    add(
        _window(t, 0.30, 0.41),
        np.abs(np.hypot(s.x, s.y - (cy + 6.0)) - 11.5) - 1.3 + 40 * (s.y < cy + 2),
        CSF,
        "cistern",
    )
    add(_window(t, 0.30, 0.41), _ellipse_sd(s, 0, cy + 20, 7, 3), CSF, "cistern")
    fissure = (t > 0.6) | (np.abs(s.y - cy) > 26.0 + 10.0 * (t < 0.45))
    add(_window(t, 0.33, 1.2), np.abs(s.x) - 1.1 + 40 * ~fissure, CSF, "cistern")
    add(_window(t, 0.33, 1.2), np.abs(s.x) - 0.35 + 40 * ~fissure, FALX, "falx")
    return out


def _skull_base_air(s: Slab, image: np.ndarray, brain: np.ndarray, a: float, b: float) -> None:
    """Sphenoid sinus, mastoid and ethmoid air cells, petrous ridges and orbits near the skull base."""
    t, px, cy = s.t, s.px, HEAD_CY
    if t > 0.3:
        return
    not_brain = 1.0 - brain
    spongy = _alpha(-s.texture + 0.2, px)
    _paint(image, _alpha(_ellipse_sd(s, 0, cy - 30, 13, 10), px) * np.float32(_window(t, 0.03, 0.18)) * not_brain, AIR)
    for side in (-1, 1):
        petrous = _segment_sd(s, (side * 13.0, cy + 6.0), (side * (a - 14.0), cy + 30.0), 4.0)
        _paint(image, _alpha(petrous, px) * np.float32(_window(t, 0.06, 0.24)) * not_brain, 1450.0)
        mastoid = _alpha(_ellipse_sd(s, side * (a - 13.0), cy + 0.33 * b, 9, 13), px) * np.float32(
            _window(t, 0.04, 0.22)
        )
        _paint(image, mastoid * spongy * not_brain, AIR)
        orbit = np.float32(_window(t, -0.1, 0.1))
        if orbit > 0:
            _paint(image, _alpha(_ellipse_sd(s, side * 27, cy - b + 30, 14, 19), px) * orbit, FAT)
            _paint(image, _alpha(np.hypot(s.x - side * 28, s.y - (cy - b + 20)) - 11.5, px) * orbit, 38.0)
            _paint(image, _alpha(np.hypot(s.x - side * 28, s.y - (cy - b + 20)) - 10.5, px) * orbit, 10.0)
    ethmoid = _alpha(_ellipse_sd(s, 0, cy - b + 26, 8, 13), px) * np.float32(_window(t, -0.1, 0.14))
    _paint(image, ethmoid * spongy, AIR)


def _blood(s: Slab, a: _Anatomy, lesion: Lesion) -> np.ndarray:
    """Coverage of one lesion on this slice (0 where it is absent)."""
    rz = (s.z_mm - lesion.z_mm) / lesion.z_half_mm
    if abs(rz) >= 1:
        return np.zeros_like(a.image)
    px = s.px
    if lesion.kind in ("epidural", "subdural"):
        angle = np.arctan2(s.y - HEAD_CY, s.x)
        delta = np.angle(np.exp(1j * (angle - np.radians(lesion.angle_deg)))).astype(np.float32)
        arc = np.abs(delta) * np.hypot(s.x, s.y - HEAD_CY)
        u = np.clip(1.0 - (arc / lesion.extent_mm) ** 2, 0.0, None)
        if lesion.kind == "epidural":  # biconvex lens: an ellipsoidal cap against the inner table
            thickness = lesion.size_mm * np.sqrt(np.clip(u - rz**2, 0.0, None))
        else:  # crescent: near-constant thickness along the convexity, tapering at the ends
            thickness = lesion.size_mm * u**0.3 * np.float32(np.sqrt(1 - rz**2))
        return _alpha(-a.depth, px) * _alpha(a.depth - thickness, px) * (thickness > 0)
    if lesion.kind == "intraparenchymal":
        q = float(np.sqrt(1 - rz**2))
        return (
            _alpha(_ellipse_sd(s, lesion.x_mm, lesion.y_mm, lesion.size_mm * q, lesion.extent_mm * q, 30), px) * a.brain
        )
    if lesion.kind == "intraventricular":
        return a.ventricles * _alpha(lesion.y_mm - s.y, px)  # dependent: posterior of a horizontal fluid level
    if lesion.pattern == "convexity":
        angle = np.arctan2(s.y - HEAD_CY, s.x)
        delta = np.abs(np.angle(np.exp(1j * (angle - np.radians(lesion.angle_deg))))) * 60.0
        return a.csf_spaces * _alpha(delta - lesion.extent_mm, px)
    return a.csf_spaces * _alpha(np.hypot(s.x, s.y - HEAD_CY) - 55.0, px)  # basal cisterns and sylvian fissures


def draw_slice(
    s: Slab, lesions: list[Lesion] | tuple[Lesion, ...], min_voxels: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Anatomy with the lesions painted in; masks (coverage > ½) per subtype, erased below `min_voxels`."""
    anatomy = draw_anatomy(s)
    image = anatomy.image
    masks: dict[str, np.ndarray] = {}
    for lesion in lesions:
        cover = _blood(s, anatomy, lesion)
        mask = cover > 0.5
        if mask.sum() < min_voxels:
            continue
        if lesion.kind == "intraparenchymal":
            rim = _alpha(_dilate_sd(cover, s.px, 4.0), s.px) * anatomy.brain
            _paint(image, rim, OEDEMA)
        _paint(image, cover, lesion.hu + 4.0 * s.texture)
        masks[lesion.kind] = masks.get(lesion.kind, np.zeros_like(mask)) | mask
    return image, masks


def _dilate_sd(cover: np.ndarray, px: float, rim_mm: float) -> np.ndarray:
    """Signed distance (mm) to the region `cover` grown by `rim_mm`: the oedema halo around a clot."""
    from scipy import ndimage

    outside = ndimage.distance_transform_edt(cover <= 0.5) * px
    return (outside - rim_mm).astype(np.float32)
