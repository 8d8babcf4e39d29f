"""The one entry point: `ichviewer [FOLDER]` opens the viewer; subcommands work headless.

Each subcommand imports what it needs inside its handler, so `ichviewer info` starts without
loading torch or Qt. Exit status: 0 done, 2 the user's own mistake (bad arguments, a path that
does not exist), 1 anything else (the message on stderr, the traceback in the log file).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ichviewer import __version__
from ichviewer.cli import analysis
from ichviewer.cli.common import UsageError, existing_folder, progress_bar, study_folder
from ichviewer.core.devices import DEVICES
from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.results import KEY_FINDINGS_SHOWN
from ichviewer.core.settings import LAYOUTS

Handler = Callable[[argparse.Namespace], int]
log = logging.getLogger(__name__)


def _info(args: argparse.Namespace) -> int:
    """Print the studies and series under a folder, and what was left out and why."""
    from ichviewer.core.folder_report import describe_folder

    print(describe_folder(study_folder(args), verbose=args.verbose))
    return 0


def _phantom(args: argparse.Namespace) -> int:
    """Write a synthetic head CT study with ground truth to OUT."""
    from ichviewer.core.labels import LABEL_KEYS
    from ichviewer.core.synthetic.dicom_writer import SYNTAXES
    from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study

    subtypes = tuple(s.strip() for s in args.subtypes.split(",") if s.strip())
    try:
        spec = PhantomSpec(
            seed=args.seed,
            n_slices=args.slices,
            size=args.size,
            pixel_mm=230.0 / args.size,
            subtypes=subtypes,
            tilt_deg=args.tilt,
        )
    except ValueError as error:  # the spec checks exactly the arguments given
        raise UsageError(str(error)) from None
    if args.syntax not in SYNTAXES:
        raise UsageError(f"unknown syntax {args.syntax!r}; choose from {', '.join(SYNTAXES)}")
    if Path(args.out).exists():
        raise UsageError(f"{args.out} exists: choose a new OUT folder (a phantom never overwrites files)")
    phantom = generate_phantom(spec)
    folder = write_phantom_study(phantom, Path(args.out), syntax=args.syntax, progress=progress_bar("Writing"))
    labelled = {key: int(n) for key, n in zip(LABEL_KEYS, phantom.slice_labels.sum(axis=0), strict=True) if n}
    print(f"wrote {spec.n_slices} slices ({args.syntax}) with ground truth to {folder}")
    print(f"  slices with blood: {labelled or 'none'}")
    return 0


def _train(args: argparse.Namespace) -> int:
    """Train the classifier (options: `ichviewer train --help`, parsed by ichviewer.training.train)."""
    from ichviewer.training.train import main as train_main

    return train_main(args.options)


def _evaluate(args: argparse.Namespace) -> int:
    """Evaluate a model on the test split (options: `ichviewer evaluate --help`)."""
    from ichviewer.training.evaluate import main as evaluate_main

    return evaluate_main(args.options)


def _viewer(args: argparse.Namespace) -> int:
    """Open the viewer window, on FOLDER or the demo study when given."""
    from ichviewer.qt_platform import display_problem

    folder = args.folder
    if args.demo:
        from ichviewer.core.synthetic.demo import demo_study_dir

        folder = demo_study_dir(progress_bar("Generating the demo study (once)"))
    elif folder is not None:
        existing_folder(folder)
    problem = display_problem()
    if problem is not None:
        print(f"ichviewer: {problem}", file=sys.stderr)
        return 1
    from ichviewer.ui.main_window import run_viewer

    return run_viewer(folder, device=args.device, layout=args.layout)


def build_viewer_parser() -> argparse.ArgumentParser:
    """`ichviewer [FOLDER] [--demo] [--device D] [--layout axial|mpr]`: the viewer (no subcommand)."""
    parser = argparse.ArgumentParser(prog="ichviewer", description=f"Open the viewer. {NOT_FOR_CLINICAL_USE}.")
    parser.add_argument("folder", nargs="?", help="folder with a CT study (searched recursively)")
    parser.add_argument("--demo", action="store_true", help="open the synthetic demo study (generated once)")
    parser.add_argument("--device", choices=DEVICES, help="device for the AI analysis")
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        help="axial view alone, or mpr: axial beside coronal over sagittal (default: as last time)",
    )
    parser.set_defaults(handler=_viewer)
    return parser


def _wants_viewer(parser: argparse.ArgumentParser, argv: Sequence[str]) -> bool:
    """True unless argv starts with a subcommand or a top-level option (--help, --version)."""
    commands: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands.update(action.choices)
    return not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version"))


def _model_options(command: argparse.ArgumentParser) -> None:
    """--deidentify, --model and --device: what `scan` and `triage` share."""
    command.add_argument("--deidentify", action="store_true", help="leave patient name, ID, dates out of the PDFs")
    command.add_argument("--model", metavar="DIR", help="model folder (default: the bundled model)")
    command.add_argument("--device", default="auto", choices=DEVICES)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ichviewer",
        description=f"Head CT viewer with an AI overlay for intracranial hemorrhage. {NOT_FOR_CLINICAL_USE}.",
        epilog="Without a command: `ichviewer [FOLDER] [--demo] [--device D]` opens the viewer.",
    )
    parser.add_argument("--version", action="version", version=f"ichviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    info = sub.add_parser("info", help="list the studies and series in a folder and the load report")
    info.add_argument("folder", nargs="?", help="folder with DICOM files (searched recursively)")
    info.add_argument("--demo", action="store_true", help="the synthetic demo study (generated once)")
    info.add_argument("-v", "--verbose", action="store_true", help="list every skipped file")
    info.set_defaults(handler=_info)

    scan = sub.add_parser("scan", help="analyse a study headless and write per-slice and per-study scores")
    scan.add_argument("folder", nargs="?", help="folder with the study's DICOM files")
    scan.add_argument("--demo", action="store_true", help="the synthetic demo study (generated once)")
    scan.add_argument("--json", metavar="FILE", help="write per-slice and per-study scores as JSON")
    scan.add_argument("--csv", metavar="FILE", help="write per-slice scores as CSV")
    scan.add_argument("--pdf", metavar="FILE", help="write the PDF summary (as File ▸ Export PDF in the viewer)")
    _model_options(scan)
    scan.add_argument(
        "--key-slices",
        type=int,
        default=KEY_FINDINGS_SHOWN,
        metavar="N",
        help=f"key slices shown in the PDF (default {KEY_FINDINGS_SHOWN})",
    )
    scan.add_argument("--no-cache", action="store_true", help="always recompute the scores")
    scan.set_defaults(handler=analysis.scan)

    triage = sub.add_parser("triage", help="analyse every study under a folder; write the worklist ranked by suspicion")
    triage.add_argument("folder", help="folder with many studies (searched recursively; only read)")
    triage.add_argument("--csv", metavar="FILE", help="write the ranked worklist as CSV (one row per study)")
    triage.add_argument("--json", metavar="FILE", help="write the ranked worklist as JSON")
    triage.add_argument("--pdf-dir", metavar="DIR", help="write one PDF summary per analysed study into DIR")
    _model_options(triage)
    triage.set_defaults(handler=analysis.triage)

    phantom = sub.add_parser("phantom", help="write a synthetic head CT study with ground-truth labels and masks")
    phantom.add_argument("out", help="new folder for the DICOM files and ground_truth.json")
    phantom.add_argument("--seed", type=int, default=0)
    phantom.add_argument(
        "--subtypes",
        default="",
        help="comma-separated: epidural,intraparenchymal,intraventricular,subarachnoid,subdural (default none)",
    )
    phantom.add_argument("--slices", type=int, default=32)
    phantom.add_argument("--size", type=int, default=512, help="pixels per side; the field of view stays 230 mm")
    phantom.add_argument(
        "--syntax",
        default="explicit",
        help="transfer syntax: explicit, implicit, big, deflated, rle, j2k, jpegls, jpeg-lossless, jpeg-lossless-sv1",
    )
    phantom.add_argument("--tilt", type=float, default=0.0, help="gantry tilt in degrees")
    phantom.set_defaults(handler=_phantom)

    for name, handler, text in (
        ("train", _train, "train the hemorrhage classifier from a training pack (CUDA when present)"),
        ("evaluate", _evaluate, "evaluate a model on the held-out test split; --check / --write-card for the card"),
    ):
        command = sub.add_parser(name, help=text, add_help=False, prefix_chars="\0")
        command.add_argument("options", nargs=argparse.REMAINDER, help="see `ichviewer %(prog)s --help`")
        command.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if _wants_viewer(parser, argv):
        parser = build_viewer_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    from ichviewer.core.dicom.config import configure_pydicom
    from ichviewer.core.log_file import start_logging
    from ichviewer.core.study_loading import NoCTSeries
    from ichviewer.core.volume import UnreadableSeries

    log_file = start_logging()
    configure_pydicom()
    try:
        return handler(args)
    except (UsageError, FileNotFoundError, NotADirectoryError, NoCTSeries, UnreadableSeries) as error:
        # a path the user named is not there, or holds no CT the program can read: the message says which
        print(f"ichviewer: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ichviewer: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        log.exception("ichviewer %s failed", " ".join(argv))
        details = f" (details in {log_file})" if log_file else ""
        print(f"ichviewer: error: {error}{details}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
