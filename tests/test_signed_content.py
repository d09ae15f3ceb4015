"""Sign-offs bound to the content they approved: a correction recorded after a sign-off, of a record it
covered, shows the difference and asks for the sign-off again before a step relies on it. Driven through the
services on a real SQLite file."""

from __future__ import annotations

import pytest
import steps
from steps import rules_of

from enforcement_app.domain.refusals import RuleViolation


@pytest.fixture
def reviewed(world):
    """A major case (150,000 yuan on an organisation) whose legal review passed; notice served, rights waived."""
    case_id = steps.investigated(world)
    steps.report(world, case_id, fine_yuan=150000)
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    steps.notice(world, case_id, fine_yuan=150000)
    world.as_(world.officer_a).perform(case_id, "waive_rights", {"written": True, "statement": "放弃陈述申辩和听证"})
    return case_id


def _record(world, case_id, kind):
    return next(s for s in world.as_(world.officer_a).view(case_id).state.steps if s.kind == kind)


def _correct(world, case_id, record, field, value, reason="清点有误"):
    return world.as_(world.officer_a).perform(case_id, "correct_record", {"corrects": record, "reason": reason, "changes": {field: value}})


def test_a_correction_after_the_legal_review_refuses_the_decision_naming_the_field(world, reviewed):
    inspection = _record(world, reviewed, "record_inspection").hash
    _correct(world, reviewed, inspection, "findings", "货架上有超过保质期的酸奶13盒")

    view = world.as_(world.head).view(reviewed)
    review = next(c for c in view.sign_offs if c.step.kind == "record_legal_review")
    assert [(c.record, c.field, c.label, c.before, c.after) for c in review.changes] == [
        (inspection, "findings", "检查情况", "货架上有超过保质期的酸奶12盒", "货架上有超过保质期的酸奶13盒")]
    filing = next(c for c in view.sign_offs if c.step.kind == "approve_filing")
    assert not filing.changed  # the inspection came after the filing was approved: not what the head signed
    blocked = {a.kind: a for a in view.actions if not a.allowed}
    assert "legal_review_stale" in {r.rule for r in blocked["make_decision"].reasons}
    assert view.as_dict()["sign_offs_changed"][0]["changes"][0]["after"] == "货架上有超过保质期的酸奶13盒"

    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, reviewed, fine_yuan=150000)
    stale = next(r for r in refused.value.refusals if r.rule == "legal_review_stale")
    assert "现场检查的“检查情况”由“货架上有超过保质期的酸奶12盒”改为“货架上有超过保质期的酸奶13盒”" in stale.message
    assert "重新提交法制审核" in stale.message and stale.article == "行政处罚法第五十八条"


def test_a_new_review_over_the_corrected_record_clears_it(world, reviewed):
    _correct(world, reviewed, _record(world, reviewed, "record_inspection").hash, "findings", "货架上有超过保质期的酸奶13盒")
    steps.submit_review(world, reviewed)  # refused before as 无需重新提交: the review's content changed
    steps.review(world, reviewed)
    view = world.as_(world.head).view(reviewed)
    reviews = [c for c in view.sign_offs if c.step.kind == "record_legal_review"]
    assert [c.changed for c in reviews] == [True, False]  # the first review keeps its history; the new one covers the correction
    steps.decide(world, reviewed, fine_yuan=150000)
    assert world.as_(world.head).view(reviewed).state.decision is not None


def test_an_unchanged_review_is_still_not_resubmitted(world, reviewed):
    with pytest.raises(RuleViolation) as refused:
        steps.submit_review(world, reviewed)
    assert "review_approved" in rules_of(refused.value)


def test_a_correction_before_the_review_is_what_the_reviewer_signed(world):
    case_id = steps.investigated(world)
    steps.report(world, case_id, fine_yuan=150000)
    report = _record(world, case_id, "submit_investigation_report").hash
    _correct(world, case_id, report, "discretion", "货值较小，按一般阶次", reason="表述不准确")
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    view = world.as_(world.head).view(case_id)
    assert not next(c for c in view.sign_offs if c.step.kind == "record_legal_review").changed
    # corrected again after the review, the report now differs from what the reviewer saw
    _correct(world, case_id, report, "discretion", "货值不足一万元，从轻", reason="依据裁量基准改写")
    review = next(c for c in world.as_(world.head).view(case_id).sign_offs if c.step.kind == "record_legal_review")
    assert [(c.label, c.before, c.after, c.reason) for c in review.changes] == [
        ("裁量基准适用说明", "货值较小，按一般阶次", "货值不足一万元，从轻", "依据裁量基准改写")]


def test_a_field_corrected_back_is_as_signed(world, reviewed):
    inquiry = _record(world, reviewed, "record_inquiry").hash
    place = _record(world, reviewed, "record_inquiry").payload["place"]
    _correct(world, reviewed, inquiry, "place", "执法车内")
    _correct(world, reviewed, inquiry, "place", place, reason="更正有误，恢复原记录")
    view = world.as_(world.head).view(reviewed)
    assert not any(c.changed for c in view.sign_offs)
    steps.decide(world, reviewed, fine_yuan=150000)


def test_a_correction_after_the_collective_discussion_asks_for_a_new_one(world):
    case_id = steps.investigated(world)
    steps.report(world, case_id, fine_yuan=50000, complex_=True)
    discuss = {"participants": [world.head.id, world.head2.id], "opinions": "同意", "conclusion": "同意处罚"}
    world.as_(world.head).perform(case_id, "record_collective_discussion", discuss)
    steps.submit_review(world, case_id)  # complex: major, reviewed
    steps.review(world, case_id)
    steps.notice(world, case_id, fine_yuan=50000)
    world.as_(world.officer_a).perform(case_id, "waive_rights", {"written": True, "statement": "放弃"})
    _correct(world, case_id, _record(world, case_id, "submit_investigation_report").hash, "discretion", "情节较重，从重处罚")
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, case_id, fine_yuan=50000)
    assert {"collective_discussion_stale", "legal_review_stale"} <= rules_of(refused.value)
    message = next(r.message for r in refused.value.refusals if r.rule == "collective_discussion_stale")
    assert "调查终结报告的“裁量基准适用说明”由“货值不足一万元，按一般阶次处以罚款”改为“情节较重，从重处罚”" in message
    assert "重新集体讨论" in message
    world.as_(world.head).perform(case_id, "record_collective_discussion", discuss)
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    steps.decide(world, case_id, fine_yuan=50000)


def test_a_reviewer_signing_again_sees_the_corrections_and_the_proposal_as_resubmitted(world):
    from enforcement_app.domain.procedure.signed_content import to_sign_again

    case_id = steps.investigated(world)
    steps.report(world, case_id, fine_yuan=150000)
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    assert to_sign_again(world.as_(world.reviewer).view(case_id).state, "record_legal_review") == ()
    inquiry = _record(world, case_id, "record_inquiry").hash
    _correct(world, case_id, inquiry, "recorder", "张明", reason="记录人写错")
    steps.report(world, case_id, fine_yuan=120000)  # the penalty changed after the review
    steps.submit_review(world, case_id)
    changes = to_sign_again(world.as_(world.reviewer).view(case_id).state, "record_legal_review")
    assert [(c.record_kind, c.label) for c in changes] == [("record_inquiry", "记录人"), ("submit_investigation_report", "罚款金额")]
    assert changes[1].describe() == "调查终结报告的“罚款金额”由“150,000.00元”改为“120,000.00元”"
    assert to_sign_again(world.as_(world.reviewer).view(case_id).state, "make_decision") == ()  # no decision signed yet
