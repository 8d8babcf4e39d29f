"""The wording of measurements outside the image (panel, PDF, JSON) and reading a series' saved ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.bleed_estimates import abc_estimate
from ichviewer.core.measure import measure
from ichviewer.core.measurement_report import (
    ESTIMATE_NOTE,
    detail_lines,
    image_label,
    measurements_json,
    place_text,
    stored_measurements,
    where_text,
)
from ichviewer.core.mpr import Mpr
from ichviewer.core.store import Store, store_path


@pytest.fixture
def head(physical_heads):  # type: ignore[no-untyped-def]
    _, volume = physical_heads[0.0]
    return volume, Mpr.from_volume(volume)


def test_places_labels_and_details(head) -> None:  # type: ignore[no-untyped-def]
    volume, mpr = head
    length = measure(mpr, "length", "sagittal", 40, [(10, 10), (10, 20)])
    assert (place_text(length), where_text(length), image_label(length)) == (
        "Sagittal image 41",
        "Sagittal 41",
        "12.0 mm",
    )
    ellipse = measure(mpr, "ellipse", "axial", 30, [(90, 90), (100, 100)], mpr.plane(volume.hu, "axial", 30))
    assert image_label(ellipse).endswith("mm²") and " ± " in image_label(ellipse)
    assert detail_lines(ellipse)[0].startswith("mean ") and place_text(ellipse) == "Axial slice 31"
    abc = abc_estimate(volume, mpr, 30, [(10, 10), (10, 30), (0, 20), (20, 20)], slices=3)
    assert image_label(abc) == f"ABC/2 ≈ {abc.value:.1f} mL"
    lines = detail_lines(abc)
    assert lines[0] == "A 24.0 × B 24.0 × C 7.5 mm / 2 (C: 3 slices × 2.5 mm)" and lines[-1] == ESTIMATE_NOTE
    midline = measure(mpr, "midline", "axial", 30, [(20, 96), (170, 96), (95, 100)])
    assert image_label(midline) == "shift 4.8 mm to left"


def test_json_entries_number_and_describe_each(head) -> None:  # type: ignore[no-untyped-def]
    volume, mpr = head
    items = (
        measure(mpr, "angle", "axial", 30, [(20, 64), (60, 64), (60, 104)]),
        abc_estimate(volume, mpr, 30, [(10, 10), (10, 30), (0, 20), (20, 20)], slices=3),
    )
    angle, abc = measurements_json(items)
    assert angle["number"] == 1 and angle["label"] == "Angle 90.0°" and angle["estimate"] is False
    assert angle["kind"] == "angle" and angle["place"] == "Axial slice 31" and angle["value"] == pytest.approx(90.0)
    assert abc["number"] == 2 and abc["estimate"] is True and abc["bleed"]["slices"] == 3


def test_stored_measurements_never_create_a_store(head, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ICHVIEWER_DATA", str(tmp_path / "data"))
    volume, mpr = head
    assert stored_measurements("study", "series").items == () and not store_path().exists()
    length = measure(mpr, "length", "axial", 3, [(1, 1), (1, 5)])
    with Store() as store:
        store.save_measurements("study", "series", [length])
    assert stored_measurements("study", "series").items == (length,)
    assert np.isclose(length.value, 4 * 1.2)  # type: ignore[arg-type]
