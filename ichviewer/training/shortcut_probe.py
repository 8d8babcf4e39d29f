"""Shortcut probes on the test split: where the model looks (Grad-CAM grids) and whether image size predicts its score.

The real positives and negatives come from different sources, and head_ct's positives are
larger images than its negatives, so a network can score the source or the size instead of
the blood. For each source we save a grid of test slices (random positives, random negatives
and the highest-scored negatives) with the viewer's own Grad-CAM overlay, and measure the share
of Grad-CAM mass outside the head and in the image border. For head_ct we report how well
image size alone separates the labels and how the model's score follows size within a class.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import spearmanr

from ichviewer.core.gradcam import heatmaps
from ichviewer.core.preprocess import CropBox, crop_square, head_region
from ichviewer.core.windowing import PRESETS, apply_window
from ichviewer.training.datasets import Stack, as_volume, read_image_folder, read_rsna
from ichviewer.training.metrics import auc
from ichviewer.training.split import members

if TYPE_CHECKING:
    from ichviewer.core.inference import Classifier
    from ichviewer.training.predictions import Predictions

CELL = 224
BORDER = 0.06  # share of the image side counted as border
PER_KIND = {"positive": 4, "negative": 3, "top-scored negative": 2}


def cam_shares(hu: np.ndarray, cam: np.ndarray) -> tuple[float, float]:
    """(share of Grad-CAM mass outside the head, share in the outer 6 % border of the image)."""
    total = float(cam.sum())
    if total <= 0:
        return float("nan"), float("nan")
    border = np.ones(cam.shape, dtype=bool)
    by, bx = max(1, int(BORDER * cam.shape[0])), max(1, int(BORDER * cam.shape[1]))
    border[by:-by, bx:-bx] = False
    return float(cam[~head_region(hu)].sum() / total), float(cam[border].sum() / total)


def choose_examples(p: Predictions, seed: int = 0) -> list[tuple[str, int]]:
    """(kind, row) pairs: random positives, random negatives and the highest-scored negatives ('any')."""
    rng = np.random.default_rng(seed)
    known = p.mask[:, 0]
    positives = np.flatnonzero(known & (p.labels[:, 0] > 0))
    negatives = np.flatnonzero(known & (p.labels[:, 0] == 0))
    picked = [("positive", int(i)) for i in rng.permutation(positives)[: PER_KIND["positive"]]]
    random_neg = rng.permutation(negatives)[: PER_KIND["negative"]]
    picked += [("negative", int(i)) for i in random_neg]
    top = [i for i in negatives[np.argsort(-p.scores[negatives, 0], kind="stable")] if i not in random_neg]
    return picked + [("top-scored negative", int(i)) for i in top[: PER_KIND["top-scored negative"]]]


def _cell(hu: np.ndarray, cam: np.ndarray, caption: str) -> np.ndarray:
    """Brain-window slice beside the viewer's Grad-CAM overlay, captioned, as RGB (CELL, 2·CELL)."""
    from PIL import Image, ImageDraw

    from ichviewer.core.heatmap_colors import blend

    side = max(hu.shape)
    box = CropBox((hu.shape[0] - side) // 2, (hu.shape[1] - side) // 2, side)
    hu, cam = crop_square(hu, box), crop_square(cam, box, fill=0)
    grey = apply_window(np.ascontiguousarray(hu), PRESETS["brain"])
    both = np.concatenate([np.repeat(grey[..., None], 3, axis=2), blend(grey, cam, 0.55)], axis=1)
    image = Image.fromarray(both).resize((2 * CELL, CELL), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 2 * CELL, 14), fill=(0, 0, 0))
    draw.text((3, 1), caption, fill=(255, 255, 0))
    return np.asarray(image)


def _grid(cells: list[np.ndarray], path: Path, columns: int = 3) -> None:
    from PIL import Image

    rows = -(-len(cells) // columns)
    canvas = np.full((rows * (CELL + 4), columns * (2 * CELL + 4), 3), 40, dtype=np.uint8)
    for i, cell in enumerate(cells):
        y, x = (i // columns) * (CELL + 4), (i % columns) * (2 * CELL + 4)
        canvas[y : y + CELL, x : x + 2 * CELL] = cell
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(canvas).save(path)


def _test_stacks(data: Path, split: dict[str, Any], source: str) -> dict[str, Stack]:
    if source == "rsna_dicom":
        stacks = read_rsna(
            data / "rsna_dicom" / "labels.csv", data / "rsna_dicom", groups=members(split, source, "test")
        )
    else:
        stacks = read_image_folder(data / source, source=source, ids=members(split, source, "test"))
    return {s.group: s for s in stacks}


def gradcam_source(
    classifier: Classifier, data: Path, split: dict[str, Any], p: Predictions, source: str, out: Path
) -> dict[str, Any]:
    """Write `out/<source>.png` and return the Grad-CAM mass shares of the examples.

    Shares are summarised over the flagged examples (score ≥ the card's 'any' threshold): the map
    of a slice the model scores near 0 shows where the little evidence it found lies, not its focus.
    """
    stacks = _test_stacks(data, split, source)
    cells, shares = [], []
    for kind, row in choose_examples(p):
        stack = stacks[str(p.groups[row])]
        index = next(s.index for s in stack.slices if s.id == p.ids[row])
        cam = heatmaps(classifier, as_volume(stack), [index], "any")[index]
        outside, border = cam_shares(stack.hu[index], cam)
        shares.append(
            {
                "kind": kind,
                "id": str(p.ids[row]),
                "score": round(float(p.scores[row, 0]), 3),
                "outside_head": round(outside, 3),
                "border": round(border, 3),
            }
        )
        cells.append(_cell(stack.hu[index], cam, f"{kind} {p.ids[row]}  any {p.scores[row, 0]:.2f}"))
    _grid(cells, out / f"{source}.png")
    flagged = [s for s in shares if s["score"] >= classifier.card.threshold("any")]
    return {
        "png": str(out / f"{source}.png"),
        "examples": shares,
        "flagged": len(flagged),
        "mean_outside_head": _mean([s["outside_head"] for s in flagged]),
        "mean_border": _mean([s["border"] for s in flagged]),
    }


def _mean(values: list[float]) -> float | None:
    finite = [v for v in values if not np.isnan(v)]
    return round(float(np.mean(finite)), 3) if finite else None


def size_probe(data: Path, split: dict[str, Any], p: Predictions) -> dict[str, Any]:
    """head_ct test: AUC of image size alone, the model's AUC, and Spearman ρ of score vs size within each class."""
    sizes = {s.group: max(s.hu.shape[1:]) for s in _test_stacks(data, split, "head_ct").values()}
    size = np.array([sizes[str(g)] for g in p.groups], dtype=float)
    y, score = p.labels[:, 0], p.scores[:, 0]
    out: dict[str, Any] = {
        "images": len(y),
        "positives": int(y.sum()),
        "auc_model": round(auc(y, score), 3),
        "auc_size_alone": round(auc(y, size), 3),
    }
    for name, rows in (("positives", y > 0), ("negatives", y == 0)):
        rho = spearmanr(size[rows], score[rows]).statistic if rows.sum() > 2 else float("nan")
        out[f"spearman_score_vs_size_{name}"] = round(float(rho), 3)
    median = np.median(size)
    for name, rows in (("small", size <= median), ("large", size > median)):
        out[f"auc_{name}_images"] = round(auc(y[rows], score[rows]), 3)
        out[f"{name}_images"] = f"{int(rows.sum())} ({int(y[rows].sum())} positive)"
    return out


def shortcut_report(
    classifier: Classifier, data: Path, split: dict[str, Any], predictions: list[Predictions], out: Path
) -> str:
    """Grad-CAM grids for the real test sources and the size probe; writes shortcut.json, returns a summary."""
    import json

    by_name = {p.name: p for p in predictions}
    report = {
        source: gradcam_source(classifier, data, split, by_name[name], source, out)
        for source, name in (("rsna_dicom", "rsna_dicom_slices"), ("rsna_png", "rsna_png"), ("head_ct", "head_ct"))
    }
    report["head_ct_size_probe"] = size_probe(data, split, by_name["head_ct"])
    (out / "shortcut.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = [f"Shortcut probes (test split), written to {out}:"]
    for source in ("rsna_dicom", "rsna_png", "head_ct"):
        r = report[source]
        lines.append(
            f"  {source}: Grad-CAM mass outside the head {r['mean_outside_head']}, in the border "
            f"{r['mean_border']} (mean over the {r['flagged']} flagged of {len(r['examples'])} examples) → {r['png']}"
        )
    lines.append(f"  head_ct size probe: {report['head_ct_size_probe']}")
    return "\n".join(lines)
