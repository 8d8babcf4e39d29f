"""Plain-text description of what a folder holds (for `ichviewer info` and logs).

Every file left out is named: files sharing a reason share a line that lists them all, with
paths relative to the folder (or in full, one per line, with `verbose`).
"""

from __future__ import annotations

from pathlib import Path

from pydicom.uid import UID

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.dicom.records import Series, SkippedFile, StudyIndex
from ichviewer.core.geometry import plan_stack
from ichviewer.core.load_report import grouped, plural


def describe_series(series: Series, root: Path, default: bool = False, verbose: bool = False) -> list[str]:
    """Lines describing one series: geometry, transfer syntax, warnings, notes and slices left out."""
    geometry = plan_stack(series.slices)
    dy, dx = geometry.pixel_spacing
    thickness = f"{series.thickness:g} mm" if series.thickness else "unknown"
    syntaxes = ", ".join(UID(uid).name for uid in series.transfer_syntaxes)
    marker = "  * " if default else "    "
    lines = [
        f"{marker}Series {series.title}",
        f"      orientation {series.orientation_label}, {plural(geometry.n_slices, 'slice')} of "
        f"{geometry.columns}×{geometry.rows}, pixel {dx:.3g}×{dy:.3g} mm",
        f"      thickness {thickness}, spacing {geometry.spacing:.3g} mm, gantry tilt {geometry.tilt_deg:.1f}°",
        f"      transfer syntax: {syntaxes}",
    ]
    if series.kernel or series.manufacturer:
        lines.append(f"      {series.manufacturer} {series.model_name} kernel {series.kernel}".rstrip())
    lines += [f"      warning: {w}" for w in geometry.warnings]
    lines += [f"      note: {n}" for n in series.notes]
    lines += [f"      skipped: {line}" for line in _listed(geometry.rejected, root, verbose)]
    return lines


def describe_index(index: StudyIndex, verbose: bool = False) -> str:
    """The studies, series (default marked with *), files left out and files ignored of an index."""
    n_series = len(index.series)
    lines = [
        f"{index.root}: {plural(index.files_seen, 'file')}, {plural(len(index.studies), 'study', 'studies')}, "
        f"{n_series} CT series"
    ]
    default = index.default_series()
    root = index.root if index.root.is_dir() else index.root.parent
    for study in index.studies:
        first = study.first
        lines.append(
            f"Study {study.uid}  patient {first.patient_name or '?'} ({first.patient_id or 'no ID'})  "
            f"date {first.study_date or '?'}  {first.study_description}".rstrip()
        )
        for series in study.series:
            lines += describe_series(series, root, default=series is default, verbose=verbose)
    empty = index.empty_reason()
    if empty:
        lines.append(empty)
    if index.problems:
        lines.append(f"Skipped {plural(len(index.problems), 'file')} (in {root}):")
        lines += [f"  {line}" for line in _listed(index.problems, root, verbose)]
    ignored = tuple(s for s in index.skipped if not s.problem)
    if ignored:
        lines.append(f"Ignored {plural(len(ignored), 'file')} (not CT images; not counted as problems):")
        lines += [f"  {line}" for line in _listed(ignored, root, verbose)]
    return "\n".join(lines)


def _listed(skipped: tuple[SkippedFile, ...], root: Path, verbose: bool) -> list[str]:
    return [str(s) for s in skipped] if verbose else grouped(skipped, root)


def describe_folder(folder: Path, verbose: bool = False) -> str:
    """Index `folder` and describe it."""
    return describe_index(index_folder(folder), verbose=verbose)
