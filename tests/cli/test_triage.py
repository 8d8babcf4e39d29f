"""`ichviewer triage`: a ranked CSV/JSON row per study (failed ones with their reason), PDFs, nothing in the folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ichviewer.cli import main


def test_triage_writes_a_row_per_study_and_only_where_asked(mixed_studies, tiny_model_dir, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    before = sorted(p.relative_to(mixed_studies) for p in mixed_studies.rglob("*"))
    out = tmp_path / "out"
    args = ["triage", str(mixed_studies), "--model", str(tiny_model_dir), "--device", "cpu"]
    outputs = ["--csv", str(out / "w.csv"), "--json", str(out / "w.json")]
    assert main([*args, *outputs]) == 0  # two of six studies cannot be analysed: still exit 0
    with (out / "w.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 6 and [r["rank"] for r in rows] == list("123456")
    done = [r for r in rows if r["status"] == "done"]
    assert len(done) == 4 and all(r["verdict"] in ("suspected", "not detected") and r["study_uid"] for r in done)
    failed = {r["status"]: r["error"] for r in rows if r["status"] != "done"}
    assert "truncated" in failed["failed"] and "MR" in failed["not applicable"]
    scores = [float(r["score"]) for r in rows[:4]]
    suspected = [r["verdict"] == "suspected" for r in rows[:4]]
    assert suspected == sorted(suspected, reverse=True)  # suspected first, then by score within each group
    assert all(a >= b for a, b, s, t in zip(scores, scores[1:], suspected, suspected[1:], strict=False) if s == t)
    data = json.loads((out / "w.json").read_text())
    assert [s["rank"] for s in data["studies"]] == [1, 2, 3, 4, 5, 6] and data["model"]["name"] == "tiny-test-model"
    assert sorted(p.relative_to(mixed_studies) for p in mixed_studies.rglob("*")) == before
    stdout = capsys.readouterr().out
    assert "6 studies" in stdout and "NOT FOR CLINICAL USE" in stdout


def test_triage_writes_a_pdf_per_analysed_study(mixed_studies, tiny_model_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = mixed_studies / "study-30001"
    args = ["triage", str(folder), "--model", str(tiny_model_dir), "--device", "cpu", "--pdf-dir", str(tmp_path)]
    assert main([*args, "--deidentify"]) == 0
    pdfs = list(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 1 and "P30001" not in pdfs[0].name and pdfs[0].read_bytes().startswith(b"%PDF")


def test_triage_without_an_output_is_a_usage_error(mixed_studies, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["triage", str(mixed_studies)]) == 2
    assert main(["triage", str(Path("/nowhere")), "--csv", "x.csv"]) == 2
    assert "writes only where asked" in capsys.readouterr().err


def test_a_study_the_ai_does_not_judge_is_a_row_with_its_reason(tiny_model_dir, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.worklist_folder import SHORT, write_not_applicable_folder

    folder = write_not_applicable_folder(tmp_path / "night")
    out = tmp_path / "out"
    args = ["triage", str(folder), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main([*args, "--csv", str(out / "w.csv"), "--json", str(out / "w.json")]) == 0
    reason = "the series covers 40 mm along the head (at least 50 mm needed)"
    with (out / "w.csv").open(newline="") as file:
        rows = {r["patient_id"]: r for r in csv.DictReader(file)}
    short = rows[f"P{SHORT}"]
    assert (short["verdict"], short["status"], short["error"], short["score"]) == (
        "not applicable",
        "not applicable",
        reason,
        "",
    )
    assert short["rank"] == "2"  # after the study the AI judged
    (study,) = [s for s in json.loads((out / "w.json").read_text())["studies"] if s["patient_id"] == f"P{SHORT}"]
    assert (study["verdict"], study["error"], study["score"]) == ("not applicable", reason, None)
    assert f"not applicable: {reason}" in capsys.readouterr().out
