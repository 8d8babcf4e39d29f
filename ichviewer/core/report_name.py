"""The file name offered for a PDF summary: study date and series description, the patient only when shown.

"ich-summary-20261123-1042.pdf" told a reader nothing about which study it was; the study date
and description do, without identifying anyone. The patient's name joins them only while the
privacy toggle shows names.
"""

from __future__ import annotations

import re
from datetime import datetime

from ichviewer.core.dicom.records import Series

MAX_PART = 40  # characters kept of each part (description, name)


def default_report_name(series: Series, show_patient: bool = False, now: datetime | None = None) -> str:
    """E.g. 'ich-summary-2026-01-01-Axial-5mm-brain.pdf' (…-DOE-JANE.pdf with show_patient)."""
    date = series.study_date
    when = f"{date[:4]}-{date[4:6]}-{date[6:8]}" if len(date) == 8 and date.isdigit() else ""
    parts = ["ich-summary", when or (now or datetime.now()).strftime("%Y-%m-%d-%H%M"), _safe(series.description)]
    if show_patient:
        parts.append(_safe(series.patient_name.replace("^", " ")))
    return "-".join(p for p in parts if p) + ".pdf"


def _safe(text: str) -> str:
    """Letters, digits, dots and dashes only (a name every file system and mail client accepts)."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.")[:MAX_PART].strip("-.")
