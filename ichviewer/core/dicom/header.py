"""Read one file's header within its size, and check every value the viewer will use.

The header is parsed from the file's first bytes held in memory (the whole file only when the
header is longer), so no damaged length field can make a read grow past the file. A file that
cannot be a CT slice raises UnusableFile with the reason in plain words; files that were never
meant to be images (README, DICOMDIR, reports, scouts, other modalities) are not problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import NoReturn

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset
from pydicom.filereader import _read_file_meta_info, read_dataset, read_preamble
from pydicom.uid import UID

from ichviewer.core.dicom import tags
from ichviewer.core.dicom.codestream import check_frame
from ichviewer.core.dicom.decode import decoder_problem
from ichviewer.core.dicom.pixel_data import (
    FLOAT_PIXEL_DATA,
    PixelElement,
    element_at,
    fragments,
    inflate,
    native_length_problem,
)
from ichviewer.core.dicom.records import PixelLayout, SeriesFields, SliceHeader
from ichviewer.core.dicom.walk import RegularFile, UnusableFile, open_regular, read_at

PREFIX_BYTES = 64 * 1024
CODESTREAM_PEEK = 16 * 1024
META_SEARCH_BYTES = 2048
UNKNOWN_SIZE = 2**62  # a deflated data set inflated only as far as its header: truncation shows when decoding
MAX_FILE_BYTES = 512 * 2**20  # one single-frame CT slice is at most a few tens of MB
MIN_SIDE, MAX_SIDE = 16, 4096
MAX_POSITION_MM = 1e5
CT_STORAGE = {"1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.2.2"}
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"
DEFLATED = "1.2.840.10008.1.2.1.99"
NON_IMAGE_MODALITIES = {
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
class FileHeader:
    """One CT image file's validated slice header and the series it says it belongs to."""

    slice: SliceHeader
    series: SeriesFields


def read_file_header(path: Path, known_series: Mapping[str, SeriesFields] | None = None) -> FileHeader:
    """Read and validate one file; UnusableFile (with the reason) when it is no usable CT slice.

    `known_series` holds the descriptive fields of series already read, so that the texts of
    each series (names, descriptions, in their character set) are decoded once, not per file.
    """
    file = open_regular(path)
    try:
        if file.size == 0:
            raise UnusableFile("empty file (0 bytes): a half-copied study?")
        if file.size > MAX_FILE_BYTES:
            raise UnusableFile(f"file of {file.size / 2**20:,.0f} MB is far larger than one CT slice")
        return _validate(path, file, _parse(file), known_series or {})
    finally:
        file.fp.close()


@dataclass(frozen=True)
class _Parsed:
    ds: FileDataset
    element: PixelElement | None  # where the header stopped, if that is pixel data
    deflated_from: int | None  # where a deflated data set starts in the file
    stream_size: int  # bytes of the file, or of the inflated data set, holding the pixel data (UNKNOWN_SIZE)


def _parse(file: RegularFile) -> _Parsed:
    """The data set up to the pixel data, from the first bytes, or the whole file if the header is longer."""
    data = read_at(file, 0, min(file.size, PREFIX_BYTES))
    magic = data[128:132] == b"DICM"
    try:
        parsed = _parse_bytes(data, file)
        if parsed.element is not None or len(data) == file.size:
            return parsed
    except UnusableFile:
        raise
    except Exception as error:  # pydicom raises many types on damaged data; the whole file decides
        if len(data) == file.size:
            _damaged(magic, error)
    try:
        return _parse_bytes(read_at(file, 0, file.size), file)
    except UnusableFile:
        raise
    except Exception as error:
        _damaged(magic, error)


def _damaged(magic: bool, error: Exception) -> NoReturn:
    if not magic:
        raise UnusableFile("not a DICOM file", problem=False) from None
    raise UnusableFile(f"damaged DICOM header ({type(error).__name__}: {str(error)[:120]})") from None


def _parse_bytes(data: bytes, file: RegularFile) -> _Parsed:
    stream = BytesIO(data)
    if DEFLATED.encode() in data[:META_SEARCH_BYTES]:  # cheap test first: pydicom would inflate without a bound
        deflated = _parse_deflated(stream, data, file)
        if deflated is not None:
            return deflated
    stream.seek(0)
    ds = pydicom.dcmread(stream, stop_before_pixels=True, force=True)
    implicit, little = ds.original_encoding
    element = element_at(data, stream.tell(), bool(implicit), little is not False)
    return _Parsed(ds, element, None, file.size)


def _parse_deflated(stream: BytesIO, data: bytes, file: RegularFile) -> _Parsed | None:
    """A deflated data set, inflated within MAX_INFLATED; None if the file meta does not say deflated."""
    preamble = read_preamble(stream, True)
    meta = _read_file_meta_info(stream)
    if str(meta.get("TransferSyntaxUID", "")) == DEFLATED:
        start = stream.tell()
        whole = data if len(data) == file.size else read_at(file, 0, file.size)
        for limit in (PREFIX_BYTES, None):  # the header is usually in the first bytes; inflate all only if not
            inflated = inflate(whole[start:], limit)
            inner = BytesIO(inflated)
            dataset = read_dataset(inner, False, True, stop_when=lambda tag, vr, length: tag >> 16 == 0x7FE0)
            element = element_at(inflated, inner.tell(), False, True)
            if element is not None or limit is None or len(inflated) < limit:
                ds = FileDataset("", dataset, preamble, meta, False, True)
                size = len(inflated) if limit is None or len(inflated) < limit else UNKNOWN_SIZE
                return _Parsed(ds, element, start, size)
    return None


def _not_ct(ds: Dataset) -> UnusableFile | None:
    """Why a readable DICOM object is not a CT image, or None."""
    meta = getattr(ds, "file_meta", None) or Dataset()
    sop_class = tags.text(ds, "SOPClassUID") or tags.text(meta, "MediaStorageSOPClassUID")
    modality = tags.text(ds, "Modality").upper()
    if sop_class == MEDIA_STORAGE_DIRECTORY or "DirectoryRecordSequence" in ds:
        return UnusableFile("DICOMDIR (an index of a CD/DVD, not an image)", problem=False)
    if not sop_class and not modality:
        return UnusableFile("not a DICOM file", problem=False)
    if modality in NON_IMAGE_MODALITIES:
        return UnusableFile(NON_IMAGE_MODALITIES[modality], problem=False)
    if modality == "CT" or (not modality and sop_class in CT_STORAGE):
        return None
    if not modality:
        return UnusableFile("no Modality (0008,0060): cannot tell that it is a CT image")
    return UnusableFile(f"{modality} object, not CT: ichviewer shows CT only", problem=False)


def _validate(path: Path, file: RegularFile, parsed: _Parsed, known_series: Mapping[str, SeriesFields]) -> FileHeader:
    ds, element = parsed.ds, parsed.element
    not_ct = _not_ct(ds)
    if not_ct is not None:
        raise not_ct
    if element is None:
        raise UnusableFile("no pixel data (a header-only DICOM object)")
    if element.tag in FLOAT_PIXEL_DATA:
        raise UnusableFile("floating-point pixel data, which CT slices do not use")
    rows, columns, bits_allocated, bits_stored, signed = _image_format(ds)
    if "LOCALIZER" in tags.texts(ds, "ImageType"):
        raise UnusableFile("scout/localizer image, not an axial slice", problem=False)
    transfer_syntax = _transfer_syntax(ds)
    layout = PixelLayout(
        offset=element.offset,
        length=element.length,
        bits_allocated=bits_allocated,
        bits_stored=bits_stored,
        signed=signed,
        big_endian=transfer_syntax == "1.2.840.10008.1.2.2",
        deflated_from=parsed.deflated_from,
        file_size=file.size,
        mtime_ns=file.mtime_ns,
    )
    _check_pixel_data(file, layout, parsed.stream_size, transfer_syntax, rows, columns)
    series_uid = tags.text(ds, "SeriesInstanceUID") or f"no-series-uid:{path.parent}"
    fields = known_series.get(series_uid) or _series_fields(series_uid, ds)
    return FileHeader(_slice(path, ds, rows, columns, transfer_syntax, layout), fields)


def _image_format(ds: Dataset) -> tuple[int, int, int, int, bool]:
    """(rows, columns, bits allocated, bits stored, signed) of a single-frame greyscale image, checked."""
    if "Rows" not in ds and "Columns" not in ds:
        raise UnusableFile("CT object without an image (no Rows/Columns)")
    rows = tags.integer(ds, "Rows", 0, 65535, required=True) or 0
    columns = tags.integer(ds, "Columns", 0, 65535, required=True) or 0
    if not (MIN_SIDE <= rows <= MAX_SIDE and MIN_SIDE <= columns <= MAX_SIDE):
        raise UnusableFile(
            f"image of {columns}×{rows} pixels: no CT slice has that size ({MIN_SIDE} to {MAX_SIDE} pixels a side)"
        )
    samples = tags.integer(ds, "SamplesPerPixel", 1, 16) or 1
    photometric = tags.text(ds, "PhotometricInterpretation").upper() or "MONOCHROME2"
    if samples != 1 or photometric not in ("MONOCHROME1", "MONOCHROME2"):
        raise UnusableFile(f"colour image ({samples} samples per pixel, {photometric}), e.g. a screenshot", False)
    frames = tags.integer(ds, "NumberOfFrames", 1, 2**31) or 1
    if frames != 1:
        raise UnusableFile(f"multi-frame image ({frames} frames): ichviewer reads single-frame CT slices")
    bits_allocated = tags.integer(ds, "BitsAllocated", 1, 64, required=True) or 0
    if bits_allocated not in (8, 16):
        raise UnusableFile(f"Bits Allocated (0028,0100) is {bits_allocated}: CT slices use 16 (or 8)")
    bits_stored = tags.integer(ds, "BitsStored", 1, bits_allocated) or bits_allocated
    representation = tags.integer(ds, "PixelRepresentation", 0, 1)
    return rows, columns, bits_allocated, bits_stored, representation == 1


def _transfer_syntax(ds: FileDataset) -> str:
    """The declared transfer syntax (or, without file meta, the one the reader detected), if decodable here."""
    declared = tags.text(getattr(ds, "file_meta", None) or Dataset(), "TransferSyntaxUID")
    if not declared:
        implicit, little = ds.original_encoding
        declared = (
            "1.2.840.10008.1.2.2" if little is False else ("1.2.840.10008.1.2" if implicit else "1.2.840.10008.1.2.1")
        )
    if len(declared) > 64 or not all(c.isdigit() or c == "." for c in declared):
        raise UnusableFile(f"Transfer Syntax UID {declared[:40]!r} is not a UID")
    problem = decoder_problem(declared)
    if problem:
        raise UnusableFile(problem)
    return declared


def _check_pixel_data(
    file: RegularFile, layout: PixelLayout, stream_size: int, transfer_syntax: str, rows: int, columns: int
) -> None:
    """The pixel data's length (native) or its frame header (compressed) against the header, without decoding."""
    compressed = UID(transfer_syntax).is_compressed
    name = UID(transfer_syntax).name
    if compressed and not layout.encapsulated:
        raise UnusableFile(f"the transfer syntax says '{name}' (compressed), but the pixel data is not encapsulated")
    if not compressed and layout.encapsulated:
        raise UnusableFile(f"the pixel data is encapsulated (compressed), but the transfer syntax says '{name}'")
    if layout.length is not None:
        problem = native_length_problem(layout.length, rows, columns, layout.bits_allocated)
        if problem:
            raise UnusableFile(problem)
        present = stream_size - layout.offset
        if present < layout.length:
            raise UnusableFile(f"file is truncated: pixel data needs {layout.length:,} bytes, only {present:,} present")
        return
    start = fragments(read_at(file, layout.offset, CODESTREAM_PEEK), need_all=False)
    if start:
        check_frame(start[0], transfer_syntax, rows, columns, layout.bits_allocated, whole=False)


def _slice(path: Path, ds: Dataset, rows: int, columns: int, transfer_syntax: str, layout: PixelLayout) -> SliceHeader:
    slope = tags.number(ds, "RescaleSlope", 1e-4, 100.0)
    intercept = tags.number(ds, "RescaleIntercept", -65536.0, 65536.0)
    orientation = tags.numbers(ds, "ImageOrientationPatient", 6, -1.001, 1.001)
    if orientation is not None and not _is_orientation(orientation):
        raise UnusableFile("Image Orientation (Patient) (0020,0037) is not two perpendicular unit vectors")
    return SliceHeader(
        path=path,
        sop_instance_uid=tags.text(ds, "SOPInstanceUID"),
        instance_number=tags.optional_integer(ds, "InstanceNumber", -(2**31), 2**31),
        position=tags.numbers(ds, "ImagePositionPatient", 3, -MAX_POSITION_MM, MAX_POSITION_MM),  # type: ignore[arg-type]
        orientation=orientation,  # type: ignore[arg-type]
        rows=rows,
        columns=columns,
        pixel_spacing=tags.numbers(ds, "PixelSpacing", 2, 1e-3, 50.0),  # type: ignore[arg-type]
        slice_thickness=tags.optional_number(ds, "SliceThickness", 1e-3, 100.0),
        rescale_slope=1.0 if slope is None else slope,
        rescale_intercept=0.0 if intercept is None else intercept,
        has_rescale=slope is not None and intercept is not None,
        pixel_padding=_padding(ds, layout),
        transfer_syntax=transfer_syntax,
        window_center=tags.optional_number(ds, "WindowCenter", -32768.0, 65535.0),
        window_width=tags.optional_number(ds, "WindowWidth", 1.0, 131072.0),
        gantry_tilt=tags.optional_number(ds, "GantryDetectorTilt", -90.0, 90.0),
        acquisition_number=tags.optional_integer(ds, "AcquisitionNumber", -(2**31), 2**31),
        image_type=tags.texts(ds, "ImageType"),
        frames=1,
        layout=layout,
        acquisition_time=tags.first_present(ds, ("AcquisitionDateTime", "AcquisitionTime", "ContentTime")),
    )


def _is_orientation(values: tuple[float, ...]) -> bool:
    row, column = np.array(values[:3]), np.array(values[3:])
    unit = abs(np.linalg.norm(row) - 1) < 0.02 and abs(np.linalg.norm(column) - 1) < 0.02
    return bool(unit and abs(float(np.dot(row, column))) < 0.02)


def _padding(ds: Dataset, layout: PixelLayout) -> tuple[int, int] | None:
    """(0028,0120)/(0028,0121) as stored values: the same bit pattern, read with the image's signedness."""
    width = layout.bits_allocated
    value = tags.integer(ds, "PixelPaddingValue", -(1 << (width - 1)), (1 << width) - 1)
    if value is None:
        return None
    limit = tags.integer(ds, "PixelPaddingRangeLimit", -(1 << (width - 1)), (1 << width) - 1)
    return _as_stored(value, layout), _as_stored(value if limit is None else limit, layout)


def _as_stored(value: int, layout: PixelLayout) -> int:
    width = layout.bits_allocated
    if layout.signed and value >= 1 << (width - 1):
        return value - (1 << width)
    if not layout.signed and value < 0:
        return value + (1 << width)
    return value


def _series_fields(series_uid: str, ds: Dataset) -> SeriesFields:
    return SeriesFields(
        uid=series_uid,
        study_uid=tags.text(ds, "StudyInstanceUID") or "unknown study",
        modality=tags.text(ds, "Modality") or "CT",
        number=tags.optional_integer(ds, "SeriesNumber", -(2**31), 2**31),
        description=tags.text(ds, "SeriesDescription"),
        patient_name=tags.text(ds, "PatientName").replace("^", " ").strip(),
        patient_id=tags.text(ds, "PatientID"),
        patient_birth_date=tags.text(ds, "PatientBirthDate"),
        patient_sex=tags.text(ds, "PatientSex"),
        study_date=tags.text(ds, "StudyDate"),
        study_time=tags.text(ds, "StudyTime"),
        study_description=tags.text(ds, "StudyDescription"),
        accession_number=tags.text(ds, "AccessionNumber"),
        institution=tags.text(ds, "InstitutionName"),
        manufacturer=tags.text(ds, "Manufacturer"),
        model_name=tags.text(ds, "ManufacturerModelName"),
        kernel=tags.text(ds, "ConvolutionKernel"),
    )
