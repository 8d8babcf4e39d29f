"""The training pack: quantisation, byte planes, contents and size, built from a tiny data folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ichviewer.core.preprocess import resized_hu
from ichviewer.training.pack import (
    EXACT_RANGE,
    PACK_LIMIT,
    build_pack,
    join_bytes,
    pack_counts,
    quantise,
    read_pack,
    split_bytes,
    training_input,
)
from ichviewer.training.split import load_split
from tests.conftest import shared_data


class TestQuantise:
    def test_exact_inside_soft_tissue_range_steps_of_8_outside(self):
        hu = np.array([-1024.0, -300.2, -100.4, 0.6, 80.0, 299.6, 301.0, 1234.0, 3000.0])
        q = quantise(hu)
        assert q.dtype == np.int16
        assert q[2:6].tolist() == [-100, 1, 80, 300]
        low, high = q[(hu < EXACT_RANGE[0]) & (hu > -1000)], q[hu > EXACT_RANGE[1]]
        assert np.all((low + 100) % 8 == 0) and np.all((high - 300) % 8 == 0)
        assert np.all(np.abs(q - hu) <= 4.5) and q[0] == -1024  # air stays at the floor


class TestByteplanes:
    def test_round_trip(self):
        hu = np.random.default_rng(0).integers(-1024, 3072, (3, 1, 8, 8)).astype(np.int16)
        planes = split_bytes(hu)
        assert planes.dtype == np.uint8 and planes.shape == (2, *hu.shape)
        assert np.array_equal(join_bytes(planes), hu)


class TestBuildPack:
    def test_train_and_val_only_resized_like_inference(self, tiny_data, tmp_path):
        data, split_path = tiny_data
        split = load_split(split_path)
        spec = training_input(size=32)
        meta = build_pack(data, tmp_path / "pack.npz", spec, split)
        pack = read_pack(tmp_path / "pack.npz")
        assert set(pack["split"]) == {"train", "val"}  # test data never leaves the machine
        assert pack["hu"].shape == (len(pack["id"]), 1, 32, 32) and pack["hu"].dtype == np.int16
        # rsna_dicom: 3 labelled slices per study, train aaaa + bbbb, val cccc
        dicom = pack["source"] == "rsna_dicom"
        assert sorted(set(pack["group"][dicom])) == ["aaaa000001", "bbbb000002", "cccc000003"]
        assert meta["counts"]["rsna_dicom"]["train"] == {
            "slices": 6,
            "any": 2,
            "epidural": 0,
            "intraparenchymal": 2,
            "intraventricular": 0,
            "subarachnoid": 0,
            "subdural": 0,
        }
        assert meta["counts"]["head_ct"]["val"] == {"slices": 2, "any": 1}  # only "any" is known for head_ct
        assert json.loads(json.dumps(pack["meta"]))["size"] == 32
        # the stored slice is what inference computes for it
        from ichviewer.training.datasets import read_image_folder

        (stack,) = read_image_folder(data / "rsna_png", source="rsna_png", ids=["ID_png0000"])
        row = list(pack["id"]).index("ID_png0000")
        expected = quantise(resized_hu(stack.hu, 0, spec)[0].numpy())
        assert np.array_equal(pack["hu"][row], expected)
        assert pack["mask"][pack["source"] == "head_ct"][:, 1:].sum() == 0

    def test_counts(self):
        labels = np.array([[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0]])
        mask = np.zeros((3, 6), dtype=bool)
        mask[:, 0] = True
        mask[2, 1] = True
        counts = pack_counts(["a", "a", "b"], ["train", "val", "train"], labels, mask)
        assert counts == {
            "a": {"train": {"slices": 1, "any": 1}, "val": {"slices": 1, "any": 0}},
            "b": {"train": {"slices": 1, "any": 1, "epidural": 1}},
        }


@pytest.mark.realdata
@pytest.mark.slow
class TestRealPack:
    def test_fits_the_carry_limit(self, tmp_path):
        data = shared_data("rsna_dicom").parent
        meta = build_pack(data, tmp_path / "pack.npz")
        assert meta["bytes"] <= PACK_LIMIT
        assert meta["counts"]["rsna_dicom"]["train"]["slices"] + meta["counts"]["rsna_dicom"]["val"]["slices"] == 411
        assert "test" not in read_pack(tmp_path / "pack.npz")["split"]
