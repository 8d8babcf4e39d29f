"""The study verdict's words: headline and tone from `StudyResult.study`, score against threshold, the series."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ichviewer.core.verdict_text import (
    ALARM,
    CALM,
    NEUTRAL,
    not_applicable_text,
    score_against_threshold,
    series_line,
    study_verdict_text,
)

FACTS = {"number": 3, "description": "Head 5mm", "slices": 32, "spacing_mm": 5.0, "thickness_mm": 5.0, "tilt_deg": 0.0}


class TestStudyVerdictText:
    def test_suspected_names_its_subtypes_strongest_first_and_the_series(self, make_result):
        scores = {(4, "any"): 0.9, (4, "subdural"): 0.95, (5, "any"): 0.8, (5, "intraparenchymal"): 0.7}
        result = make_result(32, scores)
        result = replace(result, extra={"series": FACTS})
        text = study_verdict_text(result)
        assert text.headline == "Hemorrhage suspected (SDH, IPH)" and text.tone == ALARM
        assert text.details == (
            "Study score 0.90 (threshold 0.50) · 2 of 32 slices flagged",
            "Series 3 'Head 5mm' analysed (5.0 mm, 32 slices)",
        )

    def test_not_detected_is_calm_even_with_a_subtype_over_its_threshold(self, make_result):
        text = study_verdict_text(replace(make_result(20, {(3, "epidural"): 0.9}), extra={"series": FACTS}))
        assert text.headline == "Hemorrhage not detected" and text.tone == CALM
        assert text.details[0] == "Study score 0.05 (threshold 0.50) · 0 of 20 slices flagged"

    def test_a_result_without_series_facts_names_the_volume_on_screen(self, make_result, make_volume):
        volume = make_volume(np.zeros((20, 8, 8), np.int16), spacing=2.5)
        assert (
            study_verdict_text(make_result(20), volume).details[1]
            == "Series 1 'synthetic' analysed (2.5 mm, 20 slices)"
        )
        assert len(study_verdict_text(make_result(20)).details) == 1  # neither: no series line rather than a wrong one


class TestNotApplicableText:
    def test_reason_and_the_series_not_analysed(self, make_volume):
        text = not_applicable_text("a scout", make_volume(np.zeros((4, 8, 8), np.int16)))
        assert text.headline == "AI not applicable: a scout" and text.tone == NEUTRAL
        assert text.details == ("Series 1 'synthetic' not analysed (5.0 mm, 4 slices)",)


class TestScoreAgainstThreshold:
    def test_a_score_just_under_the_threshold_never_prints_as_the_threshold(self, make_result):
        study = make_result(4, {(1, "any"): 0.4996}).study
        assert not study.suspected and score_against_threshold(study) == "Study score 0.4996 (threshold 0.5000)"

    def test_a_score_at_the_threshold(self, make_result):
        study = make_result(4, {(1, "any"): 0.5}).study
        assert study.suspected and score_against_threshold(study) == "Study score 0.50 (threshold 0.50)"


class TestSeriesLine:
    def test_missing_number_description_and_thickness(self):
        facts = {"number": None, "description": "", "slices": 12, "spacing_mm": 2.5, "thickness_mm": None}
        assert series_line(facts) == "Unnamed series analysed (2.5 mm, 12 slices)"
        assert series_line({**facts, "description": "Head"}) == "Series 'Head' analysed (2.5 mm, 12 slices)"

    def test_a_tilted_gantry_is_named(self):
        assert series_line({**FACTS, "tilt_deg": 15.0}).endswith("(5.0 mm, 32 slices, gantry tilt 15.0°)")
