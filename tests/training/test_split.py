"""The committed split: reproducible from its recipe, disjoint, and holding what the test needs."""

from __future__ import annotations

import csv
import random
from collections import Counter

import pytest

from ichviewer.training.split import RSNA_TEST_POSITIVE, load_split, make_split, members, phantom_seeds, stratified
from tests.conftest import shared_data


class TestStratified:
    def test_every_stratum_split_and_rare_combinations_merged(self):
        items = {f"n{k}": (0, 0) for k in range(100)}
        items |= {f"a{k}": (1, 0) for k in range(40)}
        items |= {f"r{k}": (1, 1) for k in range(16)}  # rare: merged by its rarest label, still spread
        out = stratified(items, random.Random(0))
        assert sorted(sum(out.values(), [])) == sorted(items)
        for prefix, n_hold in (("n", 15), ("a", 6), ("r", 3)):
            assert sum(k.startswith(prefix) for k in out["val"]) == n_hold
            assert sum(k.startswith(prefix) for k in out["test"]) == n_hold

    def test_seeded(self):
        items = {f"i{k}": (k % 2,) for k in range(50)}
        assert stratified(items, random.Random(5)) == stratified(dict(items), random.Random(5))


class TestCommittedSplit:
    def test_parts_are_disjoint(self):
        split = load_split()
        for source in ("rsna_dicom", "rsna_png", "head_ct"):
            parts = [set(members(split, source, p)) for p in ("train", "val", "test")]
            assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
        seeds = [set(phantom_seeds(split, p)) for p in ("train", "val", "test")]
        assert not (seeds[0] & seeds[1] or seeds[0] & seeds[2] or seeds[1] & seeds[2])
        assert list(phantom_seeds(split, "test")) == list(range(10_000, 10_020))

    def test_required_studies_are_test(self):
        test = set(members(load_split(), "rsna_dicom", "test"))
        assert set(RSNA_TEST_POSITIVE) <= test and len(test) == 8
        assert "recipe" in load_split()


@pytest.mark.realdata
class TestMakeSplit:
    def test_recipe_reproduces_the_committed_file(self):
        assert make_split(shared_data("rsna_dicom").parent) == load_split()

    def test_counts_on_the_real_data(self):
        data = shared_data("rsna_dicom").parent
        split = load_split()
        rows = list(csv.DictReader(open(data / "rsna_dicom" / "labels.csv")))
        test = set(members(split, "rsna_dicom", "test"))
        assert sum(int(r["any"]) for r in rows if r["study"] in test) >= 30
        png = {r["image_id"]: r for r in csv.DictReader(open(data / "rsna_png" / "labels.csv"))}
        epidural = Counter(
            p for p in ("train", "val", "test") for i in members(split, "rsna_png", p) if png[i]["epidural"] == "1"
        )
        assert epidural == {"train": 10, "val": 3, "test": 3}
        assert [len(members(split, "head_ct", p)) for p in ("train", "val", "test")] == [140, 30, 30]
