"""Training rows: balanced sampling per source and label, limits, phantom rows."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.training.pack import training_input
from ichviewer.training.train_data import TrainingRows, limit_rows, parse_shares, phantom_rows, sampling_weights


def rows(sources: list[str]) -> TrainingRows:
    n = len(sources)
    labels = np.zeros((n, 6), dtype=np.float32)
    return TrainingRows(
        np.zeros((n, 1, 4, 4), np.int16),
        labels,
        np.ones((n, 6), bool),
        np.array(sources),
        np.array([f"g{k}" for k in range(n)]),
        np.array([f"i{k}" for k in range(n)]),
        np.array(["train"] * n),
    )


class TestParseShares:
    def test_pairs(self):
        assert parse_shares("rsna_dicom=0.3, head_ct=0.2,") == {"rsna_dicom": 0.3, "head_ct": 0.2}


class TestSamplingWeights:
    def test_source_shares_and_half_positive_within_each_source(self):
        source = np.array(["a"] * 100 + ["b"] * 10)
        positive = np.zeros(110, dtype=bool)
        positive[:5] = True  # a: 5 % positive
        positive[100:106] = True  # b: 60 % positive
        w = sampling_weights(source, positive, {"a": 0.6, "b": 0.2, "absent": 0.2}, 0.5)
        assert np.isclose(w.sum(), 1.0)
        assert np.isclose(w[source == "a"].sum(), 0.75) and np.isclose(w[source == "b"].sum(), 0.25)
        for s in ("a", "b"):
            r = source == s
            assert np.isclose(w[r & positive].sum() / w[r].sum(), 0.5)  # the source says nothing about the label

    def test_single_class_source_is_uniform(self):
        w = sampling_weights(np.array(["a", "a"]), np.array([False, False]), {"a": 1.0}, 0.5)
        assert np.allclose(w, [0.5, 0.5])

    def test_source_without_share_is_an_error(self):
        with pytest.raises(ValueError, match="no sampling share given for source"):
            sampling_weights(np.array(["a", "z"]), np.array([False, True]), {"a": 1.0}, 0.5)


class TestTrainingRows:
    def test_limit_per_source_and_concat(self):
        r = rows(["a"] * 5 + ["b"] * 2)
        limited = limit_rows(r, 3, seed=0)
        assert sorted(limited.source.tolist()) == ["a", "a", "a", "b", "b"]
        both = TrainingRows.concat([limited, r])
        assert len(both) == 12 and both.hu.shape == (12, 1, 4, 4)
        assert rows(["rsna_dicom", "rsna_png", "phantom"]).has_hu.tolist() == [True, False, True]


class TestPhantomRows:
    def test_seeds_become_rows_in_their_split(self):
        spec = training_input(size=32)
        out = phantom_rows({"train": range(0, 1), "val": range(9000, 9001)}, spec, phantom_size=96, workers=1)
        assert out is not None and out.hu.shape[1:] == (1, 32, 32)
        assert set(out.split) == {"train", "val"} and set(out.group) == {"phantom-0", "phantom-9000"}
        assert out.mask.all()

    def test_no_seeds_no_rows(self):
        assert phantom_rows({"train": range(0), "val": range(0)}, training_input(size=32), 96) is None
