"""Whole cases walked through the services, and every refused transition of the foundation issue."""

from __future__ import annotations

import pytest
import steps
from steps import rules_of

from enforcement_app.domain.refusals import InvalidInput, RuleViolation


def test_general_procedure_with_penalty_from_lead_to_archive(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    view = world.as_(world.officer_a).view(case_id)
    assert view.state.case_no == "仲高新市监罚字〔2025〕1号"
    assert view.state.stage == "investigation"
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    steps.inquire(world, case_id)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id, fine_yuan=50000)
    # 50,000 yuan on an organisation is below the default major threshold (100,000): no review needed
    steps.notice(world, case_id, fine_yuan=50000)
    # the statement window (5 working days) is open: deciding now is refused with its rule
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, case_id, fine_yuan=50000)
    assert "statement_window_open" in rules_of(refused.value)
    world.clock.set("2025-03-18T09:00")
    steps.decide(world, case_id, fine_yuan=50000)
    s = world.as_(world.officer_a)
    s.perform(case_id, "serve_document", {"document": "decision", "method": "direct", "recipient": "黄某"})
    assert s.view(case_id).state.stage == "execution"
    s.perform(case_id, "record_payment", {"amount_fen": 5_000_000, "channel": "bank", "receipt_no": "NO.0001"})
    steps.close(world, case_id)
    s.perform(case_id, "archive_case", {"archive_no": "20250001", "retention": "30_years"})
    final = s.view(case_id)
    assert final.state.stage == "archived"
    assert [e.kind for e in final.events][:3] == ["register_lead", "request_filing", "approve_filing"]
    assert world.services.verify().ok
    # archived cases are read-only for everyone
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.head).perform(case_id, "record_collective_discussion", {"participants": [world.head.id, world.head2.id], "opinions": "x", "conclusion": "y"})
    assert "archived" in rules_of(refused.value)


def test_simple_procedure_on_the_spot(world):
    s = world.as_(world.officer_a)
    base = {
        "at": "2025-03-03T10:00",
        "place": "惠风路路口",
        "cause": "未按规定公示营业执照",
        "facts": "当事人未在经营场所醒目位置公示营业执照",
        "basis": "《中华人民共和国食品安全法》第一百二十五条第二款",
        "form_no": "No.0001234",
        "officers": [world.officer_a.id, world.officer_b.id],
        "certificates_shown": True,
        "party_signed": True,
        "compliance": "当场缴纳或十五日内到银行缴纳",
        "remedies": "六十日内申请行政复议或六个月内提起行政诉讼",
        "party_id": world.person.id,
        "penalty_kinds": ["fine"],
    }
    case_id = s.record_simple_decision({**base, "fine_fen": 20000})
    view = s.view(case_id)
    assert view.state.procedure == "simple" and view.state.case_no.endswith("〔2025〕1号")
    payment = next(d for d in view.deadlines if d.rule == "payment")
    assert payment.due.isoformat() == "2025-03-18"  # 15 calendar days (Art. 67)
    s.perform(case_id, "record_payment", {"amount_fen": 20000, "channel": "on_spot", "on_spot_ground": "hard_to_collect", "receipt_no": "财政票据0001"})
    steps.close(world, case_id, "当场缴纳")
    assert s.view(case_id).state.stage == "closed"


@pytest.mark.parametrize(
    ("party", "fine_fen", "allowed"),
    [("person", 20000, True), ("person", 20001, False), ("company", 300000, True), ("company", 300001, False)],
)
def test_simple_procedure_limits_art_51(world, party, fine_fen, allowed):
    s = world.as_(world.officer_a)
    payload = {
        "at": "2025-03-03T10:00", "place": "路口", "cause": "违法行为", "facts": "事实", "basis": "《中华人民共和国食品安全法》第一百二十五条第二款",
        "form_no": "No.1", "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
        "party_signed": True, "compliance": "十五日内缴纳", "remedies": "复议诉讼",
        "party_id": getattr(world, party).id, "penalty_kinds": ["fine"], "fine_fen": fine_fen,
    }
    if allowed:
        s.record_simple_decision(payload)
    else:
        with pytest.raises(RuleViolation) as refused:
            s.record_simple_decision(payload)
        assert "simple_procedure_limit" in rules_of(refused.value)
        assert "第五十一条" in str(refused.value)


def test_simple_procedure_refuses_other_penalty_kinds(world):
    with pytest.raises(InvalidInput) as refused:
        world.as_(world.officer_a).record_simple_decision(
            {"at": "2025-03-03T10:00", "place": "p", "cause": "c", "facts": "f", "basis": "b", "form_no": "1",
             "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
             "compliance": "c", "remedies": "r", "party_id": world.person.id, "penalty_kinds": ["order_suspension"]}
        )
    assert "第五十一条" in str(refused.value)
