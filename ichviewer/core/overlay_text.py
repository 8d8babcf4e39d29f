"""The four corner texts over the slice (patient, series, slice position, window/zoom), as plain strings.

Top left holds the patient's identity and is left empty when the privacy toggle hides it.
"""

from __future__ import annotations

from ichviewer.core.dicom.records import Series
from ichviewer.core.geometry import TILT_REPORT_DEG
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import Window

CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")
SAME_POSITION_MM = 0.05  # "Pos" on the normal and the header's z closer than this are shown once


def dicom_date(value: str) -> str:
    """DICOM DA 'YYYYMMDD' → 'YYYY-MM-DD'; anything else unchanged."""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) == 8 and value.isdigit() else value


def probe_text(value: int, row: int, column: int) -> str:
    """The HU probe: the value and which pixel, labelled (rows top to bottom, columns left to right)."""
    return f"HU {value}  at row {row}, col {column}"


def geometry_lines(volume: CTVolume, index: int) -> list[str]:
    """Where slice `index` is and how the stack was cut: position, thickness and spacing, gantry tilt.

    "Pos" is measured along the stack's normal; a reader compares with PACS, which shows the
    header's (0020,0032) z: both are shown when a tilt makes them differ. Without (0018,0050)
    Slice Thickness the spacing still comes from the positions.
    """
    position = volume.slice_position(index)
    header = volume.slices[index].position
    z = header[2] if header is not None else None
    if z is None:
        lines = [f"Pos {position:.1f} mm"]
    elif abs(z - position) < SAME_POSITION_MM:
        lines = [f"Pos {position:.1f} mm (DICOM z)"]
    else:
        lines = [f"Pos {position:.1f} mm on normal · z {z:.1f}"]
    spacing = volume.geometry.spacing
    if volume.thickness:
        lines.append(f"Thick {volume.thickness:g} mm" + (f" · spacing {spacing:.1f} mm" if spacing else ""))
    elif spacing:
        lines.append(f"Spacing {spacing:.1f} mm (from positions; no thickness in header)")
    if volume.geometry.tilt_deg > TILT_REPORT_DEG:
        lines.append(f"Gantry tilt {volume.geometry.tilt_deg:.1f}°")
    return lines


def corner_texts(
    series: Series,
    volume: CTVolume | None,
    index: int,
    window: Window,
    zoom: float,
    probe: str = "",
    show_patient: bool = True,
) -> dict[str, str]:
    """Text per corner for slice `index`; `volume` is None while only a preview slice is shown."""
    top_left = []
    if show_patient:
        top_left = [series.patient_name.replace("^", " ").strip() or "(no name)", f"ID {series.patient_id or '—'}"]
        if series.patient_birth_date:
            top_left.append(f"Born {dicom_date(series.patient_birth_date)}")
        if series.study_date:
            top_left.append(f"Study {dicom_date(series.study_date)}")
    top_right = [series.description or "(no description)"]
    if series.institution:
        top_right.append(series.institution)
    if volume is not None:
        bottom_left = [f"Slice {index + 1} / {volume.n_slices}", *geometry_lines(volume, index)]
    else:
        bottom_left = [f"Slice {index + 1}  (loading…)"]  # the count is known once the whole folder is read
        if series.thickness:
            bottom_left.append(f"Thick {series.thickness:g} mm")
    bottom_right = [f"W {window.width:g}  L {window.level:g}  {window.name.capitalize()}", f"Zoom {zoom:.2f}×"]
    if probe:
        bottom_right.insert(0, probe)
    lines = (top_left, top_right, bottom_left, bottom_right)
    return {corner: "\n".join(text) for corner, text in zip(CORNERS, lines, strict=True)}
