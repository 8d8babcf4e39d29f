"""Where ichviewer keeps its own files: settings (config dir), caches (demo, results), data (measurements), the log.

$ICHVIEWER_CONFIG, $ICHVIEWER_CACHE, $ICHVIEWER_DATA and $ICHVIEWER_LOGS override the platformdirs
locations (tests point them at temporary folders, as napari does with its settings). Data is what a
user made and would miss (measurements, review notes): unlike a cache it is never cleared.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "ichviewer"


def config_dir() -> Path:
    return Path(os.environ.get("ICHVIEWER_CONFIG") or platformdirs.user_config_dir(APP))


def cache_dir() -> Path:
    return Path(os.environ.get("ICHVIEWER_CACHE") or platformdirs.user_cache_dir(APP))


def data_dir() -> Path:
    return Path(os.environ.get("ICHVIEWER_DATA") or platformdirs.user_data_dir(APP))


def log_dir() -> Path:
    return Path(os.environ.get("ICHVIEWER_LOGS") or platformdirs.user_log_dir(APP))
