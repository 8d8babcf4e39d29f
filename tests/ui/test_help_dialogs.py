"""Help ▸ About (intended use, the model's test figures, licences) and the shortcuts table."""

from __future__ import annotations

from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.ui.help_dialogs import ShortcutsDialog, about_text, model_summary


def test_about_states_research_use_model_figures_and_licences() -> None:
    text = about_text()
    assert NOT_FOR_CLINICAL_USE in text
    assert "ichnet-slab" in text and "AUC" in text and "95% CI" in text  # from the bundled card's test figures
    assert "LGPL" in text and "Apache-2.0" in text


def test_no_model_is_said(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "No usable model" in model_summary(str(tmp_path))


def test_shortcuts_table_adds_the_mouse(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ShortcutsDialog([("N", "Next flagged slice")])
    qtbot.addWidget(dialog)
    rows = dict(dialog.rows())
    assert rows["N"] == "Next flagged slice" and "Left-drag" in rows
