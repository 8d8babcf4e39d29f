"""The fixed train/val/test split (split.json, committed), and the seeded recipe that made it.

Run once: `python -m ichviewer.training.split --data ../shared/data` rewrites split.json; the
test `test_split.py` checks that the recipe still reproduces the committed file.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.training.datasets import image_files, read_rows

SPLIT_FILE = Path(__file__).with_name("split.json")
SEED = 2019
SPLITS = ("train", "val", "test")
# rsna_dicom: the only real-HU study with SAH/SDH/IVH, and two more positive studies, are test.
RSNA_TEST_POSITIVE = ("74f2e4ee2b", "fbd067e39a", "a40e615e1b")
RSNA_VAL_POSITIVE = ("8881b1c4b1",)
RSNA_TEST_NEGATIVES = 5
RSNA_VAL_NEGATIVES = 2
HOLDOUT = 0.15  # val and test share of each stratum of the image sources (rounded up)
MIN_STRATUM = 20  # label combinations rarer than this are merged by their rarest label
CT_ICH_HOLDOUT = {"test": (5, 6), "val": (5, 6)}  # (patients with a bleed, normal patients) per part
PHANTOM_SEEDS = {"train": (0, 9_000), "val": (9_000, 9_010), "test": (10_000, 10_020)}
RECIPE = (
    "rsna_dicom by study: test = 74f2e4ee2b (only real-HU study with SAH/SDH/IVH), fbd067e39a, a40e615e1b "
    "+ 5 seeded negative studies; val = 8881b1c4b1 + 2 seeded negative studies; the rest train. "
    "rsna_png and head_ct by image (one image per patient as far as known), stratified by label combination "
    "(combinations with < 20 images merged by their rarest label); val and test each get ceil(15%) of every "
    "stratum, the rest train. Phantom by seed: train seeds from 0 (below 9000), val 9000-9009, test 10000-10019. "
    "ct_ich by patient (whole studies): test = 5 seeded patients with a bleed + 6 normal, val the same, "
    "the rest train (its own random.Random(seed + 1), added after the others so their split is unchanged). "
    "Seed 2019, random.Random; regenerate with `python -m ichviewer.training.split --data ../shared/data`."
)


def _rsna_dicom(data: Path, rng: random.Random) -> dict[str, list[str]]:
    positives: dict[str, bool] = {}
    for row in read_rows(data / "rsna_dicom" / "labels.csv"):
        positives[row["study"]] = positives.get(row["study"], False) or row["any"] == "1"
    fixed = set(RSNA_TEST_POSITIVE) | set(RSNA_VAL_POSITIVE)
    missing = fixed - set(positives)
    if missing:
        raise ValueError(f"{data / 'rsna_dicom'}: studies {sorted(missing)} are required by the split recipe")
    negatives = sorted(s for s, positive in positives.items() if not positive)
    rng.shuffle(negatives)
    test = [*RSNA_TEST_POSITIVE, *negatives[:RSNA_TEST_NEGATIVES]]
    val = [*RSNA_VAL_POSITIVE, *negatives[RSNA_TEST_NEGATIVES : RSNA_TEST_NEGATIVES + RSNA_VAL_NEGATIVES]]
    train = [s for s in positives if s not in test and s not in val]
    return {"train": sorted(train), "val": sorted(val), "test": sorted(test)}


def stratified(items: dict[str, tuple[int, ...]], rng: random.Random) -> dict[str, list[str]]:
    """Split ids by label combination (rare ones merged by rarest label); ceil(15%) each to val and test."""
    counts: dict[tuple[int, ...], int] = defaultdict(int)
    for combination in items.values():
        counts[combination] += 1
    width = len(next(iter(items.values())))
    totals = [sum(c[k] * n for c, n in counts.items()) for k in range(width)]
    strata: dict[str, list[str]] = defaultdict(list)
    for image, combination in sorted(items.items()):
        if counts[combination] >= MIN_STRATUM or not any(combination):
            strata[str(combination)].append(image)
        else:
            rarest = min((k for k in range(len(combination)) if combination[k]), key=lambda k: totals[k])
            strata[f"rare:{rarest}"].append(image)
    out: dict[str, list[str]] = {s: [] for s in SPLITS}
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        n_hold = math.ceil(HOLDOUT * len(members)) if len(members) >= 3 else 0
        out["val"] += members[:n_hold]
        out["test"] += members[n_hold : 2 * n_hold]
        out["train"] += members[2 * n_hold :]
    return {s: sorted(v) for s, v in out.items()}


def _rsna_png(data: Path, rng: random.Random) -> dict[str, list[str]]:
    rows = read_rows(data / "rsna_png" / "labels.csv")
    return stratified({Path(r["path"]).stem: tuple(int(r[k]) for k in LABEL_KEYS) for r in rows}, rng)


def _head_ct(data: Path, rng: random.Random) -> dict[str, list[str]]:
    folder = data / "head_ct"
    files = image_files(folder)
    rows = read_rows(folder / "labels.csv")
    return stratified({files[r["id"]].stem: (int(r["hemorrhage"]),) for r in rows}, rng)


def _ct_ich(data: Path, rng: random.Random) -> dict[str, list[str]]:
    bleed: dict[str, bool] = {}
    for row in read_rows(data / "ct_ich" / "labels.csv"):
        bleed[row["patient"]] = bleed.get(row["patient"], False) or row["any"] == "1"
    out: dict[str, list[str]] = {s: [] for s in SPLITS}
    for positive in (True, False):
        patients = sorted(p for p, b in bleed.items() if b == positive)
        rng.shuffle(patients)
        n_test, n_val = (CT_ICH_HOLDOUT[part][0 if positive else 1] for part in ("test", "val"))
        out["test"] += patients[:n_test]
        out["val"] += patients[n_test : n_test + n_val]
        out["train"] += patients[n_test + n_val :]
    return {s: sorted(v) for s, v in out.items()}


def make_split(data: Path, seed: int = SEED) -> dict[str, Any]:
    """The split of every source, from the data's label files alone (no pixels read)."""
    rng = random.Random(seed)
    return {
        "recipe": RECIPE,
        "seed": seed,
        "sources": {
            "rsna_dicom": {"unit": "study", **_rsna_dicom(data, rng)},
            "rsna_png": {"unit": "image", **_rsna_png(data, rng)},
            "head_ct": {"unit": "image", **_head_ct(data, rng)},
            "ct_ich": {"unit": "study", **_ct_ich(data, random.Random(seed + 1))},
            "phantom": {"unit": "seed", **{s: list(r) for s, r in PHANTOM_SEEDS.items()}},
        },
    }


def load_split(path: Path = SPLIT_FILE) -> dict[str, Any]:
    """The committed split."""
    return json.loads(path.read_text(encoding="utf-8"))


def members(split: dict[str, Any], source: str, part: str) -> list[str]:
    """Ids (studies or images) of `source` in split part `part` ('train', 'val' or 'test')."""
    return list(split["sources"][source][part])


def phantom_seeds(split: dict[str, Any], part: str, count: int | None = None) -> range:
    """Seeds of a phantom split part, the first `count` of them when given."""
    start, stop = split["sources"]["phantom"][part]
    return range(start, stop if count is None else min(stop, start + count))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the fixed split (split.json) from the label files.")
    parser.add_argument(
        "--data", type=Path, default=Path("../shared/data"), help="folder with rsna_dicom, rsna_png, head_ct"
    )
    parser.add_argument("--out", type=Path, default=SPLIT_FILE)
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(make_split(args.data), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
