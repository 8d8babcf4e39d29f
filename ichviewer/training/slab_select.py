"""Pick the seed, choose the operating points on validation, measure robustness, write the model folder.

All on the validation split (never test):
- seed: the lowest validation loss on the clean views of real stacks (the training criterion);
- "any" (the study decision, and so every slice flag): the highest threshold whose study-level
  sensitivity is ≥ 0.95 over the real validation studies seen through every named scanner look
  (a bleed must stay caught on other scanners), then the specificity that leaves;
- subtypes: Youden's J on the validation slabs (clean views of real sources) with ≥ 10 positives,
  else 0.5 (not tuned);
- robustness: per named look, slab AUC("any") and study sensitivity/specificity at that point.
The network's final logits are then shifted so every threshold reads 0.5 (monotone: no figure
changes), and the card records data counts, seeds, rules and these validation figures.

`python -m ichviewer.training.slab_select --slabs .train/slabs --runs .train/seq --out models/ichnet-slab`
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.model import SLAB_SEQUENCE, build_network
from ichviewer.core.slab_network import SlabSequenceNet
from ichviewer.training.export import card_template, write_model_folder
from ichviewer.training.metrics import MIN_TUNING_POSITIVES, auc, counts_at, youden_threshold
from ichviewer.training.slab_pack import MM_PER_PIXEL, SIZE
from ichviewer.training.slab_train import StudyViews, load_slabs, study_logits, validation_loss

STUDY_SENSITIVITY = 0.95
WHOLE_STUDIES = ("ct_ich", "rsna_dicom")
THRESHOLD_RULE = (
    f"Chosen on the validation split: 'any' = the highest threshold keeping study-level sensitivity >= "
    f"{STUDY_SENSITIVITY:.2f} over the real validation studies (CT-ICH and RSNA) seen through every named scanner "
    f"look (clean, noise, kernels, pixel size, head size, rotation, position, tilt, partial field of view, beam "
    f"hardening, 8-bit window, JPEG); a slice is flagged when its 'any' score reaches it, and a study is suspected "
    f"when one of its slices is flagged. Each subtype = Youden's J on validation slabs (clean, real sources) when "
    f"they hold >= {MIN_TUNING_POSITIVES} positives, else 0.5 (not tuned); subtypes are shown on flagged slices only."
)


def predict(net: SlabSequenceNet, study: StudyViews, view: int) -> np.ndarray:
    """Final sigmoid scores (L, 6) of one view of a stack."""
    with torch.inference_mode():
        _, final = study_logits(net, torch.from_numpy(study.maps[view].astype(np.float32)))
    return torch.sigmoid(final).numpy()


def choose_any(net: SlabSequenceNet, val: list[StudyViews]) -> tuple[float, dict[str, Any]]:
    """The study-level 'any' threshold over every (real study, named look) pair, and its counts."""
    truth, score = [], []
    for study in (s for s in val if s.source in WHOLE_STUDIES):
        for view in range(len(study.views)):
            truth.append(study.study_truth()[0][0])
            score.append(float(predict(net, study, view)[:, 0].max()))
    t, s = np.array(truth), np.array(score)
    positives = np.sort(s[t > 0])[::-1]
    threshold = float(positives[max(0, math.ceil(STUDY_SENSITIVITY * len(positives)) - 1)])
    threshold = math.floor(threshold * 1e4) / 1e4
    counts = counts_at(t, s, threshold).to_json()
    return threshold, {"unit": "study × scanner look", "rows": len(t), "auc": round(auc(t, s), 4), **counts}


def choose_subtypes(net: SlabSequenceNet, val: list[StudyViews]) -> tuple[dict[str, float], dict[str, Any]]:
    """Youden thresholds per subtype on clean validation slabs of real sources."""
    rows = [(predict(net, s, 0), s.labels, s.known) for s in val if s.source != "phantom"]
    prob = np.concatenate([r[0] for r in rows])
    truth = np.concatenate([r[1] for r in rows])
    known = np.concatenate([r[2] for r in rows])
    out, detail = {}, {}
    for k, key in enumerate(LABEL_KEYS[1:], start=1):
        y, p = truth[known[:, k], k], prob[known[:, k], k]
        n_pos = int((y > 0).sum())
        value = youden_threshold(y, p) if MIN_TUNING_POSITIVES <= n_pos < len(y) else 0.5
        out[key] = math.floor(float(value) * 1e4) / 1e4
        rule = "Youden's J" if value != 0.5 else f"default: {n_pos} validation positives"
        detail[key] = {
            "rule": rule,
            "positives": n_pos,
            "auc": _round(auc(y, p)),
            **counts_at(y, p, out[key]).to_json(),
        }
    return out, detail


def robustness(net: SlabSequenceNet, val: list[StudyViews], threshold: float) -> dict[str, Any]:
    """Per named look on the real validation studies: slab AUC('any'), study sensitivity and specificity."""
    out: dict[str, Any] = {}
    studies = [s for s in val if s.source in WHOLE_STUDIES]
    for name in studies[0].views if studies else []:
        slab_t, slab_s, study_t, study_s = [], [], [], []
        for study in studies:
            prob = predict(net, study, study.views.index(name))
            known = study.known[:, 0]
            slab_t.append(study.labels[known, 0])
            slab_s.append(prob[known, 0])
            study_t.append(study.study_truth()[0][0])
            study_s.append(float(prob[:, 0].max()))
        c = counts_at(np.array(study_t), np.array(study_s), threshold)
        out[name] = {
            "slab_auc_any": _round(auc(np.concatenate(slab_t), np.concatenate(slab_s))),
            "study_sensitivity": _round(c.sensitivity),
            "study_specificity": _round(c.specificity),
            "studies": f"{c.tp}/{c.tp + c.fn} bleeds caught, {c.tn}/{c.tn + c.fp} normals clear",
        }
    return out


def data_counts(folder: Path) -> dict[str, Any]:
    """Stacks, slabs and positive slabs per source and split part (from the pack's clean views)."""
    out: dict[str, Any] = {}
    for part in ("train", "val"):
        for s in load_slabs(folder, part):
            row = out.setdefault(s.source, {}).setdefault(part, Counter())
            row["stacks"] += 1
            row["slabs"] += s.length
            for k, key in enumerate(LABEL_KEYS):
                row[f"{key}_positive_slabs"] += int((s.labels[:, k] > 0).sum())
            row["studies_with_bleed"] += int(s.study_truth()[0][0] > 0)
    return {src: {part: dict(c) for part, c in parts.items()} for src, parts in out.items()}


def _round(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def centre(net: SlabSequenceNet, thresholds: dict[str, float]) -> dict[str, float]:
    """Shift the final logits so each threshold reads 0.5; the offsets."""
    offsets = {}
    with torch.no_grad():
        for k, key in enumerate(LABEL_KEYS):
            t = min(max(thresholds[key], 1e-6), 1 - 1e-6)
            offsets[key] = round(-math.log(t / (1 - t)), 6)
            net.offset[k] += offsets[key]
    return offsets


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--slabs", type=Path, default=Path(".train/slabs"))
    p.add_argument("--runs", type=Path, default=Path(".train/seq"))
    p.add_argument("--out", type=Path, default=Path("models/ichnet-slab"))
    p.add_argument("--version", default="2.0.0")
    args = p.parse_args(argv)
    val = load_slabs(args.slabs, "val")
    net = build_network(SLAB_SEQUENCE, 9, len(LABEL_KEYS))
    assert isinstance(net, SlabSequenceNet)
    seeds = {}
    for path in sorted(args.runs.glob("seed*.pt")):
        net.load_state_dict(torch.load(path, map_location="cpu"))
        seeds[path.stem] = validation_loss(net, val)
        print(f"{path.stem}: validation loss {seeds[path.stem]:.4f}")
    best = min(seeds, key=seeds.__getitem__)
    net.load_state_dict(torch.load(args.runs / f"{best}.pt", map_location="cpu"))
    net.eval()
    any_threshold, any_detail = choose_any(net, val)
    subtypes, subtype_detail = choose_subtypes(net, val)
    thresholds = {"any": any_threshold, **subtypes}
    looks = robustness(net, val, any_threshold)
    print(json.dumps({"thresholds": thresholds, "any": any_detail, "robustness": looks}, indent=1))
    offsets = centre(net, thresholds)
    card = slab_card(args, thresholds, offsets)
    log = json.loads((args.runs / f"{best}.json").read_text())
    card["training"] = {
        "method": "trunk (EfficientNet-Lite0 stages 0-6), stages 7-8 and the slab head frozen from the slice model "
        "ichnet-lite0 1.0.0 (trained on an H100 on rsna_dicom/rsna_png/head_ct train + phantoms; neighbour fusion "
        "zero); trunk maps computed once on the CPU (ichviewer.training.slab_pack, a clean view and 3 random scanner "
        "looks per train stack), then only the bi-GRU sequence model trained on whole studies "
        "(ichviewer.training.slab_train --train sequence)",
        "commands": [
            "python -m ichviewer.training.slab_pack --data ../shared/data --out .train/slabs",
            "python -m ichviewer.training.slab_train --slabs .train/slabs --out .train/seq "
            f"--seeds {log['args'].get('seeds')} --epochs {log['args'].get('epochs')} --lr {log['args'].get('lr')} "
            f"--train {log['args'].get('train')}",
            "python -m ichviewer.training.slab_select --slabs .train/slabs --runs .train/seq --out models/ichnet-slab",
        ],
        "seeds": {k: round(v, 4) for k, v in seeds.items()},
        "chosen_seed": best,
        "epochs": log["log"],
        "data": data_counts(args.slabs),
    }
    card["validation"] = {
        "note": "validation split, used to pick the seed and the thresholds (not a test result)",
        "any_study_level": any_detail,
        "subtypes_slab_level": subtype_detail,
        "scanner_looks": looks,
    }
    write_model_folder(net, args.out, card)
    print(f"wrote {args.out}")
    return 0


def slab_card(args: argparse.Namespace, thresholds: dict[str, float], offsets: dict[str, float]) -> dict[str, Any]:
    card = card_template(args.out.name, args.version, architecture=SLAB_SEQUENCE, size=SIZE, context_slices=1)
    image = card["network_data_format"]["inputs"]["image"]
    image["mm_per_pixel"] = MM_PER_PIXEL
    image["slab_mm"] = 5.0
    image["channel_order"] = [c.replace("slice", "slab") for c in image["channel_order"]]
    card["task"] = (
        "study- and slice-level detection of intracranial hemorrhage and its five subtypes on axial non-contrast "
        "head CT: 5 mm slabs along the slice normal on a 0.85 mm grid, each with the slab below and above, and a "
        "bidirectional GRU over the study"
    )
    card["thresholds"] = {k: 0.5 for k in LABEL_KEYS}
    card["threshold_rule"] = THRESHOLD_RULE
    card["score_calibration"] = {
        "note": "the final logits are shifted per label (network 'offset') so that each threshold chosen on the "
        "validation split maps to a score of 0.5; monotone (AUC, sensitivity and specificity unchanged), not "
        "calibrated probabilities",
        "raw_thresholds": thresholds,
        "logit_offsets": offsets,
    }
    return card


if __name__ == "__main__":
    raise SystemExit(main())
