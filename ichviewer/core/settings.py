"""User settings (default window, overlays, theme, recent studies) as JSON in the config dir.

Plain Python, no Qt: the viewer reads them at start and writes them on close. A corrupt or
wrong-typed file never stops the viewer: it falls back to defaults and returns a message the
window shows in its status bar (napari settings do the same).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ichviewer.core.devices import DEVICES
from ichviewer.core.user_dirs import config_dir
from ichviewer.core.windowing import PRESETS, SCANNER

SCHEMA_VERSION = 1
MAX_RECENT = 10
THEMES = ("dark", "light")
LAYOUTS = ("axial", "mpr")  # the axial view alone, or axial beside coronal over sagittal

log = logging.getLogger(__name__)


@dataclass
class Settings:
    """What persists between runs; every field has a safe default."""

    schema_version: int = SCHEMA_VERSION
    default_window: str = "brain"
    show_patient_overlay: bool = True
    show_overlays: bool = True
    last_folder: str = ""
    window_geometry_b64: str = ""
    recent: list[str] = field(default_factory=list)
    auto_analyse: bool = True
    device: str = "auto"
    heatmap_opacity: float = 0.45
    last_export_folder: str = ""
    theme: str = "dark"
    layout: str = "axial"  # one of LAYOUTS

    def add_recent(self, folder: str | os.PathLike[str]) -> None:
        """Put `folder` first in the recent list (no duplicates, at most MAX_RECENT)."""
        text = str(folder)
        self.recent = [text] + [r for r in self.recent if r != text]
        del self.recent[MAX_RECENT:]
        self.last_folder = text


@dataclass(frozen=True)
class LoadedSettings:
    """Settings read from disk and, when the file was unusable, why defaults were used."""

    settings: Settings
    warning: str | None = None


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> LoadedSettings:
    """Read the settings file; a missing file gives defaults, a bad one defaults plus a warning."""
    path = path or settings_path()
    if not path.exists():
        return LoadedSettings(Settings())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return _fallback(path, f"could not be read ({error})")
    if not isinstance(data, dict):
        return _fallback(path, f"holds {type(data).__name__}, not an object")
    settings = Settings()
    bad: list[str] = []
    for spec in fields(Settings):
        if spec.name not in data:
            continue
        value = _checked(spec.name, data[spec.name])
        if value is None:
            bad.append(spec.name)
        else:
            setattr(settings, spec.name, value)
    settings.schema_version = SCHEMA_VERSION
    if bad:
        message = f"Settings file {path}: ignored invalid {', '.join(bad)} (defaults used)"
        log.warning(message)
        return LoadedSettings(settings, message)
    return LoadedSettings(settings)


def _fallback(path: Path, why: str) -> LoadedSettings:
    message = f"Settings file {path} {why}; using defaults"
    log.warning(message)
    return LoadedSettings(Settings(), message)


def _checked(name: str, value: Any) -> Any:
    """The value when it has the field's type and range, else None (unknown keys never get here)."""
    if name in ("show_patient_overlay", "show_overlays", "auto_analyse"):
        return value if isinstance(value, bool) else None
    if name == "schema_version":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if name == "heatmap_opacity":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0
        return float(value) if ok else None
    if name == "recent":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return list(value[:MAX_RECENT]) if ok else None
    if not isinstance(value, str):
        return None
    allowed = {"default_window": (*PRESETS, SCANNER), "theme": THEMES, "device": DEVICES, "layout": LAYOUTS}.get(name)
    return value if allowed is None or value in allowed else None


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically (temporary file + os.replace) so a crash never leaves half a file."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(asdict(settings), indent=2)
    handle, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
