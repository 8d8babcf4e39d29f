"""Model card parsing and safe weight loading: every broken model gives a clear ModelError."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ichviewer.core.model import ModelError, build_network, load_model, read_card, target_layer


@pytest.fixture
def model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


class TestReadCard:
    def test_reads_input_spec_and_thresholds(self, tiny_model_dir: Path):
        card = read_card(tiny_model_dir)
        assert card.input.size == 64
        assert [w.name for w in card.input.windows] == ["brain", "subdural", "bone"]
        assert card.input.channels == 3
        assert card.labels[0] == "any" and len(card.labels) == 6
        assert card.threshold("epidural") == 0.4
        assert len(card.sha256) == 64

    def test_missing_card(self, tmp_path: Path):
        with pytest.raises(ModelError, match="model card not found"):
            read_card(tmp_path)

    def test_corrupt_card_names_file(self, model_copy: Path):
        (model_copy / "metadata.json").write_text("{not json")
        with pytest.raises(ModelError, match=r"metadata\.json: unreadable model card"):
            read_card(model_copy)

    def test_missing_field(self, model_copy: Path):
        card = json.loads((model_copy / "metadata.json").read_text())
        del card["network_data_format"]["inputs"]["image"]["size"]
        (model_copy / "metadata.json").write_text(json.dumps(card))
        with pytest.raises(ModelError, match="missing or has a bad field"):
            read_card(model_copy)

    def test_unknown_label(self, model_copy: Path):
        card = json.loads((model_copy / "metadata.json").read_text())
        card["network_data_format"]["outputs"]["pred"]["labels"][1] = "stroke"
        (model_copy / "metadata.json").write_text(json.dumps(card))
        with pytest.raises(ModelError, match="unknown labels"):
            read_card(model_copy)


class TestLoadModel:
    def test_loads_in_eval_mode(self, tiny_model_dir: Path):
        network, card = load_model(tiny_model_dir)
        assert not network.training
        assert card.name == "tiny-test-model"

    def test_truncated_weights(self, model_copy: Path):
        weights = model_copy / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:1000])
        with pytest.raises(ModelError, match=r"model\.safetensors: sha256 .* does not match"):
            load_model(model_copy)

    def test_missing_weights(self, model_copy: Path):
        (model_copy / "model.safetensors").unlink()
        with pytest.raises(ModelError, match="weights file not found"):
            load_model(model_copy)

    def test_card_weights_mismatch(self, model_copy: Path, tmp_path: Path):
        from ichviewer.training.export import write_model_folder

        card = json.loads((model_copy / "metadata.json").read_text())
        card["architecture"]["name"] = "resnet18"
        other = write_model_folder(build_network("efficientnet_lite0", 3, 6), tmp_path / "other", card)
        with pytest.raises(ModelError, match="do not fit the card's architecture"):
            load_model(other)

    def test_unsafe_pickle_is_never_executed(self, model_copy: Path):
        """A pickle renamed to .safetensors (with a matching sha256) is refused, not unpickled."""
        import pickle

        from ichviewer.core.model import file_sha256

        weights = model_copy / "model.safetensors"
        weights.write_bytes(pickle.dumps({"a": 1}))
        card = json.loads((model_copy / "metadata.json").read_text())
        card["weights"]["sha256"] = file_sha256(weights)
        (model_copy / "metadata.json").write_text(json.dumps(card))
        with pytest.raises(ModelError, match="unreadable weights"):
            load_model(model_copy)


class TestBuildNetwork:
    @pytest.mark.parametrize("architecture", ["efficientnet_lite0", "resnet18"])
    def test_outputs_and_grad_cam_layer(self, architecture: str):
        import torch

        network = build_network(architecture, 9, 6).eval()
        with torch.inference_mode():
            assert network(torch.zeros(2, 9, 64, 64)).shape == (2, 6)
        assert isinstance(target_layer(network, architecture), torch.nn.Module)

    def test_lite0_has_no_squeeze_excitation(self):
        from torchvision.ops.misc import SqueezeExcitation

        network = build_network("efficientnet_lite0", 3, 6)
        assert not any(isinstance(m, SqueezeExcitation) for m in network.modules())

    def test_unknown_architecture(self):
        with pytest.raises(ModelError, match="unknown architecture"):
            build_network("vit_h_14", 3, 6)
