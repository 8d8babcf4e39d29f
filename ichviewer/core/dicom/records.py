"""The data types of a read folder: one file's header, series, studies, and files left out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

READING_THICKNESS_MM = (2.5, 7.0)  # the slices a head CT is read on (and the model was made for)


@dataclass(frozen=True)
class SkippedFile:
    """A file left out, and why, in words a user can act on.

    `problem` is False for files that were never meant to be images (README, a DICOMDIR, an
    identical copy): they are listed once but not counted as problems.
    """

    path: Path
    reason: str
    problem: bool = True

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class PixelLayout:
    """Where one file's pixel data sits and how its stored values are laid out, from its header.

    `offset` is the first byte of the (7FE0,0010) value: in the file, or in the inflated data
    set of a deflated file. `length` is the value length of native data, None when the data
    is encapsulated (compressed fragments). `file_size` and `mtime_ns` tell whether the file
    changed between indexing and decoding.
    """

    offset: int
    length: int | None
    bits_allocated: int
    bits_stored: int
    signed: bool
    big_endian: bool
    deflated_from: int | None  # where a deflated data set starts in the file; None when not deflated
    file_size: int
    mtime_ns: int

    @property
    def encapsulated(self) -> bool:
        return self.length is None


@dataclass(frozen=True)
class SliceHeader:
    """The validated header fields of one image file that the volume and the overlays need."""

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
    layout: PixelLayout | None = None  # None for headers made in memory (no file behind them)
    acquisition_time: str = ""  # (0008,0032), or (0008,0033) Content Time when absent

    @property
    def value_format(self) -> tuple[float, float, tuple[int, int] | None]:
        """What turns this file's stored values into HU: (slope, intercept, padding)."""
        return self.rescale_slope, self.rescale_intercept, self.pixel_padding


@dataclass(frozen=True)
class SeriesFields:
    """The identity and descriptive fields a file gives its series and study (read once per series)."""

    uid: str  # (0020,000E) Series Instance UID
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


@dataclass(frozen=True)
class Series(SeriesFields):
    """One stack of one series: its fields and image headers (unordered).

    `uid` is unique per stack: the SeriesInstanceUID, with "#repeat2" … appended for repeat
    acquisitions of the same series (images at the same positions with other pixels).
    """

    slices: tuple[SliceHeader, ...]
    repeat: int = 1  # 1: the first acquisition; 2, 3 …: repeats at the same positions
    notes: tuple[str, ...] = ()  # for the load report, e.g. that a repeat acquisition was kept apart

    @property
    def n_images(self) -> int:
        return len(self.slices)

    @property
    def series_instance_uid(self) -> str:
        return self.uid.split("#", 1)[0]

    @property
    def orientation_label(self) -> str:
        """'axial', 'coronal', 'sagittal' or 'unknown', from the most common orientation."""
        normal = series_normal(self.slices)
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
        return f"{number}{description} ({self.modality}, {self.n_images} image{'s' if self.n_images != 1 else ''})"


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

    @property
    def problems(self) -> tuple[SkippedFile, ...]:
        """Files left out that should have been images (not README files, DICOMDIRs or copies)."""
        return tuple(s for s in self.skipped if s.problem)

    def default_series(self) -> Series | None:
        """The series a reader reads first (and the AI judges): axial, soft-tissue kernel, first acquisition,
        slices of a reading thickness (2.5–7 mm, or unstated) over thin or thick ones, then most images."""
        candidates = self.series
        if not candidates:
            return None
        return max(
            candidates,
            key=lambda s: (
                s.orientation_label == "axial",
                not s.looks_like_bone_kernel,
                s.repeat == 1,
                s.thickness is None or READING_THICKNESS_MM[0] <= s.thickness <= READING_THICKNESS_MM[1],
                s.n_images,
            ),
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
        kinds = sorted({s.reason for s in self.problems} or {s.reason for s in self.skipped})[:3]
        return (
            f"No CT images found in {self.root} ({self.files_seen} file{'s' if self.files_seen != 1 else ''} "
            f"looked at). Examples of what was found: {'; '.join(kinds)}."
        )


def series_normal(slices: tuple[SliceHeader, ...] | list[SliceHeader]) -> np.ndarray | None:
    """Unit normal of the most common (0020,0037) orientation among `slices`, or None."""
    orientations = [s.orientation for s in slices if s.orientation is not None]
    if not orientations:
        return None
    values, counts = np.unique(np.round(np.array(orientations), 4), axis=0, return_counts=True)
    row, col = values[int(np.argmax(counts))].reshape(2, 3)
    normal = np.cross(row, col)
    norm = float(np.linalg.norm(normal))
    return normal / norm if norm > 1e-6 else None
