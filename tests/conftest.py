"""Test-wide set-up: headless Qt, settings and caches in temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user's settings, recent studies or result cache."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("ICHVIEWER_CONFIG", str(base / "config"))
    monkeypatch.setenv("ICHVIEWER_CACHE", str(base / "cache"))


def shared_data(name: str) -> Path:
    """A folder of ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"real data {path} is not present (it lives beside the project, not in it)")
    return path
