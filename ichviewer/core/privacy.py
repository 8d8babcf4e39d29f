"""What the privacy toggle (P, `Display.show_patient` off) hides beyond the patient corner: folder paths.

Study folders are often named after the patient or their ID, so while names are hidden a path is
shown by its place in the recent list only, and the view carries a visible badge saying so.
"""

from __future__ import annotations

from pathlib import Path

NAMES_HIDDEN = "Names hidden (P)"


def shown_folder(folder: str | Path, show_patient: bool) -> str:
    """The folder as the status bar and messages name it: the path, or a neutral word while names are hidden."""
    return str(folder) if show_patient else "the study folder (path hidden)"


def recent_entry(folder: str, position: int, show_patient: bool) -> str:
    """The text of File ▸ Open Recent's entry `position` (1 = most recent)."""
    return folder if show_patient else f"Recent study {position} (path hidden)"
