"""Test-wide set-up: headless Qt, settings and caches in temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ichviewer.core.dicom.config import configure_pydicom

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
configure_pydicom()  # as the application does at start-up

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user's settings, recent studies, result cache, saved measurements or log."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("ICHVIEWER_CONFIG", str(base / "config"))
    monkeypatch.setenv("ICHVIEWER_CACHE", str(base / "cache"))
    monkeypatch.setenv("ICHVIEWER_DATA", str(base / "data"))
    monkeypatch.setenv("ICHVIEWER_LOGS", str(base / "logs"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-cases",
        type=int,
        default=None,
        help="cases for tests/core/dicom/test_fuzz.py (default: the CI number, or ICHVIEWER_FUZZ_CASES)",
    )


def shared_data(name: str) -> Path:
    """A folder of ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"real data {path} is not present (it lives beside the project, not in it)")
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised model folder (card + safetensors) at 64² input: fast on CPU."""
    import torch

    from ichviewer.core.model import build_network
    from ichviewer.training.export import card_template, write_model_folder

    torch.manual_seed(0)
    card = card_template(
        "tiny-test-model",
        "0.0.1",
        size=64,
        thresholds={
            "any": 0.5,
            "epidural": 0.4,
            "intraparenchymal": 0.5,
            "intraventricular": 0.5,
            "subarachnoid": 0.5,
            "subdural": 0.5,
        },
    )
    network = build_network(card["architecture"]["name"], 3, 6)
    return write_model_folder(network, tmp_path_factory.mktemp("tiny_model"), card)


@pytest.fixture(scope="session")
def tiny_slab_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised slab-and-sequence model folder at 64² input (5 mm slabs, 3.4 mm pixels)."""
    import torch

    from ichviewer.core.model import SLAB_SEQUENCE, build_network
    from ichviewer.training.export import card_template, write_model_folder

    torch.manual_seed(0)
    card = card_template("tiny-slab-model", "0.0.1", architecture=SLAB_SEQUENCE, size=64, context_slices=1)
    card["network_data_format"]["inputs"]["image"].update(mm_per_pixel=3.4, slab_mm=5.0)
    network = build_network(SLAB_SEQUENCE, 9, 6)
    with torch.no_grad():  # a GRU that says something, so the sequence path is exercised
        network.seq_head.weight.normal_(0, 0.1)  # type: ignore[union-attr,operator]
    return write_model_folder(network, tmp_path_factory.mktemp("tiny_slab_model"), card)


@pytest.fixture
def make_volume():
    """Factory: an in-memory CTVolume around an int16 (z, y, x) HU array (no files), `spacing` mm apart."""
    import numpy as np

    from ichviewer.core.synthetic.memory_stack import UID, memory_volume

    def make(hu, spacing: float = 5.0, pixel: float = 0.5, uid: str = UID):
        z = np.arange(hu.shape[0]) * spacing
        return memory_volume(hu, z, pixel_mm=pixel, uid=uid, slice_thickness=spacing)

    return make


@pytest.fixture
def log_file():
    """The rotating log file started as the viewer starts it; yields a function reading it back (flushed)."""
    import logging

    from ichviewer.core.log_file import read_log, start_logging

    start_logging()
    logger = logging.getLogger("ichviewer")
    added = list(logger.handlers)

    def read() -> str:
        for handler in added:
            handler.flush()
        return read_log()

    yield read
    for handler in added:
        logger.removeHandler(handler)
        handler.close()


@pytest.fixture
def make_result():
    """Factory: a StudyResult of `n` slices, 0.05 everywhere but the given {(slice, label): score}; with
    `volume`, of that volume's slices (its series and instance UIDs, its positions)."""
    import numpy as np

    from ichviewer.core.labels import LABEL_KEYS
    from ichviewer.core.results import StudyResult

    def make(n: int = 20, scores: dict | None = None, labels: tuple = LABEL_KEYS, threshold: float = 0.5, volume=None):
        n = volume.n_slices if volume is not None else n
        table = np.full((n, len(labels)), 0.05, np.float32)
        for (index, key), score in (scores or {}).items():
            table[index, labels.index(key)] = score
        return StudyResult(
            series_uid=volume.series.uid if volume is not None else "1.2.826.0.1.3680043.8.498.1",
            sop_instance_uids=tuple(s.sop_instance_uid for s in volume.slices)
            if volume is not None
            else tuple(f"1.2.826.0.1.3680043.8.498.1.{i + 1}" for i in range(n)),
            slice_positions=np.asarray(volume.geometry.slice_positions) if volume is not None else np.arange(n) * 5.0,
            labels=tuple(labels),
            thresholds=(threshold,) * len(labels),
            scores=table,
            model_name="ichnet-test",
            model_version="1.0",
            model_sha256="c" * 64,
            device="CPU (2 threads)",
            elapsed_s=0.5,
            created="2026-11-23T10:00:00+00:00",
        )

    return make


@pytest.fixture(scope="session")
def phantom_series(tmp_path_factory: pytest.TempPathFactory):
    """A small phantom study (16 slices, 256², all five subtypes) written once: (folder, phantom)."""
    from ichviewer.core.labels import SUBTYPE_KEYS
    from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study

    phantom = generate_phantom(PhantomSpec(seed=3, n_slices=16, size=256, pixel_mm=0.9, subtypes=SUBTYPE_KEYS))
    folder = write_phantom_study(phantom, tmp_path_factory.mktemp("phantom") / "study", file_names="shuffled")
    return folder, phantom


@pytest.fixture(scope="session")
def mixed_studies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of six studies (tests/worklist_folder.py): two bleeds, two normals, a corrupt one and an MR one."""
    from tests.worklist_folder import write_mixed_folder

    return write_mixed_folder(tmp_path_factory.mktemp("mixed") / "night")
