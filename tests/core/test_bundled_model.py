"""The bundled model: an honest card, and it finds the phantom's bleeds (figures printed with -s)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ichviewer.core.labels import LABEL_KEYS, SUBTYPE_KEYS
from ichviewer.core.model import default_model_dir, file_sha256
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def card() -> dict:
    return json.loads((default_model_dir() / "metadata.json").read_text(encoding="utf-8"))


def test_card_states_weights_data_thresholds_and_test_figures(card) -> None:
    weights = default_model_dir() / card["weights"]["file"]
    assert weights.suffix == ".safetensors" and weights.stat().st_size <= 50 * 2**20
    assert file_sha256(weights) == card["weights"]["sha256"]
    assert card["network_data_format"]["outputs"]["pred"]["labels"] == list(LABEL_KEYS)
    calibration = card["score_calibration"]
    assert set(calibration["raw_thresholds"]) == set(LABEL_KEYS) and set(card["thresholds"].values()) == {0.5}
    assert "validation" in card["threshold_rule"].lower() and "study-level" in card["threshold_rule"]
    assert card["network_data_format"]["inputs"]["image"]["slab_mm"] == 5.0
    training = card["training"]
    assert any(c.startswith("python -m ichviewer.training.slab_train") for c in training["commands"])
    assert training["chosen_seed"] in training["seeds"] and training["data"]["ct_ich"]["train"]["stacks"] > 0
    assert "test" not in {part for source in training["data"].values() for part in source}  # the test split is sealed
    assert card["validation"]["scanner_looks"]["clean"]["study_sensitivity"] is not None
    metrics = card["metrics"]
    assert "TEST split" in metrics["note"] and metrics["cpu_speed"]["slices_per_s"] > 0
    for name in ("rsna_dicom_slices", "ct_ich_slices", "real_studies"):
        any_label = metrics["sets"][name]["labels"]["any"]
        assert any_label["positives"] > 0 and any_label["negatives"] > 0 and len(any_label["auc_ci95"]) == 2
    assert set(metrics["label_free_checks"]) >= {"phantom_5mm", "phantom_0.625mm"}
    assert "not for clinical use" in card["intended_use"].lower()


def test_flags_the_phantom_hemorrhages_per_subtype(capsys) -> None:
    """Slice-level sensitivity and specificity per subtype on phantoms the model never saw (test seeds)."""
    from ichviewer.core.inference import Classifier
    from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
    from ichviewer.training.datasets import Stack, as_volume

    classifier = Classifier(device="cpu")
    truth, flags = [], []
    for seed in (10001, 10002, 10003):  # test seeds (split.json: phantom test 10000-10019); all five subtypes each
        phantom = generate_phantom(
            PhantomSpec(seed=seed, n_slices=32, size=256, pixel_mm=230 / 256, subtypes=SUBTYPE_KEYS)
        )
        pixel = (phantom.spec.pixel_mm, phantom.spec.pixel_mm)
        result = classifier.predict(as_volume(Stack("phantom", f"phantom-{seed}", phantom.hu, (), pixel_spacing=pixel)))
        truth.append(phantom.slice_labels.astype(bool))
        flags.append(result.flags)
    truth_all, flags_all = np.concatenate(truth), np.concatenate(flags)
    lines, figures = [], {}
    for k, key in enumerate(LABEL_KEYS):
        t, f = truth_all[:, k], flags_all[:, k]
        sens = (t & f).sum() / max(t.sum(), 1)
        spec = (~t & ~f).sum() / max((~t).sum(), 1)
        figures[key] = (sens, spec)
        lines.append(
            f"{key:<17} sens {sens:.2f} ({(t & f).sum()}/{t.sum()})  spec {spec:.2f} ({(~t & ~f).sum()}/{(~t).sum()})"
        )
    with capsys.disabled():
        print("\nbundled model on 3 phantom test studies (96 slices, slice level):\n  " + "\n  ".join(lines))
    assert figures["any"][0] >= 0.9 and figures["any"][1] >= 0.5
    for key in SUBTYPE_KEYS:
        assert figures[key][0] >= 0.5, f"{key}: the model misses most phantom {key} slices"


@pytest.mark.slow
@pytest.mark.realdata
def test_evaluate_check_reproduces_the_card(tmp_path) -> None:
    """`ichviewer evaluate --check` on the committed split gives the card's figures (±0.005)."""
    from ichviewer.training.evaluate import main

    data = shared_data("rsna_dicom").parent
    assert main(["--data", str(data), "--out", str(tmp_path), "--check", "--device", "cpu"]) == 0
