"""The six hemorrhage labels the classifier predicts, with display names and colours."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """One output of the classifier: a stable key, what a reader sees, and a plot colour."""

    key: str
    name: str
    short: str
    colour: str  # "#rrggbb", chosen to stay distinct on a dark background and in print


LABELS: tuple[Label, ...] = (
    Label("any", "Any hemorrhage", "ANY", "#ff4d4d"),
    Label("epidural", "Epidural", "EDH", "#ffb000"),
    Label("intraparenchymal", "Intraparenchymal", "IPH", "#4dd2ff"),
    Label("intraventricular", "Intraventricular", "IVH", "#b07cff"),
    Label("subarachnoid", "Subarachnoid", "SAH", "#5ce65c"),
    Label("subdural", "Subdural", "SDH", "#ff7ad9"),
)
LABEL_KEYS: tuple[str, ...] = tuple(label.key for label in LABELS)
SUBTYPE_KEYS: tuple[str, ...] = LABEL_KEYS[1:]
_BY_KEY = {label.key: label for label in LABELS}


def label(key: str) -> Label:
    """Return the label for `key`; raise KeyError naming the known keys otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown label {key!r}; known: {', '.join(LABEL_KEYS)}") from None
