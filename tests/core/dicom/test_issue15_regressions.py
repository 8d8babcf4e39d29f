"""Issue 15, case by case: what once hung, blew up memory, crashed or changed a study silently.

All cases are built once and run together through fuzz_child.py (each in its own forked process
with a timeout and an address-space limit), through the real `info`, load and `scan` paths; each
test then checks its own case.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from dicom_edit import frame_of, replace_frame, set_number, set_value
from fuzz_corpus import Case

from ichviewer.core.dicom.index import index_folder
from ichviewer.core.synthetic.dicom_writer import write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom
from ichviewer.core.volume import read_slice_hu

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork, FIFOs and /dev are POSIX")
CHILD = Path(__file__).with_name("fuzz_child.py")
TIMEOUT_S = 60
LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"


def _sof(frame: bytes) -> int:
    return frame.find(b"\xff\xc3")


def _second_sof(path: Path) -> None:
    frame = frame_of(path)
    at = _sof(frame)
    (length,) = struct.unpack(">H", frame[at + 2 : at + 4])
    big = bytearray(frame[at : at + 2 + length])
    big[5:9] = struct.pack(">HH", 4096, 4096)
    replace_frame(path, frame[:at] + bytes(big) + frame[at:])


def _sof_size(path: Path, rows: int, columns: int) -> None:
    frame = bytearray(frame_of(path))
    at = _sof(bytes(frame))
    frame[at + 5 : at + 9] = struct.pack(">HH", rows, columns)
    replace_frame(path, bytes(frame))


def _on_all(edit: Callable[[Path], None]) -> Callable[[list[Path]], None]:
    return lambda paths: [edit(p) for p in paths]


def _on(k: int, edit: Callable[[Path], None]) -> Callable[[list[Path]], None]:
    return lambda paths: edit(paths[k])


def _special(kind: str) -> Callable[[list[Path]], None]:
    def add(paths: list[Path]) -> None:
        target = paths[0].parent / kind
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "loop":
            target.symlink_to(paths[0].parent / "loop_back")
            (paths[0].parent / "loop_back").symlink_to(target)
        else:
            target.symlink_to({"zero": "/dev/zero", "urandom": "/dev/urandom"}[kind])

    return add


def _flip_representation(path: Path) -> None:
    set_number(path, "PixelRepresentation", 0)


# name -> (syntax, size, edit of the written files, the file names the edit damages)
CASES: dict[str, tuple[str, int, Callable[[list[Path]], None], tuple[int, ...]]] = {
    "fifo": ("explicit", 64, _special("fifo"), ()),
    "link_to_dev_zero": ("explicit", 64, _special("zero"), ()),
    "link_to_dev_urandom": ("explicit", 64, _special("urandom"), ()),
    "symlink_loop": ("explicit", 64, _special("loop"), ()),
    "second_sof_4096": ("jpeg-lossless-sv1", 64, _on(1, _second_sof), (1,)),
    "sof_larger_than_header": ("jpeg-lossless-sv1", 64, _on(2, lambda p: _sof_size(p, 0x6000, 0x6000)), (2,)),
    "rows_columns_65535_short_codestream": (
        "jpeg-lossless-sv1",
        64,
        _on(3, lambda p: (set_number(p, "Rows", 65535), set_number(p, "Columns", 65535))),
        (3,),
    ),
    "intercept_1e308": ("explicit", 64, _on(1, lambda p: set_value(p, "RescaleIntercept", "1e308")), (1,)),
    "intercept_minus_1e300": ("explicit", 64, _on(1, lambda p: set_value(p, "RescaleIntercept", "-1e300")), (1,)),
    "slope_empty": ("explicit", 64, _on(2, lambda p: set_value(p, "RescaleSlope", "")), (2,)),
    "slope_minus_inf": ("explicit", 64, _on(2, lambda p: set_value(p, "RescaleSlope", "-inf")), (2,)),
    "rle_damaged_segments": ("rle", 64, _on(1, lambda p: _damage_rle(p)), (1,)),
    "rows_columns_60000_everywhere": (
        "explicit",
        64,
        _on_all(lambda p: (set_number(p, "Rows", 60000), set_number(p, "Columns", 60000))),
        (0, 1, 2, 3, 4, 5),
    ),
    "rows_columns_8_over_512_everywhere": (
        "explicit",
        512,
        _on_all(lambda p: (set_number(p, "Rows", 8), set_number(p, "Columns", 8))),
        (0, 1, 2, 3, 4, 5),
    ),
    "intercept_20000_everywhere": (  # a valid number, but no pixel ends up in -1024…3071 HU
        "explicit",
        64,
        _on_all(lambda p: set_value(p, "RescaleIntercept", "20000")),
        (0, 1, 2, 3, 4, 5),
    ),
    "jpeg_ls_labelled_jpeg_lossless": (
        "jpegls",
        64,
        _on(2, lambda p: replace_frame(p, frame_of(p), LOSSLESS_SV1)),
        (2,),
    ),
    "pixel_representation_flipped": ("explicit", 64, _on(4, _flip_representation), (4,)),
    "transfer_syntax_not_matching_data": (
        "explicit",
        64,
        _on(3, lambda p: set_value(p, "TransferSyntaxUID", "1.2.840.10008.1.2.4.90\0")),
        (3,),
    ),
}


def _damage_rle(path: Path) -> None:
    frame = bytearray(frame_of(path))
    rng = np.random.default_rng(3)
    for place in rng.integers(64, len(frame), size=40):
        frame[int(place)] = 0x81  # long replicate runs: segments no longer fit the image
    replace_frame(path, bytes(frame))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> dict[str, tuple[Case, dict]]:
    root = tmp_path_factory.mktemp("issue15")
    cases = []
    for name, (syntax, size, edit, damaged) in CASES.items():
        hu = generate_phantom(PhantomSpec(seed=4, n_slices=6, size=size, pixel_mm=230.0 / size)).hu
        paths = write_series(hu, root / name, syntax=syntax, spacing=(5.0, 230.0 / size, 230.0 / size))
        expected = {h.path.name: read_slice_hu(h) for s in index_folder(root / name).series for h in s.slices}
        np.savez(root / f"{name}.npz", **expected)
        edit(paths)
        case = Case(name, str(root / name), str(root / f"{name}.npz"))
        case.oracle = {p.name: "exact" for p in paths}
        case.oracle.update({p.name: "named" for k, p in enumerate(paths) if k in damaged})
        cases.append(case)
    runs = []
    for k in range(2):  # two processes: two cores
        (root / f"cases{k}.json").write_text(json.dumps([asdict(c) for c in cases[k::2]]))
        command = [sys.executable, str(CHILD), str(root / f"cases{k}.json"), str(root / f"results{k}.json")]
        runs.append(subprocess.Popen(command + ["--model", str(tiny_model_dir), "--timeout", str(TIMEOUT_S)]))
    assert all(run.wait(timeout=TIMEOUT_S * len(cases)) == 0 for run in runs)
    results = {r["name"]: r for k in range(2) for r in json.loads((root / f"results{k}.json").read_text())}
    return {c.name: (c, results[c.name]) for c in cases}


def _clean(result: dict) -> None:
    """No hang, no crash, no traceback, memory bounded, `info` and `scan` ended normally."""
    assert not result["hang"], "hung"
    assert result["exit"] == 0, result["log"]
    for key in ("log", "info_text", "scan_text"):
        assert "Traceback" not in result.get(key, "") and "panicked at" not in result.get(key, ""), result[key]
    assert result["peak_mb"] < 2048
    assert result["info_rc"] == 0


def _reason(result: dict, name: str) -> str:
    assert name in result["named"], f"{name} not named: {result['named']}"
    return result["named"][name]


def _rest_loads(case: Case, result: dict) -> None:
    for name, oracle in case.oracle.items():
        if oracle == "exact":
            assert result["loaded"].get(name), f"{name} did not load with its own pixels"
    assert result["scan_rc"] == 0, result["scan_text"]


@pytest.mark.parametrize("kind", ["fifo", "link_to_dev_zero", "link_to_dev_urandom", "symlink_loop"])
def test_special_files_are_named_never_read(outcomes, kind: str) -> None:
    case, result = outcomes[kind]
    _clean(result)
    special = {"fifo": "fifo", "link_to_dev_zero": "zero", "link_to_dev_urandom": "urandom", "symlink_loop": "loop"}
    reason = _reason(result, special[kind])
    assert "not a regular file" in reason
    assert "not a regular file" in result["info_text"]
    _rest_loads(case, result)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("second_sof_4096", "2 frame headers (SOF)"),
        ("sof_larger_than_header", "frame is 24576×24576 pixels, the DICOM header says 64×64"),
        ("rows_columns_65535_short_codestream", "65535×65535 pixels: no CT slice has that size"),
    ],
)
def test_codestream_memory_bombs_are_refused_before_decoding(outcomes, kind: str, words: str) -> None:
    case, result = outcomes[kind]
    _clean(result)
    damaged = next(name for name, oracle in case.oracle.items() if oracle == "named")
    assert words in _reason(result, damaged)
    assert result["peak_mb"] < 1024
    _rest_loads(case, result)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("intercept_1e308", "Rescale Intercept (0028,1052) is '1e308': outside"),
        ("intercept_minus_1e300", "Rescale Intercept (0028,1052) is '-1e300': outside"),
        ("slope_empty", "Rescale Slope (0028,1053) is present but empty"),
        ("slope_minus_inf", "Rescale Slope (0028,1053) is '-inf': not a finite number"),
        ("rle_damaged_segments", "RLE"),
        ("jpeg_ls_labelled_jpeg_lossless", "JPEG-LS data, but the transfer syntax says 'JPEG Lossless"),
        ("transfer_syntax_not_matching_data", "(Lossless Only)' (compressed), but the pixel data is not encapsulated"),
    ],
)
def test_one_bad_slice_is_skipped_with_its_reason_and_the_rest_is_analysed(outcomes, kind: str, words: str) -> None:
    case, result = outcomes[kind]
    _clean(result)
    damaged = next(name for name, oracle in case.oracle.items() if oracle == "named")
    assert words in _reason(result, damaged)
    assert damaged in result["info_text"] or kind == "rle_damaged_segments"  # RLE damage shows when decoding
    _rest_loads(case, result)
    assert "not CT" not in _reason(result, damaged)


def test_pixel_representation_flip_never_changes_hu_silently(outcomes) -> None:
    case, result = outcomes["pixel_representation_flipped"]
    _clean(result)
    assert "Pixel Representation 0 differ from other slices of the series (16 / 1)" in _reason(result, "CT0005.dcm")
    _rest_loads(case, result)


def test_60000_squared_everywhere_is_a_message_not_a_traceback(outcomes) -> None:
    case, result = outcomes["rows_columns_60000_everywhere"]
    _clean(result)
    assert "60000×60000 pixels: no CT slice has that size" in result["info_text"]
    assert "60000×60000 slices" not in result["info_text"] and "slices of 60000" not in result["info_text"]
    assert result["scan_rc"] == 2 and not result["loaded"]


def test_8x8_over_512_data_is_refused_not_analysed_as_8x8(outcomes) -> None:
    case, result = outcomes["rows_columns_8_over_512_everywhere"]
    _clean(result)
    assert all("8×8" in _reason(result, name) for name in case.oracle)
    assert result["scan_rc"] == 2 and not result["loaded"]


def test_impossible_hu_statistics_are_refused_not_analysed(outcomes) -> None:
    case, result = outcomes["intercept_20000_everywhere"]
    _clean(result)
    assert all("outside -1024…3071 HU after rescale" in _reason(result, name) for name in case.oracle)
    assert result["scan_rc"] == 2 and not result["loaded"]


def test_every_skipped_file_is_named_with_no_hidden_count(outcomes) -> None:
    for case, result in outcomes.values():
        assert "more files like it" not in result["info_text"]
        for name in result["index_skipped"]:
            assert name in result["info_text"], f"{case.name}: {name} not named by info"
