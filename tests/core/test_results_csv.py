"""The scores' CSV: the study row first (study scores, flagged = suspected), then one row per slice."""

from __future__ import annotations

import csv

import pytest

from ichviewer.core.results_csv import STUDY_ROW, write_csv


def read(path) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


class TestWriteCsv:
    def test_a_suspected_study_row_first_then_the_slices(self, make_result, tmp_path):
        result = make_result(5, {(2, "any"): 0.9, (2, "subdural"): 0.8, (4, "epidural"): 0.7})
        write_csv(result, tmp_path / "s.csv")
        study, *slices = read(tmp_path / "s.csv")
        assert list(study) == ["slice", "sop_instance_uid", "position_mm", *result.labels, "flagged"]
        assert study["slice"] == STUDY_ROW and study["sop_instance_uid"] == "" and study["position_mm"] == ""
        assert float(study["any"]) == pytest.approx(0.9) and float(study["subdural"]) == pytest.approx(0.8)
        assert float(study["epidural"]) == pytest.approx(0.7) and study["flagged"] == "1"
        assert [row["slice"] for row in slices] == ["1", "2", "3", "4", "5"]
        assert [row["flagged"] for row in slices] == ["0", "0", "1", "0", "0"]  # a subtype alone flags no slice

    def test_not_detected_is_flagged_0(self, make_result, tmp_path):
        write_csv(make_result(3, {(1, "epidural"): 0.9}), tmp_path / "n.csv")
        study = read(tmp_path / "n.csv")[0]
        assert (
            study["slice"] == STUDY_ROW and study["flagged"] == "0" and float(study["epidural"]) == pytest.approx(0.9)
        )

    def test_a_failure_leaves_an_existing_file(self, make_result, tmp_path):
        target = tmp_path / "keep.csv"
        target.write_text("previous")
        with pytest.raises(AttributeError):
            write_csv(None, target)  # type: ignore[arg-type]
        assert target.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["keep.csv"]
