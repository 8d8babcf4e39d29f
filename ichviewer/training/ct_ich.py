"""PhysioNet CT-ICH whole studies read back as HU from their brain and bone window JPGs.

Each slice comes as a brain window (L40/W120) and a bone window (L700/W3200) 8-bit image,
650×650, about 5 mm apart, inferior first. HU are taken from the brain image where it is not
saturated (0.47 HU per grey level) and from the bone image elsewhere (12.5 HU per level), which
checks out on the data (median difference 0.6 HU where both are valid). The pixel size is not
given: the 650 px images were resampled from 512 px scans of ~230 mm, so 0.355 mm per pixel is
assumed (median head 200 mm front to back, as in the RSNA studies) and jittered in training.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.training.datasets import SliceLabel, Stack, label_vector, read_grey, read_rows

PIXEL_MM = 0.355
SLICE_MM = 5.0
BRAIN = (40.0, 120.0)
BONE = (700.0, 3200.0)
SATURATED = (2, 253)  # brain grey values outside this range take their HU from the bone image


def window_hu(grey: np.ndarray, level: float, width: float) -> np.ndarray:
    """HU of 8-bit grey values exported through window (level, width)."""
    return level - width / 2 + grey.astype(np.float32) * width / 255.0


def slice_hu(brain: np.ndarray, bone: np.ndarray | None) -> np.ndarray:
    """int16 HU of one slice: brain-window HU where unsaturated, bone-window HU elsewhere."""
    hu = window_hu(brain, *BRAIN)
    if bone is not None and bone.shape == brain.shape:
        saturated = (brain <= SATURATED[0]) | (brain >= SATURATED[1])
        hu = np.where(saturated, window_hu(bone, *BONE), hu)
    else:  # the one slice whose bone image is missing upstream: dark is air, bright is bone
        hu = np.where(brain <= SATURATED[0], -1000.0, np.where(brain >= SATURATED[1], 700.0, hu))
    return np.rint(np.clip(hu, -1024, 3071)).astype(np.int16)


def read_ct_ich(root: Path, patients: Iterable[str] | None = None, source: str = "ct_ich") -> Iterator[Stack]:
    """One stack per patient (only `patients` when given), slices ordered by their number."""
    rows_by_patient: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_rows(root / "labels.csv"):
        rows_by_patient[row["patient"]].append(row)
    wanted = set(patients) if patients is not None else None
    for patient in sorted(rows_by_patient):
        if wanted is not None and patient not in wanted:
            continue
        rows = sorted(rows_by_patient[patient], key=lambda r: int(r["slice"]))
        images, slices = [], []
        for i, row in enumerate(rows):
            bone = read_grey(root / row["bone"]) if row.get("bone") else None
            images.append(slice_hu(read_grey(root / row["brain"]), bone))
            labels, mask = label_vector({k: int(row[k]) for k in LABEL_KEYS if row.get(k, "") != ""})
            slices.append(SliceLabel(i, f"{patient}_{int(row['slice']):02d}", labels, mask))
        yield Stack(
            source,
            patient,
            np.stack(images),
            tuple(slices),
            pixel_spacing=(PIXEL_MM, PIXEL_MM),
            positions=np.arange(len(rows), dtype=float) * SLICE_MM,
        )
