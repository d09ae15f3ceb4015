"""Layers import one way: the domain core and the store never import Qt; the core never imports SQL."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "enforcement_app"


def _imports(folder: str) -> dict[str, set[str]]:
    found = {}
    for path in (PACKAGE / folder).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names.add(("." * node.level) + (node.module or ""))
        found[str(path.relative_to(PACKAGE))] = names
    return found


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{file}: {name}"
        for file, names in _imports(folder).items()
        for name in names
        if any(name == f or name.startswith(f + ".") or name.lstrip(".").startswith(f.lstrip(".")) and f.startswith(".") for f in forbidden)
    ]


def test_domain_core_is_pure():
    assert _offenders("domain", ("PySide6", "sqlite3", "sqlite_utils", "reportlab", "..store", "..services", "..ui", "..cli")) == []


def test_discretion_is_pure():
    assert _offenders("domain/discretion", ("PySide6", "sqlite3", "sqlite_utils", "reportlab", "..store", "..services", "..ui", "..cli")) == []


def test_store_does_not_reach_up():
    assert _offenders("store", ("PySide6", "reportlab", "..services", "..ui", "..cli")) == []


def test_services_do_not_import_the_client():
    assert _offenders("services", ("PySide6", "..ui", "..cli")) == []


def test_case_files_build_on_the_services_only():
    assert _offenders("casefile", ("PySide6", "sqlite3", "sqlite_utils", "..store", "..ui", "..cli")) == []
