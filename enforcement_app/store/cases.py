"""The case table (each case's row, rebuilt from its events), case numbers and the evidence register.

The case table is a projection: what a case's row holds is decided by the services from its state
(:func:`enforcement_app.services.projections.case_row`); this module writes rows and answers the
queries over them (lookup, the filtered list, the inbox's candidates).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

import sqlite_utils

from ..domain.agency import Agency
from ..domain.case import Stage
from ..domain.refusals import InvalidInput


class CaseRow(NamedTuple):
    """One case's row in the case table; the fields are its columns, in the table's order."""

    id: str
    agency_id: str
    case_no: str
    procedure: str
    stage: str
    outcome: str
    title: str
    cause: str
    party_id: str
    party_name: str
    handlers: str  # officer ids, comma-separated
    handler_names: str
    received_on: str
    filed_on: str
    decided_on: str
    closed_on: str
    fine_fen: int
    next_due: str  # the agency's next open deadline (empty once closed)
    next_due_rule: str
    review_status: str
    major: int
    search_text: str
    pending_approvals: str
    updated_at: str


CASE_COLUMNS = CaseRow._fields
_INSERT_CASE = 'INSERT INTO "case" ({}) VALUES ({})'.format(
    ", ".join(f'"{k}"' for k in CASE_COLUMNS), ", ".join("?" * len(CASE_COLUMNS)))
_UPDATE_CASE = 'UPDATE "case" SET {} WHERE id = ?'.format(", ".join(f'"{k}" = ?' for k in CASE_COLUMNS[1:]))


def write_case_rows(db: sqlite_utils.Database, rows: Sequence[CaseRow]) -> None:
    """Write case rows and keep the search index (db/0009) in step: new cases in bulk, known ones one by
    one, their index entry rewritten only when the text has changed. Inside the caller's transaction."""
    before: dict[str, tuple[int, str]] = {}
    for start in range(0, len(rows), 500):
        ids = [r.id for r in rows[start:start + 500]]
        before.update((i, (rowid, text)) for i, rowid, text in db.execute(
            f'SELECT id, rowid, search_text FROM "case" WHERE id IN ({",".join("?" * len(ids))})', ids))
    new = [r for r in rows if r.id not in before]
    if new:
        db.conn.executemany(_INSERT_CASE, new)
        db.conn.executemany('INSERT INTO case_fts(rowid, search_text) SELECT rowid, search_text FROM "case" WHERE id = ?',
                            [(r.id,) for r in new])
    for row in rows:
        known = before.get(row.id)
        if known is None:
            continue
        db.execute(_UPDATE_CASE, [*row[1:], row.id])
        if known[1] != row.search_text:
            db.execute("INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', ?, ?)", known)
            db.execute("INSERT INTO case_fts(rowid, search_text) VALUES (?, ?)", [known[0], row.search_text])


# --- finding cases ---------------------------------------------------------------------------------------


def resolve_case(db: sqlite_utils.Database, ref: str) -> str | None:
    """The id of the case ``ref`` names: its id, an unambiguous id prefix (six characters or more), or its
    official case number."""
    row = db.execute('SELECT id FROM "case" WHERE id = ? OR case_no = ?', [ref, ref]).fetchone()
    if row:
        return row[0]
    rows = db.execute('SELECT id FROM "case" WHERE id LIKE ? LIMIT 2', [ref + "%"]).fetchall() if len(ref) >= 6 else []
    return rows[0][0] if len(rows) == 1 else None


def known_case_ids(db: sqlite_utils.Database, case_ids: Sequence[str]) -> set[str]:
    """Those of ``case_ids`` that have a row here."""
    if not case_ids:
        return set()
    return {r[0] for r in db.execute(f'SELECT id FROM "case" WHERE id IN ({",".join("?" * len(case_ids))})', list(case_ids))}


def has_cases(db: sqlite_utils.Database) -> bool:
    return db.execute('SELECT 1 FROM "case" LIMIT 1').fetchone() is not None


def case_filter(
    *, stage: str | None, officer: str | None, overdue: bool, query: str | None, year: int | None, today: date
) -> tuple[str, list[Any]]:
    """SQL conditions for the case list; text of fewer than three characters falls back to LIKE."""
    clauses, args = ["1 = 1"], []
    if stage:
        if stage not in {s.value for s in Stage}:
            raise InvalidInput.at("stage", f"未知的阶段：{stage}（可选：{'、'.join(s.value for s in Stage)}）")
        clauses.append("stage = ?")
        args.append(stage)
    if officer:
        clauses.append("(',' || handlers || ',') LIKE ?")
        args.append(f"%,{officer},%")
    if overdue:
        clauses.append("next_due != '' AND next_due < ?")
        args.append(today.isoformat())
    if year:
        clauses.append("substr(COALESCE(NULLIF(closed_on, ''), received_on), 1, 4) = ?")
        args.append(str(year))
    if query and query.strip():
        terms = query.split()
        if all(len(t) >= 3 for t in terms):
            clauses.append('rowid IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?)')
            args.append(" ".join('"' + t.replace('"', '""') + '"' for t in terms))
        else:
            for t in terms:
                clauses.append("search_text LIKE ?")
                args.append(f"%{t}%")
    return " AND ".join(clauses), args


LIST_COLUMNS = ("id", "case_no", "title", "stage", "procedure", "outcome", "party_name", "handler_names", "received_on",
                "next_due", "next_due_rule", "review_status", "major", "fine_fen")


def list_cases(db: sqlite_utils.Database, *, today: date, stage: str | None = None, officer: str | None = None,
               overdue: bool = False, query: str | None = None, year: int | None = None, limit: int | None = None,
               order: str = "received_on DESC, id DESC") -> list[dict[str, Any]]:
    """The matching cases' rows (:data:`LIST_COLUMNS`); ``order`` is an ORDER BY over the case table's columns."""
    where, args = case_filter(stage=stage, officer=officer, overdue=overdue, query=query, year=year, today=today)
    sql = f'SELECT {", ".join(LIST_COLUMNS)} FROM "case" WHERE {where} ORDER BY {order}'
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [dict(zip(LIST_COLUMNS, row, strict=True)) for row in db.execute(sql, args)]


def case_ids_matching(db: sqlite_utils.Database, query: str | None, today: date) -> list[str]:
    """Every case (``query`` empty) or those the text ``query`` finds, as the case list finds them."""
    where, args = case_filter(stage=None, officer=None, overdue=False, query=query, year=None, today=today)
    return [r[0] for r in db.execute(f'SELECT id FROM "case" WHERE {where}', args)]


def party_ids_of(db: sqlite_utils.Database, case_ids: Sequence[str]) -> set[str]:
    """The parties of these cases (an empty id for a case without one)."""
    if not case_ids:
        return set()
    return {r[0] for r in db.execute(f'SELECT party_id FROM "case" WHERE id IN ({",".join("?" * len(case_ids))})', list(case_ids))}


# --- the inbox's candidates -------------------------------------------------------------------------------


def case_ids_in_stages(db: sqlite_utils.Database, stages: Iterable[Stage]) -> list[str]:
    values = [s.value for s in stages]
    return [r[0] for r in db.execute(f'SELECT id FROM "case" WHERE stage IN ({",".join("?" * len(values))})', values)]


def case_ids_awaiting_approval(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT id FROM \"case\" WHERE pending_approvals != ''")]


def deadlines_due_by(db: sqlite_utils.Database, handler: str, horizon: date) -> list[tuple[str, str, str]]:
    """``(case id, next due day, rule)`` of the open cases ``handler`` handles whose next deadline falls on
    or before ``horizon``."""
    return db.execute(
        'SELECT id, next_due, next_due_rule FROM "case" WHERE (\',\' || handlers || \',\') LIKE ? '
        "AND next_due != '' AND next_due <= ? AND stage NOT IN ('closed', 'archived')",
        [f"%,{handler},%", horizon.isoformat()],
    ).fetchall()


# --- case numbers -----------------------------------------------------------------------------------------


def allocate_case_number(db: sqlite_utils.Database, agency: Agency, case_id: str, year: int) -> tuple[int, str]:
    """Reserve the agency's next serial of ``year`` for ``case_id``; returns (serial, case number). Serials
    only grow (reservations are never removed), so a number is never given twice."""
    row = db.execute(
        "SELECT COALESCE(MAX(serial), 0) + 1 FROM case_number WHERE agency_id = ? AND year = ?", [agency.id, year]
    ).fetchone()
    serial = int(row[0])
    case_no = agency.case_no(year, serial)
    db["case_number"].insert({"agency_id": agency.id, "year": year, "serial": serial, "case_id": case_id, "case_no": case_no})
    return serial, case_no


# --- the evidence register --------------------------------------------------------------------------------


def register_evidence(db: sqlite_utils.Database, sha256: str, size: int, media_type: str, original_name: str, at: str) -> None:
    """Note a file of the evidence store (once: the first registration's name and time are kept)."""
    db.execute("INSERT OR IGNORE INTO evidence (sha256, size, media_type, original_name, stored_at) VALUES (?,?,?,?,?)",
               [sha256, size, media_type, original_name, at])


def evidence_size(db: sqlite_utils.Database, sha256: str) -> int | None:
    """The registered size of the evidence file ``sha256``; None when no such file is registered."""
    row = db.execute("SELECT size FROM evidence WHERE sha256 = ?", [sha256]).fetchone()
    return None if row is None else int(row[0])


def registered_evidence(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.execute("SELECT sha256 FROM evidence")}
