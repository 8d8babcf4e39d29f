"""The study verdict in the words a reader sees first: headline, tone, score against threshold, the analysed series.

One wording for the AI dock, the status bar and the PDF, read from `StudyResult.study` (or from the
reason the AI is not applicable), so that the three cannot tell a reader different things.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ichviewer.core.geometry import TILT_REPORT_DEG
from ichviewer.core.inference import series_facts
from ichviewer.core.results import StudyResult, StudyVerdict
from ichviewer.core.volume import CTVolume

ALARM, CALM, NEUTRAL = "alarm", "calm", "neutral"  # suspected, not detected, not applicable (or no answer yet)
NOT_APPLICABLE = "AI not applicable"


@dataclass(frozen=True)
class VerdictText:
    """A headline ("Hemorrhage suspected (SDH, IPH)"), its tone, and the lines that support it."""

    headline: str
    tone: str  # ALARM, CALM or NEUTRAL: the colour each view gives the headline
    details: tuple[str, ...] = ()


def study_verdict_text(result: StudyResult, volume: CTVolume | None = None) -> VerdictText:
    """The verdict of an analysed series: headline, study score vs threshold with the flagged count, the series."""
    study = result.study
    lines = [f"{score_against_threshold(study)} · {study.flagged_slices} of {study.n_slices} slices flagged"]
    facts = analysed_series(result, volume)
    if facts:
        lines.append(series_line(facts))
    return VerdictText(study.headline, ALARM if study.suspected else CALM, tuple(lines))


def not_applicable_text(reason: str, volume: CTVolume | None = None) -> VerdictText:
    """ "AI not applicable: <reason>", with the series that was checked and not analysed."""
    details = (series_line(series_facts(volume), "not analysed"),) if volume is not None else ()
    return VerdictText(f"{NOT_APPLICABLE}: {reason}", NEUTRAL, details)


def score_against_threshold(study: StudyVerdict) -> str:
    """ "Study score 0.93 (threshold 0.50)", with as many decimals as it takes for the two to differ when one
    is under and the other over (0.4996 is not shown as the threshold 0.50 of a study not detected)."""
    for decimals in range(2, 7):
        score, threshold = f"{study.score:.{decimals}f}", f"{study.threshold:.{decimals}f}"
        if score != threshold or study.score == study.threshold:
            break
    return f"Study score {score} (threshold {threshold})"


def analysed_series(result: StudyResult, volume: CTVolume | None = None) -> Mapping[str, object]:
    """Which series the result is of: as the model recorded it (`extra["series"]`), else read from `volume`."""
    facts = result.extra.get("series")
    if isinstance(facts, Mapping) and facts:
        return facts
    return series_facts(volume) if volume is not None else {}


def series_line(facts: Mapping[str, object], verb: str = "analysed") -> str:
    """E.g. "Series 3 'Head 5mm' analysed (5.0 mm, 32 slices)" (the tilt too when the gantry was tilted)."""
    number, description = facts.get("number"), str(facts.get("description") or "")
    name = "Series" if number is None else f"Series {number}"
    if description:
        name += f" '{description}'"
    elif number is None:
        name = "Unnamed series"  # (0020,0011) and (0008,103E) both absent
    thickness = facts.get("thickness_mm") or facts.get("spacing_mm")
    inside = [f"{float(thickness):.1f} mm"] if isinstance(thickness, int | float) else []
    inside.append(f"{facts.get('slices')} slices")
    tilt = facts.get("tilt_deg")
    if isinstance(tilt, int | float) and abs(tilt) > TILT_REPORT_DEG:
        inside.append(f"gantry tilt {tilt:.1f}°")
    return f"{name} {verb} ({', '.join(inside)})"
