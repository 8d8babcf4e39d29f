"""What the privacy toggle hides beyond the patient corner: folder paths in Open Recent and messages."""

from __future__ import annotations

from ichviewer.core.privacy import recent_entry, shown_folder


def test_recent_entries_show_paths_only_while_names_are_shown() -> None:
    folder = "/studies/DOE^JOHN/ID123456"
    assert recent_entry(folder, 2, show_patient=True) == folder
    hidden = recent_entry(folder, 2, show_patient=False)
    assert hidden == "Recent study 2 (path hidden)" and "123456" not in hidden


def test_shown_folder() -> None:
    assert shown_folder("/studies/ID123456", True) == "/studies/ID123456"
    assert "123456" not in shown_folder("/studies/ID123456", False)
