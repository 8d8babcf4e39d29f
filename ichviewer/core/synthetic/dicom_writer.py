"""Write an HU volume as a DICOM CT Image Storage series, in any transfer syntax we read.

Used by the synthetic phantom, the demo study, the loader tests and the load benchmark: the
files carry the geometry, rescale and padding variants scanners send, so reading them back
exercises the same code paths as real studies.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    RLELossless,
    generate_uid,
)

from ichviewer.core.progress import Progress, report

CT_IMAGE_STORAGE = UID("1.2.840.10008.5.1.4.1.1.2")
UID_ROOT = "1.2.826.0.1.3680043.8.498."  # pydicom's root; generate_uid hashes our entropy under it
SYNTAXES: dict[str, UID] = {
    "explicit": ExplicitVRLittleEndian,
    "implicit": ImplicitVRLittleEndian,
    "big": ExplicitVRBigEndian,
    "deflated": DeflatedExplicitVRLittleEndian,
    "rle": RLELossless,
    "j2k": JPEG2000Lossless,
    "jpegls": JPEGLSLossless,
    "jpeg-lossless": JPEGLossless,
    "jpeg-lossless-sv1": JPEGLosslessSV1,
}
FILE_NAMES = ("ordered", "shuffled", "uid")
UNSIGNED_INTERCEPT = -1024.0


class SyntaxUnavailable(ValueError):
    """A transfer syntax this machine has no encoder for; the message names it."""


def series_uids(uid_seed: int, series_number: int = 2) -> tuple[str, str, str]:
    """Deterministic (study, series, frame of reference) UIDs for a seed."""
    base = ["ichviewer-phantom", str(uid_seed)]
    return (
        generate_uid(UID_ROOT, entropy_srcs=[*base, "study"]),
        generate_uid(UID_ROOT, entropy_srcs=[*base, "series", str(series_number)]),
        generate_uid(UID_ROOT, entropy_srcs=[*base, "frame-of-reference"]),
    )


def available_syntaxes() -> list[str]:
    """Syntax names `write_series` can produce here, each checked to decode back exactly."""
    return [name for name in SYNTAXES if _encoder_problem(name) is None]


def write_series(
    hu: np.ndarray,
    out_dir: Path,
    *,
    spacing: tuple[float, float, float] = (5.0, 0.45, 0.45),
    syntax: str = "explicit",
    tilt_deg: float = 0.0,
    origin: Sequence[float] | None = None,
    patient_name: str = "PHANTOM^DEMO",
    patient_id: str = "PHANTOM-0001",
    study_description: str = "CT HEAD WITHOUT CONTRAST (SYNTHETIC)",
    series_description: str = "Axial 5mm brain (synthetic phantom)",
    study_uid: str | None = None,
    series_uid: str | None = None,
    series_number: int = 2,
    uid_seed: int = 0,
    file_names: str = "ordered",
    unsigned: bool = False,
    slope: float = 1.0,
    padding: int | None = None,
    preamble: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Write `hu` (z, y, x; slice 0 inferior) as one CT series; return the paths in slice order.

    `spacing` is (table increment, row, column) in mm. `tilt_deg` rotates the column direction
    of (0020,0037) Image Orientation Patient about x, so positions, which advance along z with
    the table, shear along y as on a gantry-tilted scanner. `origin` is (0020,0032) of slice 0
    (default: x and y centred on the image, z 0). Stored values are HU / `slope`
    (signed, intercept 0; or `unsigned` with intercept −1024). `padding` is a stored value
    written to (0028,0120) Pixel Padding Value and outside the reconstruction circle.
    Existing files are never overwritten (FileExistsError).
    """
    hu = np.asarray(hu)
    if hu.ndim != 3:
        raise ValueError(f"hu must be (z, y, x), got shape {hu.shape}")
    if syntax not in SYNTAXES:
        raise ValueError(f"unknown syntax {syntax!r}; choose from {', '.join(SYNTAXES)}")
    if file_names not in FILE_NAMES:
        raise ValueError(f"file_names must be one of {FILE_NAMES}, got {file_names!r}")
    if not preamble and syntax not in ("explicit", "implicit"):
        raise ValueError("files without preamble/file meta carry no transfer syntax: use 'implicit' or 'explicit'")
    problem = _encoder_problem(syntax)
    if problem:
        raise SyntaxUnavailable(problem)
    stored = _stored_values(hu, unsigned=unsigned, slope=slope, padding=padding)

    default_study, default_series, frame_uid = series_uids(uid_seed, series_number)
    study_uid = study_uid or default_study
    series_uid = series_uid or default_series
    n = hu.shape[0]
    sop_uids = [generate_uid(UID_ROOT, entropy_srcs=[series_uid, "instance", str(i)]) for i in range(n)]
    paths = [Path(out_dir) / name for name in _file_names(file_names, sop_uids, uid_seed)]
    for path in paths:
        if path.exists():
            raise FileExistsError(f"{path} exists; write_series never overwrites files")
    Path(out_dir).mkdir(parents=True, exist_ok=True)

    tilt = np.radians(tilt_deg)
    orientation = [1.0, 0.0, 0.0, 0.0, float(np.cos(tilt)), float(-np.sin(tilt))]
    dz, dy, dx = spacing
    if origin is None:
        origin = (-(hu.shape[2] - 1) * dx / 2, -(hu.shape[1] - 1) * dy / 2 * np.cos(tilt), 0.0)
    first = np.asarray(origin, dtype=float)
    shared = _shared_dataset(
        patient_name=patient_name,
        patient_id=patient_id,
        study_description=study_description,
        series_description=series_description,
        study_uid=study_uid,
        series_uid=series_uid,
        frame_uid=frame_uid,
        series_number=series_number,
        shape=hu.shape,
        spacing=spacing,
        orientation=orientation,
        tilt_deg=tilt_deg,
        unsigned=unsigned,
        slope=slope,
        padding=padding,
    )
    for i, (path, sop_uid) in enumerate(zip(paths, sop_uids, strict=True)):
        report(progress, i, n, f"Writing slice {i + 1} of {n}")
        ds = _slice_dataset(shared, sop_uid, i, first + np.array([0.0, 0.0, i * dz]), dz * np.cos(tilt))
        _set_pixels(ds, stored[i], syntax)
        with open(path, "xb") as fp:  # "x": fail rather than overwrite
            if preamble:
                ds.save_as(fp, enforce_file_format=True)
            else:
                del ds.file_meta
                ds.preamble = None
                pydicom.dcmwrite(fp, ds, implicit_vr=syntax == "implicit", little_endian=True)
    report(progress, n, n, f"Wrote {n} slices")
    return paths


def _stored_values(hu: np.ndarray, *, unsigned: bool, slope: float, padding: int | None) -> np.ndarray:
    """Stored pixel values for the HU volume; raise if the rescale cannot give them back exactly."""
    intercept = UNSIGNED_INTERCEPT if unsigned else 0.0
    dtype = np.dtype(np.uint16 if unsigned else np.int16)
    exact = (hu.astype(np.float64) - intercept) / slope
    stored = np.rint(exact)
    if not np.allclose(stored, exact, atol=1e-6):
        raise ValueError(f"HU values are not multiples of slope {slope}: the series could not be read back exactly")
    info = np.iinfo(dtype)
    if stored.min() < info.min or stored.max() > info.max:
        raise ValueError(
            f"HU range {hu.min()}..{hu.max()} does not fit {dtype} with slope {slope}, intercept {intercept}"
        )
    stored = stored.astype(dtype)
    if padding is not None:
        if not info.min <= padding <= info.max:
            raise ValueError(f"padding {padding} does not fit {dtype}")
        stored[:, ~_reconstruction_circle(hu.shape[1:])] = padding
    return stored


def _reconstruction_circle(shape: tuple[int, ...]) -> np.ndarray:
    """Pixels inside the scanner's circular field of view (largest inscribed circle)."""
    rows, columns = shape
    y, x = np.ogrid[:rows, :columns]
    radius = min(rows, columns) / 2
    return (y - (rows - 1) / 2) ** 2 + (x - (columns - 1) / 2) ** 2 <= radius**2


def _file_names(style: str, sop_uids: Sequence[str], seed: int) -> list[str]:
    """File names in slice order: numbered, numbered in a shuffled order, or the SOP UID (no extension)."""
    n = len(sop_uids)
    if style == "uid":
        return list(sop_uids)
    if style == "shuffled":
        order = np.random.default_rng(seed).permutation(n)
        return [f"IM{int(k):05d}" for k in order]
    return [f"CT{i + 1:04d}.dcm" for i in range(n)]


def _shared_dataset(
    *,
    patient_name: str,
    patient_id: str,
    study_description: str,
    series_description: str,
    study_uid: str,
    series_uid: str,
    frame_uid: str,
    series_number: int,
    shape: tuple[int, ...],
    spacing: tuple[float, float, float],
    orientation: list[float],
    tilt_deg: float,
    unsigned: bool,
    slope: float,
    padding: int | None,
) -> Dataset:
    """Tags every slice of the series shares."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = CT_IMAGE_STORAGE
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20240101"
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "120000"
    ds.AccessionNumber = ""
    ds.Modality = "CT"
    ds.Manufacturer = "ichviewer phantom"
    ds.ManufacturerModelName = "synthetic"
    ds.InstitutionName = "ichviewer"
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = study_description
    ds.SeriesDescription = series_description
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.BodyPartExamined = "HEAD"
    ds.SliceThickness = _ds(spacing[0])
    ds.KVP = "120"
    ds.DataCollectionDiameter = "250"
    ds.ReconstructionDiameter = _ds(shape[2] * spacing[2])
    ds.GantryDetectorTilt = _ds(tilt_deg)
    ds.ConvolutionKernel = "H31s"
    ds.PatientPosition = "HFS"
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyID = "1"
    ds.SeriesNumber = series_number
    ds.AcquisitionNumber = 1
    ds.ImageOrientationPatient = [_ds(v) for v in orientation]
    ds.FrameOfReferenceUID = frame_uid
    ds.PositionReferenceIndicator = ""
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = int(shape[1]), int(shape[2])
    ds.PixelSpacing = [_ds(spacing[1]), _ds(spacing[2])]
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0 if unsigned else 1
    if padding is not None:
        ds.add_new(0x00280120, "US" if unsigned else "SS", int(padding))  # Pixel Padding Value
    ds.WindowCenter = "40"
    ds.WindowWidth = "80"
    ds.RescaleIntercept = _ds(UNSIGNED_INTERCEPT if unsigned else 0.0)
    ds.RescaleSlope = _ds(slope)
    ds.RescaleType = "HU"
    return ds


def _slice_dataset(shared: Dataset, sop_uid: str, index: int, position: np.ndarray, location_step: float) -> Dataset:
    """One slice's dataset with its file meta, position and numbers."""
    ds = Dataset()
    ds.update(shared)
    ds.SOPInstanceUID = sop_uid
    ds.InstanceNumber = index + 1
    ds.ImagePositionPatient = [_ds(v) for v in position]
    ds.SliceLocation = _ds(index * location_step)
    ds.InstanceCreationDate = _dt.date(2024, 1, 1).strftime("%Y%m%d")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = UID(sop_uid)
    meta.ImplementationClassUID = UID(UID_ROOT + "1")
    meta.ImplementationVersionName = "ICHVIEWER"
    ds.file_meta = meta
    ds.preamble = b"\0" * 128
    return ds


def _ds(value: float) -> str:
    """A Decimal String value of at most 16 characters."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text[:16]


def _set_pixels(ds: Dataset, stored: np.ndarray, syntax: str) -> None:
    """Put one slice's stored values into `ds`, encoded in `syntax`."""
    uid = SYNTAXES[syntax]
    ds.file_meta.TransferSyntaxUID = uid
    if not uid.is_compressed:
        ds.PixelData = stored.astype(stored.dtype.newbyteorder(">" if syntax == "big" else "<")).tobytes()
        ds["PixelData"].VR = "OW"
        return
    if syntax in ("rle", "j2k") or (syntax == "jpegls" and _pydicom_encoder(uid)):
        ds.PixelData = stored.tobytes()
        ds["PixelData"].VR = "OW"
        ds.compress(uid, stored, generate_instance_uid=False)
    else:
        frame = _imagecodecs_encode(syntax, stored)
        ds.PixelData = encapsulate([frame])
        ds["PixelData"].VR = "OB"
    ds.LossyImageCompression = "00"


def _imagecodecs_encode(syntax: str, stored: np.ndarray) -> bytes:
    """Lossless JPEG / JPEG-LS frame of the slice's bit pattern (signed values as their uint16 bits)."""
    import imagecodecs

    bits = np.ascontiguousarray(stored).view(np.uint16)
    if syntax == "jpegls":
        return bytes(imagecodecs.jpegls_encode(bits))
    if syntax == "jpeg-lossless":
        return bytes(imagecodecs.ljpeg_encode(bits, bitspersample=16))
    return bytes(imagecodecs.jpeg8_encode(bits, lossless=True, predictor=1, bitspersample=16))


def _pydicom_encoder(uid: UID) -> bool:
    """Whether pydicom has a working encoder for `uid` here."""
    try:
        return bool(pydicom.pixels.get_encoder(uid).is_available)
    except (NotImplementedError, ValueError):
        return False


_PROBLEMS: dict[str, str | None] = {}


def _encoder_problem(syntax: str) -> str | None:
    """Why `syntax` cannot be written here (encoding or exact decoding fails), or None; cached."""
    if syntax not in _PROBLEMS:
        _PROBLEMS[syntax] = _probe(syntax)
    return _PROBLEMS[syntax]


def _probe(syntax: str) -> str | None:
    """Encode a small signed and unsigned test slice and check pydicom decodes it back exactly."""
    uid = SYNTAXES[syntax]
    if not uid.is_compressed:
        return None
    rng = np.random.default_rng(0)
    for dtype, low, high in ((np.int16, -2000, 3000), (np.uint16, 0, 4000)):
        sample = rng.integers(low, high, size=(64, 64)).astype(dtype)
        ds = _shared_dataset(
            patient_name="",
            patient_id="",
            study_description="",
            series_description="",
            study_uid="1.2",
            series_uid="1.2.3",
            frame_uid="1.2.4",
            series_number=1,
            shape=(1, 64, 64),
            spacing=(1.0, 1.0, 1.0),
            orientation=[1, 0, 0, 0, 1, 0],
            tilt_deg=0.0,
            unsigned=dtype == np.uint16,
            slope=1.0,
            padding=None,
        )
        ds = _slice_dataset(ds, "1.2.3.4", 0, np.zeros(3), 1.0)
        try:
            _set_pixels(ds, sample, syntax)
            decoded = ds.pixel_array
        except Exception as error:  # encoders/decoders raise many types when a plugin is missing
            return f"cannot write transfer syntax {syntax!r} ({uid.name}) here: {type(error).__name__}: {error}"
        if decoded.dtype != sample.dtype or not np.array_equal(decoded, sample):
            return f"transfer syntax {syntax!r} ({uid.name}) does not decode back exactly with the installed plugins"
    return None
