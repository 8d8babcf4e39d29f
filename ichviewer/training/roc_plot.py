"""ROC curves of every evaluation set, one panel per set, drawn with Pillow into a PNG.

Pillow (not Qt) keeps training free of the GUI layers; the bundled DejaVu font makes the
text look the same on every machine.
"""

from __future__ import annotations

import importlib.resources
import math
from pathlib import Path
from typing import TYPE_CHECKING

from ichviewer.core.labels import LABEL_KEYS, label
from ichviewer.training.metrics import auc, roc_curve

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

    from ichviewer.training.predictions import Predictions

PANEL = 460
COLUMNS = 3
GRID = (225, 225, 225)
INK = (30, 30, 30)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    fonts = importlib.resources.files("ichviewer") / "resources" / "fonts"
    with importlib.resources.as_file(fonts / name) as path:
        return ImageFont.truetype(str(path), size)


def _darker(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' → an RGB a little darker, so light label colours read on white."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return (r * 5 // 6, g * 5 // 6, b * 5 // 6)


def write_roc_png(sets: list[Predictions], path: Path, title: str) -> Path:
    """One panel per set with a curve per label that has positives and negatives; AUC and counts in the legend."""
    from PIL import Image, ImageDraw

    rows = math.ceil(len(sets) / COLUMNS)
    image = Image.new("RGB", (COLUMNS * PANEL, rows * PANEL + 40), "white")
    draw = ImageDraw.Draw(image)
    draw.text((image.width / 2, 20), title, fill=INK, font=_font(17, bold=True), anchor="mm")
    for i, predictions in enumerate(sets):
        _panel(draw, ((i % COLUMNS) * PANEL, 40 + (i // COLUMNS) * PANEL), predictions)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def _panel(draw: ImageDraw.ImageDraw, origin: tuple[int, int], p: Predictions) -> None:
    left, top = origin[0] + 50, origin[1] + 30
    width, height = PANEL - 70, PANEL - 200
    bottom = top + height

    def point(fpr: float, tpr: float) -> tuple[float, float]:
        return (left + fpr * width, bottom - tpr * height)

    small = _font(11)
    draw.text(
        (origin[0] + PANEL / 2, origin[1] + 15),
        f"{p.name} ({len(p.ids)} {p.unit} rows)",
        fill=INK,
        font=_font(13, bold=True),
        anchor="mm",
    )
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        draw.line([point(v, 0), point(v, 1)], fill=GRID)
        draw.line([point(0, v), point(1, v)], fill=GRID)
        draw.text((left - 6, point(0, v)[1]), f"{v:.2f}", fill=(80, 80, 80), font=small, anchor="rm")
        draw.text((point(v, 0)[0], bottom + 4), f"{v:.2f}", fill=(80, 80, 80), font=small, anchor="ma")
    draw.text((left + width / 2, bottom + 20), "1 − specificity", fill=(80, 80, 80), font=small, anchor="ma")
    draw.text((origin[0] + 4, top - 22), "sensitivity", fill=(80, 80, 80), font=small)
    draw.line([point(0, 0), point(1, 1)], fill=(150, 150, 150))
    legend_y = bottom + 40
    for k, key in enumerate(LABEL_KEYS):
        known = p.mask[:, k]
        y, s = p.labels[known, k], p.scores[known, k]
        n_pos, n_neg = int((y > 0).sum()), int((y == 0).sum())
        colour = _darker(label(key).colour)
        if n_pos and n_neg:
            fpr, tpr = roc_curve(y, s)
            draw.line([point(a, b) for a, b in zip(fpr, tpr, strict=True)], fill=colour, width=3 if key == "any" else 2)
            text = f"{label(key).name}: AUC {auc(y, s):.3f}  ({n_pos} pos / {n_neg} neg)"
        elif known.any():
            text = f"{label(key).name}: no AUC ({n_pos} pos / {n_neg} neg)"
        else:
            continue
        draw.line([(left, legend_y + 7), (left + 16, legend_y + 7)], fill=colour, width=3)
        draw.text((left + 22, legend_y), text, fill=INK, font=small)
        legend_y += 17
