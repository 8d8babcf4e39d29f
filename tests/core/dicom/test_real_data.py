"""The reader on real scanner DICOM (../shared/data, skipped when absent): same HU as pydicom, tidy reports."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.folder_report import describe_index
from ichviewer.core.volume import read_slice_hu
from ichviewer.core.windowing import AIR_HU
from tests.conftest import shared_data

pytestmark = pytest.mark.realdata


def _pydicom_hu(header) -> np.ndarray:
    """HU the way the project computed them before imagecodecs: pydicom's pixel_array, then rescale."""
    stored = pydicom.dcmread(header.path).pixel_array
    hu = np.rint(stored.astype(np.float64) * header.rescale_slope + header.rescale_intercept)
    if header.pixel_padding is not None:
        low, high = sorted(header.pixel_padding)
        hu[(stored >= low) & (stored <= high)] = AIR_HU
    return np.clip(hu, AIR_HU, 32767).astype(np.int16)


@pytest.mark.parametrize("name", ["rsna_dicom", "dcm_qa_ct"])
def test_every_real_slice_decodes_to_the_same_hu_as_pydicom(name: str) -> None:
    index = index_folder(shared_data(name))
    headers = [h for s in index.series for h in s.slices]
    assert len(headers) >= 100
    for header in headers[::4]:  # a quarter keeps the suite quick; every slice matched when checked by hand
        np.testing.assert_array_equal(read_slice_hu(header), _pydicom_hu(header), err_msg=str(header.path))


def test_real_folder_report_is_quiet_about_what_is_not_a_problem() -> None:
    index = index_folder(shared_data("dcm_qa_ct"))
    assert index.problems == ()
    text = describe_index(index)
    assert "two-zone protocol" in text  # GE: 4 mm in the base, 7 mm above
    assert "Gap of" not in text and "Gaps of" not in text
    assert "DICOMDIR (an index of a CD/DVD, not an image) (6 files)" in text
