"""`ichviewer scan`: the verdict first, JSON, CSV and PDF written and readable, the cache on a second run,
"AI not applicable" with its one-page PDF, the exit statuses."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from ichviewer.cli import main


@pytest.fixture
def scanned(phantom_series, tiny_model_dir, tmp_path, capsys):  # type: ignore[no-untyped-def]
    """One scan of the phantom with every output; returns (outputs folder, stdout, the phantom)."""
    folder, phantom = phantom_series
    args = ["scan", str(folder), "--model", str(tiny_model_dir), "--device", "cpu", "--key-slices", "2"]
    out = tmp_path / "out"
    outputs = ["--json", str(out / "s.json"), "--csv", str(out / "s.csv"), "--pdf", str(out / "s.pdf")]
    assert main([*args, *outputs, "--deidentify", "--no-cache"]) == 0
    return out, capsys.readouterr().out, phantom, args


def test_json_has_every_slice_and_the_study_table(scanned) -> None:  # type: ignore[no-untyped-def]
    out, stdout, phantom, _ = scanned
    data = json.loads((out / "s.json").read_text())
    n = phantom.spec.n_slices
    assert len(data["slices"]) == n and [s["slice"] for s in data["slices"]] == list(range(1, n + 1))
    assert set(data["labels"]) <= set(data["slices"][0]["scores"])
    assert {row["label"] for row in data["summary"]} == set(data["labels"])
    assert "NOT FOR CLINICAL USE" in stdout and f"wrote {out / 's.json'}" in stdout


def test_the_text_starts_with_the_study_verdict_and_the_analysed_series(scanned) -> None:  # type: ignore[no-untyped-def]
    out, stdout, phantom, _ = scanned
    study = json.loads((out / "s.json").read_text())["study"]
    lines = stdout.splitlines()
    assert lines[0] == f"STUDY: {study['verdict']}"
    assert lines[1].startswith("  Study score ") and f"of {phantom.spec.n_slices} slices flagged" in lines[1]
    assert (
        lines[2]
        == f"  Series 2 'Axial 5mm brain (synthetic phantom)' analysed (5.0 mm, {phantom.spec.n_slices} slices)"
    )


def test_not_applicable_writes_json_and_a_one_page_pdf_not_the_csv(tmp_path, tiny_model_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    """8 slices of 5 mm cover 40 mm: not a head CT the model judges (core/applicability.py)."""
    from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study

    folder = write_phantom_study(generate_phantom(PhantomSpec(seed=5, n_slices=8, size=96)), tmp_path / "short")
    out = tmp_path / "out"
    outputs = ["--json", str(out / "n.json"), "--csv", str(out / "n.csv"), "--pdf", str(out / "n.pdf")]
    assert main(["scan", str(folder), "--model", str(tiny_model_dir), "--device", "cpu", *outputs]) == 0
    stdout = capsys.readouterr().out
    reason = "the series covers 40 mm along the head (at least 50 mm needed)"
    assert stdout.splitlines()[:2] == [
        f"STUDY: AI not applicable: {reason}",
        "  Series 2 'Axial 5mm brain (synthetic phantom)' not analysed (5.0 mm, 8 slices)",
    ]
    assert json.loads((out / "n.json").read_text())["study"]["verdict"] == f"AI not applicable: {reason}"
    assert not (out / "n.csv").exists() and "CSV not written" in stdout
    (page,) = [" ".join(p.extract_text().split()) for p in PdfReader(out / "n.pdf").pages]
    assert f"AI not applicable: {reason}" in page and "NOT FOR CLINICAL USE" in page


def test_csv_has_the_study_row_then_a_row_per_slice(scanned) -> None:  # type: ignore[no-untyped-def]
    out, _, phantom, _ = scanned
    with (out / "s.csv").open(newline="") as file:
        study, *rows = list(csv.DictReader(file))
    assert len(rows) == phantom.spec.n_slices and rows[0]["slice"] == "1"
    assert {"sop_instance_uid", "position_mm", "any", "flagged"} <= set(rows[0])
    assert all(0.0 <= float(row["any"]) <= 1.0 for row in rows)
    verdict = json.loads((out / "s.json").read_text())["study"]
    assert study["slice"] == "study" and study["flagged"] == str(int(verdict["suspected"]))
    assert float(study["any"]) == max(float(row["any"]) for row in rows) == pytest.approx(verdict["score"], abs=1e-6)


def test_pdf_is_readable_deidentified_and_notes_the_intended_use(scanned) -> None:  # type: ignore[no-untyped-def]
    out, _, _, _ = scanned
    reader = PdfReader(out / "s.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "not for clinical use" in text.lower() and "De-identified" in text and "PHANTOM" not in text


def test_second_run_comes_from_the_cache(scanned, capsys) -> None:  # type: ignore[no-untyped-def]
    _, first, _, args = scanned
    assert "(cache)" not in first
    assert main(args) == 0
    assert "(cache)" in capsys.readouterr().out


def test_a_folder_without_ct_exits_2_with_its_reason(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Input the program cannot read is the caller's to fix (exit 2); exit 1 is kept for the program's own failures."""
    (tmp_path / "readme.txt").write_text("no images here")
    assert main(["scan", str(tmp_path), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "No CT images found" in err and "details in" not in err


def test_user_mistakes_exit_2(tmp_path: Path, phantom_series, capsys) -> None:  # type: ignore[no-untyped-def]
    folder, _ = phantom_series
    assert main(["scan", str(tmp_path / "nowhere")]) == 2
    assert main(["scan", str(folder), "--model", str(tmp_path)]) == 2
    assert main(["scan"]) == 2
    err = capsys.readouterr().err
    assert "is not a folder" in err and "FOLDER or --demo" in err


def test_json_and_pdf_include_the_measurements_saved_in_the_viewer(
    phantom_series, tiny_model_dir, tmp_path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from ichviewer.core.measure import measure
    from ichviewer.core.mpr import Mpr
    from ichviewer.core.store import Store, store_path
    from ichviewer.core.volume import load_folder_volume

    monkeypatch.setenv("ICHVIEWER_DATA", str(tmp_path / "data"))
    folder, _ = phantom_series
    args = ["scan", str(folder), "--model", str(tiny_model_dir), "--device", "cpu", "--json", str(tmp_path / "a.json")]
    assert main(args) == 0
    assert "measurements" not in json.loads((tmp_path / "a.json").read_text())
    assert not store_path().exists()  # reading for measurements never creates a store
    volume = load_folder_volume(folder)
    length = measure(Mpr.from_volume(volume), "length", "axial", 3, [(100, 50), (100, 150)])
    with Store() as store:
        store.save_measurements(volume.series.study_uid, volume.series.uid, [length])
    pdf = tmp_path / "a.pdf"
    assert main([*args, "--pdf", str(pdf)]) == 0
    assert "with 1 saved measurements" in capsys.readouterr().out
    [saved] = json.loads((tmp_path / "a.json").read_text())["measurements"]
    assert saved["number"] == 1 and saved["label"] == f"Length {length.value:.1f} mm" and saved["id"] == length.id
    assert saved["place"] == "Axial slice 4" and saved["estimate"] is False and saved["value"] == length.value
    last_page = PdfReader(pdf).pages[-1].extract_text()
    assert "Measurements" in last_page and f"Length {length.value:.1f} mm" in " ".join(last_page.split())
