"""送达回证: two certified 送达人 who both sign, the recipient's signature with the day they wrote on it, the
manner of service; at a 留置送达 the refusal with its witness. A receipt recorded before the 送达人 were named
still folds and prints, its officer as the one 送达人."""

from __future__ import annotations

import io
import re

import pytest
import steps
from pypdf import PdfReader
from steps import handwritten, rules_of

from enforcement_app.casefile import render_case_file
from enforcement_app.domain.refusals import RuleViolation
from enforcement_app.store import cases as case_store

SERVED_ON = "2025-03-18"


@pytest.fixture
def decided(world):
    """A decision of 18 March 2025, ready to be served."""
    case_id = steps.investigated(world, world.company)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id)
    steps.notice(world, case_id)
    world.clock.set("2025-03-18T09:00")
    steps.decide(world, case_id)
    return case_id


def _receipt(method="direct", recipient="黄某", **extra) -> dict:
    return {"document": "decision", "method": method, "recipient": recipient, "on": SERVED_ON, **extra}


def _signed(payload: dict, *servers: str, recipient: dict | None = None) -> dict:
    """``payload`` with the recipient's signature (or ``recipient``, an entry of its own) and the servers'."""
    entries = [recipient or handwritten("serve_document", payload, "recipient", payload["recipient"], "2025-03-18T10:00:00+08:00")]
    entries += [handwritten("serve_document", payload, "officer", name, "2025-03-18T10:00:00+08:00") for name in servers]
    return {**payload, "signatures": entries}


def _receipt_page(world, case_id) -> tuple[str, object]:
    reader = PdfReader(io.BytesIO(render_case_file(world.as_(world.evaluator).case_file_data(case_id)).pdf))
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    page = reader.pages[outline["送达回证（行政处罚决定书）"]]
    return re.sub(r"\s+", "", page.extract_text()), page


def test_a_receipt_is_signed_by_the_recipient_and_both_servers_and_prints_them(world, decided):
    officer = world.as_(world.officer_a)
    # no 送达人 named: the case's two handling officers serve, and both sign
    officer.perform(decided, "serve_document", _signed(_receipt(), "张明", "李华"))
    served = officer.view(decided).state.documents_served["decision"]
    assert served["officers"] == [world.officer_a.id, world.officer_b.id] and served["received_on"] == SERVED_ON
    assert sorted(e["signer"] for e in served["signatures"]) == ["officer", "officer", "recipient"]
    text, page = _receipt_page(world, decided)
    for needle in ("送达人", "张明（执法证号：44130001）", "李华（执法证号：44130002）", "受送达人签名或盖章", "黄某",
                   "签收日期：2025年3月18日", "送达方式直接送达", "送达时间2025年3月18日"):
        assert needle in text, needle
    assert len(page.images) == 3  # the recipient's drawn signature and each 送达人's, on their lines


def test_the_servers_are_two_certified_officers(world, decided):
    officer = world.as_(world.officer_a)
    with pytest.raises(RuleViolation) as refused:
        officer.perform(decided, "serve_document", _signed(_receipt(officers=[world.officer_a.id]), "张明"))
    assert "two_officers" in rules_of(refused.value) and "送达人不得少于2人" in str(refused.value)
    with pytest.raises(RuleViolation) as refused:
        officer.perform(decided, "serve_document", _signed(_receipt(officers=[world.officer_a.id, world.head.id]), "张明", "王局长"))
    assert "unknown_officer" in rules_of(refused.value)
    expired = world.as_(world.admin).register_officer({
        "name": "孙过期", "login": "sunguo", "roles": ["officer"], "password": "secret-pass-1",
        "certificates": [{"area": "仲恺高新区", "valid_from": "2020-01-01", "valid_to": "2024-12-31", "source_of_power": "市场监督管理局",
                          "certificate_no": "44130009"}]})
    with pytest.raises(RuleViolation) as refused:
        officer.perform(decided, "serve_document", _signed(_receipt(officers=[world.officer_a.id, expired.id]), "张明", "孙过期"))
    assert "certificate_invalid" in rules_of(refused.value) and "孙过期" in str(refused.value)


def test_both_servers_sign_the_receipt_of_a_direct_service(world, decided):
    officer = world.as_(world.officer_a)
    with pytest.raises(RuleViolation, match=r"执法人员（2人）"):
        officer.perform(decided, "serve_document", _signed(_receipt()))
    with pytest.raises(RuleViolation, match="送达人李华未在送达回证上签名"):
        officer.perform(decided, "serve_document", _signed(_receipt(), "张明", "王五"))


def test_the_day_signed_is_the_day_of_service(world, decided):
    officer = world.as_(world.officer_a)
    with pytest.raises(RuleViolation, match="签收日期即为送达日期"):
        officer.perform(decided, "serve_document", _signed(_receipt(received_on="2025-03-19"), "张明", "李华"))
    with pytest.raises(RuleViolation, match="公告送达不由受送达人签收"):
        officer.perform(decided, "serve_document", {**_receipt("public_notice"), "received_on": SERVED_ON})


def test_left_at_the_address_is_the_recipients_refusal_before_a_witness(world, decided):
    officer = world.as_(world.officer_a)
    refusal = {"signer": "recipient", "name": "黄某", "how": "refused", "at": "2025-03-18T10:05:00+08:00",
               "reason": "当事人拒绝签收", "witness": "物业管理处陈某"}
    with pytest.raises(RuleViolation, match="应记为留置送达"):
        officer.perform(decided, "serve_document", _signed(_receipt(), "张明", "李华", recipient=refusal))
    with pytest.raises(RuleViolation, match="不是留置送达"):
        officer.perform(decided, "serve_document", _signed(_receipt("left_at_address", witness="物业管理处陈某"), "张明", "李华"))
    with pytest.raises(RuleViolation, match="见证人不能为空"):
        officer.perform(decided, "serve_document", _signed(_receipt("left_at_address"), "张明", "李华", recipient=refusal))
    officer.perform(decided, "serve_document", _signed(_receipt("left_at_address", witness="物业管理处陈某"), "张明", "李华", recipient=refusal))
    served = officer.view(decided).state.documents_served["decision"]
    assert "received_on" not in served  # nobody signed for it
    text, page = _receipt_page(world, decided)
    for needle in ("留置送达", "拒绝签名", "当事人拒绝签收", "物业管理处陈某", "张明（执法证号：44130001）", "视为送达"):
        assert needle in text, needle
    assert "签收日期" not in text and len(page.images) == 2  # the two 送达人's signatures; the recipient signed nothing


def test_a_receipt_recorded_before_the_servers_were_named_still_folds_and_prints_its_officer(world, decided):
    """What the earlier version recorded: the recipient's signature only, no 送达人 and no 签收日期; the officer
    who recorded it served it."""
    payload = {"document": "decision", "method": "direct", "recipient": "黄某", "on": SERVED_ON, "witness": "", "consent": False,
               "address": "", "hearing_right": False, "payable": True}
    payload["signatures"] = [handwritten("serve_document", payload, "recipient", "黄某", "2025-03-18T10:00:00+08:00")]
    session = world.as_(world.officer_a)._session
    services = world.services
    with services.transaction():
        session.record(decided, "serve_document", payload)
        state = services.current_state(decided)
        party = services.party(state.party_id)
        case_store.write_case_rows(services.db, [session.case_row(state, services.context(session.actor, party=party))])
    state = session.view(decided).state
    assert state.stage == "execution" and state.decision_served_on.isoformat() == SERVED_ON
    assert services.verify(deep=True).ok
    text, page = _receipt_page(world, decided)
    assert "送达人张明（执法证号：44130001）" in text and "李华" not in text.split("送达人张明")[1]
    assert len(page.images) == 1  # the recipient's signature, as recorded
