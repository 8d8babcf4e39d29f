"""Settings: defaults, round trip, atomic write, corrupt and wrong-typed files (no Qt)."""

from __future__ import annotations

import json
from pathlib import Path

from ichviewer.core.settings import MAX_RECENT, Settings, load_settings, save_settings, settings_path


class TestLoadSettings:
    def test_missing_file_gives_defaults_without_warning(self, tmp_path: Path) -> None:
        loaded = load_settings(tmp_path / "settings.json")
        assert loaded.settings == Settings()
        assert loaded.warning is None

    def test_round_trip(self, tmp_path: Path) -> None:
        path = tmp_path / "settings.json"
        settings = Settings(
            default_window="bone",
            show_patient_overlay=False,
            theme="light",
            heatmap_opacity=0.3,
            window_geometry_b64="AAEC",
            device="cpu",
        )
        settings.add_recent("/data/a")
        save_settings(settings, path)
        loaded = load_settings(path)
        assert loaded.warning is None
        assert loaded.settings == settings
        assert loaded.settings.last_folder == "/data/a"

    def test_default_path_is_in_config_dir(self, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        monkeypatch.setenv("ICHVIEWER_CONFIG", str(tmp_path / "cfg"))
        save_settings(Settings(theme="light"))
        assert settings_path() == tmp_path / "cfg" / "settings.json"
        assert json.loads(settings_path().read_text())["theme"] == "light"
        assert load_settings().settings.theme == "light"

    def test_corrupt_file_gives_defaults_and_a_warning(self, tmp_path: Path) -> None:
        path = tmp_path / "settings.json"
        path.write_text('{"theme": "light", ')
        loaded = load_settings(path)
        assert loaded.settings == Settings()
        assert loaded.warning is not None and str(path) in loaded.warning and "defaults" in loaded.warning

    def test_not_an_object(self, tmp_path: Path) -> None:
        path = tmp_path / "settings.json"
        path.write_text("[1, 2]")
        loaded = load_settings(path)
        assert loaded.settings == Settings()
        assert "list" in (loaded.warning or "")

    def test_wrong_types_fall_back_per_field_and_unknown_keys_are_ignored(self, tmp_path: Path) -> None:
        path = tmp_path / "settings.json"
        path.write_text(
            json.dumps(
                {
                    "theme": "light",
                    "show_overlays": "yes",
                    "heatmap_opacity": 3,
                    "default_window": "rainbow",
                    "recent": ["/a", 5],
                    "layout": "quad",
                    "future_key": 1,
                }
            )
        )
        loaded = load_settings(path)
        assert loaded.settings.theme == "light"
        assert loaded.settings.show_overlays is True
        assert loaded.settings.heatmap_opacity == 0.45
        assert loaded.settings.default_window == "brain"
        assert loaded.settings.recent == []
        assert loaded.settings.layout == "axial"
        assert not hasattr(loaded.settings, "future_key")
        for name in ("show_overlays", "heatmap_opacity", "default_window", "recent", "layout"):
            assert name in (loaded.warning or "")


class TestSaveSettings:
    def test_atomic_write_leaves_no_temporary_file(self, tmp_path: Path) -> None:
        path = tmp_path / "sub" / "settings.json"
        save_settings(Settings(), path)
        save_settings(Settings(theme="light"), path)
        assert [p.name for p in path.parent.iterdir()] == ["settings.json"]
        assert json.loads(path.read_text())["schema_version"] == 1


class TestRecent:
    def test_most_recent_first_without_duplicates_and_capped(self) -> None:
        settings = Settings()
        for k in range(MAX_RECENT + 3):
            settings.add_recent(f"/s/{k}")
        settings.add_recent("/s/5")
        assert settings.recent[0] == "/s/5"
        assert len(settings.recent) == MAX_RECENT
        assert settings.recent.count("/s/5") == 1
