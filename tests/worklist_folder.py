"""A folder of several studies of known truth for the worklist tests: phantoms with and without bleeds,
a study whose files are all truncated and an MR study (not CT)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study
from tests.dicom_edit import rewrite

# seeds outside the training, validation and test ranges of split.json; 128² and 12 slices keep the tests fast
# (12 slices of 5 mm cover 60 mm: a head the AI judges, core/applicability.py; 8 slices, 40 mm, it does not)
BLEEDS = {30001: ("intraparenchymal",), 30002: ("subdural",)}
NORMALS = (30003, 30004)
SHORT = 30007  # the study of 8 slices in write_not_applicable_folder


def write_study(root: Path, seed: int, subtypes: tuple[str, ...], date: str = "20240101", n_slices: int = 12) -> Path:
    spec = PhantomSpec(seed=seed, n_slices=n_slices, size=128, pixel_mm=230 / 128, subtypes=subtypes)
    phantom = generate_phantom(spec)
    folder = write_phantom_study(phantom, root / f"study-{seed}", patient_id=f"P{seed}", patient_name=f"TEST^{seed}")
    if date != "20240101":
        for path in folder.glob("*.dcm"):
            rewrite(path, StudyDate=date)
    return folder


def write_mixed_folder(root: Path) -> Path:
    """Bleeds, normals, a corrupt study (every file truncated) and an MR study under `root`."""
    for seed, subtypes in BLEEDS.items():
        write_study(root, seed, subtypes)
    for seed in NORMALS:
        write_study(root, seed, ())
    corrupt = write_study(root, 30005, ())
    for path in corrupt.glob("*.dcm"):
        path.write_bytes(path.read_bytes()[:2000])
    mr = write_study(root, 30006, ())
    for path in mr.glob("*.dcm"):
        rewrite(path, Modality="MR")
    return root


def write_not_applicable_folder(root: Path) -> Path:
    """A normal study and one of 8 slices (40 mm along the head: "AI not applicable") under `root`."""
    write_study(root, NORMALS[0], ())
    write_study(root, SHORT, (), n_slices=8)
    return root


class OracleClassifier:
    """Stands in for the model where a test checks the worklist, not the model: scores each slice
    0.95 where the phantom's ground truth has blood of a label, else 0.05 (read from ground_truth.json)."""

    def __init__(self) -> None:
        from ichviewer.core.labels import LABEL_KEYS

        self.labels = LABEL_KEYS
        self.card = SimpleNamespace(
            sha256="0" * 64, name="oracle", version="truth", title="oracle truth", labels=LABEL_KEYS
        )
        self.device_label = "CPU"
        self.calls = 0

    def predict(self, volume, progress=None, cancel=None, on_batch=None):  # type: ignore[no-untyped-def]
        from ichviewer.core.progress import check_cancel
        from ichviewer.core.results import StudyResult

        check_cancel(cancel)
        self.calls += 1
        truth = json.loads((volume.slices[0].path.parent / "ground_truth.json").read_text())["by_sop_instance_uid"]
        scores = np.array(
            [[0.95 if truth[s.sop_instance_uid][k] else 0.05 for k in self.labels] for s in volume.slices], np.float32
        )
        return StudyResult(
            series_uid=volume.series.uid,
            sop_instance_uids=tuple(s.sop_instance_uid for s in volume.slices),
            slice_positions=volume.geometry.slice_positions.copy(),
            labels=self.labels,
            thresholds=(0.5,) * len(self.labels),
            scores=scores,
            model_name="oracle",
            model_version="truth",
            model_sha256=self.card.sha256,
            device="cpu",
            elapsed_s=0.0,
            created="2026-11-25T12:00:00+00:00",
        )
