"""The fuzz corpus through the real `info`, load and `scan` paths: no hang, crash, traceback or memory blow-up.

A fixed, seeded number of cases runs in CI (a few minutes on 2 cores); a soak run takes more:
`pytest tests/core/dicom/test_fuzz.py --fuzz-cases 2000 -s` (or ICHVIEWER_FUZZ_CASES=2000).
Each case runs in its own forked process with a timeout and an address-space limit
(fuzz_child.py); failures name the case, the mutation and the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_corpus import Case, make_corpus, save, write_seeds

CI_CASES = 160
SCAN_EVERY = 8  # `scan` (model load + inference) costs ~20× a load; every 8th case runs it too
CASE_TIMEOUT_S = 60
MEMORY_LIMIT_MB = 2048
PROCESSES = 2
CHILD = Path(__file__).with_name("fuzz_child.py")
TRACEBACK_MARKS = ("Traceback (most recent call last)", "panicked at")


def _n_cases(config: pytest.Config) -> int:
    return int(config.getoption("--fuzz-cases") or os.environ.get("ICHVIEWER_FUZZ_CASES") or CI_CASES)


def _fingerprint(folder: Path) -> dict[str, tuple]:
    """Every entry's kind and content (links and special files by what they are, never opened)."""
    prints: dict[str, tuple] = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            prints[entry.name] = ("link", os.readlink(entry.path))
        elif stat.S_ISREG(info.st_mode) and info.st_size < 2**30:
            digest = hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
            prints[entry.name] = ("file", info.st_size, info.st_mtime_ns, digest)
        else:
            prints[entry.name] = ("other", stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns)
    return prints


@pytest.fixture(scope="module")
def fuzz(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path):
    """(cases, results by case name, fingerprints before, fingerprints after)."""
    root = tmp_path_factory.mktemp("fuzz")
    cases = make_corpus(root / "cases", write_seeds(root / "seeds"), _n_cases(request.config))
    before = {c.name: _fingerprint(Path(c.folder)) for c in cases}
    parts = [cases[k::PROCESSES] for k in range(PROCESSES)]
    runs = []
    for k, part in enumerate(parts):
        save(part, root / f"cases{k}.json")
        command = [sys.executable, str(CHILD), str(root / f"cases{k}.json"), str(root / f"results{k}.json")]
        command += ["--model", str(tiny_model_dir), "--scan-every", str(SCAN_EVERY), "--timeout", str(CASE_TIMEOUT_S)]
        runs.append(subprocess.Popen(command, env={**os.environ, "RUST_BACKTRACE": "0"}))
    for run in runs:
        assert run.wait(timeout=CASE_TIMEOUT_S * len(cases)) == 0
    results = {r["name"]: r for k in range(PROCESSES) for r in json.loads((root / f"results{k}.json").read_text())}
    after = {c.name: _fingerprint(Path(c.folder)) for c in cases}
    _summary(cases, results)
    return cases, results, before, after


def _summary(cases: list[Case], results: dict[str, dict]) -> None:
    values = list(results.values())
    tracebacks = sum(
        any(m in r.get(k, "") for m in TRACEBACK_MARKS for k in ("log", "info_text", "scan_text")) for r in values
    )
    print(
        f"\nfuzz: {len(cases)} cases, {sum(r['hang'] for r in values)} hangs, "
        f"{sum(r['exit'] != 0 for r in values)} crashes, {tracebacks} tracebacks, "
        f"peak memory {max(r['peak_mb'] for r in values):.0f} MB, "
        f"slowest case {max(r['seconds'] for r in values):.1f} s"
    )


def _failures(cases: list[Case], results: dict[str, dict], check) -> list[str]:
    found = []
    for case in cases:
        for problem in check(case, results[case.name]):
            found.append(f"{case.name}: {problem} (mutations: {case.mutations})")
    return found


def test_no_hang_crash_traceback_or_memory_blow_up(fuzz) -> None:
    cases, results, _, _ = fuzz

    def check(case: Case, result: dict):
        if result["hang"]:
            yield f"hung (killed after {CASE_TIMEOUT_S} s)"
        if result["exit"] != 0:
            yield f"crashed (exit {result['exit']}): {result['log'][-600:]}"
        for key in ("log", "info_text", "scan_text"):
            if any(mark in result.get(key, "") for mark in TRACEBACK_MARKS):
                yield f"a traceback in {key}: {result[key][-600:]}"
        if result["peak_mb"] > MEMORY_LIMIT_MB:
            yield f"peak memory {result['peak_mb']:.0f} MB"
        if result.get("info_rc") != 0 or result.get("scan_rc", 0) not in (0, 2):
            yield f"info exit {result.get('info_rc')}, scan exit {result.get('scan_rc')}"

    assert not (failures := _failures(cases, results, check)), "\n".join(failures[:20])


def test_every_file_is_named_or_loads_with_its_own_pixels(fuzz) -> None:
    cases, results, _, _ = fuzz

    def check(case: Case, result: dict):
        named, loaded = result.get("named", {}), result.get("loaded", {})
        for name, oracle in case.oracle.items():
            if oracle == "named" and name not in named:
                yield f"{name} is not named in the report"
            elif oracle == "exact" and name not in named and not loaded.get(name):
                state = "loaded with other pixels" if name in loaded else "neither named nor loaded"
                yield f"{name} {state}"
            elif oracle == "safety" and name not in named and name not in loaded:
                yield f"{name} neither named nor loaded"

    assert not (failures := _failures(cases, results, check)), "\n".join(failures[:20])


def test_info_names_every_file_it_leaves_out(fuzz) -> None:
    cases, results, _, _ = fuzz

    def check(case: Case, result: dict):
        for name in result.get("index_skipped", []):
            if name not in result.get("info_text", ""):
                yield f"`info` does not name {name}"
        if "more files like it" in result.get("info_text", ""):
            yield "`info` hides names behind a count"

    assert not (failures := _failures(cases, results, check)), "\n".join(failures[:20])


def test_folders_are_left_unchanged(fuzz) -> None:
    cases, _, before, after = fuzz
    changed = [c.name for c in cases if before[c.name] != after[c.name]]
    assert not changed, f"folders changed: {changed[:10]}"
