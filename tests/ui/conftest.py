"""Viewer test fixtures: small real DICOM series written with core.synthetic.dicom_writer, and the window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.synthetic.dicom_writer import series_uids, write_series


def head_hu(n: int = 12, size: int = 96, seed: int = 0) -> np.ndarray:
    """A head-like int16 volume: air, skull ring, brain, and a bright blob on the patient's left."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    r2 = ((yy - size / 2) / (0.42 * size)) ** 2 + ((xx - size / 2) / (0.36 * size)) ** 2
    hu = np.full((n, size, size), -1000, np.int16)
    slice_ = np.where(r2 < 1.0, 1200, -1000)
    slice_ = np.where(r2 < 0.8, 35, slice_)
    blob = (yy - size // 2) ** 2 + (xx - int(size * 0.7)) ** 2 < (size // 12) ** 2  # column > centre
    slice_ = np.where(blob, 75, slice_)
    for k in range(n):
        hu[k] = slice_ + k + rng.integers(-3, 4, size=(size, size))
    return hu


@pytest.fixture(scope="session", autouse=True)
def _gui_thread_garbage_collection(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """As in the app: Python's cycle collector runs only from a GUI-thread timer, never inside a paint
    or on a worker thread (where collecting Qt graphics items crashed a test run twice)."""
    import gc

    from ichviewer.ui.main_window import gui_thread_garbage_collection

    collector = gui_thread_garbage_collection()
    yield
    collector.timer.stop()
    gc.enable()


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each viewer test starts from default settings (windows save theirs on close)."""
    monkeypatch.setenv("ICHVIEWER_CONFIG", str(tmp_path / "config"))


@pytest.fixture
def write_study(tmp_path: Path) -> Callable[..., Path]:
    """Factory: write a series (optionally a second one in the same study) and return the folder."""

    def write(name: str = "study", n: int = 12, size: int = 96, second: int | None = None, seed: int = 1) -> Path:
        folder = tmp_path / name
        study_uid, _, _ = series_uids(uid_seed=seed)
        write_series(
            head_hu(n, size),
            folder / "axial",
            study_uid=study_uid,
            series_number=2,
            series_description="Axial 5mm brain",
            uid_seed=seed,
        )
        if second is not None:
            write_series(
                head_hu(second, size, seed=1),
                folder / "thin",
                spacing=(2.5, 0.45, 0.45),
                study_uid=study_uid,
                series_number=3,
                series_description="Axial 2.5mm",
                uid_seed=seed,
            )
        return folder

    return write


@pytest.fixture
def main_window(qtbot) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The real MainWindow, shown offscreen; closed (threads joined, settings saved) afterwards."""
    from ichviewer.ui.main_window import MainWindow

    window = MainWindow(ai=False)  # viewer tests; the AI overlay has its own (tests/ui/test_ai_overlay.py)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    yield window
    window.close()
    assert window.loader.running_threads() == 0


@pytest.fixture
def open_study(qtbot, main_window) -> Callable[[Path], None]:  # type: ignore[no-untyped-def]
    """Open a folder in the window and wait until its volume is in the state and the loader is idle."""

    def open_(folder: Path, timeout: int = 20000) -> None:
        main_window.open_folder(folder)
        state = main_window.state
        qtbot.waitUntil(lambda: state.volume is not None and not state.loading.busy, timeout=timeout)

    return open_
