"""A step recorded elsewhere is judged by the rules it was taken under (bundle import replays each step): the
stricter rules of issue #15 and #19 refuse what is asked here, never an old record arriving from another device."""

from __future__ import annotations

from datetime import timedelta

import pytest
import steps
from test_execution_steps import _payment_due, decided  # noqa: F401 - the fixture: a fine served on 18 March 2025

from enforcement_app.domain.procedure import fixed_texts, prepare
from enforcement_app.domain.refusals import RuleViolation


def _ctx(world, who):
    return world.services.context(who, party=world.company)


def test_an_old_filing_request_without_the_provision_broken_is_replayed(world):
    case_id = steps.lead(world, world.company)
    state = world.services.current_state(case_id)
    old = {"facts": "投诉反映销售过期食品", "reason": "涉嫌违反食品安全法第三十四条"}  # as recorded before #19
    with pytest.raises(RuleViolation):
        prepare(state, _ctx(world, world.officer_a), "request_filing", old)
    assert prepare(state, _ctx(world, world.officer_a), "request_filing", old, replaying=True)["facts"] == old["facts"]


def test_an_old_court_application_and_collection_are_replayed(world, decided):  # noqa: F811 - the fixture imported
    s = world.as_(world.officer_a)
    world.clock.set(f"{(_payment_due(world, decided) + timedelta(days=5)).isoformat()}T10:00")
    s.perform(decided, "issue_reminder", {})
    s.perform(decided, "serve_document", {"document": "reminder", "method": "post", "recipient": "黄某"})
    world.clock.advance(days=10)  # ten calendar days, as the old rule counted; and before the Art. 53 window opened
    state = world.services.current_state(decided)
    application = {"court": "惠城区人民法院"}
    with pytest.raises(RuleViolation):
        prepare(state, _ctx(world, world.officer_a), "apply_court_enforcement", application)
    prepare(state, _ctx(world, world.officer_a), "apply_court_enforcement", application, replaying=True)
    payment = {"amount_fen": 100_000, "channel": "on_spot", "on_spot_ground": "hard_to_collect", "receipt_no": "财政票据1"}
    with pytest.raises(RuleViolation):  # a general-procedure decision: 罚缴分离 here and now
        prepare(state, _ctx(world, world.officer_a), "record_payment", payment)
    prepare(state, _ctx(world, world.officer_a), "record_payment", payment, replaying=True)


def test_an_old_decision_with_a_kind_the_notice_did_not_state_is_replayed(world):
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.notified_and_waived(world, case_id)
    world.clock.set("2025-03-18T09:00")
    state = world.services.current_state(case_id)
    payload = {"outcome": "penalty", "penalty_kinds": ["warning", "fine", "confiscate_illegal_property"], "fine_fen": 5_000_000,
               "facts": steps.FACTS, "facts_elements": steps.ELEMENTS, "violation": "《中华人民共和国食品安全法》第三十四条第（十）项",
               "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项", "discretion": "一般",
               "orders": "立即停止销售超过保质期的食品", "evidence": steps.records(world, case_id)}
    payload = {**payload, **fixed_texts(_ctx(world, world.head), "make_decision", payload)}  # as the service adds them
    with pytest.raises(RuleViolation) as refused:
        prepare(state, _ctx(world, world.head), "make_decision", payload)
    assert "heavier_than_notified" in {r.rule for r in refused.value.refusals}, [r.message for r in refused.value.refusals]
    prepare(state, _ctx(world, world.head), "make_decision", payload, replaying=True)
