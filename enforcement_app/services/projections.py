"""The reference tables as projections of their events.

Each function writes the rows one reference event stands for — recorded here by a service, or received
from another machine in a bundle — so both paths keep the tables alike. Call inside ``db.atomic()``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlite_utils

AGENCY_COLUMNS = ("id", "name", "seal_name", "area", "case_no_prefix", "reconsideration_body", "litigation_court")
PARTY_COLUMNS = ("id", "kind", "name", "id_number", "uscc", "legal_representative", "address", "phone")
CERTIFICATE_COLUMNS = ("certificate_no", "area", "valid_from", "valid_to", "status", "source_of_power", "status_from")


def project_agency(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    db["agency"].upsert({k: str(p.get(k) or "") for k in AGENCY_COLUMNS}, pk="id")


def project_party(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    row = {k: str(p.get(k) or "") for k in PARTY_COLUMNS}
    row["kind"] = str(getattr(p.get("kind"), "value", p.get("kind")))
    db["party"].insert(row, ignore=True)


def project_officer(db: sqlite_utils.Database, p: Mapping[str, Any], password_hash: str = "") -> None:
    """``register_officer``: the officer and their certificates. No password travels between machines."""
    db["officer"].insert({"id": p["id"], "name": p["name"], "login": p["login"], "unit": str(p.get("unit", "")),
                          "roles": json.dumps(list(p.get("roles", []))), "legal_qualification": int(bool(p.get("legal_qualification"))),
                          "active": 1, "password_hash": password_hash})
    for c in p.get("certificates", []) or []:
        db["certificate"].insert({**{k: str(c.get(k) or "") for k in CERTIFICATE_COLUMNS}, "status": c.get("status") or "valid",
                                  "officer_id": p["id"]}, ignore=True)


def policy_body(p: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in p.items() if k not in ("version", "effective_from", "effective_to")}


def project_policy(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    db["policy_version"].upsert({"version": str(p["version"]), "effective_from": p["effective_from"],
                                 "effective_to": p.get("effective_to"), "body": json.dumps(policy_body(p), ensure_ascii=False)},
                                pk="version")


def calendar_body(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"holidays": list(p.get("holidays", [])), "workdays": list(p.get("workdays", []))}


def project_calendar(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    db["calendar_year"].upsert({"year": int(p["year"]), "body": json.dumps(calendar_body(p)), "source": str(p.get("source", ""))},
                               pk="year")


def project_benchmark_set(db: sqlite_utils.Database, p: Mapping[str, Any], at: str, actor: str) -> None:
    """``import_benchmark_set``: the document is stored in its canonical form (sorted keys, no spaces)."""
    doc = p.get("document") or {}
    db["benchmark_set"].insert({
        "id": p["id"], "version": p["version"], "issuing_body": doc.get("issuing_body", ""), "name": doc.get("name", ""),
        "effective_from": doc.get("effective_from", ""), "effective_to": doc.get("effective_to"),
        "entries": len(doc.get("entries", [])),
        "document": json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        "sha256": p.get("sha256", ""), "imported_at": at, "imported_by": actor,
    })


CASE_COLUMNS = ("id", "agency_id", "case_no", "procedure", "stage", "outcome", "title", "cause", "party_id", "party_name",
                "handlers", "handler_names", "received_on", "filed_on", "decided_on", "closed_on", "fine_fen", "next_due",
                "next_due_rule", "review_status", "major", "search_text", "pending_approvals", "updated_at")
_INSERT_CASE = 'INSERT INTO "case" ({}) VALUES ({})'.format(
    ", ".join(f'"{k}"' for k in CASE_COLUMNS), ", ".join("?" * len(CASE_COLUMNS)))
_UPDATE_CASE = 'UPDATE "case" SET {} WHERE id = ?'.format(", ".join(f'"{k}" = ?' for k in CASE_COLUMNS[1:]))
_SEARCH_TEXT = CASE_COLUMNS.index("search_text")


def write_case_rows(db, rows: list[tuple]) -> None:
    """Write case rows (from ``Session.case_row``) and keep the search index (db/0009) in step: new
    cases in bulk, known ones one by one, their index entry rewritten only when the text has changed."""
    before: dict[str, tuple[int, str]] = {}
    for start in range(0, len(rows), 500):
        ids = [r[0] for r in rows[start:start + 500]]
        before.update((i, (rowid, text)) for i, rowid, text in db.execute(
            f'SELECT id, rowid, search_text FROM "case" WHERE id IN ({",".join("?" * len(ids))})', ids))
    new = [r for r in rows if r[0] not in before]
    if new:
        db.conn.executemany(_INSERT_CASE, new)
        db.conn.executemany('INSERT INTO case_fts(rowid, search_text) SELECT rowid, search_text FROM "case" WHERE id = ?',
                            [(r[0],) for r in new])
    for row in rows:
        known = before.get(row[0])
        if known is None:
            continue
        db.execute(_UPDATE_CASE, [*row[1:], row[0]])
        if known[1] != row[_SEARCH_TEXT]:
            db.execute("INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', ?, ?)", known)
            db.execute("INSERT INTO case_fts(rowid, search_text) VALUES (?, ?)", [known[0], row[_SEARCH_TEXT]])
