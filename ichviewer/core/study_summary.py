"""Plain-text description of what a folder holds (for `ichviewer info` and logs)."""

from __future__ import annotations

from pathlib import Path

from pydicom.uid import UID

from ichviewer.core.dicom_index import Series, StudyIndex, index_folder
from ichviewer.core.geometry import plan_stack

MAX_SKIPPED_SHOWN = 20


def describe_series(series: Series, default: bool = False) -> list[str]:
    """Lines describing one series: geometry, transfer syntax and warnings."""
    geometry = plan_stack(series.slices)
    dy, dx = geometry.pixel_spacing
    thickness = f"{series.thickness:g} mm" if series.thickness else "unknown"
    syntaxes = ", ".join(UID(uid).name for uid in series.transfer_syntaxes)
    marker = "  * " if default else "    "
    lines = [
        f"{marker}Series {series.title}",
        f"      orientation {series.orientation_label}, {geometry.n_slices} slices of "
        f"{geometry.columns}×{geometry.rows}, pixel {dx:.3g}×{dy:.3g} mm",
        f"      thickness {thickness}, spacing {geometry.spacing:.3g} mm, gantry tilt {geometry.tilt_deg:.1f}°",
        f"      transfer syntax: {syntaxes}",
    ]
    if series.kernel or series.manufacturer:
        lines.append(f"      {series.manufacturer} {series.model_name} kernel {series.kernel}".rstrip())
    lines += [f"      warning: {w}" for w in geometry.warnings]
    lines += [f"      skipped: {s}" for s in geometry.rejected]
    return lines


def describe_index(index: StudyIndex, verbose: bool = False) -> str:
    """The studies, series (default marked with *) and skipped files of an index."""
    lines = [f"{index.root}: {index.files_seen} files, {len(index.studies)} studies, {len(index.series)} CT series"]
    default = index.default_series()
    for study in index.studies:
        first = study.first
        lines.append(
            f"Study {study.uid}  patient {first.patient_name or '?'} ({first.patient_id or 'no ID'})  "
            f"date {first.study_date or '?'}  {first.study_description}".rstrip()
        )
        for series in study.series:
            lines += describe_series(series, default=series is default)
    empty = index.empty_reason()
    if empty:
        lines.append(empty)
    if index.skipped:
        lines.append(f"Skipped {sum(s.count for s in index.skipped)} files:")
        shown = index.skipped if verbose else index.skipped[:MAX_SKIPPED_SHOWN]
        lines += [f"  {s}" for s in shown]
        if len(shown) < len(index.skipped):
            lines.append(f"  … {len(index.skipped) - len(shown)} more (use --verbose)")
    return "\n".join(lines)


def describe_folder(folder: Path, verbose: bool = False) -> str:
    """Index `folder` and describe it."""
    return describe_index(index_folder(folder), verbose=verbose)
