"""The record holds up against someone who has the database file: every hash and link can be recomputed with
the file alone, but the device's seal cannot, because its key lives in the keystore and not in the file."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime

import pytest
import steps
from conftest import signed_in

from enforcement_app.domain.record import Event, chain_hash
from enforcement_app.domain.refusals import RuleViolation
from enforcement_app.services import Services
from enforcement_app.store import keystore as keystore_module
from enforcement_app.store.chain_scan import GENESIS
from enforcement_app.store.keystore import FileStore, KeystoreLocked


def _rewrite(path, mutate) -> None:
    """Rewrite the record as an attacker with the file would: change, drop or add events, then recompute every
    hash, parent, chain value, stream head and count so that every link is consistent again."""
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT seq, hash, stream, parents, actor, device, at, kind, payload FROM event ORDER BY seq").fetchall()
    events = [dict(zip(("seq", "hash", "stream", "parents", "actor", "device", "at", "kind", "payload"), r, strict=True)) for r in rows]
    for e in events:
        e["payload"] = json.loads(e["payload"])
    events = mutate(events)
    renamed: dict[str, str] = {}
    heads: dict[str, str] = {}
    chain = GENESIS
    out = []
    for e in events:
        parents = tuple(renamed.get(p, p) for p in e["parents"].split(",") if p) if e["parents"] is not None else (
            (heads[e["stream"]],) if e["stream"] in heads else ())
        event = Event(e["stream"], parents, e["actor"], e["device"], datetime.fromisoformat(e["at"]), e["kind"], e["payload"])
        if e.get("hash"):
            renamed[e["hash"]] = event.hash
        chain = chain_hash(chain, event.hash)
        heads[e["stream"]] = event.hash
        out.append((event.hash, event.stream, event.parents_text, event.actor, event.device, event.at_text, event.kind,
                    event.payload_bytes, chain))
    conn.execute("DROP TRIGGER event_no_update")
    conn.execute("DROP TRIGGER event_no_delete")
    conn.execute("DELETE FROM event")
    conn.executemany("INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload, chain) VALUES (?,?,?,?,?,?,?,?,?)", out)
    conn.execute("DELETE FROM stream_head")
    counts: dict[str, int] = {}
    for row in out:
        counts[row[1]] = counts.get(row[1], 0) + 1
    conn.executemany("INSERT INTO stream_head (stream, heads, events) VALUES (?,?,?)", [(s, h, counts[s]) for s, h in heads.items()])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'chain_head'", [chain])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'event_count'", [str(len(out))])
    conn.execute("CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")
    conn.execute("CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")
    conn.commit()
    conn.close()


@pytest.fixture
def decided(world):
    """A case reported with an 8,000-yuan fine, and a second case registered after it."""
    case_id = steps.investigated(world, world.company)
    steps.report(world, case_id, fine_yuan=8000, kinds=("fine",))
    other = steps.lead(world, world.person)
    world.services.close()
    return world, case_id, other


def _verify(world):
    with Services(world.services.path, clock=world.clock) as services:
        return services.verify()


def test_the_database_holds_no_private_key_and_the_key_file_is_encrypted(world):
    rows = dict(world.services.db.execute("SELECT key, value FROM meta").fetchall())
    assert "device_key" not in rows
    key = world.services.device_signing_key().private_bytes_raw().hex()
    everything = "\n".join(str(v) for table in ("meta", "event", "officer") for r in world.services.db.execute(f'SELECT * FROM "{table}"')
                           for v in r)
    assert key not in everything
    files = list((keystore_module.default_keystore().folder).glob("*.key"))
    assert files and all(key not in f.read_text() for f in files)
    wrong = FileStore(keystore_module.default_keystore().folder, lambda: "not the passphrase")
    with pytest.raises(KeystoreLocked, match="口令不正确"):
        wrong.get(f"device-{world.services.device_id}")


def test_a_key_left_in_an_older_database_moves_to_the_keystore(world):
    key = world.services.device_signing_key().private_bytes_raw().hex()
    path = world.services.path
    world.services.close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO meta (key, value) VALUES ('device_key', ?)", [key])
    conn.commit()
    conn.close()
    with Services(path) as services:
        assert services.db.execute("SELECT 1 FROM meta WHERE key = 'device_key'").fetchone() is None
        assert services.device_signing_key().private_bytes_raw().hex() == key
        assert services.verify().ok


def test_a_fine_rewritten_with_every_hash_recomputed_is_found_and_its_case_named(decided):
    world, case_id, _other = decided
    assert _verify(world).ok

    def richer(events):
        for e in events:
            if e["kind"] == "submit_investigation_report":
                e["payload"]["fine_fen"] = 100
        return events

    _rewrite(world.services.path, richer)
    report = _verify(world)
    assert not report.ok
    rewritten = [p for p in report.problems if p.kind == "record_rewritten"]
    with Services(world.services.path) as services:
        case_no = services.current_state(case_id).case_no
    assert rewritten and any(p.case == case_no for p in rewritten)


def test_a_cut_tail_with_its_stream_head_fixed_names_the_right_case(decided):
    world, case_id, other = decided

    def cut(events):
        last = max(i for i, e in enumerate(events) if e["stream"] == case_id)
        return events[:last] + events[last + 1:]

    _rewrite(world.services.path, cut)
    report = _verify(world)
    with Services(world.services.path) as services:
        case_no = services.current_state(case_id).case_no
    named = {p.case for p in report.problems if p.kind == "record_rewritten"}
    assert case_no in named


def test_a_forged_legal_review_appended_with_a_valid_chain_is_unsealed(decided):
    world, case_id, _other = decided

    def forge(events):
        return [*events, {"seq": None, "hash": "", "stream": case_id, "parents": None, "actor": world.reviewer.id,
                          "device": events[-1]["device"], "at": "2025-03-07T10:00:00+08:00", "kind": "record_legal_review",
                          "payload": {"outcome": "approve", "opinion": "同意", "on": "2025-03-07"}}]

    _rewrite(world.services.path, forge)
    report = _verify(world)
    with Services(world.services.path) as services:
        case_no = services.current_state(case_id).case_no
    assert ("record_unsealed", case_no) in [(p.kind, p.case) for p in report.problems]
    assert {p.case for p in report.problems} == {case_no}


def test_seals_signed_with_another_key_are_refused_when_the_keystore_holds_the_device_key(decided):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from enforcement_app.store import seals

    world, _case_id, _other = decided
    attacker = Ed25519PrivateKey.generate()
    conn = sqlite3.connect(world.services.path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'device_public_key'", [attacker.public_key().public_bytes_raw().hex()])
    conn.execute("DROP TRIGGER seal_no_delete")
    conn.execute("DELETE FROM seal")
    seq, chain, device = conn.execute("SELECT e.seq, e.chain, m.value FROM event e, meta m WHERE m.key = 'device_id' ORDER BY e.seq DESC LIMIT 1").fetchone()
    rows = conn.execute("SELECT value FROM meta WHERE key = 'case_rows_digest'").fetchone()[0]
    conn.execute("INSERT INTO seal (seq, chain, streams, rows, device, signature) VALUES (?,?,?,?,?,?)",
                 [seq, chain, "", rows, device, attacker.sign(seals.seal_message(device, seq, chain, "", rows)).hex()])
    conn.commit()
    conn.close()
    kinds = {p.kind for p in _verify(world).problems}
    assert {"device_key_replaced", "seal_forged"} <= kinds


def test_a_database_whose_device_key_is_not_here_can_be_read_and_verified_but_not_written(decided, tmp_path, monkeypatch):
    world, case_id, _other = decided
    monkeypatch.setenv("ENFORCEMENT_KEY_DIR", str(tmp_path / "another-machine"))
    with Services(world.services.path, clock=world.clock) as services:
        report = services.verify()
        assert report.ok and report.notes  # says the seals could not be anchored here
        with pytest.raises(KeystoreLocked, match="设备密钥"):
            signed_in(services, world.officer_a.login).perform(case_id, "record_inspection", {
                "started_at": "2025-03-05T10:00", "ended_at": "2025-03-05T11:00", "place": "店内",
                "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True, "findings": "复查"})
        assert services.db.execute("SELECT count(*) FROM event").fetchone()[0] == report.events


def test_the_seal_costs_one_signature_per_write_not_per_event(world):
    before = world.services.db.execute("SELECT count(*) FROM seal").fetchone()[0]
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    assert world.services.db.execute("SELECT count(*) FROM seal").fetchone()[0] == before + 3
    assert os.environ["ENFORCEMENT_KEYSTORE"] == "file"


def _edit(world, sql: str, args=()) -> None:
    conn = sqlite3.connect(world.services.path)
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def test_a_fine_typed_into_the_case_table_is_reported_by_case_and_field(world):
    case_id = steps.investigated(world, world.company)
    steps.report(world, case_id, fine_yuan=8000, kinds=("fine",))
    _edit(world, 'UPDATE "case" SET fine_fen = 1 WHERE id = ?', [case_id])
    report = world.services.verify()
    case_no = world.services.current_state(case_id).case_no
    assert [(p.kind, p.case, p.file) for p in report.problems] == [("projection_altered", case_no, "fine_fen")]
    assert "800,000" in report.problems[0].message or "800000" in report.problems[0].message


def test_a_party_renamed_in_its_table_is_reported_and_not_printed(world, tmp_path):
    case_id = steps.investigated(world, world.company)
    _edit(world, "UPDATE party SET name = '别人', address = '伪造地址' WHERE id = ?", [world.company.id])
    report = world.services.verify()
    fields = {p.file for p in report.problems if p.kind == "projection_altered"}
    assert {f"party:{world.company.id}:name", f"party:{world.company.id}:address"} <= fields
    world.services.reference.invalidate_all()
    assert world.services.party(world.company.id).name == "惠州某某食品有限公司"  # what the services use is the record's
    data = world.as_(world.evaluator).case_file_data(case_id)
    assert data.party.address == "惠州市仲恺高新区和畅路8号"


def test_roles_or_a_certificate_typed_into_the_tables_grant_nothing(world):
    case_id = steps.lead(world, world.company)
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    _edit(world, "UPDATE officer SET roles = '[\"officer\", \"agency_head\"]' WHERE id = ?", [world.officer_b.id])
    _edit(world, "UPDATE certificate SET valid_to = '2099-12-31', status = 'valid' WHERE officer_id = ?", [world.officer_a.id])
    world.services.reference.invalidate_all()
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.officer_b).perform(case_id, "approve_filing", {"opinion": "同意"})
    assert "role" in steps.rules_of(refused.value)
    kinds = {(p.kind, p.file.split(":")[0]) for p in world.services.verify().problems}
    assert {("projection_altered", "officer"), ("projection_altered", "certificate")} <= kinds


def test_a_device_added_to_the_trusted_table_is_not_trusted(world, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()
    _edit(world, "INSERT INTO trusted_device (device_id, public_key, name, trusted_at, trusted_by) VALUES ('evil', ?, 'x', 'now', 'admin')",
          [stranger])
    kinds = {p.file.split(":")[0] for p in world.services.verify().problems}
    assert "trusted_device" in kinds


def test_an_evidence_row_removed_from_the_register_is_reported(world, tmp_path):
    case_id = steps.investigated(world, world.company)
    photo = tmp_path / "p.png"
    steps.png(photo)
    sha = world.as_(world.officer_a).add_evidence(case_id, photo, {"kind": "physical", "description": "货架照片", "source": "现场拍摄",
                                                                      "collected_by": [world.officer_a.id]})
    _edit(world, "DELETE FROM evidence WHERE sha256 = ?", [sha])
    assert any(p.file == f"evidence:{sha}:" for p in world.services.verify().problems)


def test_a_case_table_that_matches_its_seal_is_not_refolded_unless_deep(world, monkeypatch):
    from enforcement_app.services import rebuild

    steps.investigated(world, world.company)
    folded: list[bool] = []
    real = rebuild.case_problems
    monkeypatch.setattr(rebuild, "case_problems", lambda db, label: folded.append(True) or real(db, label))
    assert world.services.verify().ok and folded == []
    assert world.services.verify(deep=True).ok and folded == [True]
    _edit(world, 'UPDATE "case" SET stage = \'closed\'')
    report = world.services.verify()
    assert folded == [True, True] and {p.file for p in report.problems} == {"stage"}


def test_verify_against_the_case_files_and_bundles_that_witnessed_the_record(decided, tmp_path, capsys):
    """A PDF printed the chain head and a bundle carried the events: cut the case afterwards, recompute every
    link, even re-seal it with the device's own key, and the witnesses still show what is gone (on this device
    its high-water mark does too, but not on a machine the database is carried to)."""
    from enforcement_app.casefile import render_case_file
    from enforcement_app.cli.main import main as cli
    from enforcement_app.store import seals

    world, case_id, _other = decided
    with Services(world.services.path, clock=world.clock) as services:
        pdf = tmp_path / "case.pdf"
        pdf.write_bytes(render_case_file(signed_in(services, world.evaluator.login).case_file_data(case_id)).pdf)
        bundle = tmp_path / "case.ecb"
        signed_in(services, world.officer_a.login).export_bundle(bundle, cases=[case_id], encrypt=False)

    def cut(events):
        last = max(i for i, e in enumerate(events) if e["stream"] == case_id)
        return events[:last] + events[last + 1:]

    _rewrite(world.services.path, cut)
    with Services(world.services.path) as services, services.db.atomic():  # the worst case: the device key itself
        conn = services.db.conn
        conn.execute("DROP TRIGGER seal_no_delete")
        conn.execute("DELETE FROM seal")
        seals.seal(services.db, services.device_signing_key(), services.device_id, 0, streams="")
    path = str(world.services.path)
    assert cli(["--db", path, "verify", "--json"]) == 1  # this device remembers a later seal (store.marks)
    assert {p["kind"] for p in json.loads(capsys.readouterr().out)["problems"]} == {"rolled_back"}
    assert cli(["--db", path, "verify", "--against", str(pdf), str(bundle), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    with Services(world.services.path) as services:
        case_no = services.current_state(case_id).case_no
    missing = [p for p in data["problems"] if p["kind"] == "witness_missing"]
    assert {p["file"] for p in missing} == {"case.pdf", "case.ecb"} and {p["case"] for p in missing} == {case_no}


@pytest.mark.gui
def test_the_client_says_in_a_window_why_it_cannot_open_a_file(tmp_path, monkeypatch, qapp):
    from PySide6.QtWidgets import QMessageBox

    from enforcement_app.ui import main as ui_main

    notes = tmp_path / "notes.db"
    notes.write_text("这不是数据库", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))
    assert ui_main.main(["--db", str(notes)]) == 2
    assert shown and "数据库" in shown[0]
