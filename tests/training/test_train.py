"""Training on a tiny pack on the CPU: model folder and card, exact resume, loss, EMA, GPU-machine imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from ichviewer.core.model import load_model
from ichviewer.training import train as train_module
from ichviewer.training.pack import build_pack, training_input
from ichviewer.training.split import load_split
from ichviewer.training.train import build_parser, masked_bce, train
from ichviewer.training.train_state import EMA

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_pack(tiny_data, tmp_path_factory) -> Path:
    data, split_path = tiny_data
    path = tmp_path_factory.mktemp("pack") / "pack.npz"
    build_pack(data, path, training_input(size=32), load_split(split_path))
    return path


def argv(pack: Path, out: Path, *extra: str) -> list[str]:
    return [
        "--pack",
        str(pack),
        "--out",
        str(out),
        "--epochs",
        "2",
        "--epoch-size",
        "16",
        "--batch-size",
        "8",
        "--phantom",
        "0",
        "--phantom-val",
        "0",
        "--shares",
        "rsna_dicom=0.4,rsna_png=0.4,head_ct=0.2",
        "--name",
        "tiny-smoke",
        "--version",
        "0.0.1",
        *extra,
    ]


def run(args: list[str]) -> Path:
    return train(build_parser().parse_args(args), args)


class TestTrain:
    def test_writes_a_loadable_model_with_a_filled_card(self, tiny_pack, tmp_path):
        folder = run(argv(tiny_pack, tmp_path / "run"))
        network, card = load_model(folder)
        assert card.name == "tiny-smoke" and card.input.size == 32 and card.input.channels == 3
        assert set(card.thresholds) == {
            "any",
            "epidural",
            "intraparenchymal",
            "intraventricular",
            "subarachnoid",
            "subdural",
        }
        raw = card.raw
        assert raw["training"]["command"].startswith("PYTHONPATH=. python3 -m ichviewer.training.train --pack")
        counts = raw["training"]["data"]["slices_per_source_split_label"]
        assert counts["rsna_dicom"]["train"]["slices"] == 6 and counts["head_ct"]["val"] == {"slices": 2, "any": 1}
        assert "sensitivity >= 0.90" in raw["threshold_rule"]
        assert raw["validation"]["per_label"]["any"]["positives"] == 4  # cccc (2 slices), ID_png0006, head_ct 002
        assert "test" in raw["metrics"]["note"].lower()
        assert len(raw["training"]["history"]) == 2
        log = (tmp_path / "run" / "log.jsonl").read_text().splitlines()
        assert [json.loads(line)["epoch"] for line in log] == [1, 2]
        with torch.no_grad():
            assert network(torch.zeros(1, 3, 32, 32)).shape == (1, 6)

    def test_resume_after_an_interruption_gives_the_same_weights(self, tiny_pack, tmp_path, monkeypatch):
        whole = load_file(str(run(argv(tiny_pack, tmp_path / "whole")) / "model.safetensors"))
        save = train_module.save_checkpoint

        def save_then_stop(path, epoch, *rest):
            save(path, epoch, *rest)
            if epoch == 1:
                raise KeyboardInterrupt

        monkeypatch.setattr(train_module, "save_checkpoint", save_then_stop)
        with pytest.raises(KeyboardInterrupt):
            run(argv(tiny_pack, tmp_path / "parts"))
        monkeypatch.setattr(train_module, "save_checkpoint", save)
        resumed = load_file(str(run(argv(tiny_pack, tmp_path / "parts", "--resume")) / "model.safetensors"))
        assert whole.keys() == resumed.keys()
        assert all(torch.allclose(whole[k].float(), resumed[k].float(), atol=1e-6) for k in whole)

    def test_resume_refuses_changed_settings(self, tiny_pack, tmp_path):
        run(argv(tiny_pack, tmp_path / "run"))
        with pytest.raises(ValueError, match="settings differ"):
            run(argv(tiny_pack, tmp_path / "run", "--resume", "--lr", "0.5"))

    def test_resume_without_checkpoint(self, tiny_pack, tmp_path):
        with pytest.raises(FileNotFoundError, match="no checkpoint"):
            run(argv(tiny_pack, tmp_path / "empty", "--resume"))


class TestMaskedBce:
    def test_unknown_labels_do_not_count_and_any_weighs_two(self):
        logits = torch.zeros(1, 3)
        labels = torch.tensor([[1.0, 0.0, 1.0]])
        weights = torch.tensor([2.0, 1.0, 1.0])
        full = masked_bce(logits, labels, torch.ones(1, 3), weights)
        assert torch.isclose(full, torch.log(torch.tensor(2.0)))  # every term is log 2
        logits = torch.tensor([[0.0, 0.0, -50.0]])  # a badly wrong third label, masked out
        assert torch.isclose(masked_bce(logits, labels, torch.tensor([[1.0, 1.0, 0.0]]), weights), full)


class TestEma:
    def test_moves_toward_the_network(self):
        network = torch.nn.Linear(1, 1, bias=False)
        torch.nn.init.zeros_(network.weight)
        ema = EMA(network, decay=0.5)
        with torch.no_grad():
            network.weight.fill_(1.0)
        ema.update(network)  # warm-up decay min(0.5, 2/11)
        assert np.isclose(float(ema.network.weight), 1 - 2 / 11)


class TestGpuMachineImports:
    def test_training_path_needs_no_pydicom_qt_platformdirs_or_gradcam(self):
        code = (
            "import sys, ichviewer.training.train, ichviewer.training.train_data; "
            "heavy = ('pydicom', 'PySide6', 'pyqtgraph', 'platformdirs', 'pytorch_grad_cam'); "
            "bad = [m for m in heavy if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)"
        )
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
