"""The PDF summary: pages, text, images, de-identification, atomic writing (rendered with pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from ichviewer.core.results import StudyResult
from ichviewer.report.pdf import ReportOptions, write_pdf


@pytest.fixture
def volume(make_volume):
    hu = np.full((12, 128, 128), -1000, np.int16)
    yy, xx = np.mgrid[:128, :128]
    hu[:, (yy - 64) ** 2 + (xx - 64) ** 2 < 55**2] = 1200
    hu[:, (yy - 64) ** 2 + (xx - 64) ** 2 < 50**2] = 35
    volume = make_volume(hu)
    return replace(volume, series=replace(volume.series, patient_name="DOE JANE", patient_id="MRN-123456"))


@pytest.fixture
def study_result(make_result):  # type: ignore[no-untyped-def]
    """Factory: `n` slices, 'any' at the given scores and intraparenchymal 0.05 below them."""

    def make(n: int, flagged: dict[int, float]) -> StudyResult:
        scores = {(i, "any"): s for i, s in flagged.items()}
        scores.update({(i, "intraparenchymal"): s - 0.05 for i, s in flagged.items()})
        return make_result(n, scores)

    return make


def heat(shape=(128, 128)) -> np.ndarray:
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    return np.exp(-((yy - 50) ** 2 + (xx - 70) ** 2) / 200.0).astype(np.float32)


def text_of(path: Path) -> list[str]:
    """Each page's text with runs of whitespace as one space (Qt places words one by one)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


class TestWritePdf:
    def test_flagged_study(self, volume, tmp_path, study_result):
        result = study_result(12, {3: 0.7, 5: 0.95, 8: 0.8})
        path = write_pdf(
            tmp_path / "r.pdf",
            volume,
            result,
            {5: heat(), 8: heat(), 3: heat()},
            created=datetime(2026, 11, 23, 10, 42),
        )
        pages = text_of(path)
        assert len(pages) == 3  # summary + 3 key slices at 2 per page
        assert "NOT FOR CLINICAL USE" in pages[0]
        assert "DOE JANE" in pages[0] and "MRN-123456" in pages[0]
        assert "Hemorrhage suspected (IPH)" in pages[0] and "3 of 12 slices flagged" in pages[0]
        assert "FLAGGED" not in pages[0]
        assert "Intraparenchymal" in pages[0] and "0.950" in pages[0]
        assert "Slice 6 of 12" in pages[1] and "Slice 9 of 12" in pages[1] and "Slice 4 of 12" in pages[2]
        assert all(f"page {k} of 3" in p for k, p in enumerate(pages, 1))
        reader = PdfReader(str(path))
        assert len(reader.pages[1].images) == 4  # two slices, each plain + heatmap
        assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4 portrait, in points

    def test_normal_study_is_one_page_saying_nothing_passed(self, volume, tmp_path, study_result):
        path = write_pdf(tmp_path / "n.pdf", volume, study_result(12, {}))
        pages = text_of(path)
        assert len(pages) == 1
        assert "Hemorrhage not detected" in pages[0] and "does not exclude hemorrhage" in pages[0]
        assert "Scores per slice" in pages[0]

    def test_the_verdict_box_comes_first_and_names_the_analysed_series(self, volume, tmp_path, study_result):
        facts = {"number": 3, "description": "Head 5mm", "slices": 12, "spacing_mm": 5.0, "thickness_mm": 5.0}
        result = replace(study_result(12, {5: 0.95}), extra={"series": facts})
        page = text_of(write_pdf(tmp_path / "v.pdf", volume, result, {5: heat()}))[0]
        first = page.index("Hemorrhage suspected (IPH)")
        assert first < page.index("NOT FOR CLINICAL USE. The scores") < page.index("Patient: DOE JANE")
        assert page.index("Study score 0.95 (threshold 0.50) · 1 of 12 slices flagged") > first
        assert "Series 3 'Head 5mm' analysed (5.0 mm, 12 slices)" in page and "Key slices follow on page 2." in page

    def test_deidentified(self, volume, tmp_path, study_result):
        path = write_pdf(
            tmp_path / "d.pdf", volume, study_result(12, {5: 0.9}), {5: heat()}, ReportOptions(deidentify=True)
        )
        text = " ".join(text_of(path))
        assert "DOE" not in text and "MRN-123456" not in text and "20260101" not in text
        assert "De-identified" in text

    def test_letter_paper(self, volume, tmp_path, study_result):
        path = write_pdf(tmp_path / "l.pdf", volume, study_result(12, {}), options=ReportOptions(page_size="Letter"))
        assert PdfReader(str(path)).pages[0].mediabox.width == pytest.approx(612, abs=2)

    def test_missing_heatmap_is_said(self, volume, tmp_path, study_result):
        path = write_pdf(tmp_path / "m.pdf", volume, study_result(12, {5: 0.9}), {})
        assert "heatmap not available" in text_of(path)[1]

    def test_failure_leaves_existing_file_and_no_temporary(self, volume, tmp_path, study_result):
        target = tmp_path / "keep.pdf"
        target.write_bytes(b"previous report")
        with pytest.raises((TypeError, ValueError, AttributeError, IndexError)):
            write_pdf(target, volume, study_result(12, {5: 0.9}), {5: "not a heatmap"})  # type: ignore[dict-item]
        assert target.read_bytes() == b"previous report"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.pdf"]

    def test_pages_render_with_images(self, volume, tmp_path, study_result):
        if shutil.which("pdftoppm") is None:
            pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
        path = write_pdf(tmp_path / "r.pdf", volume, study_result(12, {5: 0.9}), {5: heat()})
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True)
        from PIL import Image

        pngs = sorted(tmp_path.glob("page-*.png"))
        assert len(pngs) == 2
        page = np.asarray(Image.open(pngs[1]).convert("RGB"))
        # the heatmap panel holds saturated colour; the plain panel is grey
        colourful = (page.max(axis=2).astype(int) - page.min(axis=2)) > 80
        assert colourful.sum() > 500


def rendered(path: Path, tmp_path: Path, dpi: int = 50) -> list[np.ndarray]:
    """Each page as an RGB array (pdftoppm), or skip when poppler is not installed."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True)
    from PIL import Image

    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(tmp_path.glob("page-*.png"))]


class TestLayout:
    def test_a_one_slice_chart_stays_inside_the_page(self, make_volume, make_result, tmp_path):
        """The shading of one flagged slice used to spread half a chart's width into the left margin."""
        volume = make_volume(np.full((1, 64, 64), 35, np.int16))
        path = write_pdf(tmp_path / "one.pdf", volume, make_result(1, {(0, "any"): 0.8}))
        page = rendered(path, tmp_path)[0].astype(int)
        margin = int(15 / 25.4 * 50) - 2  # the 15 mm page margin at 50 dpi, less antialiasing
        r, g, b = page[..., 0], page[..., 1], page[..., 2]
        pink = (r > 245) & (g < 240) & (g > 200) & (abs(g - b) < 6)
        assert pink.sum() > 1000  # the shading is drawn …
        assert not pink[:, :margin].any()  # … inside the chart, not in the margin

    def test_the_notice_box_holds_every_line_of_its_text(self, volume, study_result, tmp_path):
        path = write_pdf(tmp_path / "n.pdf", volume, study_result(12, {}), options=ReportOptions(page_size="Letter"))
        page = rendered(path, tmp_path, dpi=100)[0].astype(int)
        r, g, b = page[..., 0], page[..., 1], page[..., 2]
        border = np.flatnonzero(((r > 150) & (g < 60) & (b < 60)).sum(axis=1) > page.shape[1] // 2)
        text = np.flatnonzero(((r > 100) & (r < 175) & (g < 50) & (b < 50)).sum(axis=1) > 0)
        top, bottom = border.min(), border.max()
        assert bottom - top > 20 and text.min() > top and text[text < bottom + 40].max() < bottom

    def test_key_slices_are_listed_head_to_foot(self, volume, tmp_path, study_result):
        path = write_pdf(tmp_path / "k.pdf", volume, study_result(12, {3: 0.7, 5: 0.95, 8: 0.8}))
        text = " ".join(text_of(path)[1:])
        assert text.index("Slice 9 of 12") < text.index("Slice 6 of 12") < text.index("Slice 4 of 12")


class TestMeasurements:
    def test_drawn_on_the_key_image_and_listed_with_their_images(self, volume, tmp_path, study_result):
        from ichviewer.core.bleed_estimates import region_estimate
        from ichviewer.core.measure import measure
        from ichviewer.core.mpr import Mpr

        hu = volume.hu.copy()
        hu[4:7, 60:70, 60:70] = 70  # a small bleed to grow a region in
        volume = replace(volume, hu=hu)
        mpr = Mpr.from_volume(volume)
        items = (
            measure(mpr, "length", "axial", 5, [(64, 20), (64, 40)]),
            measure(mpr, "length", "coronal", 64, [(2, 20), (2, 60)]),
            region_estimate(volume, mpr, "axial", 5, (65.0, 65.0)),
        )
        path = write_pdf(tmp_path / "m.pdf", volume, study_result(12, {5: 0.95}), {5: heat()}, measurements=items)
        pages = text_of(path)
        assert len(pages) == 3 and all(f"page {k} of 3" in p for k, p in enumerate(pages, 1))
        last = pages[-1]
        assert "Measurements" in last and "Length 10.0 mm" in last and "Length 20.0 mm" in last
        assert "Axial slice 6" in last and "Coronal image 65" in last
        assert "Seeded region estimate 0.4 mL" in last and "estimate" in last.lower()
        assert re.search(r"45–100 HU, 2\d\d voxels on 3 slices", last)  # 10×10×3 less the corners the median trims
        assert len(PdfReader(str(path)).pages[-1].images) == 2  # the two images measured on
        without = write_pdf(tmp_path / "n.pdf", volume, study_result(12, {5: 0.95}), {5: heat()})
        assert len(text_of(without)) == 2

    @pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
    def test_marks_are_drawn_over_the_key_image(self, volume, tmp_path, study_result):
        from ichviewer.core.measure import measure
        from ichviewer.core.mpr import Mpr

        mpr = Mpr.from_volume(volume)
        items = (measure(mpr, "length", "axial", 5, [(64, 20), (64, 100)]),)
        result = study_result(12, {5: 0.95})
        plain = write_pdf(tmp_path / "p.pdf", volume, result, {5: heat()})
        marked = write_pdf(tmp_path / "m.pdf", volume, result, {5: heat()}, measurements=items)
        for pdf in (plain, marked):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "40", "-f", "2", "-l", "2", str(pdf), str(pdf.with_suffix(""))], check=True
            )
        from PySide6.QtGui import QImage

        def yellow(png: Path) -> int:
            image = QImage(str(png)).convertToFormat(QImage.Format.Format_RGB888)
            pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
            rgb = pixels[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).astype(int)
            return int(((rgb[..., 0] > 200) & (rgb[..., 1] > 150) & (rgb[..., 2] < 90)).sum())

        assert yellow(tmp_path / "m-2.png") > yellow(tmp_path / "p-2.png") + 20
