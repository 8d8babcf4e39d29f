"""The one-page PDF of a series the AI does not judge: the reason first, the notice, study and series, no scores."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from pypdf import PdfReader

from ichviewer.report.not_applicable_pdf import write_not_applicable_pdf
from ichviewer.report.pdf import ReportOptions

REASON = "only 4 % of the scanned object is brain-like tissue (15–50 HU): a phantom, or not a head CT"


@pytest.fixture
def volume(make_volume):  # type: ignore[no-untyped-def]
    volume = make_volume(np.full((28, 64, 64), 120, np.int16))
    return replace(volume, series=replace(volume.series, patient_name="DOE JANE", patient_id="MRN-123456"))


def page_text(path) -> list[str]:  # type: ignore[no-untyped-def]
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_one_page_with_the_reason_first_then_the_notice_and_the_series(volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_not_applicable_pdf(
        tmp_path / "na.pdf", volume, REASON, "ichnet-test 1.0", created=datetime(2026, 1, 2)
    )
    (page,) = page_text(path)
    first = page.index(f"AI not applicable: {REASON}")
    assert first < page.index("NOT FOR CLINICAL USE. The scores") < page.index("Patient: DOE JANE")
    assert "Series 1 'synthetic' not analysed (5.0 mm, 28 slices)" in page
    assert "Series 1: synthetic — 28 slices" in page and "Model: ichnet-test 1.0, not run" in page
    assert "page 1 of 1" in page and "Scores per slice" not in page
    assert "Hemorrhage suspected" not in page and "Hemorrhage not detected" not in page
    assert not PdfReader(str(path)).pages[0].images


def test_deidentified_and_letter(volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = ReportOptions(deidentify=True, page_size="Letter")
    path = write_not_applicable_pdf(tmp_path / "d.pdf", volume, REASON, "ichnet-test 1.0", options)
    (page,) = page_text(path)
    assert "DOE" not in page and "MRN-123456" not in page and "De-identified" in page
    assert PdfReader(str(path)).pages[0].mediabox.width == pytest.approx(612, abs=2)


def test_a_failure_leaves_an_existing_file(volume, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "keep.pdf"
    target.write_bytes(b"previous report")
    with pytest.raises(AttributeError):
        write_not_applicable_pdf(target, None, REASON, "m")  # type: ignore[arg-type]
    assert target.read_bytes() == b"previous report" and sorted(p.name for p in tmp_path.iterdir()) == ["keep.pdf"]
