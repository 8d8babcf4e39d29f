"""Where ichviewer keeps its own files: settings (config dir) and caches (demo, results).

$ICHVIEWER_CONFIG and $ICHVIEWER_CACHE override the platformdirs locations (tests point them
at temporary folders, as napari does with its settings).
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
