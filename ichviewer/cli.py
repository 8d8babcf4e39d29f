"""The one entry point: `ichviewer [FOLDER]` opens the viewer; subcommands work headless.

Each subcommand imports what it needs inside its handler, so `ichviewer info` starts without
loading torch or Qt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ichviewer import __version__

Handler = Callable[[argparse.Namespace], int]


def _info(args: argparse.Namespace) -> int:
    """Print the studies and series under a folder, and what was left out and why."""
    from ichviewer.core.study_summary import describe_folder

    print(describe_folder(Path(args.folder), verbose=args.verbose))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ichviewer",
        description="Head CT viewer with an AI overlay for intracranial hemorrhage. "
        "Research tool: not for clinical use.",
    )
    parser.add_argument("--version", action="version", version=f"ichviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    info = sub.add_parser("info", help="list the studies and series in a folder and the load report")
    info.add_argument("folder", help="folder with DICOM files (searched recursively)")
    info.add_argument("-v", "--verbose", action="store_true", help="list every skipped file")
    info.set_defaults(handler=_info)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return handler(args)
    except (FileNotFoundError, NotADirectoryError, ValueError) as error:
        print(f"ichviewer: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ichviewer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
