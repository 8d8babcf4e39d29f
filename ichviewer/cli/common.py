"""What the commands share: the user's-mistake error, the study folder argument and a terminal progress bar."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


class UsageError(Exception):
    """The command line asks for something impossible (bad arguments, a folder that is not there)."""


def study_folder(args: argparse.Namespace) -> Path:
    """FOLDER, or the demo study (generated once) with --demo; exactly one of them."""
    if args.demo == bool(args.folder):
        raise UsageError("give a FOLDER or --demo (one of them)")
    if args.demo:
        from ichviewer.core.synthetic.demo import demo_study_dir

        return demo_study_dir(progress_bar("Generating the demo study"))
    return existing_folder(args.folder)


def existing_folder(folder: str) -> Path:
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise UsageError(f"{folder} is not a folder")
    return path


def progress_bar(description: str):  # type: ignore[no-untyped-def]
    """A core `Progress` callable drawing a tqdm bar on stderr (one bar per total)."""
    from tqdm import tqdm

    state: dict[str, tqdm] = {}

    def progress(done: int, total: int, message: str) -> None:
        bar = state.get("bar")
        if bar is None or bar.total != total:
            if bar is not None:
                bar.close()
            bar = state["bar"] = tqdm(
                total=total, desc=description, unit="step", leave=False, file=sys.stderr, disable=None
            )
        bar.n = done
        bar.set_postfix_str(message[:40], refresh=False)
        bar.refresh()

    return progress
