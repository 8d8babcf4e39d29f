"""The four corner texts over the slice (patient, series, slice position, window/zoom), as plain strings.

Top left holds the patient's identity and is left empty when the privacy toggle hides it.
"""

from __future__ import annotations

from ichviewer.core.dicom.records import Series
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import Window

CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")


def dicom_date(value: str) -> str:
    """DICOM DA 'YYYYMMDD' → 'YYYY-MM-DD'; anything else unchanged."""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) == 8 and value.isdigit() else value


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
        bottom_left = [f"Slice {index + 1} / {volume.n_slices}", f"Pos {volume.slice_position(index):.1f} mm"]
    else:
        bottom_left = [f"Slice {index + 1}  (loading…)"]  # the count is known once the whole folder is read
    if series.thickness:
        bottom_left.append(f"Thick {series.thickness:g} mm")
    bottom_right = [f"W {window.width:g}  L {window.level:g}  {window.name.capitalize()}", f"Zoom {zoom:.2f}×"]
    if probe:
        bottom_right.insert(0, probe)
    lines = (top_left, top_right, bottom_left, bottom_right)
    return {corner: "\n".join(text) for corner, text in zip(CORNERS, lines, strict=True)}
