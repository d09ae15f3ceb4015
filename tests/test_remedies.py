"""行政复议 and 行政诉讼 against the decision, and what they do to execution (issue #15).

行政处罚法第七十三条：“当事人对行政处罚决定不服，申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外。
……当事人申请行政复议或者提起行政诉讼的，加处罚款的数额在行政复议或者行政诉讼期间不予计算。”
行政复议法第二十条: 自知道或者应当知道该行政行为之日起六十日内提出; 行政诉讼法第四十六条: 六个月内提出.
行政强制法第五十三条：“当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行行政决定的，……可以自期限届满之日起三个月内，
依照本章规定申请人民法院强制执行。”
"""

from __future__ import annotations

from datetime import date

import pytest
from test_execution_steps import _payment_due, decided  # noqa: F401 - the fixture: a 10,000-yuan fine served on 18 March 2025

from enforcement_app.domain.procedure import surcharge_fen
from enforcement_app.domain.procedure.execution import outstanding_fen
from enforcement_app.domain.refusals import RuleViolation

SERVED = date(2025, 3, 18)


def _apply(world, case_id, kind: str, on: str, **extra):
    return world.as_(world.officer_a).perform(case_id, "record_remedy", {"kind": kind, "on": on, "body": "惠州仲恺高新技术产业开发区管理委员会", **extra})


def _decide(world, case_id, kind: str, outcome: str, on: str, **extra):
    return world.as_(world.officer_a).perform(case_id, "record_remedy_outcome", {
        "kind": kind, "outcome": outcome, "on": on, "reference": "惠仲复决字〔2025〕3号", **extra})


def test_each_remedy_is_recorded_within_its_period_only(world, decided):  # noqa: F811 - the fixture imported
    """Sixty days from service on 18 March end on Saturday 17 May, so on Monday 19 May (the period's last day a rest
    day); a late application is recorded only with the reason the reviewing body admitted it for; 复议 and 诉讼
    exclude each other while pending (行政复议法第二十九条); after the 复议决定 the suit has fifteen days (行政诉讼法第四十五条)."""
    world.clock.set("2025-06-01T09:00")
    with pytest.raises(RuleViolation) as late:
        _apply(world, decided, "reconsideration", "2025-05-20")
    refusal = next(r for r in late.value.refusals if r.rule == "remedy_out_of_time")
    assert "2025-05-19届满" in refusal.message and "第二十条" in refusal.message and refusal.field == "late_reason"
    _apply(world, decided, "reconsideration", "2025-05-19")
    with pytest.raises(RuleViolation):  # one pending at a time
        _apply(world, decided, "reconsideration", "2025-05-19")
    with pytest.raises(RuleViolation) as both:
        _apply(world, decided, "litigation", "2025-05-30", body="惠州市惠城区人民法院")
    assert "remedy_exclusive" in {r.rule for r in both.value.refusals}
    world.clock.set("2025-06-10T09:00")
    _decide(world, decided, "reconsideration", "upheld", "2025-06-10")
    world.clock.set("2025-07-01T09:00")
    with pytest.raises(RuleViolation) as too_late:  # 10 June + 15 days = 25 June
        _apply(world, decided, "litigation", "2025-06-26", body="惠州市惠城区人民法院")
    assert "2025-06-25届满" in next(r for r in too_late.value.refusals if r.rule == "remedy_out_of_time").message
    _apply(world, decided, "litigation", "2025-06-26", body="惠州市惠城区人民法院", late_reason="当事人因不可抗力耽误期限，人民法院已受理")
    remedies = world.services.current_state(decided).remedies
    assert [r["kind"] for r in remedies] == ["reconsideration", "litigation"]
    window = next(d for d in world.as_(world.officer_a).view(decided).deadlines if d.rule == "court_enforcement_window")
    assert window.due == date(2025, 12, 18)  # the table's window from service; the procedure also waits for the outcomes


def test_no_surcharge_accrues_during_a_reconsideration_and_execution_goes_on(world, decided):  # noqa: F811
    due = _payment_due(world, decided)  # 2 April 2025
    world.clock.set("2025-03-28T09:00")
    _apply(world, decided, "reconsideration", "2025-03-28")
    assert _payment_due(world, decided) == due  # 不停止执行: the payment period runs on
    world.clock.set("2025-04-22T09:00")
    _decide(world, decided, "reconsideration", "upheld", "2025-04-22")
    world.clock.set("2025-05-02T09:00")
    state = world.services.current_state(decided)
    ctx = world.services.context(world.officer_a)
    surcharge, outstanding = outstanding_fen(state, ctx, date(2025, 5, 2))
    # 30 days late, of which 3–22 April (20 days) the reconsideration was pending: 10 days counted
    assert (date(2025, 5, 2) - due).days == 30
    assert surcharge == surcharge_fen(1_000_000, due, date(2025, 5, 2), 3, paused_days=20) == 300_000
    assert outstanding == 1_300_000


def test_the_court_is_not_asked_while_a_remedy_is_pending_and_a_revoked_decision_is_not_executed(world, decided):  # noqa: F811
    world.clock.set("2025-04-10T09:00")
    _apply(world, decided, "litigation", "2025-04-10", body="惠州市惠城区人民法院")
    s = world.as_(world.officer_a)
    blocked = {a.kind: {r.rule for r in a.reasons} for a in s.view(decided).actions if not a.allowed}
    assert "remedy_pending" in blocked["apply_court_enforcement"] and "remedy_pending" in blocked["issue_reminder"]
    s.perform(decided, "record_payment", {"amount_fen": 100_000, "channel": "bank", "receipt_no": "NO.1"})  # paying goes on
    blocked = {a.kind: {r.rule for r in a.reasons} for a in s.view(decided).actions if not a.allowed}
    assert "remedy_pending" in blocked["request_closing"]  # its outcome may change the decision: the case stays open
    with pytest.raises(RuleViolation):
        _decide(world, decided, "litigation", "changed", "2025-05-10")  # a change names the fine as changed
    world.clock.set("2025-05-10T09:00")
    _decide(world, decided, "litigation", "changed", "2025-05-10", fine_fen=500_000)
    assert world.services.current_state(decided).amount_due_fen == 500_000
    world.clock.set("2025-05-12T09:00")
    _apply(world, decided, "reconsideration", "2025-05-12")
    _decide(world, decided, "reconsideration", "revoked", "2025-05-12")
    with pytest.raises(RuleViolation) as nothing:
        s.perform(decided, "record_payment", {"amount_fen": 100_000, "channel": "bank", "receipt_no": "NO.2"})
    assert "nothing_payable" in {r.rule for r in nothing.value.refusals}


def test_the_court_window_is_a_deadline_of_the_case(world, decided):  # noqa: F811
    window = next(d for d in world.as_(world.officer_a).view(decided).deadlines if d.rule == "court_enforcement_window")
    # six months from service (18 September), then three (18 December 2025, a Thursday)
    assert window.start == SERVED and window.due == date(2025, 12, 18) and window.basis == "行政强制法第五十三条"
