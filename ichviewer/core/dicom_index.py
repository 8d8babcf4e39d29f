"""Index a folder of DICOM files: read headers only, group into studies and series.

Files may have any name or none; every file that cannot be used becomes a `SkippedFile`
(path + plain-language reason) instead of an exception. Files are opened read-only.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import FileDataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID

from ichviewer.core.progress import Cancel, Progress, check_cancel, report

# Anonymised research data (RSNA) carries non-conformant UIDs such as "ID_0e5e6bc3c1";
# we read what scanners and archives send instead of warning on every file.
pydicom.config.settings.reading_validation_mode = pydicom.config.IGNORE

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1"
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"
# Ground-truth sidecars the synthetic phantom writes beside its DICOM files: not skipped "files", just not images.
_SIDECAR_NAMES = {"ground_truth.json", "ground_truth_masks.npz"}  # core.phantom's ground truth, skipped quietly
_PIXEL_DATA_TAGS = {(0x7FE0, 0x0010), (0x7FE0, 0x0008), (0x7FE0, 0x0009)}
_NON_IMAGE_MODALITIES = {
    "SR": "a structured report, not an image",
    "PR": "a presentation state, not an image",
    "KO": "a key object selection, not an image",
    "RTSTRUCT": "an RT structure set, not an image",
    "RTPLAN": "an RT plan, not an image",
    "REG": "a registration object, not an image",
    "SEG": "a segmentation object, not an image",
    "DOC": "an encapsulated document, not an image",
}


@dataclass(frozen=True)
class SkippedFile:
    """A file (or a group of files) left out, and why, in words a user can act on."""

    path: Path
    reason: str
    count: int = 1

    def __str__(self) -> str:
        more = f" (and {self.count - 1} more files like it)" if self.count > 1 else ""
        return f"{self.path}: {self.reason}{more}"


@dataclass(frozen=True)
class SliceHeader:
    """The header fields of one image file that the volume and the overlays need."""

    path: Path
    sop_instance_uid: str
    instance_number: int | None
    position: tuple[float, float, float] | None  # (0020,0032) Image Position Patient
    orientation: tuple[float, float, float, float, float, float] | None  # (0020,0037)
    rows: int
    columns: int
    pixel_spacing: tuple[float, float] | None  # (0028,0030): between rows, between columns
    slice_thickness: float | None
    rescale_slope: float
    rescale_intercept: float
    has_rescale: bool
    pixel_padding: tuple[int, int] | None  # (0028,0120) value and (0028,0121) range limit
    transfer_syntax: str
    window_center: float | None
    window_width: float | None
    gantry_tilt: float | None  # (0018,1120), degrees, as the scanner states it
    acquisition_number: int | None
    image_type: tuple[str, ...]
    frames: int


@dataclass(frozen=True)
class Series:
    """One series: its identity, descriptive header fields and its image headers (unordered)."""

    uid: str
    study_uid: str
    modality: str
    number: int | None
    description: str
    patient_name: str
    patient_id: str
    patient_birth_date: str
    patient_sex: str
    study_date: str
    study_time: str
    study_description: str
    accession_number: str
    institution: str
    manufacturer: str
    model_name: str
    kernel: str
    slices: tuple[SliceHeader, ...]

    @property
    def n_images(self) -> int:
        return len(self.slices)

    @property
    def orientation_label(self) -> str:
        """'axial', 'coronal', 'sagittal' or 'unknown', from the most common orientation."""
        normal = series_normal(self)
        if normal is None:
            return "unknown"
        return ("sagittal", "coronal", "axial")[int(np.argmax(np.abs(normal)))]

    @property
    def transfer_syntaxes(self) -> tuple[str, ...]:
        return tuple(sorted({s.transfer_syntax for s in self.slices}))

    @property
    def thickness(self) -> float | None:
        values = [s.slice_thickness for s in self.slices if s.slice_thickness]
        return float(np.median(values)) if values else None

    @property
    def looks_like_bone_kernel(self) -> bool:
        """True for sharp 'bone' reconstructions, which the classifier was not trained on."""
        text = f"{self.description} {self.kernel}".lower()
        return "bone" in text or "knochen" in text or any(k in text for k in ("h60", "h70", "h90", "yc", "yd"))

    @property
    def title(self) -> str:
        """A one-line name for lists, e.g. '2: Head 5mm (CT, 36 images)'."""
        number = f"{self.number}: " if self.number is not None else ""
        description = self.description or "(no description)"
        return f"{number}{description} ({self.modality}, {self.n_images} images)"


@dataclass(frozen=True)
class Study:
    """The series of one study, in series-number order."""

    uid: str
    series: tuple[Series, ...]

    @property
    def first(self) -> Series:
        return self.series[0]


@dataclass(frozen=True)
class StudyIndex:
    """Everything found under a folder: CT series by study, and every file left out."""

    root: Path
    studies: tuple[Study, ...]
    skipped: tuple[SkippedFile, ...]
    files_seen: int

    @property
    def series(self) -> tuple[Series, ...]:
        return tuple(s for study in self.studies for s in study.series)

    def default_series(self) -> Series | None:
        """The series to show first: axial, soft-tissue kernel, most images."""
        candidates = self.series
        if not candidates:
            return None
        return max(
            candidates,
            key=lambda s: (s.orientation_label == "axial", not s.looks_like_bone_kernel, s.n_images),
        )

    def find(self, series_uid: str) -> Series:
        for s in self.series:
            if s.uid == series_uid:
                return s
        raise KeyError(f"series {series_uid} is not in {self.root}")

    def empty_reason(self) -> str | None:
        """Why there is nothing to show (for the message a user sees), or None."""
        if self.series:
            return None
        if self.files_seen == 0:
            return f"{self.root} contains no files."
        kinds = sorted({s.reason for s in self.skipped})[:3]
        return (
            f"No CT images found in {self.root} ({self.files_seen} files looked at). "
            f"Examples of what was found: {'; '.join(kinds)}."
        )


def series_normal(series: Series) -> np.ndarray | None:
    """Unit normal of the most common (0020,0037) orientation in the series, or None."""
    orientations = [s.orientation for s in series.slices if s.orientation is not None]
    if not orientations:
        return None
    values, counts = np.unique(np.round(np.array(orientations), 4), axis=0, return_counts=True)
    row, col = values[int(np.argmax(counts))].reshape(2, 3)
    normal = np.cross(row, col)
    norm = float(np.linalg.norm(normal))
    return normal / norm if norm > 1e-6 else None


def iter_files(root: Path) -> Iterator[Path]:
    """Every regular file under `root`, recursively, in a stable order; hidden entries skipped."""
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name not in _SIDECAR_NAMES:
                yield Path(directory) / name


def index_folder(
    root: str | os.PathLike[str],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> StudyIndex:
    """Read the headers of every file under `root` and group CT images by study and series."""
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"{root} does not exist")
    if root.is_file():
        paths = [root]
    else:
        paths = list(iter_files(root))
    skipped: list[SkippedFile] = []
    by_series: dict[str, list[tuple[SliceHeader, FileDataset]]] = defaultdict(list)
    non_ct: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for done, path in enumerate(paths):
        check_cancel(cancel)
        report(progress, done, len(paths), f"Reading headers: {path.name}")
        try:
            ds = read_header(path)
        except UnusableFile as problem:
            skipped.append(SkippedFile(path, str(problem)))
            continue
        modality = str(ds.get("Modality", "") or "")
        if modality != "CT":
            key = (str(ds.get("SeriesInstanceUID", "")), modality)
            non_ct[key].append(path)
            continue
        try:
            header = slice_header(path, ds)
        except UnusableFile as problem:
            skipped.append(SkippedFile(path, str(problem)))
            continue
        by_series[str(ds.get("SeriesInstanceUID", "") or f"no-series-uid:{path.parent}")].append((header, ds))
    report(progress, len(paths), len(paths), "Grouping series")
    for (_, modality), files in non_ct.items():
        reason = (
            f"{modality or 'unknown'} series, not CT: ichviewer shows CT only"
            if modality not in _NON_IMAGE_MODALITIES
            else _NON_IMAGE_MODALITIES[modality]
        )
        skipped.append(SkippedFile(files[0], reason, count=len(files)))
    series = [_make_series(uid, items) for uid, items in by_series.items()]
    studies: dict[str, list[Series]] = defaultdict(list)
    for s in series:
        studies[s.study_uid].append(s)
    ordered = tuple(
        Study(uid, tuple(sorted(members, key=lambda s: (s.number is None, s.number or 0, s.description))))
        for uid, members in sorted(studies.items(), key=lambda kv: (kv[1][0].study_date, kv[0]))
    )
    return StudyIndex(root, ordered, tuple(skipped), len(paths))


class UnusableFile(Exception):
    """A file that cannot be used; the message says why in plain language."""


def read_header(path: Path) -> FileDataset:
    """Read a file's header up to the pixel data; raise UnusableFile with the reason."""
    try:
        with open(path, "rb") as fp:
            try:
                ds = pydicom.dcmread(fp, stop_before_pixels=True)
            except InvalidDicomError:
                # No 128-byte preamble + "DICM": many older devices write files like that.
                fp.seek(0)
                ds = pydicom.dcmread(fp, stop_before_pixels=True, force=True)
                if "SOPClassUID" not in ds and "Modality" not in ds:
                    raise UnusableFile("not a DICOM file") from None
            pixel_problem = _pixel_data_problem(fp, ds)
    except UnusableFile:
        raise
    except PermissionError:
        raise UnusableFile("cannot be read (permission denied)") from None
    except OSError as error:
        raise UnusableFile(f"cannot be read ({error.strerror or error})") from None
    except Exception as error:  # pydicom raises many types on damaged files
        raise UnusableFile(f"damaged DICOM header ({type(error).__name__}: {error})") from None
    sop_class = str(ds.get("SOPClassUID", "") or getattr(ds.get("file_meta", {}), "MediaStorageSOPClassUID", ""))
    if sop_class == MEDIA_STORAGE_DIRECTORY or "DirectoryRecordSequence" in ds:
        raise UnusableFile("DICOMDIR (an index of a CD/DVD, not an image)")
    modality = str(ds.get("Modality", "") or "")
    if modality in _NON_IMAGE_MODALITIES:
        raise UnusableFile(_NON_IMAGE_MODALITIES[modality])
    if modality == "CT" and pixel_problem:
        raise UnusableFile(pixel_problem)
    ds.ichviewer_has_pixels = not pixel_problem
    return ds


def _pixel_data_problem(fp: Any, ds: FileDataset) -> str | None:
    """Check, without decoding, that pixel data follows the header and is not cut short."""
    if str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "")) == "1.2.840.10008.1.2.1.99":
        return None  # deflated: fp sits in the compressed stream; checked when decoded
    start = fp.tell()
    head = fp.read(12)
    if len(head) < 8:
        return "no pixel data (a header-only DICOM object)"
    little = ds.is_little_endian if ds.is_little_endian is not None else True
    order = "<" if little else ">"
    group, element = np.frombuffer(head[:4], dtype=f"{order}u2")
    if (int(group), int(element)) not in _PIXEL_DATA_TAGS:
        return "no pixel data (a header-only DICOM object)"
    if ds.is_implicit_VR:
        length = int(np.frombuffer(head[4:8], dtype=f"{order}u4")[0])
        value_start = start + 8
    else:
        if len(head) < 12:
            return "file is truncated inside the pixel data"
        length = int(np.frombuffer(head[8:12], dtype=f"{order}u4")[0])
        value_start = start + 12
    if length == 0xFFFFFFFF:  # encapsulated (compressed): checked when decoded
        return None
    size = os.fstat(fp.fileno()).st_size
    if value_start + length > size:
        return f"file is truncated: pixel data needs {length} bytes, only {size - value_start} present"
    return None


def _get(ds: FileDataset, keyword: str, default: Any = None) -> Any:
    try:
        value = ds.get(keyword, default)
    except Exception:  # a malformed value must not lose the whole file
        return default
    return default if value in (None, "") else value


def _float(ds: FileDataset, keyword: str) -> float | None:
    value = _get(ds, keyword)
    if value is None:
        return None
    try:
        if isinstance(value, (list, tuple, pydicom.multival.MultiValue)):
            value = value[0]
        result = float(value)
    except (TypeError, ValueError, IndexError):
        return None
    return result if np.isfinite(result) else None


def _floats(ds: FileDataset, keyword: str, n: int) -> tuple[float, ...] | None:
    value = _get(ds, keyword)
    try:
        result = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return result if len(result) == n and all(np.isfinite(result)) else None


def _int(ds: FileDataset, keyword: str) -> int | None:
    value = _float(ds, keyword)
    return int(value) if value is not None else None


def _text(ds: FileDataset, keyword: str) -> str:
    value = _get(ds, keyword, "")
    if isinstance(value, pydicom.multival.MultiValue):
        value = "\\".join(str(v) for v in value)
    return str(value).strip()


def slice_header(path: Path, ds: FileDataset) -> SliceHeader:
    """Pick the fields the volume needs from a CT header; raise UnusableFile if it is no image."""
    rows, columns = _int(ds, "Rows"), _int(ds, "Columns")
    if not rows or not columns:
        raise UnusableFile("CT object without an image (no Rows/Columns)")
    if not getattr(ds, "ichviewer_has_pixels", True):
        raise UnusableFile("no pixel data (a header-only DICOM object)")
    samples = _int(ds, "SamplesPerPixel") or 1
    if samples != 1:
        raise UnusableFile(f"colour image ({samples} samples per pixel), e.g. a screenshot, not a CT slice")
    image_type = tuple(str(v).upper() for v in (_get(ds, "ImageType", []) or []))
    if "LOCALIZER" in image_type:
        raise UnusableFile("scout/localizer image, not an axial slice")
    transfer_syntax = str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "") or _guessed_syntax(ds))
    problem = decoder_problem(transfer_syntax)
    if problem:
        raise UnusableFile(problem)
    slope, intercept = _float(ds, "RescaleSlope"), _float(ds, "RescaleIntercept")
    padding_value = _int(ds, "PixelPaddingValue")
    padding_limit = _int(ds, "PixelPaddingRangeLimit")
    return SliceHeader(
        path=path,
        sop_instance_uid=_text(ds, "SOPInstanceUID"),
        instance_number=_int(ds, "InstanceNumber"),
        position=_floats(ds, "ImagePositionPatient", 3),  # type: ignore[arg-type]
        orientation=_floats(ds, "ImageOrientationPatient", 6),  # type: ignore[arg-type]
        rows=rows,
        columns=columns,
        pixel_spacing=_floats(ds, "PixelSpacing", 2),  # type: ignore[arg-type]
        slice_thickness=_float(ds, "SliceThickness"),
        rescale_slope=slope if slope else 1.0,
        rescale_intercept=intercept if intercept is not None else 0.0,
        has_rescale=slope is not None and intercept is not None,
        pixel_padding=None
        if padding_value is None
        else (padding_value, padding_limit if padding_limit is not None else padding_value),
        transfer_syntax=transfer_syntax,
        window_center=_float(ds, "WindowCenter"),
        window_width=_float(ds, "WindowWidth"),
        gantry_tilt=_float(ds, "GantryDetectorTilt"),
        acquisition_number=_int(ds, "AcquisitionNumber"),
        image_type=image_type,
        frames=_int(ds, "NumberOfFrames") or 1,
    )


def _guessed_syntax(ds: FileDataset) -> str:
    """The uncompressed syntax pydicom detected while reading a file without (0002,0010) Transfer Syntax UID."""
    if ds.is_little_endian is False:
        return "1.2.840.10008.1.2.2"
    return "1.2.840.10008.1.2.1" if ds.is_implicit_VR is False else "1.2.840.10008.1.2"


def decoder_problem(transfer_syntax: str) -> str | None:
    """Why pixel data in this transfer syntax cannot be decoded here, or None if it can."""
    uid = UID(transfer_syntax)
    if not uid.is_transfer_syntax:
        return f"unknown transfer syntax {transfer_syntax}: no decoder can read its pixel data"
    if not uid.is_compressed:
        return None
    try:
        decoder = pydicom.pixels.get_decoder(uid)
    except NotImplementedError:
        return f"compressed as '{uid.name}', which no decoder supports"
    if not decoder.is_available:
        missing = "; ".join(decoder.missing_dependencies)
        return f"compressed as '{uid.name}', but no installed decoder reads it ({missing})"
    return None


def _make_series(uid: str, items: list[tuple[SliceHeader, FileDataset]]) -> Series:
    ds = items[0][1]
    return Series(
        uid=uid,
        study_uid=_text(ds, "StudyInstanceUID") or "unknown study",
        modality=_text(ds, "Modality"),
        number=_int(ds, "SeriesNumber"),
        description=_text(ds, "SeriesDescription"),
        patient_name=_text(ds, "PatientName").replace("^", " ").strip(),
        patient_id=_text(ds, "PatientID"),
        patient_birth_date=_text(ds, "PatientBirthDate"),
        patient_sex=_text(ds, "PatientSex"),
        study_date=_text(ds, "StudyDate"),
        study_time=_text(ds, "StudyTime"),
        study_description=_text(ds, "StudyDescription"),
        accession_number=_text(ds, "AccessionNumber"),
        institution=_text(ds, "InstitutionName"),
        manufacturer=_text(ds, "Manufacturer"),
        model_name=_text(ds, "ManufacturerModelName"),
        kernel=_text(ds, "ConvolutionKernel"),
        slices=tuple(header for header, _ in items),
    )
