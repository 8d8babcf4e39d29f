"""The classifier in a child process: the same scores and heatmaps as in-process, progress and provisional
scores across the pipe, heatmaps between batches, cancel, a failing callback, a child that dies, a broken model."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ichviewer.core.classifier_process import AIProcessEnded, ClassifierProcess
from ichviewer.core.inference import Classifier
from ichviewer.core.model import ModelError
from ichviewer.core.progress import Cancelled


@pytest.fixture
def volume(round_head):  # type: ignore[no-untyped-def]
    return round_head(40)


@pytest.fixture(scope="module")
def remote(tiny_model_dir: Path) -> Iterator[ClassifierProcess]:
    process = ClassifierProcess(tiny_model_dir, "cpu", threads=1)
    yield process
    process.close()
    assert not process.alive


def test_the_child_scores_and_maps_as_the_classifier_does(remote, tiny_model_dir, volume) -> None:  # type: ignore[no-untyped-def]
    local = Classifier(tiny_model_dir, "cpu")
    progress: list[int] = []
    batches: list[list[int]] = []
    result = remote.predict(
        volume, lambda done, total, text: progress.append(done), None, lambda i, s: batches.append(i)
    )
    expected = local.predict(volume)
    np.testing.assert_allclose(result.scores, expected.scores, atol=1e-5)
    assert result.sop_instance_uids == expected.sop_instance_uids and remote.device_label.startswith("CPU")
    assert progress[-1] == volume.n_slices and sorted(i for b in batches for i in b) == list(range(volume.n_slices))
    maps = remote.heatmaps(volume, [(3, "any"), (7, "subdural")])
    local_maps = local.heatmaps(volume, [(3, "any"), (7, "subdural")])
    assert maps.keys() == {3, 7}
    for index in maps:
        np.testing.assert_allclose(maps[index], local_maps[index], atol=1e-5)


def test_heatmaps_asked_for_between_batches_are_served_then_scoring_goes_on(remote, volume) -> None:  # type: ignore[no-untyped-def]
    maps: list[dict[int, np.ndarray]] = []
    result = remote.predict(
        volume, on_batch=lambda indices, _: maps.append(remote.heatmaps(volume, [(indices[0], "any")]))
    )
    assert len(maps) >= 2 and all(len(m) == 1 for m in maps)  # one per batch (16 slices a batch on the CPU)
    np.testing.assert_allclose(result.scores, remote.predict(volume).scores, atol=1e-6)


def test_cancel_and_a_failing_callback_end_the_request_not_the_child(remote, volume) -> None:  # type: ignore[no-untyped-def]
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(Cancelled):
        remote.predict(volume, cancel=cancelled)

    def broken(indices: list[int], scores: np.ndarray) -> None:
        raise ValueError("a bug in the viewer")

    with pytest.raises(ValueError, match="a bug in the viewer"):
        remote.predict(volume, on_batch=broken)
    assert remote.alive and remote.predict(volume).scores.shape == (volume.n_slices, 6)


def test_a_child_that_dies_is_an_error_and_a_new_one_works(tiny_model_dir, volume) -> None:  # type: ignore[no-untyped-def]
    process = ClassifierProcess(tiny_model_dir, "cpu", threads=1)
    process._process.kill()  # as the kernel's out-of-memory killer or a crash in torch would
    process._process.join()
    with pytest.raises(AIProcessEnded, match="ended unexpectedly"):
        process.predict(volume)
    process.close()
    again = ClassifierProcess(tiny_model_dir, "cpu", threads=1)
    assert again.predict(volume).scores.shape == (volume.n_slices, 6)
    again.close()


def test_a_truncated_model_file_is_a_model_error_naming_it(tiny_model_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = Path(shutil.copytree(tiny_model_dir, tmp_path / "broken"))
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ModelError, match=r"model\.safetensors: sha256 .* does not match"):
        ClassifierProcess(broken, "cpu", threads=1)


def test_without_room_in_shared_memory_the_volume_goes_through_the_pipe(remote, volume, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A container's 64 MiB /dev/shm must not kill the viewer (a write past a full tmpfs is SIGBUS)."""
    from ichviewer.core import classifier_process

    expected = remote.predict(volume).scores
    monkeypatch.setattr(classifier_process, "_shared_memory_room", lambda: 1024)
    again = volume.__class__(volume.hu.copy(), volume.series, volume.geometry, volume.report)  # a new volume: shipped
    np.testing.assert_allclose(remote.predict(again).scores, expected, atol=1e-6)
    assert remote._memory is None and remote._volume[1].startswith("inline-")
    assert remote.heatmaps(again, [(2, "any")]).keys() == {2}  # the child keeps it for the heatmaps
