"""The model card's README.md, rendered from its metadata.json: no figure is ever typed by hand.

`python -m ichviewer.training.card_readme models/ichnet-slab` (after `ichviewer evaluate --write-card`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ichviewer.core.labels import label as label_info

UNITS = {"slice": "slices", "image": "images", "study": "studies"}


def render(card: dict[str, Any], notes: str = "") -> str:
    metrics = card.get("metrics", {})
    sets = metrics.get("sets", {})
    lines = [
        f"# {card['name']} {card['version']} — model card",
        "",
        "**Research and teaching tool. Not a medical device; not for clinical use or diagnosis.**",
        "Every figure here is rendered from `metadata.json` (`python -m ichviewer.training.card_readme`); the",
        "test figures were written by `ichviewer evaluate --write-card` and `ichviewer evaluate --check` recomputes",
        "them from `../shared/data` (tolerance 0.005).",
        "",
        "## What it does",
        card["task"][0].upper() + card["task"][1:] + ".",
        "",
        f"- **Thresholds**: {card.get('threshold_rule', '')}",
        "- Each label's final logit is shifted so that its threshold is a score of **0.5** (raw thresholds "
        + ", ".join(f"{k} {v}" for k, v in card.get("score_calibration", {}).get("raw_thresholds", {}).items())
        + "). Scores are monotone in the network output but are **not calibrated probabilities**.",
        "",
    ]
    if notes:
        lines += [notes.strip(), ""]
    training = card.get("training", {})
    if isinstance(training, dict) and "data" in training:
        lines += ["## Training and validation data (the test split never enters)", "", training.get("method", ""), ""]
        lines += [
            "| source | part | stacks | slabs | studies with a bleed "
            "| positive slabs (any / EDH / IPH / IVH / SAH / SDH) |"
        ]
        lines += ["|---|---|---:|---:|---:|---|"]
        for source, parts in training["data"].items():
            for part, c in parts.items():
                positives = " / ".join(
                    str(c.get(f"{k}_positive_slabs", 0))
                    for k in ("any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural")
                )
                bleeds = c["studies_with_bleed"] if c["slabs"] != c["stacks"] else "–"
                lines.append(f"| {source} | {part} | {c['stacks']} | {c['slabs']} | {bleeds} | {positives} |")
        seeds = ", ".join(f"{k} {v}" for k, v in training["seeds"].items())
        lines += ["", f"Seeds (validation loss): {seeds}; chosen: {training['chosen_seed']}.", "", "Commands:", ""]
        lines += [f"    {c}" for c in training.get("commands", [])] + [""]
    validation = card.get("validation", {})
    if isinstance(validation, dict) and "scanner_looks" in validation:
        a = validation["any_study_level"]
        lines += [
            "## Validation (chose the seed and the thresholds; not a test result)",
            "",
            f"Study-level operating point for 'any': {a['tp']}/{a['tp'] + a['fn']} (study, look) pairs with a bleed "
            f"caught, {a['tn']}/{a['tn'] + a['fp']} normal ones clear (AUC {a['auc']}).",
            "",
            "Robustness, one simulated scanner difference at a time (real validation studies):",
            "",
            "| look | slab AUC (any) | study sensitivity | study specificity | studies |",
            "|---|---:|---:|---:|---|",
        ]
        for name, r in validation["scanner_looks"].items():
            lines.append(
                f"| {name} | {_f(r['slab_auc_any'])} | {_f(r['study_sensitivity'])} | "
                f"{_f(r['study_specificity'])} | {r['studies']} |"
            )
        lines.append("")
    if sets:
        lines += [
            "## Held-out TEST split (never used for training, design choices or thresholds)",
            "",
            f"{metrics.get('bootstrap', '')}. Evaluated {metrics.get('evaluated', '')}. "
            f"CPU speed: {metrics.get('cpu_speed', {}).get('slices_per_s', '?')} slices/s "
            f"({metrics.get('cpu_speed', {}).get('detail', '')}).",
            "",
        ]
        for name, figures in sets.items():
            if name.startswith("phantom"):
                continue
            lines += _set_table(name, figures)
        lines += ["Synthetic (not evidence about patients):", ""]
        for name, figures in sets.items():
            if name.startswith("phantom"):
                lines += _set_table(name, figures)
    checks = metrics.get("label_free_checks")
    if checks:
        lines += [
            "## Label-free checks (no bleed in any of them)",
            "",
            "| series | slices | decision | flagged slices |",
        ]
        lines += ["|---|---:|---|---:|"]
        for name, c in checks.items():
            said = c["decision"] + (f": {c['reason']}" if c.get("reason") else "")
            lines.append(f"| {name} | {c['slices']} ({c['spacing_mm']} mm) | {said} | {c['flagged_slices']} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _set_table(name: str, f: dict[str, Any]) -> list[str]:
    unit = UNITS.get(f["unit"], f["unit"])
    out = [
        f"**{name}** — {f['rows']} {unit} from {f['groups']} groups; RSNA weighted log loss {f['log_loss_rsna']}",
        "",
        "| label | pos | neg | AUC (95% CI) | sensitivity | specificity | TP / FN / TN / FP |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for key, r in f["labels"].items():
        ci = "" if r["auc_ci95"][0] is None else f" ({r['auc_ci95'][0]:.3f}–{r['auc_ci95'][1]:.3f})"
        out.append(
            f"| {label_info(key).name} | {r['positives']} | {r['negatives']} | {_f(r['auc'])}{ci} | "
            f"{_f(r['sensitivity'])} | {_f(r['specificity'])} | {r['tp']} / {r['fn']} / {r['tn']} / {r['fp']} |"
        )
    return out + [""]


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", type=Path)
    p.add_argument("--notes", type=Path, help="a Markdown file of limits and context to include (NOTES.md)")
    args = p.parse_args(argv)
    card = json.loads((args.model / "metadata.json").read_text(encoding="utf-8"))
    notes_path = args.notes or args.model / "NOTES.md"
    notes = notes_path.read_text(encoding="utf-8") if notes_path.is_file() else ""
    (args.model / "README.md").write_text(render(card, notes), encoding="utf-8")
    print(f"wrote {args.model / 'README.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
