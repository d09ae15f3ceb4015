"""A database the first schema (db/0001) left behind, opened by today's services.

The database is made by the store's own migration runner stopped after 0001 and filled with what the
first release wrote: the same rows, column for column, and the same events, appended by the store at
that schema (the payloads are the first release's, e.g. its benchmark entry id ``food-safety-124`` and
``collected_at`` without seconds; device keys did not exist yet). Opening it runs every later migration.
Every table's rows are compared with a snapshot taken at 0001, so a later migration that drops or
rewrites a table or a column, loses rows or changes a value fails here; so does one that breaks the
search index, the process record's chain or the evidence store.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from functools import cache

import pytest
import sqlite_utils
from conftest import Clock, signed_in

from enforcement_app.domain.procedure import search_text
from enforcement_app.domain.record import Event
from enforcement_app.services import Services, auth
from enforcement_app.services.api import CHINA
from enforcement_app.services.case_index import CaseIndex, ListQuery
from enforcement_app.store import events as event_store
from enforcement_app.store.database import evidence_dir, migrate, migration_names, schema_migrations
from enforcement_app.store.evidence import EvidenceStore

FIRST = "0001_initial"
DEVICE = "15945a718f7c4f59bfd9c11d9bee73ea"
AGENCY, ADMIN, ZHANG, LI, HEAD = "agency-zk", "officer-admin", "officer-zhang", "officer-li", "officer-wang"
PERSON, COMPANY, CASE = "party-liu", "party-food", "case-2025-1"
PASSWORD = "secret-pass-1"
CASE_NO = "仲高新市监罚字〔2025〕1号"
CERT = {"area": "仲恺高新区", "valid_from": "2024-01-01", "valid_to": "2028-12-31", "status": "valid", "source_of_power": "市场监督管理局"}
PHOTO = b"\xff\xd8\xff" + bytes(range(256)) * 40

AGENCY_ROW = {
    "id": AGENCY, "name": "惠州仲恺高新技术产业开发区市场监督管理局", "seal_name": "惠州仲恺高新技术产业开发区市场监督管理局",
    "area": "惠州仲恺高新区", "case_no_prefix": "仲高新市监罚字", "reconsideration_body": "惠州市市场监督管理局或者惠州仲恺高新区管委会",
    "litigation_court": "惠州市惠城区人民法院",
}
OFFICERS = [  # (id, name, login, roles, legal qualification, certificate numbers)
    (ADMIN, "管理员", "admin", ["admin"], False, []),
    (ZHANG, "张明", "zhangming", ["officer"], False, ["44130001"]),
    (LI, "李华", "lihua", ["officer"], False, ["44130002"]),
    (HEAD, "王局长", "wangju", ["agency_head"], False, []),
]
PARTIES = [
    {"id": PERSON, "kind": "person", "name": "刘某", "id_number": "11010519491231002X", "uscc": "", "legal_representative": "",
     "address": "惠州市仲恺高新区惠风路1号", "phone": "13800000000"},
    {"id": COMPANY, "kind": "organisation", "name": "惠州某某食品有限公司", "id_number": "", "uscc": "91350100M000100Y43",
     "legal_representative": "黄某", "address": "惠州市仲恺高新区和畅路8号", "phone": ""},
]
CALENDAR_2027 = {"holidays": ["2027-01-01"], "workdays": []}  # a year the app does not ship, imported by the agency
CASE_ROW = {  # the case table's row as the first release projected it after these steps
    "id": CASE, "agency_id": AGENCY, "case_no": CASE_NO, "procedure": "general", "stage": "investigation", "outcome": "",
    "title": "惠州某某食品有限公司销售超过保质期的食品案", "cause": "销售超过保质期的食品", "party_id": COMPANY,
    "party_name": "惠州某某食品有限公司", "handlers": f"{ZHANG},{LI}", "handler_names": "张明、李华", "received_on": "2025-03-03",
    "filed_on": "2025-03-03", "decided_on": "", "closed_on": "", "fine_fen": 0, "next_due": "2025-06-01",
    "next_due_rule": "作出处罚决定期限", "review_status": "", "major": 0,
    # before 0004 the text of the records only; 0004 puts title, number, party and cause in front
    "search_text": "群众投诉该店销售过期酸奶 销售超过保质期的食品 投诉反映销售过期食品 涉嫌违反食品安全法第三十四条 同意立案 "
                   "货架上有超过保质期的酸奶12盒 现场照片",
    "updated_at": "2025-03-05T12:00:00+08:00",
}


def _tables(db) -> dict[str, list[str]]:
    """The ordinary tables and their columns (not the search index's, SQLite's or the migration record)."""
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'case_fts%' "
        "AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY name")]
    return {t: [c[1] for c in db.execute(f'PRAGMA table_info("{t}")')] for t in names}


def _rows(db, table: str, columns: list[str]) -> list[tuple]:
    listed = ", ".join(f'"{c}"' for c in columns)
    return sorted(db.execute(f'SELECT {listed} FROM "{table}"').fetchall(), key=repr)


@cache
def _password_hash(login: str) -> str:
    """Hashed as the first release did, at what is still the default cost (once per run: it is slow)."""
    return auth.hash_password(PASSWORD, auth.DEFAULT_COST)


def _applied(db) -> list[str]:
    return [m.name for m in schema_migrations().applied(db)]


def _fill_as_the_first_release(db, evidence: EvidenceStore, photo) -> None:
    def record(stream, actor, at, kind, payload):
        heads = event_store.stream_heads(db, stream)
        event = Event(stream, heads, actor, DEVICE, datetime.fromisoformat(at).replace(tzinfo=CHINA), kind, payload)
        event_store.append(db, event, heads)

    first_day, later = "2025-03-03T09:00", "2025-03-05T12:00"
    with db.atomic():
        db["meta"].insert_all([{"key": "device_id", "value": DEVICE}, {"key": "device_name", "value": f"device-{DEVICE[:6]}"},
                               {"key": "chain_head", "value": "0" * 64}, {"key": "event_count", "value": "0"}])
        for officer_id, name, login, roles, legal, certificates in OFFICERS:
            certs = [{**CERT, "certificate_no": no} for no in certificates]
            record(f"officer/{officer_id}", "system" if officer_id == ADMIN else ADMIN, first_day, "register_officer",
                   {"certificates": certs, "id": officer_id, "legal_qualification": legal, "login": login, "name": name,
                    "roles": roles, "unit": ""})
            db["officer"].insert({"id": officer_id, "name": name, "login": login, "unit": "", "roles": json.dumps(roles),
                                  "legal_qualification": int(legal), "active": 1,
                                  "password_hash": _password_hash(login)})
            for cert in certs:
                db["certificate"].insert({**cert, "officer_id": officer_id})
            if officer_id == ADMIN:
                record(f"agency/{AGENCY}", "system", first_day, "set_agency", AGENCY_ROW)
                db["agency"].insert(AGENCY_ROW)
        for party in PARTIES:
            record(f"party/{party['id']}", ZHANG, first_day, "register_party", party)
            db["party"].insert(party)
        record("config/calendar", ADMIN, first_day, "import_calendar", {"year": 2027, **CALENDAR_2027, "source": "国务院办公厅通知"})
        db["calendar_year"].insert({"year": 2027, "body": json.dumps(CALENDAR_2027), "source": "国务院办公厅通知"})

        record(CASE, ZHANG, first_day, "register_lead", {
            "act_date": "2025-02-20", "agency_id": AGENCY, "cause": "销售超过保质期的食品", "cause_entry": "food-safety-124",
            "handlers": [ZHANG, LI], "life_health_finance": False, "party_address": "惠州市仲恺高新区和畅路8号", "party_id": COMPANY,
            "party_kind": "organisation", "party_name": "惠州某某食品有限公司", "received_on": "2025-03-03", "source": "complaint",
            "summary": "群众投诉该店销售过期酸奶"})
        record(CASE, ZHANG, first_day, "request_filing", {"facts": "投诉反映销售过期食品", "on": "2025-03-03", "reason": "涉嫌违反食品安全法第三十四条"})
        record(CASE, HEAD, first_day, "approve_filing", {"case_no": CASE_NO, "on": "2025-03-03", "opinion": "同意立案", "serial": 1, "year": 2025})
        db["case_number"].insert({"agency_id": AGENCY, "year": 2025, "serial": 1, "case_id": CASE, "case_no": CASE_NO})
        record(CASE, ZHANG, later, "record_inspection", {
            "av_records": [], "certificates_shown": True, "ended_at": "2025-03-04T11:00", "findings": "货架上有超过保质期的酸奶12盒",
            "officers": [ZHANG, LI], "party_signed": True, "place": "惠州市仲恺高新区惠风路1号店内", "present": "刘某",
            "started_at": "2025-03-04T10:00"})
        sha, size = evidence.put(photo)
        db["evidence"].insert({"sha256": sha, "size": size, "media_type": "image/jpeg", "original_name": "photo.jpg",
                               "stored_at": "2025-03-05T12:00:00+08:00"})
        record(CASE, ZHANG, later, "add_evidence", {
            "collected_at": "2025-03-05T12:00+08:00", "collected_by": [ZHANG], "description": "现场照片", "kind": "audiovisual",
            "media_type": "image/jpeg", "original_name": "photo.jpg", "sha256": sha, "size": size, "source": "现场拍摄"})
        db["case"].insert(CASE_ROW)


@pytest.fixture
def first_version(tmp_path):
    """(database path, {table: (columns, rows)} as they stood at schema 0001)."""
    path = tmp_path / "cases.db"
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(PHOTO)
    conn = sqlite3.connect(str(path))
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db, upto=FIRST)
    _fill_as_the_first_release(db, EvidenceStore(evidence_dir(path)), photo)
    snapshot = {t: (columns, _rows(db, t, columns)) for t, columns in _tables(db).items()}
    assert _applied(db) == [FIRST]
    conn.close()
    return path, snapshot


@pytest.fixture
def upgraded(first_version, monkeypatch):
    path, snapshot = first_version
    # the machine the first release ran on has a keystore of its own: it has never sealed
    monkeypatch.setenv("ENFORCEMENT_KEY_DIR", str(path.parent / "keys"))
    services = Services(path, clock=Clock(datetime(2025, 3, 6, 9, 0, tzinfo=CHINA)))
    yield services, snapshot
    services.close()


def test_the_old_database_is_at_the_first_schema_and_filled(first_version):
    _path, snapshot = first_version
    assert "benchmark_set" not in snapshot and "peer" not in snapshot and "trusted_device" not in snapshot
    assert "pending_approvals" not in snapshot["case"][0]
    assert "status_from" not in snapshot["certificate"][0]
    empty = {t for t, (_columns, rows) in snapshot.items() if not rows}
    assert empty == {"policy_version"}  # policies were shipped, not stored, unless an agency changed one
    assert len(snapshot["event"][1]) == 13


def test_opening_applies_every_later_migration_up_to_the_latest(upgraded):
    services, _snapshot = upgraded
    assert _applied(services.db) == migration_names()
    assert _applied(services.db)[-1] == migration_names()[-1]
    assert len(migration_names()) >= 9


def test_every_row_recorded_at_the_first_schema_is_kept_with_its_values(upgraded):
    services, snapshot = upgraded
    db = services.db
    now = _tables(db)
    for table, (columns, rows) in snapshot.items():
        assert table in now, f"table {table} was dropped"
        assert set(columns) <= set(now[table]), f"{table} lost columns {set(columns) - set(now[table])}"
        kept = _rows(db, table, columns)
        if table == "meta":  # the device's public keys (signing and key agreement) are added on opening (their
            # private halves go to the keystore, never into the database), the version the case rows were projected
            # with, the digest of their facts, and the last event recorded before personal signing keys; nothing
            # already there changes
            assert set(rows) <= set(kept)
            assert {k for k, _v in kept} - {k for k, _v in rows} == {"device_public_key", "device_agreement_public_key",
                                                                    "case_projection", "case_rows_digest", "signoffs_from_seq"}
            assert dict(kept)["signoffs_from_seq"] == str(len(snapshot["event"][1]))  # every old sign-off predates the keys
        elif table == "case":
            # the upgrade re-projects every case row from its events (the projection version changed): the
            # search text is the one the events give, the time written is the upgrade's, the next due day the one
            # the deadline rules give now (a period ending on a holiday ends on the next working day: 1 June 2025 is
            # a Sunday before the 端午 holiday, so 3 June); nothing else changes
            derived = {columns.index("search_text"), columns.index("updated_at"), columns.index("next_due")}
            assert [r[columns.index("next_due")] for r in kept] == ["2025-06-03"]
            assert [tuple(v for i, v in enumerate(r) if i not in derived) for r in kept] == [
                tuple(v for i, v in enumerate(r) if i not in derived) for r in rows]
            rebuilt = search_text(services.current_state(CASE))
            assert [r[columns.index("search_text")] for r in kept] == [rebuilt]
            assert rebuilt.startswith(" ".join(rows[0][columns.index(c)] for c in ("title", "case_no", "party_name", "cause")))
            assert all(word in rebuilt for word in rows[0][columns.index("search_text")].split())
        else:
            assert kept == rows, f"rows of {table} changed"

    # the values themselves, spelled out where a reader checks them
    assert db.execute("SELECT phone, uscc FROM party WHERE id = ?", [PERSON]).fetchone() == ("13800000000", "")
    assert db.execute("SELECT certificate_no, officer_id, status, status_from FROM certificate ORDER BY 1").fetchall() == [
        ("44130001", ZHANG, "valid", ""), ("44130002", LI, "valid", "")]
    assert db.execute('SELECT case_no, stage, party_name, pending_approvals FROM "case"').fetchall() == [
        (CASE_NO, "investigation", "惠州某某食品有限公司", "")]
    assert db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0] == DEVICE
    assert services.device_id == DEVICE


def test_the_upgraded_record_verifies_and_its_officers_still_log_in(upgraded):
    services, _snapshot = upgraded
    report = services.verify()
    assert report.ok, report.problems
    assert (report.events, report.evidence_files) == (13, 1)
    assert services.login("zhangming", PASSWORD).actor.id == ZHANG
    assert {o.login for o in services.officers().values()} == {"admin", "zhangming", "lihua", "wangju"}
    assert [c.certificate_no for c in services.officers()[ZHANG].certificates] == ["44130001"]
    assert not services.calendar().is_working_day(date(2027, 1, 1))  # a Friday, a holiday only by the stored year


def test_the_old_case_is_found_and_takes_a_new_step(upgraded, first_version):
    services, _snapshot = upgraded
    officer = signed_in(services, "zhangming")
    assert [c["id"] for c in officer.list_cases(query="某某食品")] == [CASE]  # the index 0009 rebuilt, over 0004's text
    assert [c["id"] for c in officer.list_cases(query="酸奶")] == [CASE]  # short terms: the text column itself
    assert [c["id"] for c in officer.list_cases(officer=ZHANG, stage="investigation")] == [CASE]
    assert officer.view(CASE).state.cause_entry == "food-safety-124"

    officer.perform(CASE, "record_inquiry", {
        "started_at": "2025-03-06T09:30", "ended_at": "2025-03-06T10:30", "place": "仲恺高新区市场监督管理局询问室",
        "officers": [ZHANG, LI], "recorder": "李华", "certificates_shown": True, "rights_notified": True,
        "person": {"name": "黄某", "id_number": "11010519491231002X", "relation": "法定代表人"},
        "qa": [{"q": "货架上的酸奶是否过期？", "a": "是的，忘记下架了。"}], "confirmed": True,
    })

    view = officer.view(CASE)
    assert [s.kind for s in view.state.steps] == ["register_lead", "request_filing", "approve_filing", "record_inspection",
                                                  "add_evidence", "record_inquiry"]
    assert view.state.case_no == CASE_NO and view.state.stage.value == "investigation"
    assert len(view.heads) == 1
    report = services.verify()
    assert report.ok, report.problems
    # 13 from the old version, the key the officer was issued at their first login since, and the inquiry
    assert report.events == 15
    issued = services.db.execute("SELECT kind, actor, payload FROM event WHERE stream = ? ORDER BY seq DESC LIMIT 1",
                                 [f"officer/{ZHANG}"]).fetchone()
    assert issued[0] == "update_officer" and issued[1] == ZHANG and {"signing_key", "sign_off"} <= set(json.loads(issued[2]))
    assert [c["id"] for c in officer.list_cases(query="忘记下架")] == [CASE]
    assert [c["id"] for c in officer.list_cases(query="某某食品")] == [CASE]
    index = CaseIndex(first_version[0])
    try:
        assert index.ids(ListQuery(today=date(2025, 3, 6), query="忘记下架")) == [CASE]
        assert index.ids(ListQuery(today=date(2025, 3, 6), query="下架")) == [CASE]  # two characters: the pair index of db/0016
        assert index.total() == 1
    finally:
        index.close()
