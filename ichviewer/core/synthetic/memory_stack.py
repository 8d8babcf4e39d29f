"""A CT stack that exists only in memory: slice headers and a `CTVolume` around an HU array, without files.

For tests, benchmarks and training slabs that need the viewer's own data types with a known
geometry and no DICOM written. The defaults are a plain axial slice: explicit little endian,
rescale 1 / 0, the brain window, 0.5 mm pixels, 5 mm apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ichviewer.core.dicom.records import Series, SliceHeader
from ichviewer.core.geometry import plan_stack
from ichviewer.core.load_report import LoadReport
from ichviewer.core.volume import CTVolume

UID = "1.2.826.0.1.3680043.8.498.1"
EXPLICIT_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


def slice_header(
    k: int, position: tuple[float, float, float] | None = (0.0, 0.0, 0.0), uid: str = UID, **fields: Any
) -> SliceHeader:
    """Slice `k` (file /memory/slice{k}.dcm, instance k + 1) at `position` (mm); `fields` replace the defaults."""
    header = SliceHeader(
        path=Path(f"/memory/slice{k:03d}.dcm"),
        sop_instance_uid=f"{uid}.{k + 1}",
        instance_number=k + 1,
        position=position,
        orientation=AXIAL,
        rows=64,
        columns=64,
        pixel_spacing=(0.5, 0.5),
        slice_thickness=5.0,
        rescale_slope=1.0,
        rescale_intercept=0.0,
        has_rescale=True,
        pixel_padding=None,
        transfer_syntax=EXPLICIT_LITTLE_ENDIAN,
        window_center=40.0,
        window_width=80.0,
        gantry_tilt=None,
        acquisition_number=1,
        image_type=("ORIGINAL", "PRIMARY", "AXIAL"),
        frames=1,
    )
    return replace(header, **fields) if fields else header


def stack_headers(
    shape: tuple[int, int, int],
    z: Sequence[float] | np.ndarray,
    tilt_deg: float = 0.0,
    pixel_mm: float = 0.5,
    origin: tuple[float, float] = (0.0, 0.0),
    uid: str = UID,
    **fields: Any,
) -> tuple[SliceHeader, ...]:
    """Headers of a (slices, rows, columns) stack at table positions `z` (mm), tilted about x like a gantry.

    `origin` is the first pixel's (x, y) before the tilt; `fields` replace the defaults on every slice.
    """
    tilt = np.radians(tilt_deg)
    orientation = (1.0, 0.0, 0.0, 0.0, float(np.cos(tilt)), float(-np.sin(tilt)))
    y = origin[1] * float(np.cos(tilt))
    stated = {"gantry_tilt": tilt_deg} if tilt_deg else {}
    return tuple(
        slice_header(
            k,
            (origin[0], y, float(z[k])),
            uid,
            orientation=orientation,
            rows=shape[1],
            columns=shape[2],
            pixel_spacing=(pixel_mm, pixel_mm),
            **{**stated, **fields},
        )
        for k in range(shape[0])
    )


def memory_volume(
    hu: np.ndarray,
    z: Sequence[float] | np.ndarray | None = None,
    tilt_deg: float = 0.0,
    pixel_mm: float = 0.5,
    uid: str = UID,
    **fields: Any,
) -> CTVolume:
    """A CTVolume around `hu` (int16, z-y-x) with `stack_headers` (5 mm apart unless `z` says otherwise)."""
    z = np.arange(hu.shape[0]) * 5.0 if z is None else z
    headers = stack_headers(hu.shape, z, tilt_deg, pixel_mm, uid=uid, **fields)
    series = Series(
        uid=uid,
        study_uid=uid + ".0",
        modality="CT",
        number=1,
        description="synthetic",
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
