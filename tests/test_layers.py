"""Layers import one way: the domain core and the store never import Qt; the core never imports SQL nor
anything above it; the store is the one home for SQL; the client and the CLI reach the database only
through the services."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "enforcement_app"
ABOVE_THE_DOMAIN = ("store", "services", "network", "ui", "cli", "casefile")
DATABASE_ATTRIBUTES = {"execute", "executemany", "atomic", "conn", "db"}
SQL = re.compile(r"\b(?:SELECT\b.*\bFROM|INSERT\b.*\bINTO|UPDATE\b.*\bSET|DELETE\s+FROM)\b", re.DOTALL)


def _trees(folder: str) -> dict[str, ast.AST]:
    return {str(path.relative_to(PACKAGE)): ast.parse(path.read_text(encoding="utf-8")) for path in sorted((PACKAGE / folder).rglob("*.py"))}


def _imports(folder: str) -> dict[str, set[str]]:
    """Every module each file imports, as written (``..store.events``) and, for relative imports, also
    as the absolute name (``enforcement_app.store.events``)."""
    found = {}
    for file, tree in _trees(folder).items():
        package = ["enforcement_app", *Path(file).parent.parts]
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names.add(("." * node.level) + (node.module or ""))
                base = package[: len(package) - node.level + 1] if node.level else []
                absolute = ".".join([*base, *([node.module] if node.module else [])])
                names.add(absolute)
                names |= {f"{absolute}.{a.name}" for a in node.names}  # ``from .. import store``
        found[file] = names
    return found


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{file}: {name}"
        for file, names in _imports(folder).items()
        for name in names
        if any(name == f or name.startswith(f + ".") or name.lstrip(".").startswith(f.lstrip(".")) and f.startswith(".") for f in forbidden)
    ]


def _above_the_domain() -> tuple[str, ...]:
    return tuple(f"enforcement_app.{layer}" for layer in ABOVE_THE_DOMAIN)


def test_domain_core_is_pure():
    assert _offenders("domain", ("PySide6", "sqlite3", "sqlite_utils", "reportlab", "..store", "..services", "..ui", "..cli")) == []


def test_discretion_is_pure():
    assert _offenders("domain/discretion", ("PySide6", "sqlite3", "sqlite_utils", "reportlab", "..store", "..services", "..ui", "..cli")) == []


def test_the_domain_imports_nothing_above_it():
    assert _offenders("domain", _above_the_domain()) == []


def test_store_does_not_reach_up():
    assert _offenders("store", ("PySide6", "reportlab", "..services", "..network", "..ui", "..cli")) == []


def test_services_do_not_import_the_client():
    assert _offenders("services", ("PySide6", "..network", "..ui", "..cli")) == []


def test_the_network_sits_beside_the_services():
    assert _offenders("network", ("PySide6", "sqlite3", "sqlite_utils", "..ui", "..cli", "..casefile")) == []


def test_case_files_build_on_the_services_only():
    assert _offenders("casefile", ("PySide6", "sqlite3", "sqlite_utils", "..store", "..ui", "..cli")) == []


def test_the_client_and_the_cli_do_not_import_the_store_or_sqlite():
    for folder in ("ui", "cli"):
        assert _offenders(folder, ("enforcement_app.store", "sqlite3", "sqlite_utils")) == []


def test_the_client_and_the_cli_never_touch_the_database():
    """No cursor, no transaction, no connection: not even ``session.db.atomic()`` around two service calls."""
    touching = [
        f"{file}:{node.lineno}: .{node.attr}"
        for folder in ("ui", "cli")
        for file, tree in _trees(folder).items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in DATABASE_ATTRIBUTES
    ]
    assert touching == []


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal, an f-string as its literal parts joined around its placeholders."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            found.append((node.lineno, " ? ".join(v.value for v in node.values if isinstance(v, ast.Constant))))
    return found


def test_the_sql_check_finds_sql():
    tree = ast.parse("a = f'SELECT {columns} FROM event'\nb = 'UPDATE meta SET value = ?'\nc = 'select a reason from the list'")
    assert [line for line, text in _strings(tree) if SQL.search(text)] == [1, 2]


def test_the_store_is_the_one_home_for_sql():
    """Services compose the store's functions; they neither import sqlite3 nor hold SQL of their own."""
    assert _offenders("services", ("sqlite3",)) == []
    sql = [f"{file}:{line}: {text[:60]!r}" for file, tree in _trees("services").items() for line, text in _strings(tree) if SQL.search(text)]
    assert sql == []


def test_the_services_import_one_way():
    """The modules that carry out the actions build on ``core``: none imports the facade (``api``), not even
    for a type, so nothing circles back. Only the package and the demo (written through the API, as a user
    would) use it."""
    users = {"services/__init__.py", "services/demo.py"}
    facade = [f"{file}: {name}" for file, names in _imports("services").items() if file not in users
              for name in names if name in (".api", "enforcement_app.services.api")]
    assert facade == []


def test_the_discretion_engine_sits_below_the_procedure():
    """domain.procedure → domain.discretion → the domain's value types: the engine never reaches back up to the
    procedure, the case fold or the evaluation, and the value types never import the engine."""
    upward = ("..procedure", "..case", "..evaluation", "..review", "..forms", "..labels")
    assert _offenders("domain/discretion", upward) == []
    values = ("money.py", "penalties.py", "policy.py", "refusals.py", "versioning.py", "agency.py", "officers.py", "parties.py")
    below = {f: names for f, names in _imports("domain").items() if f.split("/")[-1] in values and f.count("/") == 1}
    assert below and all(not any("discretion" in n or "procedure" in n for n in names) for names in below.values())
