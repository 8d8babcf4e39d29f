"""Run fuzz cases through the real `info`, load and `scan` paths, each in its own forked process.

Usage: python fuzz_child.py CASES.json RESULTS.json [--model DIR] [--scan-every K] [--timeout S] [--memory-gb G]

The modules (and torch, with --model) are imported once; each case then runs in a child forked
from this process with an address-space limit, its stdout/stderr in a log, and a timeout after
which it is killed (a hang). The parent records the child's exit, peak resident memory (from
wait4) and the JSON the child wrote: which files were named (skipped, with the reason) and which
loaded, and whether their HU equal the unmutated seed's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import signal
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from ichviewer.cli import main as cli_main
from ichviewer.core.dicom.config import configure_pydicom
from ichviewer.core.dicom.index import index_folder
from ichviewer.core.load_report import LoadReport
from ichviewer.core.volume import UnreadableSeries, load_volume


def _address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def check(case: dict, model: str | None) -> dict:
    """What the reader did with each file of one case (runs in the child)."""
    folder = Path(case["folder"])
    expected = dict(np.load(case["expected"]))
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        info_rc = cli_main(["info", "-v", str(folder)])
    info_text = text.getvalue()
    index = index_folder(folder)
    named = {s.path.name: s.reason for s in index.skipped}
    loaded: dict[str, bool] = {}
    for series in index.series:
        try:
            volume = load_volume(series, folder_report=LoadReport(index.skipped))
        except UnreadableSeries as problem:
            named.update({s.path.name: s.reason for s in problem.skipped})
            continue
        named.update({s.path.name: s.reason for s in volume.report.skipped})
        geometry = volume.geometry
        for k, header in enumerate(volume.slices):
            hu = volume.hu[k]
            if geometry.flip_rows:
                hu = hu[::-1]
            if geometry.flip_columns:
                hu = hu[:, ::-1]
            reference = expected.get(header.path.name)
            loaded[header.path.name] = reference is not None and np.array_equal(hu, reference)
    result = {
        "info_rc": info_rc,
        "info_text": info_text,
        "named": named,
        "loaded": loaded,
        "index_skipped": [s.path.name for s in index.skipped],
    }
    if model is not None:
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            result["scan_rc"] = cli_main(["scan", str(folder), "--model", model, "--device", "cpu", "--no-cache"])
        result["scan_text"] = text.getvalue()
    return result


def run_case(case: dict, work: Path, model: str | None, timeout: float, memory: int) -> dict:
    """Fork, run `check` in the child under the limits, and report what happened."""
    log, out = work / f"{Path(case['folder']).name}.log", work / f"{Path(case['folder']).name}.json"
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        status = 0
        try:
            resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory, resource.RLIM_INFINITY))
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            if model is not None:
                import torch

                torch.set_num_threads(1)
            out.write_text(json.dumps(check(case, model)))
        except BaseException:
            traceback.print_exc()
            status = 3
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    hang = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            hang = True
            break
        time.sleep(0.005)
    result = json.loads(out.read_text()) if out.exists() else {}
    result.update(
        name=case["name"],
        hang=hang,
        exit=os.waitstatus_to_exitcode(status),
        peak_mb=usage.ru_maxrss / 1024,
        seconds=time.monotonic() - start,
        log=log.read_text(errors="replace")[-4000:] if log.exists() else "",
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases")
    parser.add_argument("results")
    parser.add_argument("--model", help="a model folder: run `scan` with it too")
    parser.add_argument("--scan-every", type=int, default=1, help="run `scan` on every K-th case only")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--memory-gb", type=float, default=3.0, help="address space a child may add")
    args = parser.parse_args()
    configure_pydicom()
    if args.model:
        import torch

        from ichviewer.core.inference import Classifier  # noqa: F401 — imported before forking, once

        torch.set_num_threads(1)
    cases = json.loads(Path(args.cases).read_text())
    work = Path(args.results).parent / (Path(args.results).stem + "-work")
    work.mkdir(exist_ok=True)
    memory = int(args.memory_gb * 2**30)
    results = [
        run_case(case, work, args.model if k % args.scan_every == 0 else None, args.timeout, memory)
        for k, case in enumerate(cases)
    ]
    Path(args.results).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
