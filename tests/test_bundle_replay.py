"""A bundle signed by a trusted device can still carry events its services would never have written; the
receiving machine replays every new case event through its own procedure and refuses the bundle whole."""

from __future__ import annotations

from datetime import datetime

import pytest
import steps
from test_bundles import _device, _events, _filed_and_inspected_with_a_photo, _with_events

from enforcement_app.domain.record import Event, header_bytes
from enforcement_app.services.bundle_format import BundleError
from enforcement_app.services.clock import CHINA


def _appended(world, tmp_path, case_id, kind: str, payload: dict, actor) -> tuple:
    """The laptop's bundle of the case with one more event for it, chained after the case's head and signed
    again by the laptop: (bundle path, target services)."""
    import zipfile

    source = tmp_path / "case.ecb"
    world.as_(world.officer_a).export_bundle(source, encrypt=False)
    with zipfile.ZipFile(source) as bundle:
        events = bundle.read("events.txt")
    head = world.services.db.execute("SELECT heads FROM stream_head WHERE stream = ?", [case_id]).fetchone()[0]
    forged = Event(case_id, (head,), actor.id, world.services.device_id, datetime(2025, 3, 6, 10, 0, tzinfo=CHINA), kind, payload)
    out = tmp_path / "forged.ecb"
    header = header_bytes(forged.stream, forged.parents_text, forged.actor, forged.device, forged.at_text, forged.kind)
    _with_events(world, source, out, events + header + forged.payload_bytes + b"\n")
    return out, _device(world, "office")


@pytest.fixture
def filed(world, tmp_path):
    return _filed_and_inspected_with_a_photo(world, tmp_path)


def _refused(target, path) -> str:
    before = target.db.execute("SELECT count(*) FROM event").fetchone()[0]
    with pytest.raises(BundleError) as refused:
        target.system_session().import_bundle(path, trust_new=True)
    assert target.db.execute("SELECT count(*) FROM event").fetchone()[0] == before  # nothing of it was kept
    return "；".join(refused.value.problems)


def test_a_decision_on_a_case_still_under_investigation_is_refused(world, tmp_path, filed):
    path, target = _appended(world, tmp_path, filed, "make_decision", {
        "outcome": "penalty", "penalty_kinds": ["fine"], "fine_fen": 500000, "facts": "销售过期食品", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "食品安全法第一百二十四条",
        "discretion": "一般", "document_no": "X1", "evidence": [], "compliance": "十五日内", "remedies": "复议诉讼"}, world.head)
    try:
        problems = _refused(target, path)
        assert "作出处理决定" in problems and "调查终结报告" in problems
    finally:
        target.close()


def test_a_legal_review_in_the_name_of_someone_who_may_not_review_is_refused(world, tmp_path, filed):
    path, target = _appended(world, tmp_path, filed, "record_legal_review", {
        "outcome": "approve", "opinion": "同意", "on": "2025-03-06",
        "checklist": {k: {"finding": "pass", "comment": ""} for k in ("agency_competence",)}}, world.officer_b)
    try:
        assert "法制审核" in _refused(target, path)
    finally:
        target.close()


@pytest.mark.parametrize("payload", [
    {"started_at": "2025-13-01T10:00", "ended_at": "2025-03-06T11:00"},
    {"started_at": "2025-03-06T10:00", "ended_at": "2025-03-06T11:00", "findings": "货架\x00上"},
    {"started_at": "2025-03-06T10:00", "ended_at": "2025-03-06T11:00", "officers": 7},
], ids=["month 13", "NUL byte", "number for a list"])
def test_a_payload_no_form_would_take_is_refused(world, tmp_path, filed, payload):
    base = {"place": "店内", "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True, "findings": "复查"}
    path, target = _appended(world, tmp_path, filed, "record_inspection", {**base, **payload}, world.officer_a)
    try:
        assert "不符合办案规则" in _refused(target, path)
    finally:
        target.close()


def test_an_ordinary_bundle_still_imports_and_its_events_are_judged_fast_enough(world, tmp_path, filed):
    steps.inquire(world, filed)
    path = tmp_path / "ok.ecb"
    world.as_(world.officer_a).export_bundle(path, encrypt=False)
    target = _device(world, "office")
    try:
        summary = target.system_session().import_bundle(path, trust_new=True)
        assert summary.new_cases and target.verify().ok
        assert len(_events(__import__("zipfile").ZipFile(path).read("events.txt"))) == summary.new_events
    finally:
        target.close()


def test_another_devices_administrator_is_not_an_administrator_here(world, tmp_path):
    case_id = steps.lead(world, world.company)
    world.as_(world.admin).register_officer({"name": "外来管理员", "login": "outsider", "roles": ["admin", "officer"]})
    path = tmp_path / "admin.ecb"
    world.as_(world.officer_a).export_bundle(path, encrypt=False)
    target = _device(world, "office")
    try:
        summary = target.system_session().import_bundle(path, trust_new=True)
        assert any("未授予管理员角色" in c for c in summary.conflicts)
        outsider = target.officer_by_login("outsider")
        assert outsider is not None and "admin" not in {r.value for r in outsider.roles}
        assert target.current_state(case_id).party_name == "惠州某某食品有限公司"
    finally:
        target.close()
