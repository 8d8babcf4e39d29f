"""StudyResult: the classifier's per-slice scores for one series, its summary, JSON and cache.

The cache key is the series' SOP Instance UIDs plus the model's sha256, so reopening a study
shows its scores at once and a new model (or a now-complete half-copied study) never shows
stale ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ichviewer.core.labels import label as label_info
from ichviewer.core.user_dirs import cache_dir

FORMAT_VERSION = 1
KEY_FINDINGS_SHOWN = 6  # key slices in the PDF summary (and `scan --key-slices`'s default)
KEY_FINDINGS_APART_MM = 10.0  # key slices of one label at least this far apart: no near-duplicate neighbours
MARGIN_CLIP = 1e-6  # scores are clipped to [MARGIN_CLIP, 1 - MARGIN_CLIP] before taking log-odds


@dataclass(frozen=True)
class LabelSummary:
    """One row of the study table: the highest slice score and how many slices pass."""

    label: str
    max_score: float
    max_slice: int
    slices_over: int
    threshold: float

    @property
    def positive(self) -> bool:
        return self.slices_over > 0

    @property
    def verdict(self) -> str:
        return "flagged" if self.positive else "not flagged"


@dataclass(frozen=True)
class StudyVerdict:
    """ "Hemorrhage suspected (subtypes)" or "not detected": what a reader sees first."""

    suspected: bool
    score: float  # the study's "any" score: its highest slice score
    threshold: float
    labels: dict[str, tuple[float, bool]]  # label → (study score, present: on a flagged slice)
    flagged_slices: int
    n_slices: int

    @property
    def subtypes(self) -> list[str]:
        """The subtypes present, strongest first."""
        present = [(score, key) for key, (score, on) in self.labels.items() if on and key != "any"]
        return [key for _, key in sorted(present, reverse=True)]

    @property
    def headline(self) -> str:
        """E.g. "Hemorrhage suspected (SDH, IPH)" or "Hemorrhage not detected"."""
        if not self.suspected:
            return "Hemorrhage not detected"
        names = [label_info(k).short for k in self.subtypes]
        return "Hemorrhage suspected" + (f" ({', '.join(names)})" if names else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "suspected": self.suspected,
            "verdict": self.headline,
            "score": round(self.score, 6),
            "threshold": round(self.threshold, 6),
            "flagged_slices": self.flagged_slices,
            "slices": self.n_slices,
            "labels": {k: {"score": round(v, 6), "present": on} for k, (v, on) in self.labels.items()},
        }


class FlaggedRegion(NamedTuple):
    """A run of consecutive flagged slices (first..last, inclusive) and its peak slice."""

    first: int
    last: int
    peak: int


class KeyFinding(NamedTuple):
    """A slice worth showing and the label it was chosen for (its Grad-CAM is drawn for that label)."""

    slice: int
    label: str


@dataclass(frozen=True, eq=False)
class StudyResult:
    """Scores (n_slices, n_labels) in [0, 1] for one series by one model."""

    series_uid: str
    sop_instance_uids: tuple[str, ...]
    slice_positions: np.ndarray  # (n,) mm along the stack normal
    labels: tuple[str, ...]
    thresholds: tuple[float, ...]
    scores: np.ndarray  # (n, len(labels)) float32 probabilities
    model_name: str
    model_version: str
    model_sha256: str
    device: str
    elapsed_s: float
    created: str  # ISO 8601, local time with offset
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_slices(self) -> int:
        return int(self.scores.shape[0])

    def column(self, label: str) -> np.ndarray:
        return self.scores[:, self.labels.index(label)]

    def threshold(self, label: str) -> float:
        return self.thresholds[self.labels.index(label)]

    @property
    def flags(self) -> np.ndarray:
        """(n, n_labels) bool: the flags shown. A slice is flagged when its "any" score reaches the
        "any" threshold (the study's operating point); a flagged slice carries the subtypes whose
        scores reach theirs. One rule for the headline, the table, the list, the PDF and `scan`:
        a study is suspected exactly when one of its slices is flagged."""
        over = self.scores >= np.asarray(self.thresholds, dtype=np.float32)
        if "any" not in self.labels:
            return over
        return over & over[:, [self.labels.index("any")]]

    def slice_flags(self) -> np.ndarray:
        """(n,) bool: THE definition of a flagged slice: its "any" score at or above the "any" threshold
        (`flags`), so a study is suspected exactly when one of its slices is flagged.

        The dock's headline, the study table's "any" row, the flagged list, the slider ticks, the
        PDF, the CSV and `scan` all count through here, so they cannot disagree.
        """
        return np.asarray(self.flags.any(axis=1))

    def flagged_slices(self) -> list[int]:
        """Flagged slices (`slice_flags`), in slice order."""
        return [int(i) for i in np.flatnonzero(self.slice_flags())]

    def margins(self) -> np.ndarray:
        """(n, n_labels) calibrated margins: log-odds of the score minus log-odds of the label's threshold.

        Comparable across labels with different thresholds, and two scores that both print as 1.00
        (0.9990 and 0.99999) still differ by their odds; > 0 exactly where the label passes.
        """
        scores = np.clip(self.scores.astype(np.float64), MARGIN_CLIP, 1 - MARGIN_CLIP)
        thresholds = np.clip(np.asarray(self.thresholds, dtype=np.float64), MARGIN_CLIP, 1 - MARGIN_CLIP)
        return _logit(scores) - _logit(thresholds)

    def flagged_regions(self) -> list[FlaggedRegion]:
        """Runs of consecutive flagged slices, inferior to superior, each with its strongest slice as peak."""
        flagged = self.slice_flags()
        strength = self.margins().max(axis=1) if self.n_slices else np.zeros(0)
        regions = []
        start = None
        for i in range(self.n_slices + 1):
            if i < self.n_slices and flagged[i]:
                start = i if start is None else start
            elif start is not None:
                peak = start + int(np.argmax(strength[start:i]))
                regions.append(FlaggedRegion(start, i - 1, peak))
                start = None
        return regions

    @property
    def study(self) -> StudyVerdict:
        """The study-level decision: suspected or not, its score, and each label's study score."""
        scores = self.scores.max(axis=0) if self.n_slices else np.zeros(len(self.labels), dtype=np.float32)
        flags = np.asarray(self.flags.any(axis=0), dtype=bool).reshape(len(self.labels))
        key = "any" if "any" in self.labels else self.labels[int(np.argmax(scores))]
        k = self.labels.index(key)
        suspected = bool(flags[k]) if key == "any" else bool(flags.any())
        return StudyVerdict(
            suspected=suspected,
            score=float(scores[k]),
            threshold=self.thresholds[k],
            labels={label: (float(scores[i]), bool(flags[i])) for i, label in enumerate(self.labels)},
            flagged_slices=len(self.flagged_slices()),
            n_slices=self.n_slices,
        )

    def next_flagged(self, current: int, step: int) -> int | None:
        """N / Shift+N: the peak slice of the next flagged region above (+1) or below (−1) `current`, wrapping.

        The region holding `current` counts as visited, so one key press leaves a run of 196 flagged
        slices; None when no slice is flagged.
        """
        regions = self.flagged_regions()
        if not regions:
            return None
        if step > 0:
            after = [r for r in regions if r.first > current]
            return (after[0] if after else regions[0]).peak
        before = [r for r in regions if r.last < current]
        return (before[-1] if before else regions[-1]).peak

    def top_label(self, index: int) -> tuple[str, float]:
        """The label to show for a slice: the subtype with the largest calibrated margin (else 'any').

        Ranking by margin in log-odds rather than by the printed score keeps a label that is far over
        its threshold ahead of one that only looks tied at 1.00.
        """
        margins = self.margins()[index] if self.n_slices else np.zeros(len(self.labels))
        subtypes = [i for i, key in enumerate(self.labels) if key != "any"]
        best = max(subtypes, key=lambda i: (margins[i], self.scores[index, i])) if subtypes else 0
        if margins[best] < 0 and "any" in self.labels:
            best = self.labels.index("any")
        return self.labels[best], float(self.scores[index, best])

    def key_findings(self, limit: int = KEY_FINDINGS_SHOWN) -> list[KeyFinding]:
        """At most `limit` slices to show, head to foot: the peak slice of every subtype that passes its
        threshold (strongest subtype first), then other flagged slices by 'any' score, never two slices
        of one label closer than KEY_FINDINGS_APART_MM.

        Highest-score-first alone filled the report with neighbouring slices of one large bleed and
        left a second, smaller finding out.
        """
        chosen: dict[int, str] = {}

        def choose(index: int, key: str) -> None:
            near = any(
                other == key and abs(self.slice_positions[index] - self.slice_positions[i]) < KEY_FINDINGS_APART_MM
                for i, other in chosen.items()
            )
            if len(chosen) < limit and index not in chosen and not near:
                chosen[index] = key

        peaks = []
        flags = self.flags
        for k, key in enumerate(self.labels):
            column = np.where(flags[:, k], self.scores[:, k], -1.0)
            if key != "any" and flags[:, k].any():
                index = int(np.argmax(column))
                peaks.append((-float(column[index]), index, key))
        for _, index, key in sorted(peaks):
            choose(index, key)
        score = self.column("any") if "any" in self.labels else self.scores.max(axis=1)
        for index in sorted(self.flagged_slices(), key=lambda i: (-float(score[i]), i)):
            choose(index, self.top_label(index)[0])
        return [KeyFinding(index, chosen[index]) for index in sorted(chosen, reverse=True)]

    def label_summaries(self) -> list[LabelSummary]:
        """One row per label, in the model's label order (the study table of the viewer, PDF and scan).

        A subtype's row counts the slices over its own threshold; the "any" row counts the flagged
        slices (`slice_flags`), so it always equals the headline and the flagged list.
        """
        rows = []
        flags = self.flags
        for i, key in enumerate(self.labels):
            column = self.scores[:, i]
            top = int(np.argmax(column)) if len(column) else 0
            over = self.slice_flags() if key == "any" else flags[:, i]
            rows.append(
                LabelSummary(key, float(column[top]) if len(column) else 0.0, top, int(over.sum()), self.thresholds[i])
            )
        return rows

    def describe(self) -> str:
        """A short line for status bars and logs: the study verdict first, then the flagged slices."""
        study = self.study
        if not study.suspected:
            return f"{study.headline} ({self.n_slices} slices analysed)"
        return f"{study.headline}: {study.flagged_slices} of {self.n_slices} slices flagged"

    def to_json(self, exact: bool = False) -> dict[str, Any]:
        """The result as JSON: scores to 6 decimals, or `exact` (the cache: reopening shows the very same scores)."""

        def score(value: float) -> float:
            return float(value) if exact else round(float(value), 6)

        return {
            "format_version": FORMAT_VERSION,
            "series_uid": self.series_uid,
            "model": {"name": self.model_name, "version": self.model_version, "sha256": self.model_sha256},
            "device": self.device,
            "elapsed_s": round(self.elapsed_s, 3),
            "created": self.created,
            "study": self.study.to_json(),
            "labels": list(self.labels),
            "thresholds": [round(t, 6) for t in self.thresholds],
            "summary": [
                {
                    "label": r.label,
                    "max_score": round(r.max_score, 6),
                    "max_slice": r.max_slice + 1,
                    "slices_over_threshold": r.slices_over,
                    "verdict": r.verdict,
                }
                for r in self.label_summaries()
            ],
            "slices": [
                {
                    "slice": i + 1,
                    "sop_instance_uid": uid,
                    "position_mm": round(float(pos), 3),
                    "scores": {k: score(s) for k, s in zip(self.labels, row, strict=True)},
                }
                for i, (uid, pos, row) in enumerate(
                    zip(self.sop_instance_uids, self.slice_positions, self.scores, strict=True)
                )
            ],
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudyResult:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported result format {data.get('format_version')!r}")
        labels = tuple(data["labels"])
        slices = data["slices"]
        return cls(
            series_uid=data["series_uid"],
            sop_instance_uids=tuple(s["sop_instance_uid"] for s in slices),
            slice_positions=np.array([s["position_mm"] for s in slices], dtype=np.float64),
            labels=labels,
            thresholds=tuple(float(t) for t in data["thresholds"]),
            scores=np.array([[s["scores"][k] for k in labels] for s in slices], dtype=np.float32).reshape(
                -1, len(labels)
            ),
            model_name=data["model"]["name"],
            model_version=data["model"]["version"],
            model_sha256=data["model"]["sha256"],
            device=data["device"],
            elapsed_s=float(data["elapsed_s"]),
            created=data["created"],
            extra=data.get("extra", {}),
        )


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to a temporary file beside `path`, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cache_key(sop_instance_uids: tuple[str, ...], model_sha256: str) -> str:
    digest = hashlib.sha256("\n".join((*sop_instance_uids, model_sha256)).encode())
    return digest.hexdigest()[:32]


def cache_path(sop_instance_uids: tuple[str, ...], model_sha256: str) -> Path:
    return cache_dir() / "results" / f"{cache_key(sop_instance_uids, model_sha256)}.json"


def load_cached(sop_instance_uids: tuple[str, ...], model_sha256: str) -> StudyResult | None:
    """The cached result for exactly these slices and this model, or None (also if unreadable)."""
    path = cache_path(sop_instance_uids, model_sha256)
    try:
        result = StudyResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if result.sop_instance_uids != sop_instance_uids or result.model_sha256 != model_sha256:
        return None
    return result


def save_cached(result: StudyResult) -> Path:
    path = cache_path(result.sop_instance_uids, result.model_sha256)
    write_json_atomic(path, result.to_json(exact=True))
    return path
