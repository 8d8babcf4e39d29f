"""The PDF's default file name: study date and description; the patient only while names are shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np

from ichviewer.core.report_name import default_report_name


def test_study_date_and_description_without_the_patient(make_volume) -> None:  # type: ignore[no-untyped-def]
    series = replace(
        make_volume(np.zeros((2, 4, 4), np.int16)).series, description="Head 5mm / brain", patient_name="DOE^JANE"
    )
    assert default_report_name(series) == "ich-summary-2026-01-01-Head-5mm-brain.pdf"
    assert default_report_name(series, show_patient=True) == "ich-summary-2026-01-01-Head-5mm-brain-DOE-JANE.pdf"


def test_without_a_study_date_the_time_of_writing(make_volume) -> None:  # type: ignore[no-untyped-def]
    series = replace(make_volume(np.zeros((2, 4, 4), np.int16)).series, study_date="", description="")
    assert default_report_name(series, now=datetime(2026, 11, 23, 10, 42)) == "ich-summary-2026-11-23-1042.pdf"
