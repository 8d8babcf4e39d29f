"""ichviewer/core must never import Qt or the UI (napari-style layering), checked on the source."""

import ast
from pathlib import Path

import ichviewer.core

FORBIDDEN = ("PySide6", "pyqtgraph", "ichviewer.ui", "shiboken6")


def test_core_modules_import_no_qt():
    core = Path(ichviewer.core.__file__).parent
    offenders = []
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []
