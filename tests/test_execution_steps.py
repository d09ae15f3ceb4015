"""Execution (Art. 66–72), suspension, recusal and evidence preservation as recorded steps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import steps
from hypothesis import given
from hypothesis import strategies as st
from steps import rules_of

from enforcement_app.domain.calendar import add_months
from enforcement_app.domain.procedure import surcharge_fen
from enforcement_app.domain.refusals import InvalidInput, RuleViolation


@pytest.fixture
def decided(world):
    """A 10,000-yuan fine decided on 18 March 2025 and served the same day."""
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id, fine_yuan=10000, kinds=("fine",))
    steps.notice(world, case_id, fine_yuan=10000, kinds=("fine",))
    world.clock.set("2025-03-18T09:00")
    steps.decide(world, case_id, fine_yuan=10000, kinds=("fine",))
    world.as_(world.officer_a).perform(case_id, "serve_document", {"document": "decision", "method": "direct", "recipient": "黄某"})
    return case_id


def _payment_due(world, case_id) -> date:
    return next(d for d in world.as_(world.officer_a).view(case_id).deadlines if d.rule == "payment").due


@given(st.integers(1, 10**9), st.integers(0, 400), st.integers(0, 400))
def test_surcharge_is_3_percent_a_day_never_above_the_fine(fine, late, later):
    due = date(2025, 4, 2)
    first = surcharge_fen(fine, due, due + timedelta(days=late), 3)
    second = surcharge_fen(fine, due, due + timedelta(days=late + later), 3)
    assert first == min(fine, fine * 3 * late // 100)
    assert 0 <= first <= second <= fine


def test_late_payment_carries_the_surcharge(world, decided):
    due = _payment_due(world, decided)
    assert due == date(2025, 4, 2)  # 15 calendar days from service (Art. 67)
    s = world.as_(world.officer_a)
    late = due + timedelta(days=10)
    world.clock.set(f"{late.isoformat()}T10:00")
    s.perform(decided, "record_payment", {"amount_fen": 1_000_000, "channel": "bank", "receipt_no": "A1"})
    payment = s.view(decided).state.payments[-1]
    assert payment["surcharge_fen"] == 300_000 and payment["settles"] is False  # 3 % × 10 days
    with pytest.raises(InvalidInput) as refused:
        s.perform(decided, "record_payment", {"amount_fen": 300_001, "channel": "bank", "receipt_no": "A2"})
    assert "含加处罚款" in refused.value.refusals[0].message
    s.perform(decided, "record_payment", {"amount_fen": 300_000, "channel": "bank", "receipt_no": "A2"})
    assert s.view(decided).state.payments[-1]["settles"] is True
    # paid in full, the surcharge included: a payment is no longer offered, nor taken (#17: what is done is not offered)
    blocked = {a.kind: {r.rule for r in a.reasons} for a in s.view(decided).actions if not a.allowed}
    assert "paid_in_full" in blocked["record_payment"]
    with pytest.raises(RuleViolation):
        s.perform(decided, "record_payment", {"amount_fen": 1, "channel": "bank", "receipt_no": "A3"})


def test_surcharge_stops_at_the_fine(world, decided):
    due = _payment_due(world, decided)
    world.clock.set(f"{(due + timedelta(days=60)).isoformat()}T10:00")
    s = world.as_(world.officer_a)
    with pytest.raises(InvalidInput) as refused:
        s.perform(decided, "record_payment", {"amount_fen": 2_000_001, "channel": "bank", "receipt_no": "B1"})
    assert "加处罚款10,000.00元" in refused.value.refusals[0].message  # capped at the fine (Art. 72)
    s.perform(decided, "record_payment", {"amount_fen": 2_000_000, "channel": "bank", "receipt_no": "B1"})
    assert s.view(decided).state.payments[-1]["settles"] is True


def test_an_approved_deferral_moves_the_payment_deadline(world, decided):
    before = _payment_due(world, decided)
    s = world.as_(world.officer_a)
    s.perform(decided, "request_approval", {"matter": "payment_deferral", "reason": "当事人经营困难，申请暂缓缴纳", "days": 30})
    request = next(iter(s.view(decided).state.approvals_pending))
    world.as_(world.head).perform(decided, "decide_approval", {"request": request, "approved": True, "opinion": "同意暂缓三十日"})
    # 2 April + 30 days is Friday 2 May 2025, inside the Labour Day holiday (1–5 May): a period whose last
    # day is a public holiday ends on the next working day (the payment rule's roll_forward in deadlines.json)
    assert before + timedelta(days=30) == date(2025, 5, 2)
    assert _payment_due(world, decided) == date(2025, 5, 6)
    approval = s.view(decided).state.approvals_decided[-1]
    assert approval["approver"] == world.head.id and approval["matter"] == "payment_deferral"


def test_no_court_enforcement_before_the_payment_deadline(world, decided):
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.officer_a).perform(decided, "apply_court_enforcement", {"reminder_served_on": "2025-03-20", "court": "惠城区人民法院"})
    assert "payment_not_overdue" in rules_of(refused.value)


def test_suspension_blocks_the_case_and_pauses_the_decision_limit(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    limit = next(d for d in world.as_(world.officer_a).view(case_id).deadlines if d.rule == "decision_time_limit").due
    world.clock.set("2025-03-10T09:00")
    world.as_(world.head).perform(case_id, "suspend_case", {"reason": "当事人下落不明"})
    with pytest.raises(RuleViolation) as refused:
        steps.inspect(world, case_id, at="2025-03-10T09:00")
    assert "suspended" in rules_of(refused.value)
    world.clock.set("2025-03-30T09:00")
    world.as_(world.head).perform(case_id, "resume_case", {"reason": "当事人已到案"})
    paused = next(d for d in world.as_(world.officer_a).view(case_id).deadlines if d.rule == "decision_time_limit")
    assert paused.paused_days == 20 and paused.due == limit + timedelta(days=20)
    steps.inspect(world, case_id, at="2025-03-30T09:00")


def test_a_granted_recusal_replaces_the_handler(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    replacement = world.as_(world.admin).register_officer({
        "name": "孙替换", "login": "sunth", "roles": ["officer"],
        "certificates": [{"certificate_no": "44130077", "area": "仲恺高新区", "valid_from": "2024-01-01", "valid_to": "2028-12-31"}]})
    world.as_(world.head).perform(case_id, "record_recusal", {
        "officer": world.officer_b.id, "applicant": "当事人", "grounds": "与当事人有亲属关系", "decision": "granted",
        "replacement": replacement.id})
    assert world.as_(world.officer_a).view(case_id).state.handlers == (world.officer_a.id, replacement.id)
    world.clock.set("2025-03-05T12:00")
    with pytest.raises(RuleViolation):
        world.as_(world.officer_b).perform(case_id, "record_inspection", {})  # no longer a handler
    steps.inspect(world, case_id, officers=[world.officer_a.id, replacement.id])


def test_evidence_preservation_needs_approval_and_a_disposal_within_seven_working_days(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    s = world.as_(world.officer_a)
    with pytest.raises(RuleViolation) as refused:
        s.perform(case_id, "decide_preservation_disposal", {"disposal": "release", "details": "解除"})
    assert "no_preservation" in rules_of(refused.value)
    world.clock.set("2025-03-07T09:00")  # a Friday
    s.perform(case_id, "request_approval", {"matter": "evidence_preservation", "reason": "证据可能灭失", "items": "过期酸奶12盒"})
    request = next(iter(s.view(case_id).state.approvals_pending))
    world.as_(world.head).perform(case_id, "decide_approval", {"request": request, "approved": True})
    due = next(d for d in s.view(case_id).deadlines if d.rule == "evidence_preservation_disposal").due
    assert due == date(2025, 3, 18)  # 7 working days (Art. 56): 10–14 and 17–18 March
    s.perform(case_id, "decide_preservation_disposal", {"disposal": "confiscate", "details": "依法没收"})
    assert not s.view(case_id).state.preservation_open


def test_the_court_is_asked_to_enforce_only_ten_days_after_a_served_reminder(world, decided, tmp_path):
    """行政强制法第五十四条: 催告 in writing first (amount, surcharge, time and way to pay, the right to be heard,
    第三十五条); the court only after the reminder has been served for ten days."""
    from pypdf import PdfReader

    from enforcement_app.casefile import render_documents

    due = _payment_due(world, decided)
    s = world.as_(world.officer_a)
    world.clock.set(f"{(due + timedelta(days=5)).isoformat()}T10:00")
    with pytest.raises(RuleViolation) as refused:
        s.perform(decided, "apply_court_enforcement", {"court": "惠城区人民法院", "reminder_served_on": "2025-03-20"})  # a typed date proves nothing
    assert "行政强制法第五十四条" in str(refused.value)
    s.perform(decided, "issue_reminder", {})
    with pytest.raises(RuleViolation):
        s.perform(decided, "issue_reminder", {})  # one reminder, served once
    s.perform(decided, "serve_document", {"document": "reminder", "method": "post", "recipient": "黄某"})
    served = world.clock().date()
    world.clock.advance(days=9)
    with pytest.raises(RuleViolation) as early:
        s.perform(decided, "apply_court_enforcement", {"court": "惠城区人民法院"})
    assert "催告书送达十日" in str(early.value) and "第五十四条" in str(early.value)
    ten = world.services.calendar().add_working_days(served, 10)  # ten working days (行政强制法第六十九条)
    world.clock.set(f"{(ten + timedelta(days=1)).isoformat()}T10:00")
    with pytest.raises(RuleViolation) as periods:  # 第五十三条: not while the party may still seek reconsideration or sue
        s.perform(decided, "apply_court_enforcement", {"court": "惠城区人民法院"})
    assert {r.rule for r in periods.value.refusals} == {"enforcement_window"} and "第五十三条" in str(periods.value)
    window = next(d for d in s.view(decided).deadlines if d.rule == "court_enforcement_window")
    world.clock.set(f"{(add_months(window.start, 6) + timedelta(days=1)).isoformat()}T10:00")
    s.perform(decided, "apply_court_enforcement", {"court": "惠城区人民法院"})
    assert next(d for d in s.view(decided).deadlines if d.rule == "court_enforcement_window").met_on is not None

    reminder = next(st for st in s.view(decided).state.steps if st.kind == "issue_reminder").payload
    assert reminder["surcharge_fen"] == surcharge_fen(1_000_000, due, due + timedelta(days=5), 3) == 150_000
    assert reminder["outstanding_fen"] == 1_150_000 and reminder["within_days"] == 10
    pdf = tmp_path / "reminder.pdf"
    pdf.write_bytes(render_documents(s.case_file_data(decided), ("reminder",)))
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages).replace("\n", "")
    for needle in ("催告书", "仲高新市监催告〔2025〕1号", "《行政处罚决定书》（仲高新市监处罚〔2025〕1号）", "罚款10,000.00元（大写：壹万元整）", "加处罚款1,500.00元（大写：壹仟伍佰元整）",
                   "合计11,500.00元（大写：壹万壹仟伍佰元整）", "十日内", "陈述和申辩", "申请人民法院强制执行"):
        assert needle in text, needle


def test_the_preserved_evidence_is_listed_before_two_officers_and_the_list_signed(world):
    """先行登记保存 (Art. 56): after the head's approval, the 先行登记保存证据通知书 lists the evidence and where it is
    kept, made by two certified officers and signed by the party (or the person present) and both officers."""
    import io
    import re

    from pypdf import PdfReader

    from enforcement_app.casefile import render_documents

    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-07T12:00")
    s = world.as_(world.officer_a)
    listing = {"started_at": "2025-03-07T10:00", "ended_at": "2025-03-07T10:30", "place": "惠州市仲恺高新区惠风路1号店内",
               "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
               "items": "过期酸奶（250ml/盒）12盒", "kept_at": "当事人仓库（已加贴封条）"}
    with pytest.raises(RuleViolation) as refused:  # no approved preservation yet
        s.perform(case_id, "record_preservation", listing)
    assert "no_preservation" in rules_of(refused.value)
    s.perform(case_id, "request_approval", {"matter": "evidence_preservation", "reason": "证据可能灭失", "items": "过期酸奶12盒"})
    request = next(iter(s.view(case_id).state.approvals_pending))
    world.as_(world.head).perform(case_id, "decide_approval", {"request": request, "approved": True})
    with pytest.raises(InvalidInput, match="执法人员（2人）"):  # the officers' signatures are asked for
        s.perform(case_id, "record_preservation", {**listing, "signatures": []})
    s.perform(case_id, "record_preservation", listing)  # signed on the pad (the test session signs for everyone named)
    with pytest.raises(RuleViolation) as twice:
        s.perform(case_id, "record_preservation", listing)
    assert "preservation_recorded" in rules_of(twice.value)
    reader = PdfReader(io.BytesIO(render_documents(world.as_(world.evaluator).case_file_data(case_id), ("preservation_record",))))
    text = re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert "先行登记保存证据通知书" in text and "过期酸奶（250ml/盒）12盒" in text and "当事人仓库" in text and "七日内" in text
    assert len(reader.pages[0].images) == 3  # the person present's signature and both officers'
