"""The headless analysis commands: `ichviewer scan` (one study: text, JSON, CSV, PDF) and `ichviewer triage`
(a folder of studies ranked: CSV, JSON, a PDF per study). Each imports what it needs when it runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ichviewer.cli.common import UsageError, existing_folder, progress_bar, study_folder
from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE


def scan(args: argparse.Namespace) -> int:
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

    _, volume = load_study(study_folder(args), progress_bar("Loading"))
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


def triage(args: argparse.Namespace) -> int:
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
    folder = existing_folder(args.folder)
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
