"""Personal sign-offs: every approval, legal review, collective discussion and decision is signed with its
signer's own key, unlocked by their password; a forged, altered or unsigned sign-off fails ``verify --deep``
and is refused in a bundle, even when everything else about it was recomputed and re-sealed with the device key."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zipfile

import pytest
import steps
from conftest import signed_in
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bundles import _device, _with_events
from test_record_evidence import _rewrite

from enforcement_app.domain import signoff
from enforcement_app.domain.record import header_bytes
from enforcement_app.domain.refusals import InvalidInput, PermissionDenied
from enforcement_app.services import Services, auth
from enforcement_app.services.bundle_format import BundleError
from enforcement_app.store import marks, seals
from enforcement_app.store.database import device_key_name, meta
from enforcement_app.store.keystore import default_keystore

SIGN_OFFS = ("approve_filing", "record_legal_review", "make_decision")


@pytest.fixture
def reviewed(world):
    """A case filed, investigated, reported with an 8,000-yuan fine and approved by the legal reviewer."""
    case_id = steps.investigated(world, world.company)
    steps.report(world, case_id, fine_yuan=8000, kinds=("fine",))
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    return case_id


def _key_of(services, officer) -> str:
    return services.db.execute("SELECT public_key FROM officer_key WHERE officer_id = ? AND retired_at = ''", [officer.id]).fetchone()[0]


def _deep(path, clock=None):
    with Services(path, clock=clock) as services:
        return services.verify(deep=True)


def _reseal_everything(path) -> None:
    """What someone holding the device key as well as the file can do after a rewrite: sign the seals again."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER seal_no_delete")
    conn.execute("DELETE FROM seal")
    conn.commit()
    conn.close()
    with Services(path) as services:
        db = services.db
        name = device_key_name(meta(db, "device_id"))
        key = Ed25519PrivateKey.from_private_bytes(default_keystore().get(name))
        with db.atomic():
            seals.seal(db, key, meta(db, "device_id"), 0)
        # and the mark the device keeps of the file, which the keystore holds beside the key
        marks.remember(default_keystore(), marks.mark_name(name, path), key,
                       marks.of_last_seal(db, meta(db, "device_id"), marks.database_path(path)))


def test_each_sign_off_is_signed_with_its_signers_own_key(world, reviewed):
    case_id = reviewed
    rows = world.services.db.execute("SELECT kind, actor, payload FROM event WHERE stream = ? ORDER BY seq", [case_id]).fetchall()
    signed = {kind: (actor, json.loads(payload)["sign_off"]) for kind, actor, payload in rows if kind in SIGN_OFFS}
    assert set(signed) == {"approve_filing", "record_legal_review"}
    assert signed["approve_filing"] == (world.head.id, signed["approve_filing"][1])
    assert signed["approve_filing"][1]["key"] == _key_of(world.services, world.head)
    assert signed["record_legal_review"][1]["key"] == _key_of(world.services, world.reviewer)
    unsigned = [kind for kind, _a, payload in rows if kind not in SIGN_OFFS and "sign_off" in json.loads(payload)]
    assert unsigned == []  # an inspection, a report: the officers' steps are not sign-offs
    report = world.services.verify(deep=True)
    assert report.ok, report.problems


def test_the_private_key_is_only_in_the_file_sealed_under_the_password(world):
    public, sealed = world.services.db.execute(
        "SELECT public_key, sealed FROM officer_key WHERE officer_id = ?", [world.head.id]).fetchone()
    raw = world.services.db.execute("SELECT group_concat(payload, '') FROM event").fetchone()[0]
    private = world.as_(world.head)._signer.private_bytes_raw()
    assert private.hex() not in raw and private not in world.services.path.read_bytes()
    assert auth.unseal_key(sealed, "secret-pass-1", world.head.id, public) == private
    assert auth.unseal_key(sealed, "wrong-password", world.head.id, public) is None
    assert auth.unseal_key(sealed, "secret-pass-1", world.officer_a.id, public) is None  # bound to its officer


def test_a_session_opened_without_the_password_cannot_sign_off_and_writes_nothing(world):
    case_id = steps.lead(world, world.company)
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    before = world.services.db.execute("SELECT count(*) FROM event").fetchone()[0]
    with pytest.raises(PermissionDenied) as refused:
        world.services.session(world.head.login).perform(case_id, "approve_filing", {})
    assert steps.rules_of(refused.value) == {"signature_required"}
    assert world.services.db.execute("SELECT count(*) FROM event").fetchone()[0] == before
    assert world.services.db.execute("SELECT count(*) FROM case_number").fetchone()[0] == 0  # no number was used up
    world.as_(world.head).perform(case_id, "approve_filing", {})


def test_a_password_hash_typed_into_the_table_opens_no_account(world):
    conn = sqlite3.connect(world.services.path)
    conn.execute("UPDATE officer SET password_hash = ? WHERE id = ?", [auth.hash_password("attacker-pass-1"), world.head.id])
    conn.commit()
    conn.close()
    with pytest.raises(PermissionDenied):
        world.services.login(world.head.login, "attacker-pass-1")
    assert world.services.login(world.head.login, "secret-pass-1").can_sign


def test_a_review_rewritten_and_resealed_with_the_device_key_fails_deep_verify_by_its_case(world, reviewed):
    case_id = reviewed
    case_no = world.services.current_state(case_id).case_no
    world.services.close()

    def softer(events):
        for e in events:
            if e["kind"] == "record_legal_review":
                e["payload"]["opinion"] = "同意，建议从轻"
        return events

    _rewrite(world.services.path, softer)
    _reseal_everything(world.services.path)
    report = _deep(world.services.path, world.clock)
    found = [(p.kind, p.case) for p in report.problems]
    assert ("signature_invalid", case_no) in found
    assert "法制审核" in next(p.message for p in report.problems if p.kind == "signature_invalid")


@pytest.mark.parametrize("forgery", ["unsigned", "another officer's key", "the reviewer's key over other content"])
def test_a_legal_review_forged_in_the_reviewers_name_fails_deep_verify(world, reviewed, forgery):
    case_id = reviewed
    case_no = world.services.current_state(case_id).case_no
    own = world.as_(world.officer_b)._signer
    world.services.close()

    def forge(events):
        for e in events:
            if e["kind"] == "record_legal_review":
                if forgery == "unsigned":
                    del e["payload"]["sign_off"]
                elif forgery == "another officer's key":
                    e["payload"] = signoff.sign(own, e["stream"], e["parents"].split(","), e["actor"], e["device"], e["at"],
                                                e["kind"], e["payload"])
                else:
                    e["payload"]["outcome"] = "approve"
                    e["payload"]["corrections"] = "无"
        return events

    _rewrite(world.services.path, forge)
    _reseal_everything(world.services.path)
    report = _deep(world.services.path, world.clock)
    assert ("signature_invalid", case_no) in [(p.kind, p.case) for p in report.problems]


def test_ordinary_verify_checks_the_sign_offs_no_seal_covers_yet(world, reviewed):
    """Sealed sign-offs were checked when they came in; what was appended after the last seal is checked now."""
    case_id = reviewed
    world.services.close()

    def strip_last_review(events):
        for e in events:
            if e["kind"] == "record_legal_review":
                del e["payload"]["sign_off"]
        return events

    conn = sqlite3.connect(world.services.path)
    last_review = conn.execute("SELECT seq FROM event WHERE kind = 'record_legal_review'").fetchone()[0]
    conn.execute("DROP TRIGGER seal_no_delete")
    conn.execute("DELETE FROM seal WHERE seq >= ?", [last_review])  # the seals after the review are lost
    conn.commit()
    conn.close()
    _rewrite(world.services.path, strip_last_review)
    with Services(world.services.path, clock=world.clock) as services:
        kinds = {p.kind for p in services.verify().problems}
    assert "signature_invalid" in kinds
    assert case_id


def _bundle_with_review(world, tmp_path, change, name: str) -> object:
    """The laptop's bundle in which the legal review's payload went through ``change`` (and the manifest was
    signed again by the laptop: a trusted device subverted)."""
    source = tmp_path / f"{name}-source.ecb"
    world.as_(world.officer_a).export_bundle(source, encrypt=False)
    with zipfile.ZipFile(source) as bundle:
        lines = bundle.read("events.txt").split(b"\n")
    out_lines = []
    i = 0
    while i < len(lines):
        if lines[i].startswith(b"ecr-event/1") and i + 7 < len(lines) and lines[i + 6] == b"kind:record_legal_review":
            fields = [line.decode().split(":", 1)[1] for line in lines[i + 1:i + 7]]
            payload = change(fields, json.loads(lines[i + 7]))
            stream, parents, actor, device, at, kind = fields
            out_lines.append(header_bytes(stream, parents, actor, device, at, kind).rstrip(b"\n"))
            out_lines[-1] += b"\n" + json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
            i += 8
            continue
        out_lines.append(lines[i])
        i += 1
    forged = tmp_path / f"{name}.ecb"
    _with_events(world, source, forged, b"\n".join(out_lines))
    return forged


@pytest.mark.parametrize("forgery", ["unsigned", "another officer's key", "content changed after signing"])
def test_a_bundle_carrying_a_forged_sign_off_is_refused_whole(world, tmp_path, reviewed, forgery):
    own = world.as_(world.officer_b)._signer

    def change(fields, payload):
        stream, parents, actor, device, at, kind = fields
        if forgery == "unsigned":
            payload.pop("sign_off")
        elif forgery == "another officer's key":
            payload = signoff.sign(own, stream, parents.split(","), actor, device, at, kind, payload)
        else:
            payload["opinion"] = "同意（已改）"
        return payload

    forged = _bundle_with_review(world, tmp_path, change, "forged")
    office = _device(world, "office")
    try:
        with pytest.raises(BundleError) as refused:
            office.system_session().import_bundle(forged, trust_new=True)
        assert "签名" in "；".join(refused.value.problems) and "法制审核" in "；".join(refused.value.problems)
        assert office.db.execute("SELECT count(*) FROM event").fetchone()[0] == 0
        # the same bundle untouched comes in, and its sign-offs verify on the office machine
        intact = _bundle_with_review(world, tmp_path, lambda fields, payload: payload, "intact")
        office.system_session().import_bundle(intact, trust_new=True)
        assert office.verify(deep=True).ok
    finally:
        office.close()


def test_changing_a_password_keeps_the_key_and_a_reset_issues_a_new_one(world, reviewed):
    services = world.services
    old_key = _key_of(services, world.reviewer)
    world.as_(world.reviewer).change_password("secret-pass-1", "new-secret-2")
    assert _key_of(services, world.reviewer) == old_key
    with pytest.raises(PermissionDenied):
        services.login(world.reviewer.login, "secret-pass-1")
    assert services.login(world.reviewer.login, "new-secret-2").can_sign
    with pytest.raises(InvalidInput):
        world.as_(world.head).change_password("not-my-password", "whatever-123")

    world.clock.advance(days=1)
    world.as_(world.admin).reset_password(world.reviewer.id, "reset-pass-3")
    new_key = _key_of(services, world.reviewer)
    assert new_key != old_key
    session = services.login(world.reviewer.login, "reset-pass-3")
    assert session._signer.public_key().public_bytes_raw().hex() == new_key
    # what the reviewer signed with the old key still holds; nothing else changed
    report = services.verify(deep=True)
    assert report.ok, report.problems
    with pytest.raises(PermissionDenied):
        world.as_(world.officer_a).reset_password(world.reviewer.id, "reset-pass-4")  # administrators only


def test_a_key_edited_in_its_table_is_reported(world):
    conn = sqlite3.connect(world.services.path)
    conn.execute("UPDATE officer_key SET public_key = ? WHERE officer_id = ?", ["ab" * 32, world.head.id])
    conn.commit()
    conn.close()
    report = world.services.verify()
    assert any(p.kind == "projection_altered" and "个人签名密钥" in p.message for p in report.problems)


def test_a_retired_key_cannot_sign_after_its_reset():
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    pub = lambda k: k.public_key().public_bytes_raw().hex()  # noqa: E731
    keys = signoff.keys_from_events([
        ("register_officer", "2024-12-01T09:00:00.000000+08:00", json.dumps({"id": "admin1", "roles": ["admin"]}), 1, True, "system", "dev"),
        ("register_officer", "2025-01-01T09:00:00.000000+08:00", json.dumps({"id": "o1", "roles": ["agency_head"],
                                                                             "signing_key": {"public": pub(first), "sealed": "x"}}), 1, True, "admin1", "dev"),
        ("update_officer", "2025-06-01T09:00:00.000000+08:00", json.dumps({"id": "o1", "signing_key": {"public": pub(second), "sealed": "y"}}), 9, True, "admin1", "dev"),
    ])

    def event(key, at):
        payload = signoff.sign(key, "case1", ["a" * 64], "o1", "dev", at, "approve_filing", {"on": at[:10]})
        return signoff.Signed("h", "case1", "a" * 64, "o1", "dev", at, "approve_filing", payload)

    assert signoff.signature_problem(event(first, "2025-05-01T09:00:00.000000+08:00"), keys, True, 5) == ""
    assert "停用" in signoff.signature_problem(event(first, "2025-07-01T09:00:00.000000+08:00"), keys, True, 12)
    assert signoff.signature_problem(event(second, "2025-07-01T09:00:00.000000+08:00"), keys, True, 12) == ""
    # an unsigned sign-off is let pass only when it arrived before the officer's first key (an older record)
    unsigned = signoff.Signed("h", "case1", "", "o1", "dev", "2024-07-01T09:00:00.000000+08:00", "approve_filing", {"on": "2024-07-01"})
    assert signoff.signature_problem(unsigned, keys, True, 0) == ""
    assert "没有签名" in signoff.signature_problem(unsigned, keys, True, 2)
    assert "没有签名" in signoff.signature_problem(unsigned, keys, True, None)


_json = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(payload=st.dictionaries(st.text(min_size=1, max_size=6).filter(lambda k: k != "sign_off"), _json, max_size=5),
       key=st.text(min_size=1, max_size=6).filter(lambda k: k != "sign_off"), value=_json,
       field=st.sampled_from(["stream", "parents", "actor", "device", "at", "kind", "payload"]))
def test_any_change_to_what_was_signed_breaks_the_signature(payload, key, value, field):
    signer = Ed25519PrivateKey.generate()
    public = signer.public_key().public_bytes_raw().hex()
    keys = {"o1": [signoff.SigningKey("o1", public, "2025-01-01T00:00:00+08:00")]}
    at = "2025-03-01T10:00:00.000000+08:00"
    base = {"stream": "c1", "parents": "a" * 64, "actor": "o1", "device": "d1", "at": at, "kind": "make_decision"}
    signed = signoff.sign(signer, base["stream"], [base["parents"]], "o1", "d1", at, "make_decision", payload)
    intact = signoff.Signed("h", *base.values(), signed)
    assert signoff.signature_problem(intact, keys, True, 5) == ""
    changed = dict(base, payload=signed)
    if field == "payload":
        if payload.get(key, object()) == value:
            return
        changed["payload"] = {**signed, key: value}
    elif field == "actor":
        return  # another actor: the key is not theirs (the next test's business)
    elif field == "at":
        changed["at"] = "2025-03-01T10:00:00.000001+08:00"
    else:
        changed[field] = changed[field] + "x"
    tampered = signoff.Signed("h", changed["stream"], changed["parents"], changed["actor"], changed["device"], changed["at"],
                              changed["kind"], changed["payload"])
    assert signoff.signature_problem(tampered, keys, True, 5) != ""


def test_demo_users_sign_their_sign_offs(tmp_path):
    from enforcement_app.services.demo import build_demo

    with Services(tmp_path / "demo.db") as services:
        build_demo(services, cases=20)
        rows = services.db.execute("SELECT kind, payload FROM event WHERE kind IN ('approve_filing', 'record_legal_review', "
                                   "'make_decision', 'record_simple_decision')").fetchall()
        assert rows and all("sign_off" in json.loads(p) for _k, p in rows)
        assert services.verify(deep=True).ok
    assert signed_in  # the suite's users log in the same way (conftest.signed_in)


def test_a_key_reset_on_another_device_cannot_sign_here(world, tmp_path):
    """Another device's administrator resets the head's password there; what the head then signs there with
    the new key is not accepted here, where the head's key is still the old one."""
    case_id = steps.lead(world, world.company)
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    office = _device(world, "office")
    try:
        out = tmp_path / "to-office.ecb"
        world.as_(world.officer_a).export_bundle(out, encrypt=False)
        office.system_session().import_bundle(out, trust_new=True)
        world.clock.advance(hours=1)
        signed_in(office, "admin").reset_password(world.head.id, "office-reset-1")
        # a sign-off that numbers nothing (the case number is given only where the agency's numbering is)
        office.login(world.head.login, "office-reset-1").perform(case_id, "refuse_filing", {"reason": "违法事实不存在"})
        assert office.verify(deep=True).ok
        back = tmp_path / "back.ecb"
        signed_in(office, "admin").export_bundle(back, encrypt=False)
        with pytest.raises(BundleError) as refused:
            world.as_(world.admin).import_bundle(back, trust_new=True)
        assert "不属于签署人" in "；".join(refused.value.problems)
        assert world.services.current_state(case_id).stage.value == "filing"
    finally:
        office.close()


def test_a_case_file_checked_after_its_review_was_resigned_with_another_key_fails(world, reviewed, tmp_path):
    from enforcement_app.casefile import render_case_file, verify_pdf

    case_id = reviewed
    path = tmp_path / "case.pdf"
    data = world.as_(world.evaluator).case_file_data(case_id)
    path.write_bytes(render_case_file(data).pdf)
    assert verify_pdf(world.as_(world.evaluator), path).ok
    review = next(o for h, o in data.sign_offs.items() if o.signer == world.reviewer.id)
    from pypdf import PdfReader

    assert f"密钥指纹 {review.fingerprint}（已核验）" in "".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\n", "")
    own = world.as_(world.officer_b)._signer
    world.services.close()

    def resign(events):
        for e in events:
            if e["kind"] == "record_legal_review":
                e["payload"] = signoff.sign(own, e["stream"], e["parents"].split(","), e["actor"], e["device"], e["at"], e["kind"], e["payload"])
        return events

    _rewrite(world.services.path, resign)
    _reseal_everything(world.services.path)
    with Services(world.services.path, clock=world.clock) as services:
        check = verify_pdf(signed_in(services, world.evaluator.login), path)
        # the review the file printed is gone from the record (its stand-in is another event, signed by another key)
        assert not check.ok and "不在本案记录中" in check.message
        assert "signature_invalid" in {p.kind for p in services.verify(deep=True).problems}


# --- what an attacker tried (a review of this scheme) ---------------------------------------------------------


def _office_holding_the_laptops_record(world, tmp_path):
    """An office machine that took the laptop's first bundle, the laptop's next bundle and its events' bytes."""
    office = _device(world, "office")
    first = tmp_path / "first.ecb"
    world.as_(world.officer_a).export_bundle(first, encrypt=False)
    office.system_session().import_bundle(first, trust_new=True)
    source = tmp_path / "source.ecb"
    world.as_(world.officer_a).export_bundle(source, encrypt=False)
    with zipfile.ZipFile(source) as bundle:
        return office, source, bundle.read("events.txt")


def test_a_bundle_event_claiming_to_be_this_devices_own_is_refused(world, tmp_path):
    """A subverted trusted laptop writes events in the office's name: what the office records counts as its own
    (roles, keys, trusted devices), so such a bundle is refused whole."""
    from enforcement_app.domain.record import Event
    from enforcement_app.services.bundle_format import encode_events

    office, source, events = _office_holding_the_laptops_record(world, tmp_path)
    try:
        head = world.services.db.execute("SELECT heads FROM stream_head WHERE stream = ?", [f"officer/{world.officer_a.id}"]).fetchone()[0]
        from datetime import datetime as dt

        from enforcement_app.services.clock import CHINA
        grant = Event(f"officer/{world.officer_a.id}", (head,), "system", office.device_id, dt(2025, 3, 5, 13, tzinfo=CHINA),
                      "update_officer", {"id": world.officer_a.id, "roles": ["officer", "admin"]})
        forged = tmp_path / "forged.ecb"
        _with_events(world, source, forged, events + encode_events([(grant.stream, grant.parents_text, grant.actor, grant.device,
                                                                     grant.at_text, grant.kind, grant.payload_bytes)]))
        with pytest.raises(BundleError) as refused:
            signed_in(office, "admin").import_bundle(forged)
        assert "自称由本机记录" in "；".join(refused.value.problems)
        assert "admin" not in office.officers()[world.officer_a.id].roles
    finally:
        office.close()


@pytest.mark.parametrize("forgery", ["key issued by the system", "key issued by an officer who is not an administrator",
                                     "review in the system's name", "officer events moved after the review"])
def test_a_key_or_sign_off_forged_through_the_officer_events_fails_deep_verify(world, reviewed, forgery):
    """Someone with the file and the device key gives the reviewer a key of their own (or dodges the key) to
    re-sign an altered review; every variant is found."""
    from enforcement_app.services.officers import new_signing_key

    case_id = reviewed
    case_no = world.services.current_state(case_id).case_no
    peer = world.as_(world.officer_a)._signer
    world.services.close()
    attacker, issued = new_signing_key(world.reviewer.id, "attacker-pass-9")

    def forge(events):
        review = next(e for e in events if e["kind"] == "record_legal_review")
        review["payload"]["opinion"] = "同意，建议从轻（伪造）"
        if forgery == "review in the system's name":
            review["actor"] = "system"
            del review["payload"]["sign_off"]
            return events
        if forgery == "officer events moved after the review":
            del review["payload"]["sign_off"]
            mine = [e for e in events if e["stream"] == f"officer/{world.reviewer.id}"]
            return [e for e in events if e not in mine] + mine
        actor = "system" if forgery == "key issued by the system" else world.officer_a.id
        issue = {"hash": None, "seq": None, "stream": f"officer/{world.reviewer.id}", "parents": None, "actor": actor,
                 "device": review["device"], "at": "2025-03-04T08:00:00.000000+08:00", "kind": "update_officer",
                 "payload": {"id": world.reviewer.id, "signing_key": issued}}
        if actor != "system":
            issue["payload"] = signoff.sign(peer, issue["stream"], [], actor, issue["device"], issue["at"], "update_officer", issue["payload"])
        position = events.index(review)
        events.insert(position, issue)
        review["payload"] = signoff.sign(attacker, review["stream"], review["parents"].split(","), review["actor"],
                                         review["device"], review["at"], review["kind"], review["payload"])
        return events

    _rewrite(world.services.path, forge)
    _reseal_everything(world.services.path)
    report = _deep(world.services.path, world.clock)
    assert ("signature_invalid", case_no) in [(p.kind, p.case) for p in report.problems], report.problems


def test_a_key_put_in_place_of_an_officers_opens_no_account(world):
    """A re-sealed key (the real public key, the attacker's private key under the attacker's password) typed
    into the record: the password opens it, but it is not the key the officer events issue."""
    from enforcement_app.services.officers import new_signing_key

    public = _key_of(world.services, world.head)
    attacker = Ed25519PrivateKey.generate()
    sealed = auth.seal_key(attacker.private_bytes_raw(), "attacker-pass-9", world.head.id, public)
    conn = sqlite3.connect(world.services.path)
    conn.execute("UPDATE officer_key SET sealed = ? WHERE public_key = ?", [sealed, public])
    conn.commit()
    conn.close()
    world.services.reference.invalidate_all()
    with pytest.raises(PermissionDenied):
        world.services.login(world.head.login, "attacker-pass-9")
    assert new_signing_key  # (the same holds for a bundle's re-registration: its key is not adopted, see below)


def test_a_bundle_re_registering_an_officer_with_a_new_key_takes_over_nothing(world, tmp_path):
    from datetime import datetime as dt

    from enforcement_app.domain.record import Event
    from enforcement_app.services.bundle_format import encode_events
    from enforcement_app.services.clock import CHINA
    from enforcement_app.services.officers import new_signing_key

    office, source, events = _office_holding_the_laptops_record(world, tmp_path)
    try:
        _key, issued = new_signing_key(world.head.id, "attacker-pass-9")
        head = world.services.db.execute("SELECT heads FROM stream_head WHERE stream = ?", [f"officer/{world.head.id}"]).fetchone()[0]
        again = Event(f"officer/{world.head.id}", (head,), "system", world.services.device_id, dt(2025, 3, 5, 13, tzinfo=CHINA),
                      "register_officer", {"id": world.head.id, "name": "王局长", "login": world.head.login, "roles": ["agency_head"],
                                           "signing_key": issued})
        forged = tmp_path / "forged.ecb"
        _with_events(world, source, forged, events + encode_events([(again.stream, again.parents_text, again.actor, again.device,
                                                                     again.at_text, again.kind, again.payload_bytes)]))
        with contextlib.suppress(BundleError):  # refused is as good as not adopted
            signed_in(office, "admin").import_bundle(forged)
        with pytest.raises(PermissionDenied):
            office.login(world.head.login, "attacker-pass-9")
        assert office.login(world.head.login, "secret-pass-1").can_sign
    finally:
        office.close()


def test_nobody_can_be_registered_as_the_system(world):
    with pytest.raises(InvalidInput) as refused:
        world.as_(world.admin).register_officer({"id": "system", "name": "假系统", "login": "fake", "roles": ["legal_reviewer"],
                                                 "password": "secret-pass-1"})
    assert "系统保留" in str(refused.value)


def test_a_case_file_whose_sign_offs_were_cut_from_its_marker_fails(world, reviewed, tmp_path):
    from pypdf import PdfReader, PdfWriter

    from enforcement_app.casefile import render_case_file, verify_pdf

    path = tmp_path / "case.pdf"
    path.write_bytes(render_case_file(world.as_(world.evaluator).case_file_data(reviewed)).pdf)
    writer = PdfWriter(clone_from=PdfReader(str(path)))
    keywords = str(writer.metadata["/Keywords"])
    writer.add_metadata({"/Keywords": keywords[:keywords.index("signoffs=")] + "signoffs="})
    cut = tmp_path / "cut.pdf"
    with open(cut, "wb") as fh:
        writer.write(fh)
    check = verify_pdf(world.as_(world.evaluator), cut)
    assert not check.ok and "未载于案卷" in check.message


@settings(max_examples=300, deadline=None)
@given(strokes=st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=3),
                            lambda inner: st.lists(inner, max_size=5), max_leaves=30))
def test_strokes_of_any_shape_are_read_or_refused_never_crash(strokes):
    from enforcement_app.domain.handwriting import _points

    n = _points(strokes)
    ok = (isinstance(strokes, list) and all(isinstance(s, list) for s in strokes)
          and all(isinstance(p, list) and len(p) == 4 and all(type(v) in (int, float) and v == v and abs(v) < 1e7 for v in p)
                  for s in strokes for p in s))
    assert (n is not None) == ok and (n is None or n == sum(len(s) for s in strokes))


@pytest.mark.parametrize("values, ok", [
    ([1.0, 2.0, 0.5, 12], True),
    ([9_999_999.0, 0, 0, 0], True),
    ([1e7, 0, 0, 0], False), ([-1e7, 0, 0, 0], False), ([0, 0, 0, 10**400], False),
    ([float("inf"), 0, 0, 0], False), ([float("-inf"), float("inf"), 0, 0], False), ([float("nan"), 0, 0, 0], False),
    ([float("nan"), float("inf"), 0, 0], False),
    # many values each under the bound whose norm is over it: the norm alone would refuse them
    ([6e6, 6e6, 6e6, 6e6], True),
])
def test_stroke_values_are_bounded_one_by_one_not_by_their_norm(values, ok):
    from enforcement_app.domain.handwriting import _points

    strokes = [[values, values]]
    assert (_points(strokes) == 2) is ok
