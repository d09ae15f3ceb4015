"""The discretion package is pure domain code: no Qt, no SQL."""

from __future__ import annotations

import ast
from pathlib import Path

import enforcement_app.domain.discretion as discretion

FORBIDDEN = ("PySide6", "sqlite3", "sqlite_utils", "enforcement_app.store", "enforcement_app.services")


def test_discretion_imports_neither_qt_nor_sql():
    for path in Path(discretion.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            for name in names:
                resolved = name.replace("..", "enforcement_app.", 1) if name.startswith("..") else name
                assert not resolved.startswith(FORBIDDEN), f"{path.name} imports {name}"
