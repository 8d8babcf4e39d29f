"""Label-free checks with the bundled model: no bleed in any of these, and thickness must not change the answer."""

from __future__ import annotations

import pytest

from ichviewer.training.label_free import DCM_QA_SERIES, decision, synthetic_pair
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def classifier():  # type: ignore[no-untyped-def]
    from ichviewer.core.inference import Classifier

    return Classifier(device="cpu")


@pytest.mark.slow
def test_one_normal_head_at_5mm_and_at_0625mm_is_not_detected_either_way(classifier) -> None:  # type: ignore[no-untyped-def]
    """The thin series carries √8 times the noise of the thick one (what thin slices have)."""
    said = {name: decision(volume, classifier) for name, volume in synthetic_pair().items()}
    assert said["phantom_5mm"]["decision"] == said["phantom_0.625mm"]["decision"] == "not detected", said


@pytest.mark.realdata
def test_the_plastic_head_phantom_is_never_a_bleed_at_5mm_or_at_1mm(classifier) -> None:  # type: ignore[no-untyped-def]
    from ichviewer.core.study_loading import load_study

    data = shared_data("dcm_qa_ct").parent
    said = {
        name: decision(load_study(data / DCM_QA_SERIES[name])[1], classifier)
        for name in ("philips_phantom_5mm", "philips_phantom_1mm")
    }
    for name, answer in said.items():
        assert answer["decision"] in ("not applicable", "not detected") and answer["flagged_slices"] == 0, (
            name,
            answer,
        )
    assert said["philips_phantom_5mm"]["decision"] == said["philips_phantom_1mm"]["decision"]
