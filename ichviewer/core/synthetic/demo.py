"""The bundled demo: a synthetic head CT study generated once into the user's cache.

Generated rather than shipped (no patient data, no binaries in the wheel); keyed by
DEMO_VERSION so a new phantom replaces the old one. Written to a temporary folder and renamed,
so a half-written demo is never opened.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ichviewer.core.labels import SUBTYPE_KEYS
from ichviewer.core.progress import Progress, report
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study
from ichviewer.core.user_dirs import cache_dir

DEMO_VERSION = "1"
DEMO_SPEC = PhantomSpec(seed=20240101, n_slices=40, subtypes=SUBTYPE_KEYS)
NORMAL_SPEC = PhantomSpec(seed=20240102, n_slices=40)


def demo_study_dir(progress: Progress | None = None) -> Path:
    """Folder of the demo study with all five subtypes (generated on first use, ~15 s)."""
    return _cached("hemorrhage", DEMO_SPEC, "DEMO^HEMORRHAGE", "DEMO-0001", progress)


def normal_demo_dir(progress: Progress | None = None) -> Path:
    """Folder of a demo study without hemorrhage, for comparison."""
    return _cached("normal", NORMAL_SPEC, "DEMO^NORMAL", "DEMO-0002", progress)


def _cached(name: str, spec: PhantomSpec, patient_name: str, patient_id: str, progress: Progress | None) -> Path:
    """Generate `spec` once into cache_dir()/demo/<version>/<name>; an existing folder is complete."""
    final = cache_dir() / "demo" / DEMO_VERSION / name
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    report(progress, 0, 2, "Generating the demo head CT")
    phantom = generate_phantom(spec)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=final.parent))
    try:
        write_phantom_study(
            phantom,
            staging / "study",
            syntax="explicit",
            patient_name=patient_name,
            patient_id=patient_id,
            study_description="CT HEAD WITHOUT CONTRAST (SYNTHETIC DEMO)",
            file_names="uid",
            progress=lambda done, total, message: report(progress, 1, 2, message),
        )
        try:
            (staging / "study").rename(final)
        except OSError:
            if not final.is_dir():  # another process may have finished first; otherwise a real error
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(progress, 2, 2, "Demo ready")
    return final
