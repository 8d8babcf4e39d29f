"""Stacks of known geometry for the MPR and measurement tests: in-memory stacks and physical phantoms."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.synthetic.memory_stack import memory_volume
from ichviewer.core.synthetic.phantom import Phantom, PhantomSpec, generate_phantom, write_phantom_study
from ichviewer.core.volume import CTVolume, load_folder_volume

UID = "1.2.826.0.1.3680043.8.498.77"
# the physical phantom pair: thin enough slices that through-plane sampling does not hide the geometry
HEAD = {"seed": 21, "n_slices": 65, "size": 192, "pixel_mm": 1.2, "slice_mm": 2.5, "anatomy_step_mm": 1.0}
SHIFT_MM = 6.0


@pytest.fixture
def round_head(make_volume):  # type: ignore[no-untyped-def]
    """Factory: a volume of `n` 96² slices, a round head of noisy 35 HU brain in air (for the classifier's tests)."""

    def make(n: int) -> CTVolume:
        rng = np.random.default_rng(1)
        hu = np.full((n, 96, 96), -1000, np.int16)
        yy, xx = np.mgrid[:96, :96]
        head = (yy - 48) ** 2 + (xx - 48) ** 2 < 40**2
        hu[:, head] = rng.normal(35, 5, size=(n, int(head.sum()))).astype(np.int16)
        return make_volume(hu)  # type: ignore[no-any-return]

    return make


@pytest.fixture(scope="session")
def stack_volume():
    """Factory: an in-memory CTVolume at table positions `z` (mm), tilted about x like a gantry (no files)."""

    def make(hu: np.ndarray, z: np.ndarray, tilt_deg: float = 0.0, pixel_mm: float = 0.5) -> CTVolume:
        return memory_volume(hu, z, tilt_deg, pixel_mm, uid=UID, origin=(-20.0, -30.0), slice_thickness=1.0)

    return make


@pytest.fixture(scope="session")
def physical_heads(tmp_path_factory: pytest.TempPathFactory) -> dict[float, tuple[Phantom, CTVolume]]:
    """The same physical phantom head (an intraparenchymal bleed, a 6 mm midline shift to the patient's left)
    scanned untilted and with a 15° gantry tilt, written as DICOM and loaded back: {tilt: (phantom, volume)}."""
    heads = {}
    for tilt in (0.0, 15.0):
        spec = PhantomSpec(**HEAD, tilt_deg=tilt, subtypes=("intraparenchymal",), midline_shift_mm=SHIFT_MM)
        phantom = generate_phantom(spec)
        folder = write_phantom_study(phantom, tmp_path_factory.mktemp("head") / f"tilt{tilt:g}")
        heads[tilt] = (phantom, load_folder_volume(folder))
    return heads
