"""pydicom's global settings, applied once by the application (CLI, viewer, tests), never on import."""

from __future__ import annotations

import warnings

import pydicom


def configure_pydicom() -> None:
    """Read what scanners and archives send without a warning per file.

    Anonymised research data (RSNA) carries non-conformant UIDs such as "ID_0e5e6bc3c1"; every
    value the viewer uses is validated by `ichviewer.core.dicom.tags` instead, and what is wrong
    with a damaged file reaches the reader as a reason in the load report, not as a warning.
    """
    pydicom.config.settings.reading_validation_mode = pydicom.config.IGNORE
    warnings.filterwarnings("ignore", category=UserWarning, module=r"pydicom\.")
