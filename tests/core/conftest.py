"""Stacks of known geometry for the MPR and measurement tests: in-memory stacks and physical phantoms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.dicom.records import Series, SliceHeader
from ichviewer.core.geometry import plan_stack
from ichviewer.core.load_report import LoadReport
from ichviewer.core.synthetic.phantom import Phantom, PhantomSpec, generate_phantom, write_phantom_study
from ichviewer.core.volume import CTVolume, load_folder_volume

UID = "1.2.826.0.1.3680043.8.498.77"
# the physical phantom pair: thin enough slices that through-plane sampling does not hide the geometry
HEAD = {"seed": 21, "n_slices": 65, "size": 192, "pixel_mm": 1.2, "slice_mm": 2.5, "anatomy_step_mm": 1.0}
SHIFT_MM = 6.0


@pytest.fixture(scope="session")
def stack_volume():
    """Factory: an in-memory CTVolume at table positions `z` (mm), tilted about x like a gantry (no files)."""

    def make(hu: np.ndarray, z: np.ndarray, tilt_deg: float = 0.0, pixel_mm: float = 0.5) -> CTVolume:
        tilt = np.radians(tilt_deg)
        orientation = (1.0, 0.0, 0.0, 0.0, float(np.cos(tilt)), float(-np.sin(tilt)))
        headers = tuple(
            SliceHeader(
                path=Path(f"/memory/slice{k:03d}.dcm"),
                sop_instance_uid=f"{UID}.{k + 1}",
                instance_number=k + 1,
                position=(-20.0, -30.0 * float(np.cos(tilt)), float(z[k])),
                orientation=orientation,
                rows=hu.shape[1],
                columns=hu.shape[2],
                pixel_spacing=(pixel_mm, pixel_mm),
                slice_thickness=1.0,
                rescale_slope=1.0,
                rescale_intercept=0.0,
                has_rescale=True,
                pixel_padding=None,
                transfer_syntax="1.2.840.10008.1.2.1",
                window_center=40.0,
                window_width=80.0,
                gantry_tilt=tilt_deg,
                acquisition_number=1,
                image_type=("ORIGINAL", "PRIMARY", "AXIAL"),
                frames=1,
            )
            for k in range(hu.shape[0])
        )
        series = Series(
            uid=UID,
            study_uid=UID + ".0",
            modality="CT",
            number=1,
            description="stack",
            patient_name="TEST",
            patient_id="T1",
            patient_birth_date="",
            patient_sex="",
            study_date="20260101",
            study_time="",
            study_description="",
            accession_number="",
            institution="",
            manufacturer="",
            model_name="",
            kernel="",
            slices=headers,
        )
        return CTVolume(hu=hu, series=series, geometry=plan_stack(headers), report=LoadReport())

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
