"""Evaluation on a tiny data folder: figures per set, determinism, --write-card / --check, plots and probes."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ichviewer.core.preprocess import head_region as head_mask
from ichviewer.training.evaluate import Predictions, compare, format_table, main, set_figures
from ichviewer.training.shortcut_probe import cam_shares, choose_examples
from tests.training.conftest import head_slice

THRESHOLDS = {
    "any": 0.5,
    "epidural": 0.5,
    "intraparenchymal": 0.5,
    "intraventricular": 0.5,
    "subarachnoid": 0.5,
    "subdural": 0.5,
}


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    return shutil.copytree(tiny_model_dir, tmp_path / "model")


def evaluate_args(data, split_path, model, out, *extra):
    return [
        "--model",
        str(model),
        "--data",
        str(data),
        "--split",
        str(split_path),
        "--out",
        str(out),
        "--phantom",
        "0",
        "--device",
        "cpu",
        *extra,
    ]


class TestMain:
    def test_write_card_then_check_and_a_tampered_card_fails(self, tiny_data, model_copy, tmp_path, capsys):
        data, split_path = tiny_data
        assert main(evaluate_args(data, split_path, model_copy, tmp_path / "a", "--write-card")) == 0
        first = capsys.readouterr().out
        card = json.loads((model_copy / "metadata.json").read_text())
        sets = card["metrics"]["sets"]
        assert set(sets) == {"rsna_dicom_slices", "rsna_dicom_studies", "rsna_png", "head_ct"}
        assert sets["rsna_dicom_slices"]["rows"] == 6 and sets["rsna_dicom_slices"]["groups"] == 2
        assert sets["rsna_dicom_studies"]["labels"]["any"]["positives"] == 1
        assert list(sets["head_ct"]["labels"]) == ["any"]  # head_ct knows only "any"
        assert card["metrics"]["cpu_speed"]["slices_per_s"] > 0
        metrics = json.loads((tmp_path / "a" / "metrics.json").read_text())
        assert metrics == sets
        assert (tmp_path / "a" / "roc.png").stat().st_size > 1000

        assert main(evaluate_args(data, split_path, model_copy, tmp_path / "b", "--check")) == 0
        second = capsys.readouterr().out
        table = [line for line in first.splitlines() if line.startswith("  ")]
        assert table and table == [line for line in second.splitlines() if line.startswith("  ")]  # deterministic
        assert "figures match the card" in second

        card["metrics"]["sets"]["rsna_png"]["labels"]["any"]["auc"] += 0.01
        (model_copy / "metadata.json").write_text(json.dumps(card))
        assert main(evaluate_args(data, split_path, model_copy, tmp_path / "c", "--check")) == 1
        assert "rsna_png/labels/any/auc" in capsys.readouterr().out

    def test_gradcam_grids_and_size_probe(self, tiny_data, model_copy, tmp_path, capsys):
        data, split_path = tiny_data
        assert (
            main(evaluate_args(data, split_path, model_copy, tmp_path / "e", "--gradcam", str(tmp_path / "cam"))) == 0
        )
        for source in ("rsna_dicom", "rsna_png", "head_ct"):
            assert (tmp_path / "cam" / f"{source}.png").is_file()
        report = json.loads((tmp_path / "cam" / "shortcut.json").read_text())
        assert report["head_ct_size_probe"]["images"] == 4
        flagged = [e for e in report["head_ct"]["examples"] if e["score"] >= 0.5]
        assert report["head_ct"]["flagged"] == len(flagged)
        assert report["head_ct"]["mean_outside_head"] is None or 0 <= report["head_ct"]["mean_outside_head"] <= 1

    def test_missing_model_is_a_message(self, tiny_data, tmp_path, capsys):
        data, split_path = tiny_data
        assert main(evaluate_args(data, split_path, tmp_path / "none", tmp_path / "o")) == 2
        assert "model card not found" in capsys.readouterr().err


class TestSetFigures:
    def test_counts_auc_and_ci(self):
        labels = np.zeros((6, 6))
        labels[:3, 0] = 1
        scores = np.zeros((6, 6))
        scores[:, 0] = [0.9, 0.8, 0.4, 0.3, 0.2, 0.1]
        mask = np.zeros((6, 6), dtype=bool)
        mask[:, 0] = True
        p = Predictions("x", "image", scores, labels, mask, np.arange(6), np.arange(6).astype(str))
        f = set_figures(p, THRESHOLDS)
        assert list(f["labels"]) == ["any"]
        any_ = f["labels"]["any"]
        assert (any_["tp"], any_["fn"], any_["tn"], any_["fp"]) == (2, 1, 3, 0)
        assert any_["auc"] == 1.0 and any_["auc_ci95"] == [1.0, 1.0]
        assert "Any hemorrhage" in format_table("x", f)


class TestCompare:
    def test_tolerance_and_structure(self):
        assert compare({"a": {"auc": 0.9, "n": 3}}, {"a": {"auc": 0.904, "n": 3}}) == []
        assert compare({"a": {"auc": 0.9}}, {"a": {"auc": 0.91}}) == ["/a/auc: card 0.9, now 0.91"]
        assert compare({"a": 1, "b": 2}, {"a": 1}) == ["/b: missing"]
        assert compare({"ci": [0.1, None]}, {"ci": [0.1, None]}) == []


class TestShortcutProbes:
    def test_cam_outside_the_head_and_in_the_border(self):
        hu = head_slice(30, size=64)
        inside = np.zeros((64, 64), np.float32)
        inside[30:34, 30:34] = 1
        assert cam_shares(hu, inside) == (0.0, 0.0)
        corner = np.zeros((64, 64), np.float32)
        corner[:2, :2] = 1
        assert cam_shares(hu, corner) == (1.0, 1.0)
        assert head_mask(hu)[32, 32] and not head_mask(hu)[0, 0]

    def test_examples_of_each_kind(self):
        labels = np.zeros((20, 6))
        labels[:6, 0] = 1
        scores = np.linspace(0, 1, 120).reshape(20, 6)
        p = Predictions("x", "image", scores, labels, np.ones((20, 6), bool), np.arange(20), np.arange(20).astype(str))
        examples = choose_examples(p)
        kinds = [k for k, _ in examples]
        assert kinds.count("positive") == 4 and kinds.count("negative") == 3 and kinds.count("top-scored negative") == 2
        assert len({row for _, row in examples}) == 9
        top = [row for kind, row in examples if kind == "top-scored negative"]
        assert all(labels[row, 0] == 0 for row in top) and max(top) == 19
