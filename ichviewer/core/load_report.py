"""What a reader should know about a load: geometry warnings, notes, files left out and why.

Every file left out is named. Files with the same reason share one line that lists them all;
files that were never meant to be images (README, DICOMDIR, identical copies) are listed once
and not counted as problems.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ichviewer.core.dicom.records import SkippedFile


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 problem', '2 problems', '0 files'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


@dataclass(frozen=True)
class LoadReport:
    """Files left out (with reasons), geometry warnings and notes of one load."""

    skipped: tuple[SkippedFile, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """True when something went wrong (a file that should have been an image, a warning)."""
        return bool(self.problems or self.warnings)

    @property
    def problems(self) -> tuple[SkippedFile, ...]:
        return tuple(s for s in self.skipped if s.problem)

    @property
    def ignored(self) -> tuple[SkippedFile, ...]:
        return tuple(s for s in self.skipped if not s.problem)

    @property
    def problem_count(self) -> int:
        return len(self.problems) + len(self.warnings)

    def merged(self, other: LoadReport) -> LoadReport:
        seen = {(s.path, s.reason) for s in self.skipped}
        extra = tuple(s for s in other.skipped if (s.path, s.reason) not in seen)
        notes = self.notes + tuple(n for n in other.notes if n not in self.notes)
        return LoadReport(self.skipped + extra, self.warnings + other.warnings, notes)

    def summary(self) -> str:
        """One line, e.g. '2 files skipped, 1 warning; 3 files ignored (not images)'."""
        if not self.skipped and not self.warnings and not self.notes:
            return "Nothing was skipped and the slice geometry is regular."
        parts = [f"{plural(len(self.problems), 'file')} skipped", plural(len(self.warnings), "warning")]
        text = ", ".join(parts)
        if self.ignored:
            text += f"; {plural(len(self.ignored), 'file')} ignored (not images)"
        if self.notes:
            text += f"; {plural(len(self.notes), 'note')}"
        return text

    def lines(self, root: Path | None = None) -> list[str]:
        """Warnings, notes, then one line per reason naming every file it applies to; with `root`
        (the study folder) files are named inside it and nothing of the path above it shows."""
        lines = [f"warning: {w}" for w in self.warnings] + [f"note: {n}" for n in self.notes]
        lines += [f"skipped: {line}" for line in grouped(self.problems, root)]
        lines += [f"ignored: {line}" for line in grouped(self.ignored, root)]
        return lines


def grouped(skipped: tuple[SkippedFile, ...] | list[SkippedFile], root: Path | None = None) -> list[str]:
    """'path: reason' per file; files sharing a reason on one line, every one named."""
    by_reason: dict[str, list[Path]] = defaultdict(list)
    for s in skipped:
        by_reason[s.reason].append(s.path)
    lines = []
    for reason, paths in by_reason.items():
        if len(paths) == 1:
            lines.append(f"{_shown(paths[0], root)}: {reason}")
            continue
        if root is not None:
            lines.append(f"{reason} ({plural(len(paths), 'file')}): {', '.join(_shown(p, root) for p in paths)}")
            continue
        base = Path(os.path.commonpath([str(p.parent) for p in paths]))
        names = ", ".join(_shown(p, base) for p in paths)
        lines.append(f"{plural(len(paths), 'file')} in {base} — {reason}: {names}")
    return lines


def _shown(path: Path, root: Path | None) -> str:
    """The path inside `root`; a file outside it (a link's target) by its name alone."""
    if root is None:
        return str(path)
    try:
        return str(path.relative_to(root))
    except ValueError:
        return path.name
