"""Checks that need no labels: real scanner series without bleeds, and one synthetic head at two thicknesses.

- dcm_qa_ct: a plastic head phantom (Philips, 5 mm and 1 mm reconstructions of one scan) must be
  "not applicable" or "not detected" with no flagged slice, and both reconstructions must get the
  same study decision; a tilted GE human head is reported as seen (its pathology is unknown).
- the project's physical phantom of one normal head written at 5 mm and at 0.625 mm (with the
  noise thin slices have) must get the same decision, "not detected".
Each series goes through the app's own path (index, choose the series, load, score_volume).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ichviewer.core.inference import Classifier
    from ichviewer.core.volume import CTVolume

DCM_QA_SERIES = {
    "philips_phantom_5mm": "dcm_qa_ct/philips_head_phantom/S2010",
    "philips_phantom_1mm": "dcm_qa_ct/philips_head_phantom/S2020",
    "ge_tilted_human_head": "dcm_qa_ct/GE_human_tilted",
}


def decision(volume: CTVolume, classifier: Classifier) -> dict[str, Any]:
    """What the app says of one volume: applicable or not (why), verdict, flagged slices."""
    from ichviewer.core.applicability import NotApplicable
    from ichviewer.core.scoring import score_volume

    facts: dict[str, Any] = {"slices": volume.n_slices, "spacing_mm": round(float(volume.geometry.spacing), 2)}
    try:
        result = score_volume(volume, classifier, use_cache=False).result
    except NotApplicable as reason:
        return {**facts, "decision": "not applicable", "reason": str(reason), "flagged_slices": 0}
    study = result.study
    return {
        **facts,
        "decision": "suspected" if study.suspected else "not detected",
        "verdict": study.headline,
        "study_score": round(study.score, 4),
        "flagged_slices": study.flagged_slices,
    }


def synthetic_pair(seed: int = 10_007) -> dict[str, CTVolume]:
    """One normal physical phantom head written as 5 mm and as 0.625 mm slices (noise × √8)."""
    from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
    from ichviewer.training.datasets import Stack, as_volume

    out = {}
    for name, slice_mm, n, noise in (("phantom_5mm", 5.0, 30, 5.0), ("phantom_0.625mm", 0.625, 240, 5.0 * 8**0.5)):
        spec = PhantomSpec(
            seed=seed,
            n_slices=n,
            size=256,
            pixel_mm=0.9,
            slice_mm=slice_mm,
            noise_hu=noise,
            anatomy_step_mm=min(slice_mm, 1.25),
        )
        phantom = generate_phantom(spec)
        stack = Stack(
            "phantom",
            f"{name}-{seed}",
            phantom.hu,
            (),
            pixel_spacing=(0.9, 0.9),
            positions=np.arange(n, dtype=float) * slice_mm,
        )
        out[name] = as_volume(stack)
    return out


def label_free_checks(classifier: Classifier, data: Path | None) -> dict[str, Any]:
    """Every check's decision, by name (the dcm_qa_ct ones only where the data is present)."""
    from ichviewer.core.study_loading import load_study

    out = {name: decision(volume, classifier) for name, volume in synthetic_pair().items()}
    for name, folder in DCM_QA_SERIES.items():
        if data is not None and (data / folder).is_dir():
            out[name] = decision(load_study(data / folder)[1], classifier)
    return out
