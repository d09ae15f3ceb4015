"""The reference tables: officers and their certificates, the agency, parties, policy versions, calendar
years and benchmark sets, read as domain values and written as projections of their events.

Each ``project_*`` function writes the rows one reference event stands for — recorded on this machine, or
received from another in a bundle — so both paths keep the tables alike. Writes run inside the caller's
``db.atomic()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import sqlite_utils

from ..domain.agency import Agency
from ..domain.calendar import YearSchedule, parse_year_schedule
from ..domain.discretion import BenchmarkSet, CircumstanceCatalogue, parse_benchmark_set
from ..domain.officers import Certificate, CertificateStatus, Officer, Role
from ..domain.parties import Party
from ..domain.penalties import PartyKind
from ..domain.policy import AgencyPolicy, parse_policy_versions
from ..domain.power_list import PowerList, default_power_list_versions, parse_power_list_versions
from ..domain.refusals import RuleViolation
from ..domain.versioning import Versioned
from .batches import rows_for

AGENCY_COLUMNS = ("id", "name", "seal_name", "area", "case_no_prefix", "reconsideration_body", "litigation_court", "seal_png")
PARTY_COLUMNS = ("id", "kind", "name", "id_number", "uscc", "legal_representative", "address", "phone")
CERTIFICATE_COLUMNS = ("certificate_no", "area", "valid_from", "valid_to", "status", "source_of_power", "status_from")

# --- officers --------------------------------------------------------------------------------------------


def officers(db: sqlite_utils.Database) -> dict[str, Officer]:
    """Every officer (active or not) by id, with their certificates in the order they became valid."""
    certs: dict[str, list[Certificate]] = {}
    for no, officer_id, area, start, end, status, source, status_from in db.execute(
        "SELECT certificate_no, officer_id, area, valid_from, valid_to, status, source_of_power, status_from FROM certificate"
    ):
        certs.setdefault(officer_id, []).append(
            Certificate(no, area, date.fromisoformat(start), date.fromisoformat(end), CertificateStatus(status), source,
                        date.fromisoformat(status_from) if status_from else None)
        )
    return {
        row[0]: Officer(
            id=row[0],
            name=row[1],
            login=row[2],
            unit=row[3],
            roles=frozenset(Role(r) for r in json.loads(row[4])),
            legal_qualification=bool(row[5]),
            active=bool(row[6]),
            certificates=tuple(sorted(certs.get(row[0], []), key=lambda c: c.valid_from)),
        )
        for row in db.execute("SELECT id, name, login, unit, roles, legal_qualification, active FROM officer")
    }


def password_hash(db: sqlite_utils.Database, login: str) -> str | None:
    """The stored password hash of the active officer ``login`` (None when there is no such officer)."""
    row = db.execute("SELECT password_hash FROM officer WHERE login = ? AND active = 1", [login]).fetchone()
    return row[0] if row else None


def certificate_registered(db: sqlite_utils.Database, certificate_no: str) -> bool:
    """Whether any officer holds a certificate with this number."""
    return db.execute("SELECT 1 FROM certificate WHERE certificate_no = ?", [certificate_no]).fetchone() is not None


def officer_id_with_login(db: sqlite_utils.Database, login: str) -> str | None:
    row = db.execute("SELECT id FROM officer WHERE login = ?", [login]).fetchone()
    return row[0] if row else None


def officer_exists(db: sqlite_utils.Database, officer_id: str) -> bool:
    return db.execute("SELECT 1 FROM officer WHERE id = ?", [officer_id]).fetchone() is not None


def project_officer(db: sqlite_utils.Database, p: Mapping[str, Any], password_hash: str = "") -> None:
    """``register_officer``: the officer and their certificates. No password travels between machines."""
    db["officer"].insert({"id": p["id"], "name": p["name"], "login": p["login"], "unit": str(p.get("unit", "")),
                          "roles": json.dumps(list(p.get("roles", []))), "legal_qualification": int(bool(p.get("legal_qualification"))),
                          "active": 1, "password_hash": password_hash})
    for c in p.get("certificates", []) or []:
        db["certificate"].insert({**{k: str(c.get(k) or "") for k in CERTIFICATE_COLUMNS}, "status": c.get("status") or "valid",
                                  "officer_id": p["id"]}, ignore=True)


def project_signing_key(db: sqlite_utils.Database, officer_id: str, issued: Any, at: str) -> None:
    """An officer event's ``signing_key`` (``{"public", "sealed"}``): a new key retires the officer's key in force
    at ``at``; the same key sealed again (a changed password) replaces only its sealed form."""
    if not isinstance(issued, Mapping) or not isinstance(issued.get("public"), str) or not isinstance(issued.get("sealed"), str):
        return
    if db.execute("SELECT 1 FROM officer_key WHERE public_key = ?", [issued["public"]]).fetchone():
        db.execute("UPDATE officer_key SET sealed = ? WHERE public_key = ? AND officer_id = ?", [issued["sealed"], issued["public"], officer_id])
        return
    db.execute("UPDATE officer_key SET retired_at = ? WHERE officer_id = ? AND retired_at = ''", [at, officer_id])
    db.execute("INSERT INTO officer_key (public_key, officer_id, sealed, issued_at) VALUES (?,?,?,?)",
               [issued["public"], officer_id, issued["sealed"], at])


def sealed_key(db: sqlite_utils.Database, officer_id: str) -> tuple[str, str] | None:
    """The officer's key in force: (public key, its sealed private half), or None when they have none."""
    row = db.execute("SELECT public_key, sealed FROM officer_key WHERE officer_id = ? AND retired_at = ''", [officer_id]).fetchone()
    return (row[0], row[1]) if row else None


def set_password_hash(db: sqlite_utils.Database, officer_id: str, password_hash: str) -> None:
    db.execute("UPDATE officer SET password_hash = ? WHERE id = ?", [password_hash, officer_id])


def apply_officer_update(db: sqlite_utils.Database, record: Mapping[str, Any]) -> None:
    """``update_officer`` (recorded here or received in a bundle): roles, flags, a new certificate, a
    certificate's status."""
    officer_id = record["id"]
    if "roles" in record:
        db.execute("UPDATE officer SET roles = ? WHERE id = ?", [json.dumps(record["roles"]), officer_id])
    for key in ("legal_qualification", "active"):
        if key in record:
            db.execute(f"UPDATE officer SET {key} = ? WHERE id = ?", [int(bool(record[key])), officer_id])
    if record.get("add_certificate"):
        db.execute("INSERT OR IGNORE INTO certificate (certificate_no, officer_id, area, valid_from, valid_to, status, source_of_power) "
                   "VALUES (?,?,?,?,?,?,?)", [record["add_certificate"]["certificate_no"], officer_id, record["add_certificate"]["area"],
                                              record["add_certificate"]["valid_from"], record["add_certificate"]["valid_to"],
                                              record["add_certificate"]["status"], record["add_certificate"].get("source_of_power", "")])
    if record.get("certificate_status"):
        change = record["certificate_status"]
        db.execute("UPDATE certificate SET status = ?, status_from = ? WHERE certificate_no = ? AND officer_id = ?",
                   [change["status"], change.get("on", "") if change["status"] != "valid" else "", change["certificate_no"], officer_id])


# --- the agency and parties -------------------------------------------------------------------------------


def agency(db: sqlite_utils.Database) -> Agency | None:
    row = db.execute(f"SELECT {', '.join(AGENCY_COLUMNS)} FROM agency LIMIT 1").fetchone()
    return Agency(*row) if row else None


def project_agency(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    db["agency"].upsert({k: str(p.get(k) or "") for k in AGENCY_COLUMNS}, pk="id")


def party(db: sqlite_utils.Database, party_id: str) -> Party | None:
    row = db.execute(f"SELECT {', '.join(PARTY_COLUMNS)} FROM party WHERE id = ?", [party_id]).fetchone()
    return Party(row[0], PartyKind(row[1]), *row[2:]) if row else None


def party_streams(db: sqlite_utils.Database) -> set[str]:
    """The stream of every party registered here (``party/<id>``)."""
    return {r[0] for r in db.execute("SELECT 'party/' || id FROM party")}


def party_streams_among(db: sqlite_utils.Database, party_ids: Iterable[str]) -> set[str]:
    """The streams (``party/<id>``) of those of ``party_ids`` registered here, by the primary key."""
    return {r[0] for r in rows_for(db, "SELECT 'party/' || id FROM party WHERE id IN ({})", sorted(set(party_ids)))}


def project_party(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    row = {k: str(p.get(k) or "") for k in PARTY_COLUMNS}
    row["kind"] = str(getattr(p.get("kind"), "value", p.get("kind")))
    db["party"].insert(row, ignore=True)


# --- configuration: policy versions, calendar years, benchmark sets ----------------------------------------


def policy_versions(db: sqlite_utils.Database) -> list[Versioned[AgencyPolicy]]:
    """The policy versions recorded in this database (the shipped ones are not stored)."""
    stored = [
        {"version": v, "effective_from": f, "effective_to": t, **json.loads(body)}
        for v, f, t, body in db.execute("SELECT version, effective_from, effective_to, body FROM policy_version")
    ]
    return parse_policy_versions({"format": "agency-policy/1", "versions": stored}, "database") if stored else []


def policy_body(p: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in p.items() if k not in ("version", "effective_from", "effective_to")}


def stored_policy_body(db: sqlite_utils.Database, version: str) -> dict[str, Any] | None:
    row = db.execute("SELECT body FROM policy_version WHERE version = ?", [version]).fetchone()
    return json.loads(row[0]) if row else None


def project_policy(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    db["policy_version"].upsert({"version": str(p["version"]), "effective_from": p["effective_from"],
                                 "effective_to": p.get("effective_to"), "body": json.dumps(policy_body(p), ensure_ascii=False)},
                                pk="version")


def power_list_versions(db: sqlite_utils.Database) -> list[Versioned[PowerList]]:
    """The power list versions imported into this database (the shipped ones are not stored)."""
    stored = [
        {"version": v, "effective_from": f, "effective_to": t, **json.loads(body)}
        for v, f, t, body in db.execute("SELECT version, effective_from, effective_to, body FROM power_list_version ORDER BY effective_from")
    ]
    return parse_power_list_versions({"format": "power-list/1", "versions": stored}, "database") if stored else []


def stored_power_list_body(db: sqlite_utils.Database, version: Any) -> dict[str, Any] | None:
    row = db.execute("SELECT body FROM power_list_version WHERE version = ?", [version]).fetchone()
    return json.loads(row[0]) if row else None


def power_list_clash(db: sqlite_utils.Database, p: Mapping[str, Any]) -> str:
    """Why the version ``p`` cannot join those here (the shipped ones and those stored), or '': it does not read
    as a version, its name is taken by another content, or another version starts on its day (which of the two
    applies would be undecidable). The services refuse such an import; a bundle's is reported and not taken."""
    name = p.get("version")
    try:
        parse_power_list_versions({"format": "power-list/1", "versions": [dict(p)]}, "import_power_list")
    except RuleViolation as exc:
        return f"权责清单版本 {str(name)[:40]} 不符合格式，未导入：{exc}"
    body = stored_power_list_body(db, name)
    if body is not None:
        return "" if body == policy_body(p) else f"权责清单版本 {name} 与本机同名版本内容不同，未覆盖"
    start = p.get("effective_from")
    if any(v.version == name or v.effective_from.isoformat() == start for v in default_power_list_versions()) or \
            db.execute("SELECT 1 FROM power_list_version WHERE effective_from = ?", [start]).fetchone():
        return f"权责清单版本 {name} 与本机已有版本同名或同日（{start}）起施行，未导入"
    return ""


def project_power_list(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    """``import_power_list``: one version; a version is never replaced (a revised list is a new version)."""
    db["power_list_version"].insert({"version": str(p["version"]), "effective_from": p["effective_from"],
                                     "effective_to": p.get("effective_to"),
                                     "body": json.dumps(policy_body(p), ensure_ascii=False, sort_keys=True, separators=(",", ":"))},
                                    ignore=True)


def calendar_years(db: sqlite_utils.Database) -> list[YearSchedule]:
    """The holiday schedules imported into this database."""
    return [parse_year_schedule(year, json.loads(body), source)
            for year, body, source in db.execute("SELECT year, body, source FROM calendar_year")]


def calendar_body(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"holidays": list(p.get("holidays", [])), "workdays": list(p.get("workdays", []))}


def stored_calendar_body(db: sqlite_utils.Database, year: Any) -> dict[str, Any] | None:
    row = db.execute("SELECT body FROM calendar_year WHERE year = ?", [year]).fetchone()
    return json.loads(row[0]) if row else None


def project_calendar(db: sqlite_utils.Database, p: Mapping[str, Any]) -> None:
    db["calendar_year"].upsert({"year": int(p["year"]), "body": json.dumps(calendar_body(p)), "source": str(p.get("source", ""))},
                               pk="year")


def benchmark_sets(db: sqlite_utils.Database, catalogue: CircumstanceCatalogue) -> list[BenchmarkSet]:
    """The benchmark sets imported into this database, in the order they were imported."""
    rows = db.execute("SELECT id, version, document FROM benchmark_set ORDER BY imported_at, id").fetchall()
    return [parse_benchmark_set(json.loads(document), f"数据库中的裁量基准 {set_id}（{version}）", catalogue)
            for set_id, version, document in rows]


def stored_benchmark_sha256(db: sqlite_utils.Database, set_id: Any, version: Any) -> str | None:
    row = db.execute("SELECT sha256 FROM benchmark_set WHERE id = ? AND version = ?", [set_id, version]).fetchone()
    return row[0] if row else None


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
