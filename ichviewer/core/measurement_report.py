"""Measurements as the reader sees them outside the image: where, the numbers behind the value, and the JSON.

One wording for the panel, the PDF and `ichviewer scan --json`: the image as the views count it
(1-based), the statistics and diameters behind a value, the warnings, and for volumes that they
are estimates. `stored_measurements` reads a series' saved list without creating a store.
"""

from __future__ import annotations

from typing import Any

from ichviewer.core.bleed_estimates import abc_diameters
from ichviewer.core.measure import BLEED_KINDS, Measurement, to_json
from ichviewer.core.store import LoadedMeasurements, Store, store_path

ESTIMATE_NOTE = "An estimate: check it against the images."


def image_text(m: Measurement) -> str:
    """'slice 12' on the axial view, 'image 200' on a reformat (1-based, as the views count)."""
    where = m.placement
    return f"{'slice' if where.view == 'axial' else 'image'} {where.index + 1}"


def image_label(m: Measurement) -> str:
    """The value as drawn beside a measurement on the image: short, '≈' on estimates."""
    if m.kind == "length":
        return f"{m.value:.1f} mm"
    if m.kind == "angle":
        return f"{m.value:.1f}°"
    if m.kind == "midline":
        shift = m.shift
        return f"shift {shift.mm:.1f} mm" + ("" if shift.side == "none" else f" to {shift.side}")
    if m.kind == "abc":
        return f"ABC/2 ≈ {m.value:.1f} mL"
    if m.kind == "region":
        return f"region ≈ {m.value:.1f} mL"
    stats = m.stats
    if stats is None or stats.mean is None:
        return f"{stats.area_mm2 if stats else 0:.0f} mm²"
    return f"{stats.mean:.1f} ± {stats.sd or 0:.1f} HU, {stats.area_mm2:.0f} mm²"


def where_text(m: Measurement) -> str:
    """'Axial 12', 'Coronal 200': the view and its image number (1-based), for a narrow column."""
    return f"{m.placement.view.capitalize()} {m.placement.index + 1}"


def place_text(m: Measurement) -> str:
    """'Axial slice 12', 'Coronal image 200'."""
    return f"{m.placement.view.capitalize()} {image_text(m)}"


def detail_lines(m: Measurement) -> list[str]:
    """The numbers behind a measurement's value, then its warnings (with ⚠), then the estimate note."""
    lines = []
    if m.stats is not None:
        s = m.stats
        if s.mean is not None:
            lines.append(f"mean {s.mean:.1f} HU, SD {s.sd or 0:.1f}, min {s.min:.0f}, max {s.max:.0f}")
        lines.append(f"area {s.area_mm2:.1f} mm², {s.pixels} pixels")
    if m.kind == "abc" and m.bleed is not None:
        a, b, c = abc_diameters(m)
        lines.append(
            f"A {a:.1f} × B {b:.1f} × C {c:.1f} mm / 2 (C: {m.bleed.slices} slices × {m.bleed.spacing_mm:.3g} mm)"
        )
    if m.kind == "region" and m.bleed is not None and m.bleed.hu_range is not None:
        low, high = m.bleed.hu_range
        lines.append(f"{low:g}–{high:g} HU, {m.bleed.voxels} voxels on {m.bleed.slices} slices")
    lines += [f"⚠ {warning}" for warning in (m.bleed.warnings if m.bleed else ())]
    if m.kind in BLEED_KINDS:
        lines.append(ESTIMATE_NOTE)
    return lines


def measurements_json(items: tuple[Measurement, ...]) -> list[dict[str, Any]]:
    """The list for a JSON report: each measurement's stored form with its number, label, place and details."""
    return [
        {
            "number": number,
            "label": m.label,
            "place": place_text(m),
            "estimate": m.kind in BLEED_KINDS,
            "details": detail_lines(m),
            **to_json(m),
        }
        for number, m in enumerate(items, 1)
    ]


def stored_measurements(study_uid: str, series_uid: str) -> LoadedMeasurements:
    """A series' saved measurements (none when nothing was ever saved: no store file is created)."""
    if not store_path().exists():
        return LoadedMeasurements(())
    with Store() as store:
        return store.load_measurements(study_uid, series_uid)
