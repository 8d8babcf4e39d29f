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
from ichviewer.core.devices import DEVICES
from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.results import KEY_FINDINGS_SHOWN
from ichviewer.core.settings import LAYOUTS

Handler = Callable[[argparse.Namespace], int]
log = logging.getLogger(__name__)


class UsageError(Exception):
    """The command line asks for something impossible (bad arguments, a folder that is not there)."""


def _info(args: argparse.Namespace) -> int:
    """Print the studies and series under a folder, and what was left out and why."""
    from ichviewer.core.folder_report import describe_folder

    print(describe_folder(_study_folder(args), verbose=args.verbose))
    return 0


def _study_folder(args: argparse.Namespace) -> Path:
    """FOLDER, or the demo study (generated once) with --demo; exactly one of them."""
    if args.demo == bool(args.folder):
        raise UsageError("give a FOLDER or --demo (one of them)")
    if args.demo:
        from ichviewer.core.synthetic.demo import demo_study_dir

        return demo_study_dir(progress_bar("Generating the demo study"))
    return _existing_folder(args.folder)


def _existing_folder(folder: str) -> Path:
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise UsageError(f"{folder} is not a folder")
    return path


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


def _scan(args: argparse.Namespace) -> int:
    """Score the default series of a folder headless; print the study table, write JSON/CSV/PDF (with the
    measurements saved in the viewer for that series)."""
    from ichviewer.core.applicability import NotApplicable
    from ichviewer.core.inference import Classifier
    from ichviewer.core.labels import label
    from ichviewer.core.measurement_report import measurements_json
    from ichviewer.core.model import ModelError
    from ichviewer.core.results import write_json_atomic
    from ichviewer.core.results_csv import write_csv
    from ichviewer.core.scoring import score_volume
    from ichviewer.core.study_loading import load_study
    from ichviewer.core.verdict_text import study_verdict_text

    _, volume = load_study(_study_folder(args), progress_bar("Loading"))
    try:
        classifier = Classifier(args.model, device=args.device)
    except ModelError as error:
        if args.model:  # the folder the user named is no model
            raise UsageError(str(error)) from None
        raise
    try:
        scored = score_volume(volume, classifier, progress_bar("Analysing"), use_cache=not args.no_cache)
    except NotApplicable as reason:
        return _scan_not_applicable(args, volume, classifier, str(reason))
    result = scored.result
    verdict = study_verdict_text(result, volume)
    print("\n  ".join((f"STUDY: {verdict.headline}", *verdict.details)))  # the verdict first, then the rest
    print(f"{volume.series.title}: {volume.n_slices} slices")
    for line in volume.report.lines():
        print(f"  {line}")
    source = "cache" if scored.from_cache else f"{result.elapsed_s:.1f} s on {result.device}"
    print(f"Model {result.model_name} {result.model_version} ({source}) — {NOT_FOR_CLINICAL_USE.upper()}")
    print(f"  {'label':<18}{'max score':>10}{'at slice':>10}{'flagged':>10}{'threshold':>11}  verdict")
    for row in result.label_summaries():
        print(
            f"  {label(row.label).name:<18}{row.max_score:>10.3f}{row.max_slice + 1:>10}"
            f"{row.slices_over:>10}{row.threshold:>11.3f}  {row.verdict}"
        )
    print(result.describe())
    measured = _stored_measurements(volume)
    if args.json:
        data = result.to_json()
        if measured:
            data["measurements"] = measurements_json(measured)
        write_json_atomic(Path(args.json), data)
        print(f"wrote {args.json}" + (f" (with {len(measured)} saved measurements)" if measured else ""))
    if args.csv:
        write_csv(result, Path(args.csv))
        print(f"wrote {args.csv}")
    if args.pdf:
        _write_scan_pdf(args, volume, result, classifier, measured)
    return 0


def _scan_not_applicable(args: argparse.Namespace, volume, classifier, reason: str) -> int:  # type: ignore[no-untyped-def]
    """`scan` on a series the model must not judge: the reason instead of scores (exit 0: a valid answer)."""
    from ichviewer.core.inference import series_facts
    from ichviewer.core.results import write_json_atomic
    from ichviewer.core.verdict_text import not_applicable_text
    from ichviewer.report.not_applicable_pdf import write_not_applicable_pdf
    from ichviewer.report.pdf_canvas import ReportOptions

    verdict = not_applicable_text(reason, volume)
    print("\n  ".join((f"STUDY: {verdict.headline}", *verdict.details)))
    print(f"{volume.series.title}: {volume.n_slices} slices")
    for line in volume.report.lines():
        print(f"  {line}")
    print(f"Model {classifier.card.title} — {NOT_FOR_CLINICAL_USE.upper()}")
    if args.json:
        study = {"applicable": False, "suspected": None, "verdict": verdict.headline, "reason": reason}
        model = {"name": classifier.card.name, "version": classifier.card.version}
        data = {"study": study, "series_uid": volume.series.uid, "series": series_facts(volume), "model": model}
        write_json_atomic(Path(args.json), data)
        print(f"wrote {args.json}")
    if args.csv:
        print("CSV not written: no scores for a series the model does not judge")
    if args.pdf:
        options = ReportOptions(deidentify=args.deidentify)
        write_not_applicable_pdf(Path(args.pdf), volume, reason, classifier.card.title, options)
        print(f"wrote {args.pdf} (AI not applicable: one page)")
    return 0


def _stored_measurements(volume):  # type: ignore[no-untyped-def]
    """The measurements saved in the viewer for this series (a store that cannot be read: none, said on stderr)."""
    import sqlite3

    from ichviewer.core.measurement_report import stored_measurements
    from ichviewer.core.store import StoreError

    try:
        loaded = stored_measurements(volume.series.study_uid, volume.series.uid)
    except (StoreError, sqlite3.Error, OSError) as error:
        print(f"ichviewer: saved measurements not included: {error}", file=sys.stderr)
        return ()
    for problem in loaded.problems:
        print(f"ichviewer: {problem}", file=sys.stderr)
    return loaded.items


def _write_scan_pdf(args: argparse.Namespace, volume, result, classifier, measured=()) -> None:  # type: ignore[no-untyped-def]
    """The same PDF as the viewer's File ▸ Export PDF: key slices with their Grad-CAM heatmaps."""
    import time

    from ichviewer.core.gradcam import heatmaps_for
    from ichviewer.report.pdf import ReportOptions, write_pdf

    start = time.perf_counter()
    options = ReportOptions(deidentify=args.deidentify, max_key_slices=args.key_slices)
    maps = heatmaps_for(classifier, volume, result.key_findings(options.max_key_slices))
    write_pdf(Path(args.pdf), volume, result, maps, options, measurements=measured)
    print(f"wrote {args.pdf} ({len(maps)} heatmaps, {time.perf_counter() - start:.1f} s)")


def _triage(args: argparse.Namespace) -> int:
    """Analyse every study under a folder, one at a time; write the ranked worklist (and a PDF per study)."""
    from ichviewer.core.dicom.index import index_folder
    from ichviewer.core.inference import Classifier
    from ichviewer.core.model import ModelError
    from ichviewer.core.triage import run_queue
    from ichviewer.core.work_queue import WorkQueue
    from ichviewer.core.worklist_export import write_worklist_csv, write_worklist_json
    from ichviewer.core.worklist_rows import Status, StudyRow, ranked, rows_from_index

    if not (args.csv or args.json or args.pdf_dir):
        raise UsageError("give --csv FILE, --json FILE and/or --pdf-dir DIR: triage writes only where asked")
    folder = _existing_folder(args.folder)
    index = index_folder(folder, progress_bar("Reading headers"))
    rows = {row.key: row for row in rows_from_index(index)}
    print(f"{len(rows)} studies under {folder} ({len(index.studies)} with CT)")
    try:
        classifier = Classifier(args.model, device=args.device)
    except ModelError as error:
        if args.model:
            raise UsageError(str(error)) from None
        raise
    queue = WorkQueue(key for key, row in rows.items() if row.status is Status.QUEUED)

    def on_row(row: StudyRow) -> None:
        rows[row.key] = row

    on_scored = (lambda row, scored: _triage_pdf(args, row, scored, classifier)) if args.pdf_dir else None
    run_queue(index, dict(rows), queue, classifier, on_row, progress_bar("Analysing studies"), on_scored)
    card = classifier.card
    model = {"name": card.name, "version": card.version, "sha256": card.sha256}
    print(f"{'rank':>4}  {'patient ID':<16}{'date':<10}{'verdict':<16}{'score':>7}  subtypes / status")
    for rank, row in enumerate(ranked(list(rows.values())), 1):
        score = f"{row.verdict.score:.3f}" if row.verdict else ""
        detail = ", ".join(row.verdict.subtypes) if row.verdict else row.status_text
        print(f"{rank:>4}  {row.patient_id[:15]:<16}{row.date:<10}{row.verdict_text:<16}{score:>7}  {detail}")
    print(NOT_FOR_CLINICAL_USE.upper())
    if args.json:
        write_worklist_json(Path(args.json), list(rows.values()), folder, model)
        print(f"wrote {args.json}")
    if args.csv:
        write_worklist_csv(Path(args.csv), list(rows.values()))
        print(f"wrote {args.csv}")
    return 0


def _triage_pdf(args: argparse.Namespace, row, scored, classifier) -> None:  # type: ignore[no-untyped-def]
    """One PDF summary per analysed study, named by patient ID and study UID (by UID alone when de-identified)."""
    from ichviewer.core.gradcam import heatmaps_for
    from ichviewer.report.pdf import ReportOptions, write_pdf

    options = ReportOptions(deidentify=args.deidentify)
    stem = row.key[-24:] if args.deidentify else f"{row.patient_id}_{row.key[-16:]}"
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
    maps = heatmaps_for(classifier, scored.volume, scored.result.key_findings(options.max_key_slices))
    write_pdf(Path(args.pdf_dir) / f"{name}.pdf", scored.volume, scored.result, maps, options)


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
        _existing_folder(folder)
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
        "--layout", choices=LAYOUTS, help="axial view alone, or mpr: axial | coronal | sagittal (default: as last time)"
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
    scan.set_defaults(handler=_scan)

    triage = sub.add_parser("triage", help="analyse every study under a folder; write the worklist ranked by suspicion")
    triage.add_argument("folder", help="folder with many studies (searched recursively; only read)")
    triage.add_argument("--csv", metavar="FILE", help="write the ranked worklist as CSV (one row per study)")
    triage.add_argument("--json", metavar="FILE", help="write the ranked worklist as JSON")
    triage.add_argument("--pdf-dir", metavar="DIR", help="write one PDF summary per analysed study into DIR")
    _model_options(triage)
    triage.set_defaults(handler=_triage)

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
