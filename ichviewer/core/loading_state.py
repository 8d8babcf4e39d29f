"""What the viewer shows while a series loads: the loader's progress and the first slice decoded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ichviewer.core.dicom.records import Series


@dataclass(frozen=True)
class LoadProgress:
    """The study loader's progress for the status bar."""

    busy: bool = False
    done: int = 0
    total: int = 0
    message: str = ""


@dataclass(frozen=True, eq=False)
class SlicePreview:
    """One decoded slice shown while the rest of its series loads (first image fast)."""

    series: Series
    index: int
    hu: np.ndarray
