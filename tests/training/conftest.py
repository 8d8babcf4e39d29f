"""Fixtures for the training tests: tiny DICOM series, PNG folders and a data folder shaped like ../shared/data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from pydicom.config import disable_value_validation
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from ichviewer.core.labels import LABEL_KEYS

SIZE = 48
STUDIES = ("aaaa000001", "bbbb000002", "cccc000003", "dddd000004", "eeee000005")  # even index: slices 1, 2 bleed


def head_slice(value: int, size: int = SIZE, blob: tuple[int, int] | None = None) -> np.ndarray:
    """An int16 slice: a disc of `value` HU with a 1000 HU rim in air, optionally a 70 HU blob at (row, col)."""
    y, x = np.mgrid[:size, :size]
    r = np.hypot(y - size / 2, x - size / 2)
    hu = np.where(r < 0.42 * size, 1000, -1024)
    hu = np.where(r < 0.36 * size, value, hu)
    if blob is not None:
        hu = np.where(np.hypot(y - blob[0], x - blob[1]) < 4, 70, hu)
    return hu.astype(np.int16)


def write_dicom(path: Path, hu: np.ndarray, study_uid: str, series_uid: str, sop_uid: str, z: float) -> None:
    """One uncompressed CT image (stored = HU + 1024, intercept −1024) with a position on z."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    with disable_value_validation():  # RSNA-style UIDs such as "ID_74f2e4ee2b" are not valid UIDs
        meta.MediaStorageSOPInstanceUID = sop_uid
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PatientName, ds.PatientID, ds.SeriesNumber = "CT", "TEST^PATIENT", "T1", 1
    ds.ImagePositionPatient = [0.0, 0.0, z]
    ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.PixelSpacing, ds.SliceThickness = [0.5, 0.5], 5.0
    ds.Rows, ds.Columns = hu.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.PixelData = (hu.astype(np.int32) + 1024).astype(np.uint16).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    with disable_value_validation():
        ds.save_as(path, enforce_file_format=True)


def write_study(root: Path, study: str, slices: list[np.ndarray], image_ids: list[str]) -> None:
    """A series in root/study, files named image_id.dcm, written in shuffled order, z = 5 mm × index."""
    order = np.random.default_rng(len(study)).permutation(len(slices))
    for k in order:
        write_dicom(
            root / study / f"{image_ids[k]}.dcm",
            slices[k],
            f"ID_{study}",
            f"ID_{study}s",
            f"1.2.826.0.1.3680043.8.498.{int.from_bytes(image_ids[k].encode()[-8:], 'big')}",
            5.0 * k,
        )


def write_png(path: Path, grey: np.ndarray, mode: str = "L") -> None:
    from PIL import Image

    image = Image.fromarray(grey.astype(np.uint8), "L")
    if mode != "L":
        image = image.convert(mode)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def brain_png(size: int, positive: bool) -> np.ndarray:
    """8-bit brain-window picture of `head_slice` (what the PNG sources look like)."""
    hu = head_slice(30, size, blob=(size // 3, size // 2) if positive else None).astype(np.float32)
    return np.clip((hu - 0) / 80 * 255, 0, 255)


def _labels_row(positive: dict[str, int]) -> dict[str, int]:
    return {k: positive.get(k, 0) for k in LABEL_KEYS}


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(data folder shaped like ../shared/data, its split.json): 5 DICOM studies, 12 + 12 PNGs."""
    root = tmp_path_factory.mktemp("data")
    dicom = root / "rsna_dicom"
    rows = []
    for s, study in enumerate(STUDIES):
        positive_slices = {1, 2} if s % 2 == 0 else set()
        slices = [head_slice(30, blob=(16, 24) if k in positive_slices else None) for k in range(4)]
        ids = [f"ID_{study[:4]}{k:05d}" for k in range(4)]
        write_study(dicom, study, slices, ids)
        for k, image_id in enumerate(ids[:3]):  # the last slice has no label row, as in the real data
            labels = _labels_row({"any": 1, "intraparenchymal": 1} if k in positive_slices else {})
            rows.append({"image_id": image_id, "study": study, "path": f"{study}/{image_id}.dcm", **labels})
    with open(dicom / "labels.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["image_id", "study", "path", *LABEL_KEYS[1:], "any"])
        writer.writeheader()
        writer.writerows(rows)

    png_rows = []
    for k in range(12):
        positive = k % 2 == 0
        write_png(root / "rsna_png" / "images" / f"ID_png{k:04d}.png", brain_png(64, positive))
        png_rows.append(
            {
                "image_id": f"ID_png{k:04d}",
                "path": f"images/ID_png{k:04d}.png",
                **_labels_row({"any": 1, "subdural": 1} if positive else {}),
            }
        )
    with open(root / "rsna_png" / "labels.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["image_id", "path", *LABEL_KEYS[1:], "any"])
        writer.writeheader()
        writer.writerows(png_rows)

    for k in range(12):
        write_png(root / "head_ct" / f"{k:03d}.png", brain_png(40 + 4 * k, k < 6), mode="RGB" if k % 3 else "RGBA")
    (root / "head_ct" / "labels.csv").write_text("id, hemorrhage\n" + "".join(f"{k},{int(k < 6)}\n" for k in range(12)))

    split = {
        "recipe": "tiny test split",
        "seed": 0,
        "sources": {
            "rsna_dicom": {
                "unit": "study",
                "train": ["aaaa000001", "bbbb000002"],
                "val": ["cccc000003"],
                "test": ["dddd000004", "eeee000005"],
            },
            "rsna_png": {
                "unit": "image",
                "train": [f"ID_png{k:04d}" for k in range(6)],
                "val": [f"ID_png{k:04d}" for k in range(6, 8)],
                "test": [f"ID_png{k:04d}" for k in range(8, 12)],
            },
            "head_ct": {
                "unit": "image",
                "train": ["000", "001", "006", "007"],
                "val": ["002", "008"],
                "test": ["003", "004", "009", "010"],
            },
            "phantom": {"unit": "seed", "train": [0, 9000], "val": [9000, 9010], "test": [10000, 10020]},
        },
    }
    split_path = root / "split.json"
    split_path.write_text(json.dumps(split))
    return root, split_path
