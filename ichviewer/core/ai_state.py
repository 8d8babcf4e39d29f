"""What the viewer knows about the AI: the model (loading, ready, unavailable) and the current run.

Snapshots are frozen: each change makes a new one and the state emits it, so a view never sees
half an update. Partial scores keep the model card's label order (`labels`): views look a
label up by name (`column`), never by position in the project's own `LABEL_KEYS`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from ichviewer.core.results import StudyResult


class ModelStatus(Enum):
    LOADING = "loading"
    READY = "ready"
    UNAVAILABLE = "unavailable"  # the model could not be loaded; the viewer works without it
    OFF = "off"  # the viewer was started without the AI


@dataclass(frozen=True)
class ModelInfo:
    """The classifier as the status bar names it; `labels` in the card's order; `device` is '' until loaded."""

    status: ModelStatus = ModelStatus.LOADING
    title: str = ""
    device: str = ""
    labels: tuple[str, ...] = ()
    error: str = ""


class Phase(Enum):
    IDLE = "idle"  # nothing asked (no study, or automatic analysis off)
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    NOT_APPLICABLE = "not applicable"  # the model is not meant for this series (reason in `message`)


@dataclass(frozen=True, eq=False)
class AIRun:
    """One analysis of the volume on screen: phase, progress, scores so far, then the result."""

    phase: Phase = Phase.IDLE
    done: int = 0
    total: int = 0
    message: str = ""
    labels: tuple[str, ...] = ()
    partial: np.ndarray | None = None  # (n_slices, len(labels)) float32, NaN where not scored yet
    result: StudyResult | None = None
    from_cache: bool = False

    @classmethod
    def queued(cls, n_slices: int) -> AIRun:
        return cls(Phase.QUEUED, 0, n_slices, "Queued")

    @property
    def busy(self) -> bool:
        return self.phase in (Phase.QUEUED, Phase.RUNNING)

    @property
    def reportable(self) -> bool:
        """A PDF summary can be written: of the result, or saying why the AI is not applicable."""
        return self.result is not None or self.phase is Phase.NOT_APPLICABLE

    def with_progress(self, done: int, total: int, message: str) -> AIRun:
        return replace(self, phase=Phase.RUNNING, done=done, total=total, message=message)

    def with_scores(self, indices: list[int], scores: np.ndarray, labels: tuple[str, ...]) -> AIRun:
        """Scores of a batch, (len(indices), len(labels)) in the order of `labels` (the model card's)."""
        if self.partial is None or self.labels != labels:
            partial = np.full((self.total, len(labels)), np.nan, dtype=np.float32)
        else:
            partial = self.partial.copy()
        partial[np.asarray(indices, dtype=int)] = np.asarray(scores, dtype=np.float32)
        return replace(self, phase=Phase.RUNNING, labels=labels, partial=partial)

    def finished(self, result: StudyResult, from_cache: bool) -> AIRun:
        how = "from cache" if from_cache else f"in {result.elapsed_s:.1f} s"
        return replace(
            self,
            phase=Phase.DONE,
            done=result.n_slices,
            total=result.n_slices,
            message=how,
            labels=result.labels,
            partial=None,
            result=result,
            from_cache=from_cache,
        )

    def stopped(self, phase: Phase, message: str) -> AIRun:
        """FAILED or NOT_APPLICABLE with the reason; a result already shown stays."""
        return replace(self, phase=phase, message=message, partial=None)

    def scored(self) -> np.ndarray:
        """Indices of the slices with scores (all of them once done)."""
        if self.result is not None:
            return np.arange(self.result.n_slices)
        if self.partial is None:
            return np.arange(0)
        return np.flatnonzero(~np.isnan(self.partial).any(axis=1))

    def column(self, label: str) -> np.ndarray | None:
        """Scores of `label` on the `scored()` slices, or None when the model has no such label."""
        if self.result is not None:
            return self.result.column(label) if label in self.result.labels else None
        if self.partial is None or label not in self.labels:
            return None
        return self.partial[self.scored(), self.labels.index(label)]


def status_line(model: ModelInfo, run: AIRun) -> tuple[str, str]:
    """(text, tooltip) of the AI's place in the status bar; the tooltip carries the whole message."""
    if model.status is ModelStatus.OFF:
        return "", ""
    if model.status is ModelStatus.LOADING:
        return "AI: loading model…", "The model loads in the background; the viewer works meanwhile"
    if model.status is ModelStatus.UNAVAILABLE:
        return "AI unavailable (the viewer works without it)", model.error
    if run.phase is Phase.RUNNING:
        text = f"AI: {run.message} ({run.done}/{run.total})" + (f" on {model.device}" if model.device else "")
    elif run.phase is Phase.DONE and run.result is not None:
        study = run.result.study
        how = f"{run.message}, {model.device}" if model.device else run.message
        text = f"AI: {study.headline} · {study.flagged_slices} of {study.n_slices} slices flagged ({how})"
    elif run.phase is Phase.FAILED:
        return "AI: " + run.message.split(":")[0], run.message
    elif run.phase is Phase.NOT_APPLICABLE:
        text = f"AI not applicable: {run.message}"
    elif model.device:
        text = f"AI: {model.title} on {model.device}"
    elif run.busy:  # queued for a network that is not loaded yet: it is loading now
        return "AI: loading the network…", f"{model.title}: torch and the weights load for the first analysis"
    else:  # the card is read; torch and the network load when a study first needs them
        return f"AI: {model.title}", f"{model.title}: the network loads when a study is first analysed"
    return text, text


def findings_message(model: ModelInfo, run: AIRun) -> str:
    """What the findings panel says while it has no result to show (or why the result is missing)."""
    if model.status is ModelStatus.UNAVAILABLE:
        return f"AI unavailable: {model.error}"
    if run.phase is Phase.NOT_APPLICABLE:
        return f"AI not applicable: {run.message}"
    if run.phase is Phase.FAILED:
        return run.message
    if run.busy:
        return "Analysing…"
    return run.message or "No analysis yet"
