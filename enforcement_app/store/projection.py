"""The reference tables rebuilt from the events, by the same projection code that wrote them.

Every reference table (officers and certificates, the agency, parties, policy versions, calendar years,
benchmark sets, trusted devices, the evidence register, the registers of case and document numbers) is a projection of
events. :func:`project_event` is the one place that says what an event does to them — recorded on this
device (``local``) or received from another in a bundle, which may not overwrite this device's settings.
:func:`rebuild` replays the events into a scratch database with the same tables; ``verify`` compares it with
the live tables row by row (:func:`differences`), and the services read officers, the agency and parties
from a rebuild rather than from tables anyone with the file could edit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from . import numbers
from . import reference as ref

TABLES = ("agency", "officer", "officer_key", "certificate", "party", "policy_version", "calendar_year", "benchmark_set",
          "trusted_device", "evidence", "case_number", "power_list_version", "document_number")
# per table: its key columns, and the columns compared (what the events say; not e.g. a password hash or
# the moment a row happened to be written)
COMPARED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "agency": (("id",), ref.AGENCY_COLUMNS),
    "officer": (("id",), ("id", "name", "login", "unit", "roles", "legal_qualification", "active")),
    "officer_key": (("public_key",), ("public_key", "officer_id", "sealed", "issued_at", "retired_at")),
    "certificate": (("certificate_no",), ("certificate_no", "officer_id", *ref.CERTIFICATE_COLUMNS[1:])),
    "party": (("id",), ref.PARTY_COLUMNS),
    "policy_version": (("version",), ("version", "effective_from", "effective_to", "body")),
    "calendar_year": (("year",), ("year", "body", "source")),
    "benchmark_set": (("id", "version"), ("id", "version", "document", "sha256")),
    "trusted_device": (("device_id",), ("device_id", "public_key")),
    "evidence": (("sha256",), ("sha256", "size", "media_type", "original_name")),
    "case_number": (("agency_id", "year", "serial"), ("agency_id", "year", "serial", "case_id", "case_no")),
    "power_list_version": (("version",), ("version", "effective_from", "effective_to", "body")),
    "document_number": (("agency_id", "series", "year", "serial"),
                        ("agency_id", "series", "year", "serial", "document", "case_id", "document_no")),
}
TABLE_ZH = {"agency": "执法主体", "officer": "人员", "officer_key": "个人签名密钥", "certificate": "执法证", "party": "当事人", "policy_version": "裁量与审核参数",
            "calendar_year": "节假日安排", "benchmark_set": "裁量基准", "trusted_device": "受信任设备", "evidence": "证据登记",
            "case_number": "案件编号登记", "power_list_version": "权责清单", "document_number": "文号登记"}
PRIVILEGED = ("roles", "legal_qualification", "active")  # an officer's changes another device may not make here
REFERENCE_KINDS = ("register_party", "register_officer", "update_officer", "set_agency", "set_policy", "import_calendar",
                   "import_benchmark_set", "trust_device", "import_power_list")
CASE_REGISTER_KINDS = ("add_evidence", "approve_filing", "record_simple_decision", *numbers.NUMBERED_KINDS)


def project_event(db: sqlite_utils.Database, kind: str, p: Mapping[str, Any], *, local: bool, at: str = "", actor: str = "",
                  stream: str = "", password_hash: str = "") -> str:
    """Write what one event stands for into the reference tables; returns a conflict with what this database
    holds (an event from another device that may not overwrite it), or ''."""
    if kind == "register_party":
        ref.project_party(db, p)
    elif kind == "register_officer":
        holder = ref.officer_id_with_login(db, p.get("login"))
        if holder is not None and holder != p.get("id"):
            return f"登录名 {p.get('login')} 在本机已属于另一人员，未导入该人员（{p.get('name')}）"
        if holder is None and not ref.officer_exists(db, p.get("id")):
            roles = list(p.get("roles", []) or [])
            if not local and "admin" in roles and db.execute("SELECT 1 FROM officer LIMIT 1").fetchone():
                # another device's administrator cannot make one here, once this machine has people of its own:
                # its administrator grants that (a new machine set up from the agency's bundle takes them all)
                ref.project_officer(db, {**p, "roles": [r for r in roles if r != "admin"] or ["officer"]}, password_hash)
                ref.project_signing_key(db, p.get("id"), p.get("signing_key"), at)
                return f"人员 {p.get('name')} 在发送设备上是管理员，本机未授予管理员角色，请本机管理员核对后办理"
            ref.project_officer(db, p, password_hash)  # no password hash travels; the sealed signing key does
            ref.project_signing_key(db, p.get("id"), p.get("signing_key"), at)  # a registration again issues nothing
    elif kind == "update_officer":
        if ref.officer_exists(db, p.get("id")):
            # certificates follow the officer; roles, qualification and accounts are this machine's administrator's call
            ref.apply_officer_update(db, p if local else {k: v for k, v in p.items() if k not in PRIVILEGED})
            issued = p.get("signing_key")
            held = ref.sealed_key(db, p.get("id"))
            # the same rules as keys_from_events in ..domain.signoff: another device may bring an officer's
            # first key (their own, from their first login there), never a reset nor a key sealed again
            if local or (held is None and actor == p.get("id")):
                ref.project_signing_key(db, p.get("id"), issued, at)
            elif isinstance(issued, Mapping):
                return f"人员 {p.get('id', '')[:12]}… 的签名密钥在另一设备上被重置或改用新密码保护，本机未采用，请本机管理员核对后办理"
            if not local and any(k in p for k in PRIVILEGED):
                return f"人员 {p.get('id', '')[:12]}… 的角色、资格或账户变更未自动生效，请本机管理员核对后办理"
    elif kind == "set_agency":
        agency = ref.agency(db)
        if local or agency is None:
            ref.project_agency(db, p)
        elif (agency.id, agency.name, agency.seal_name, agency.area, agency.case_no_prefix) != (
                p.get("id"), p.get("name"), p.get("seal_name"), p.get("area"), p.get("case_no_prefix")):
            return f"执法主体设置与本机不同（{p.get('name')}，案号前缀 {p.get('case_no_prefix')}），未覆盖本机设置"
    elif kind == "set_policy":
        body = ref.stored_policy_body(db, p.get("version"))
        if local or body is None:
            ref.project_policy(db, p)
        elif body != ref.policy_body(p):
            return f"裁量与审核参数版本 {p.get('version')} 与本机同名版本内容不同，未覆盖"
    elif kind == "import_power_list":
        clash = ref.power_list_clash(db, p)
        if clash:
            return clash
        ref.project_power_list(db, p)
    elif kind == "import_calendar":
        body = ref.stored_calendar_body(db, p.get("year"))
        if local or body is None:
            ref.project_calendar(db, p)
        elif body != ref.calendar_body(p):
            return f"{p.get('year')}年节假日安排与本机不同，未覆盖"
    elif kind == "import_benchmark_set":
        sha = ref.stored_benchmark_sha256(db, p.get("id"), p.get("version"))
        if sha is None:
            ref.project_benchmark_set(db, p, at, actor)
        elif sha != p.get("sha256"):
            return f"裁量基准 {p.get('id')}（{p.get('version')}）与本机同版本内容不同，未覆盖"
    elif kind == "trust_device" and local:  # only this device's administrator trusts a device here
        db["trusted_device"].insert({"device_id": p.get("device"), "public_key": p.get("public_key"), "name": p.get("name", ""),
                                     "trusted_at": at, "trusted_by": actor}, ignore=True)
    elif kind == "add_evidence":
        db["evidence"].insert({"sha256": p.get("sha256"), "size": p.get("size"), "media_type": p.get("media_type", ""),
                               "original_name": p.get("original_name", ""), "stored_at": at}, ignore=True)
    elif kind in ("approve_filing", "record_simple_decision") and local and p.get("case_no"):
        # the numbers this device allocated (a case filed elsewhere keeps its number from that device's series)
        db["case_number"].insert({"agency_id": p.get("agency_id") or _agency_id(db), "year": p.get("year"), "serial": p.get("serial"),
                                  "case_id": stream, "case_no": p.get("case_no")}, ignore=True)
    elif kind in numbers.NUMBERED_KINDS and local and isinstance(p.get("numbering"), Mapping) and p.get("document_no"):
        # the document numbers this device allocated, as for case numbers (only one device allocates them)
        numbers.register_document_number(db, dict(p["numbering"]), stream, str(p["document_no"]))
    return ""


def _agency_id(db: sqlite_utils.Database) -> str:
    agency = ref.agency(db)
    return agency.id if agency else ""


def scratch_like(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """An empty in-memory database with the reference tables of ``db`` (their columns, keys and checks)."""
    scratch = sqlite_utils.Database(sqlite3.connect(":memory:"))
    for (sql,) in db.execute(f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({','.join('?' * len(TABLES))})",
                             list(TABLES)):
        scratch.execute(sql.replace("REFERENCES officer(id)", ""))
    return scratch


@dataclass(frozen=True)
class Replayed:
    kind: str
    stream: str
    actor: str
    device: str
    at: str
    payload: bytes | str
    seq: int


def events_for_rebuild(db: sqlite_utils.Database, prefixes: Iterable[str] | None = None):
    """The events the reference tables are projections of, in arrival order: every one (a full scan, for
    ``verify``), or those of the streams starting with ``prefixes`` (through the stream index)."""
    if prefixes is None:
        kinds = [*REFERENCE_KINDS, *CASE_REGISTER_KINDS]
        sql = f"SELECT kind, stream, actor, device, at, payload, seq FROM event WHERE kind IN ({','.join('?' * len(kinds))}) ORDER BY seq"
        return (Replayed(*row) for row in db.execute(sql, kinds))
    ranges = [(p, p[:-1] + chr(ord(p[-1]) + 1)) for p in prefixes]
    sql = ("SELECT kind, stream, actor, device, at, payload, seq FROM event WHERE "
           + " OR ".join("(stream >= ? AND stream < ?)" for _ in ranges) + " ORDER BY seq")
    return (Replayed(*row) for row in db.execute(sql, [x for r in ranges for x in r]))


def rebuild(db: sqlite_utils.Database, device: str, prefixes: Iterable[str] | None = None,
            into: sqlite_utils.Database | None = None) -> sqlite_utils.Database:
    """A scratch database whose reference tables are rebuilt from ``db``'s events (``device``: this device, whose
    own events count as local). ``prefixes`` limits the replay to some streams (e.g. ``("officer/",)``); ``into``
    adds them to a scratch database already made (the parties, looked up one by one)."""
    scratch = into or scratch_like(db)  # in memory and private: no transaction of the file's is opened for it
    for e in events_for_rebuild(db, prefixes):
        try:
            payload = json.loads(e.payload)
        except (ValueError, TypeError):
            continue  # an unreadable payload is reported by the hash check
        if isinstance(payload, dict):
            try:
                project_event(scratch, e.kind, payload, local=e.device == device, at=e.at, actor=e.actor, stream=e.stream)
            except (sqlite3.Error, KeyError, TypeError, ValueError):
                continue  # a payload its projection cannot take: the live table cannot hold it either
    scratch.conn.commit()
    return scratch


@dataclass(frozen=True)
class Difference:
    table: str
    key: str
    field: str  # "" when the whole row is missing on one side
    recorded: Any  # the live table's value (None: no such row)
    rebuilt: Any  # what the events say (None: no such row)


def _rows(db: sqlite_utils.Database, table: str) -> dict[tuple, tuple]:
    keys, columns = COMPARED[table]
    listed = ", ".join(f'"{c}"' for c in columns)
    index = [columns.index(k) for k in keys]
    out = {}
    for row in db.execute(f'SELECT {listed} FROM "{table}"'):
        out[tuple(row[i] for i in index)] = tuple(row)
    return out


def differences(live: sqlite_utils.Database, rebuilt: sqlite_utils.Database, tables: Iterable[str] = TABLES) -> list[Difference]:
    out: list[Difference] = []
    for table in tables:
        _keys, columns = COMPARED[table]
        have, want = _rows(live, table), _rows(rebuilt, table)
        for key in sorted(have.keys() | want.keys(), key=repr):
            label = "/".join(str(k) for k in key)
            a, b = have.get(key), want.get(key)
            if a is None or b is None:
                out.append(Difference(table, label, "", a, b))
                continue
            for column, x, y in zip(columns, a, b, strict=True):
                if x != y and not (table == "officer" and column == "roles" and _same_json(x, y)):
                    out.append(Difference(table, label, column, x, y))
    return out


def _same_json(a: Any, b: Any) -> bool:
    try:
        return json.loads(a) == json.loads(b)
    except (TypeError, ValueError):
        return False
