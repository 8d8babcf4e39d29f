"""Small phantom studies written by the project's own DICOM writer, in any syntax, for the reader's tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.synthetic.dicom_writer import write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom

N_SLICES = 6


@pytest.fixture(scope="session")
def small_hu() -> np.ndarray:
    """6 slices of a 64² head phantom with a subdural: realistic HU, fast to write and read."""
    spec = PhantomSpec(seed=5, n_slices=N_SLICES, size=64, pixel_mm=3.6, subtypes=("subdural",))
    return generate_phantom(spec).hu


@pytest.fixture
def study(small_hu: np.ndarray, tmp_path: Path) -> Callable[..., list[Path]]:
    """write(syntax="explicit", folder="study", **writer options) -> the file paths in slice order."""

    def write(syntax: str = "explicit", folder: str = "study", **options) -> list[Path]:
        return write_series(small_hu, tmp_path / folder, syntax=syntax, spacing=(5.0, 3.6, 3.6), **options)

    return write
