"""`ichviewer evaluate`: the model's figures on the TEST split only, per source, with counts and CIs.

rsna_dicom studies go through the viewer's own path (index → load_volume → Classifier.predict),
so the figures describe what the app does; single images go through the same `predict` on a
one-slice volume. Per source and label: AUC with a bootstrap 95 % CI (1000 resamples of
studies for rsna_dicom slices, of images elsewhere), sensitivity and specificity at the card's
threshold with TP/FN/TN/FP, and the RSNA weighted log loss; rsna_dicom also per study (highest
slice score). Phantom figures are reported separately. Deterministic (seeded bootstrap), so
`--check` can compare with the card and `--write-card` fills the card's metrics from here.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ichviewer.core.devices import DEVICES
from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.labels import label as label_info
from ichviewer.core.progress import Progress
from ichviewer.training.datasets import Stack, as_volume, read_cq500, read_image_folder, read_phantom, read_rsna
from ichviewer.training.metrics import auc, bootstrap_auc, counts_at, weighted_log_loss
from ichviewer.training.predictions import Predictions
from ichviewer.training.split import SPLIT_FILE, load_split, members, phantom_seeds

if TYPE_CHECKING:
    from ichviewer.core.inference import Classifier

BOOTSTRAP = 1000
BOOTSTRAP_SEED = 0
TOLERANCE = 0.005
REAL_SETS = (
    "rsna_dicom_slices",
    "rsna_dicom_studies",
    "ct_ich_slices",
    "ct_ich_studies",
    "real_studies",
    "rsna_png",
    "head_ct",
)


def _collect(name: str, unit: str, rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, str, str]]) -> Predictions:
    if not rows:
        raise ValueError(f"no test rows for {name}")
    scores, labels, mask, groups, ids = zip(*rows, strict=True)
    return Predictions(name, unit, np.stack(scores), np.stack(labels), np.stack(mask), np.array(groups), np.array(ids))


def predict_stacks(
    classifier: Classifier, stacks: list[Stack] | Any, name: str, unit: str, study_name: str | None = None
) -> list[Predictions]:
    """Score every stack with Classifier.predict; slice rows, plus study rows (highest slice score) when asked."""
    missing = [k for k in LABEL_KEYS if k not in classifier.card.labels]
    if missing:
        raise ValueError(f"{classifier.card.folder}: the model does not predict {missing}")
    columns = [classifier.card.labels.index(k) for k in LABEL_KEYS]
    slice_rows, study_rows = [], []
    for stack in stacks:
        scores = classifier.predict(as_volume(stack)).scores[:, columns]
        for s in stack.slices:
            slice_rows.append((scores[s.index], s.labels, s.mask, stack.group, s.id))
        if study_name is not None:
            study_rows.append((scores.max(axis=0), *stack.study_truth(), stack.group, stack.group))
    out = [_collect(name, unit, slice_rows)] if slice_rows else []
    if study_name is not None:
        out.append(_collect(study_name, "study", study_rows))
    return out


def heldout_predictions(
    classifier: Classifier,
    data: Path,
    split: dict[str, Any],
    phantom_count: int,
    cq500: Path | None = None,
    progress: Progress | None = None,
) -> list[Predictions]:
    """Predictions on every test set: rsna_dicom slices and studies, rsna_png, head_ct, phantom, CQ500."""
    dicom = data / "rsna_dicom"
    stacks = read_rsna(dicom / "labels.csv", dicom, groups=members(split, "rsna_dicom", "test"), progress=progress)
    out = predict_stacks(classifier, stacks, "rsna_dicom_slices", "slice", study_name="rsna_dicom_studies")
    if "ct_ich" in split["sources"] and (data / "ct_ich").is_dir():
        from ichviewer.training.ct_ich import read_ct_ich

        studies = read_ct_ich(data / "ct_ich", members(split, "ct_ich", "test"))
        out += predict_stacks(classifier, studies, "ct_ich_slices", "slice", study_name="ct_ich_studies")
    for source in ("rsna_png", "head_ct"):
        images = read_image_folder(data / source, source=source, ids=members(split, source, "test"))
        out += predict_stacks(classifier, (_with_spacing(image) for image in images), source, "image")
    studies_sets = [p for p in out if p.name in ("rsna_dicom_studies", "ct_ich_studies")]
    if len(studies_sets) > 1:
        out.append(pooled("real_studies", studies_sets))
    if phantom_count:
        out += predict_stacks(
            classifier,
            read_phantom(phantom_seeds(split, "test", phantom_count)),
            "phantom",
            "slice",
            study_name="phantom_studies",
        )
    if cq500 is not None:
        out += predict_stacks(
            classifier, read_cq500(cq500, progress=progress), "cq500", "study", study_name="cq500_studies"
        )
    return out


def _with_spacing(stack: Stack) -> Stack:
    """Single images with the pixel size the slab pack gave them (none is stored with them)."""
    from dataclasses import replace

    from ichviewer.training.slab_pack import single_image_spacing

    return replace(stack, pixel_spacing=single_image_spacing(stack))


def pooled(name: str, sets: list[Predictions]) -> Predictions:
    """One set of several sets' rows (e.g. the real whole studies of every source)."""
    return Predictions(
        name,
        sets[0].unit,
        np.concatenate([p.scores for p in sets]),
        np.concatenate([p.labels for p in sets]),
        np.concatenate([p.mask for p in sets]),
        np.concatenate([p.groups for p in sets]),
        np.concatenate([p.ids for p in sets]),
    )


def _value(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 4)


def set_figures(pred: Predictions, thresholds: dict[str, float]) -> dict[str, Any]:
    """Per label: counts, AUC and its bootstrap CI, sensitivity/specificity at the threshold; the log loss."""
    out: dict[str, Any] = {
        "unit": pred.unit,
        "rows": len(pred.ids),
        "groups": len(np.unique(pred.groups)),
        "log_loss_rsna": _value(weighted_log_loss(pred.labels, pred.scores, pred.mask)),
        "labels": {},
    }
    for k, key in enumerate(LABEL_KEYS):
        known = pred.mask[:, k]
        if not known.any():
            continue
        y, s, g = pred.labels[known, k], pred.scores[known, k], pred.groups[known]
        low, high = bootstrap_auc(y, s, g, BOOTSTRAP, BOOTSTRAP_SEED)
        c = counts_at(y, s, thresholds[key])
        out["labels"][key] = {
            "positives": int((y > 0).sum()),
            "negatives": int((y == 0).sum()),
            "auc": _value(auc(y, s)),
            "auc_ci95": [_value(low), _value(high)],
            **c.to_json(),
        }
    return out


def all_figures(predictions: list[Predictions], thresholds: dict[str, float]) -> dict[str, Any]:
    return {p.name: set_figures(p, thresholds) for p in predictions}


def format_table(name: str, figures: dict[str, Any]) -> str:
    """A fixed-width table of one evaluation set, as printed."""
    head = (
        f"{name}: {figures['rows']} {figures['unit']} rows in {figures['groups']} groups, "
        f"RSNA weighted log loss {figures['log_loss_rsna']}"
    )
    lines = [
        head,
        f"  {'label':<17}{'pos':>5}{'neg':>6}{'AUC':>8}{'95% CI':>16}{'thr':>8}{'sens':>8}{'spec':>8}"
        f"{'TP':>5}{'FN':>5}{'TN':>6}{'FP':>5}",
    ]
    for key, f in figures["labels"].items():
        ci = "-" if f["auc_ci95"][0] is None else f"{f['auc_ci95'][0]:.3f}-{f['auc_ci95'][1]:.3f}"
        lines.append(
            f"  {label_info(key).name:<17}{f['positives']:>5}{f['negatives']:>6}{_fmt(f['auc']):>8}{ci:>16}"
            f"{f['threshold']:>8.3f}{_fmt(f['sensitivity']):>8}{_fmt(f['specificity']):>8}"
            f"{f['tp']:>5}{f['fn']:>5}{f['tn']:>6}{f['fp']:>5}"
        )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def compare(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Differences beyond TOLERANCE between two metric trees (numbers compared, keys must match)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        problems = [f"{path}/{k}: missing" for k in expected if k not in actual]
        return problems + [p for k in expected if k in actual for p in compare(expected[k], actual[k], f"{path}/{k}")]
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [p for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for p in compare(e, a, f"{path}[{i}]")]
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return [] if abs(expected - actual) <= TOLERANCE else [f"{path}: card {expected}, now {actual}"]
    return [] if expected == actual else [f"{path}: card {expected!r}, now {actual!r}"]


def write_card_metrics(model_dir: Path, figures: dict[str, Any], extra: dict[str, Any]) -> Path:
    """Put the evaluation figures into the card's "metrics" (the weights and their sha256 are unchanged)."""
    from ichviewer.core.model import CARD_FILE

    path = model_dir / CARD_FILE
    card = json.loads(path.read_text(encoding="utf-8"))
    card["metrics"] = {**extra, "sets": figures}
    path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ichviewer evaluate", description="Evaluate a model on the held-out test split.")
    p.add_argument("--model", type=Path, help="model folder (default: the bundled model)")
    p.add_argument(
        "--data", type=Path, default=Path("../shared/data"), help="folder with rsna_dicom, rsna_png, head_ct"
    )
    p.add_argument("--out", type=Path, default=Path(".train/evaluation"), help="metrics.json and roc.png go here")
    p.add_argument("--split", type=Path, default=SPLIT_FILE, help="split file (default: the committed one)")
    p.add_argument("--phantom", type=int, default=20, help="phantom test volumes (seeds from 10000; 0: none)")
    p.add_argument("--cq500", type=Path, help="also evaluate on CQ500 study folders + reads.csv (study level)")
    p.add_argument("--device", default="auto", choices=DEVICES)
    p.add_argument("--check", action="store_true", help="exit 1 when figures differ from the card's by more than 0.005")
    p.add_argument("--write-card", action="store_true", help="write the figures (and CPU speed) into the card")
    p.add_argument("--gradcam", type=Path, metavar="DIR", help="also write Grad-CAM grids and shortcut probes to DIR")
    return p


def main(argv: list[str] | None = None) -> int:
    from ichviewer.core.inference import Classifier
    from ichviewer.core.model import ModelError, default_model_dir

    args = build_parser().parse_args(argv)
    model_dir = args.model or default_model_dir()
    try:
        classifier = Classifier(model_dir, device=args.device)
    except ModelError as error:
        print(f"ichviewer evaluate: {error} (train one: ichviewer train --help)", file=sys.stderr)
        return 2
    card = classifier.card
    print(f"Model {card.title} ({model_dir}); test split of {args.data}")
    split = load_split(args.split)
    predictions = heldout_predictions(classifier, args.data, split, args.phantom, args.cq500)
    figures = all_figures(predictions, {k: card.threshold(k) for k in LABEL_KEYS})
    for name, f in figures.items():
        print(("\n[separate: synthetic] " if name.startswith("phantom") else "\n") + format_table(name, f))
    from ichviewer.training.label_free import label_free_checks

    checks = label_free_checks(classifier, args.data)
    print("\nlabel-free checks (no bleed in any):")
    for name, c in checks.items():
        print(
            f"  {name}: {c['decision']}{': ' + c['reason'] if c.get('reason') else ''}, {c['flagged_slices']} flagged"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "metrics.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    from ichviewer.training.roc_plot import write_roc_png

    write_roc_png(predictions, args.out / "roc.png", f"{card.title}: test split ROC")
    print(f"\nwrote {args.out / 'metrics.json'} and {args.out / 'roc.png'}")
    if args.gradcam:
        from ichviewer.training.shortcut_probe import shortcut_report

        print(shortcut_report(classifier, args.data, split, predictions, args.gradcam))
    status = 0
    if args.check:
        problems = compare(card.raw.get("metrics", {}).get("sets", {}), figures)
        problems += compare(card.raw.get("metrics", {}).get("label_free_checks", {}), checks, "/label_free_checks")
        if not card.raw.get("metrics", {}).get("sets"):
            problems.append("the card has no metrics (run evaluate --write-card)")
        print("check: figures match the card" if not problems else "check FAILED:\n  " + "\n  ".join(problems))
        status = 1 if problems else 0
    if args.write_card:
        from ichviewer.training.speed import cpu_speed

        speed = cpu_speed(model_dir)
        extra = {
            "note": "held-out TEST split (never used for training or for choosing thresholds); phantom is synthetic "
            "and reported separately",
            "evaluated": date.today().isoformat(),
            "command": "ichviewer evaluate --write-card",
            "bootstrap": f"{BOOTSTRAP} resamples of groups "
            "(studies for rsna_dicom slices, images elsewhere), percentile 95% CI, seed 0",
            "cpu_speed": speed,
            "label_free_checks": checks,
        }
        print(f"CPU speed: {speed['slices_per_s']} slices/s ({speed['detail']})")
        print(f"wrote {write_card_metrics(Path(model_dir), figures, extra)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
