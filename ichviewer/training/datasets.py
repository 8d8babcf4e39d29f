"""Readers for the training and test sources; each yields `Stack`s: HU slices with their labels.

- `read_rsna`: RSNA 2019 format (`stage_2_train.csv` rows `ID_<image>_<label>,0|1`) or our
  `rsna_dicom/labels.csv` (one row per image) + a folder of DICOMs. Series are found and
  ordered from the headers (core.dicom / geometry), so neighbouring slices are real
  neighbours; images are matched by file name (image id + .dcm) or SOP Instance UID.
- `read_image_folder`: 8-bit brain-window images + `labels.csv` (`head_ct`: `id, hemorrhage`,
  only "any" known; `rsna_png`: `image_id, path` + six labels), read back as HU.
- `read_cq500`: CQ500 study folders + `reads.csv` (three readers, majority vote, study labels).
- `read_phantom`: the project's synthetic head CT (core.phantom), every slice labelled.
pydicom and the volume loader are imported only by the DICOM readers: the training script on
a GPU machine uses `read_phantom` with numpy/scipy/torch alone.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.progress import Cancel, Progress, check_cancel, report
from ichviewer.training.brain_png import grey_to_hu

if TYPE_CHECKING:
    from ichviewer.core.dicom.records import Series, SliceHeader
    from ichviewer.core.volume import CTVolume

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
CQ500_LABELS = {
    "ICH": "any",
    "EDH": "epidural",
    "IPH": "intraparenchymal",
    "IVH": "intraventricular",
    "SAH": "subarachnoid",
    "SDH": "subdural",
}
CQ500_READERS = ("R1", "R2", "R3")


@dataclass(frozen=True, eq=False)
class SliceLabel:
    """Labels of slice `index` of a stack: (6,) float 0/1 in LABEL_KEYS order, and which are known."""

    index: int
    id: str
    labels: np.ndarray
    mask: np.ndarray


@dataclass(frozen=True, eq=False)
class Stack:
    """One int16 HU stack (z, y, x), inferior first, from one source, with its labelled slices.

    `group` is the unit of splitting and of the bootstrap: the study for DICOM and phantom
    sources, the image for single-image sources. `volume` is the loaded DICOM series (the
    viewer's own path) where there is one. `study_labels`/`study_mask` are given for sources
    labelled per study (CQ500); otherwise they follow from the slices.
    """

    source: str
    group: str
    hu: np.ndarray
    slices: tuple[SliceLabel, ...]
    volume: CTVolume | None = None
    study_labels: np.ndarray | None = None
    study_mask: np.ndarray | None = None
    pixel_spacing: tuple[float, float] | None = None  # mm; the volume's where there is one
    positions: np.ndarray | None = None  # mm along the normal per slice; the volume's where there is one

    def physical(self) -> tuple[np.ndarray, tuple[float, float]]:
        """(slice positions along the normal, pixel spacing) in mm: the DICOM geometry, else the stack's own."""
        if self.volume is not None:
            return self.volume.geometry.slice_positions, self.volume.geometry.pixel_spacing
        positions = self.positions if self.positions is not None else np.arange(len(self.hu), dtype=float) * 5.0
        return positions, self.pixel_spacing or (1.0, 1.0)

    def study_truth(self) -> tuple[np.ndarray, np.ndarray]:
        """Study labels: given, or positive where any slice is, known where positive or all slices known."""
        if self.study_labels is not None and self.study_mask is not None:
            return self.study_labels, self.study_mask
        labels = np.max([s.labels for s in self.slices], axis=0)
        known = np.all([s.mask for s in self.slices], axis=0) | (labels > 0)
        return labels, known


def as_volume(stack: Stack) -> CTVolume:
    """The stack as a CTVolume for the viewer's code paths: its DICOM series, or an in-memory one
    (core.synthetic.memory_stack) at the stack's own positions and pixel size."""
    from dataclasses import replace

    from ichviewer.core.synthetic.memory_stack import memory_volume

    if stack.volume is not None:
        return stack.volume
    uid = f"2.25.{int.from_bytes(stack.group.encode()[:15], 'big')}"
    positions, spacing = stack.physical()
    volume = memory_volume(
        stack.hu,
        z=positions,
        pixel_mm=float(spacing[0]),
        uid=uid,
        slice_thickness=float(np.median(np.diff(positions))) if len(positions) > 1 else 5.0,
        image_type=("DERIVED", "SECONDARY", "AXIAL"),
    )
    series = replace(
        volume.series, description=f"{stack.source} {stack.group}", patient_name="", patient_id=stack.group
    )
    return replace(volume, series=series)


def label_vector(values: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(labels, mask) in LABEL_KEYS order from a {label: 0|1} dict; absent labels are unknown."""
    labels = np.array([float(values.get(k, 0)) for k in LABEL_KEYS], dtype=np.float32)
    mask = np.array([k in values for k in LABEL_KEYS], dtype=bool)
    return labels, mask


def read_rows(path: Path) -> list[dict[str, str]]:
    """CSV rows with stripped keys and values (head_ct's header is `id, hemorrhage`)."""
    with open(path, newline="", encoding="utf-8") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in csv.DictReader(f)]


def read_rsna_labels(path: Path) -> dict[str, tuple[dict[str, int], str | None]]:
    """image id → ({label: 0|1}, study or None), from stage_2_train.csv or a labels.csv."""
    rows = read_rows(path)
    table: dict[str, tuple[dict[str, int], str | None]] = {}
    if rows and "Label" in rows[0] and "ID" in rows[0]:
        for row in rows:
            image, _, key = row["ID"].rpartition("_")
            if key in LABEL_KEYS:
                table.setdefault(image, ({}, None))[0][key] = int(row["Label"])
        return table
    for row in rows:
        table[row["image_id"]] = (
            {k: int(row[k]) for k in LABEL_KEYS if row.get(k, "") != ""},
            row.get("study") or None,
        )
    if not table:
        raise ValueError(f"{path}: no labelled images (expected stage_2_train.csv or image_id + six label columns)")
    return table


def _image_key(header: SliceHeader, table: dict[str, object]) -> str | None:
    for key in (header.path.stem, header.sop_instance_uid):
        if key in table:
            return key
    return None


def study_id(study_uid: str) -> str:
    """RSNA's anonymised StudyInstanceUID `ID_74f2e4ee2b` → `74f2e4ee2b` (our folder names)."""
    return study_uid[3:] if study_uid.startswith("ID_") else study_uid


def read_rsna(
    labels_csv: Path,
    dicom_root: Path,
    groups: Iterable[str] | None = None,
    source: str = "rsna_dicom",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[Stack]:
    """One stack per series with labelled slices (only studies in `groups` when given)."""
    from ichviewer.core.dicom.index import index_folder
    from ichviewer.core.volume import load_volume

    table = read_rsna_labels(labels_csv)
    wanted = set(groups) if groups is not None else None
    index = index_folder(dicom_root, progress, cancel)
    chosen: list[tuple[Series, str]] = []
    for series in index.series:
        keys = [k for k in (_image_key(s, table) for s in series.slices) if k is not None]
        if keys:
            group = table[keys[0]][1] or study_id(series.study_uid)
            if wanted is None or group in wanted:
                chosen.append((series, group))
    for done, (series, group) in enumerate(chosen):
        check_cancel(cancel)
        report(progress, done, len(chosen), f"Loading study {group}")
        volume = load_volume(series, cancel=cancel)
        slices = []
        for i, header in enumerate(volume.slices):
            key = _image_key(header, table)
            if key is not None:
                labels, mask = label_vector(table[key][0])
                slices.append(SliceLabel(i, key, labels, mask))
        yield Stack(source, group, volume.hu, tuple(slices), volume=volume)
    report(progress, len(chosen), len(chosen), "Studies loaded")


def read_grey(path: Path) -> np.ndarray:
    """An image file as uint8 grey (RGB/RGBA composited on black, then luminance)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                rgba = image.convert("RGBA")
                black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
                image = Image.alpha_composite(black, rgba)
            return np.asarray(image.convert("L"), dtype=np.uint8)
    except (OSError, UnidentifiedImageError) as error:
        raise ValueError(f"{path}: not a readable image ({error})") from None


def image_hu(path: Path) -> np.ndarray:
    """An 8-bit brain-window image read back as an int16 (1, y, x) HU stack."""
    return np.rint(grey_to_hu(read_grey(path).astype(np.float32)))[None].astype(np.int16)


def image_files(folder: Path) -> dict[str, Path]:
    """Image files by stem, and by integer value of numeric stems (`000.png` for id `0`)."""
    files: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in IMAGE_SUFFIXES:
            files.setdefault(path.stem, path)
            if path.stem.isdigit():
                files.setdefault(str(int(path.stem)), path)
    return files


def read_image_folder(
    folder: Path,
    labels_csv: Path | None = None,
    source: str = "images",
    ids: Iterable[str] | None = None,
) -> Iterator[Stack]:
    """One single-slice stack per labelled image; id = file stem (only `ids` when given)."""
    labels_csv = labels_csv or folder / "labels.csv"
    rows = read_rows(labels_csv)
    if not rows:
        raise ValueError(f"{labels_csv}: no rows")
    id_key = "image_id" if "image_id" in rows[0] else "id"
    if id_key not in rows[0]:
        raise ValueError(f"{labels_csv}: needs an 'image_id' or 'id' column, has {list(rows[0])}")
    files = {} if "path" in rows[0] else image_files(folder)
    wanted = set(ids) if ids is not None else None
    for row in rows:
        path = folder / row["path"] if "path" in row else files.get(row[id_key])
        if path is None or not path.is_file():
            raise ValueError(f"{labels_csv}: image for id {row[id_key]!r} not found in {folder}")
        if wanted is not None and path.stem not in wanted:
            continue
        values = {k: int(row[k]) for k in LABEL_KEYS if row.get(k, "") != ""}
        if "hemorrhage" in row:
            values["any"] = int(row["hemorrhage"])
        labels, mask = label_vector(values)
        yield Stack(source, path.stem, image_hu(path), (SliceLabel(0, path.stem, labels, mask),))


def read_cq500_reads(path: Path) -> dict[str, tuple[dict[str, int], int]]:
    """Study name → ({label: majority of the readers}, readers counted) from reads.csv."""
    table = {}
    for row in read_rows(path):
        values = {}
        readers = [r for r in CQ500_READERS if f"{r}:ICH" in row]
        for short, key in CQ500_LABELS.items():
            votes = [int(float(row[f"{r}:{short}"])) for r in readers if row.get(f"{r}:{short}", "") != ""]
            if votes:
                values[key] = int(2 * sum(votes) > len(votes))
        table[row["name"]] = (values, len(readers))
    return table


def _cq500_key(name: str) -> str:
    """`CQ500-CT-12` and the folder `CQ500CT12 CQ500CT12` both become `cq500ct12`."""
    return re.sub(r"[^0-9a-z]", "", name.split()[0].lower()) if name.split() else ""


def read_cq500(
    root: Path,
    reads_csv: Path | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[Stack]:
    """One stack per study folder named in reads.csv: the series the viewer opens, study labels."""
    from ichviewer.core.volume import load_folder_volume

    reads = read_cq500_reads(reads_csv or root / "reads.csv")
    folders = {_cq500_key(p.name): p for p in sorted(root.iterdir()) if p.is_dir()}
    found = [(name, folders[_cq500_key(name)]) for name in reads if _cq500_key(name) in folders]
    if not found:
        raise ValueError(f"{root}: none of the {len(reads)} studies in reads.csv has a folder here")
    for done, (name, folder) in enumerate(found):
        check_cancel(cancel)
        report(progress, done, len(found), f"Loading {name}")
        volume = load_folder_volume(folder, cancel=cancel)
        labels, mask = label_vector(reads[name][0])
        yield Stack("cq500", name, volume.hu, (), volume=volume, study_labels=labels, study_mask=mask)
    report(progress, len(found), len(found), "Studies loaded")


def read_phantom(seeds: Iterable[int], size: int = 256, source: str = "phantom") -> Iterator[Stack]:
    """One stack per seed of the synthetic head CT, every slice labelled with all six labels."""
    from ichviewer.core.synthetic.phantom import generate_phantom, random_spec

    for seed in seeds:
        phantom = generate_phantom(random_spec(seed, size=size))
        mask = np.ones(len(LABEL_KEYS), dtype=bool)
        slices = tuple(
            SliceLabel(i, f"phantom-{seed}-{i:03d}", truth.astype(np.float32), mask)
            for i, truth in enumerate(np.asarray(phantom.slice_labels))
        )
        yield Stack(source, f"phantom-{seed}", phantom.hu, slices)
