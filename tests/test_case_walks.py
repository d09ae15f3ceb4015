"""Whole cases: no penalty (Art. 33), transfer, hearing, legal review rounds, overdue deadline, extension."""

from __future__ import annotations

import io
from datetime import date

import pytest
import steps
from conftest import signed_in
from pypdf import PdfReader
from steps import rules_of

from enforcement_app.casefile import render_case_file
from enforcement_app.domain.refusals import InvalidInput, PermissionDenied, RuleViolation


@pytest.fixture
def investigated(world):
    return steps.investigated(world)


def test_no_penalty_under_art_33(world, investigated):
    steps.report(world, investigated, outcome="no_penalty")
    steps.decide(world, investigated, outcome="no_penalty", reasons="首次违法、危害后果轻微并及时改正（行政处罚法第三十三条第一款）", evidence=[])
    s = world.as_(world.officer_a)
    s.perform(investigated, "serve_document", {"document": "decision", "method": "direct", "recipient": "黄某"})
    steps.close(world, investigated, "不予处罚，已对当事人进行教育")
    state = s.view(investigated).state
    assert state.outcome == "no_penalty" and state.stage == "closed" and state.notice is None


def test_transfer_to_judicial_organs_needs_review(world, investigated):
    steps.report(world, investigated, outcome="transfer")
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, investigated, outcome="transfer", evidence=[], transfer_to="惠州市公安局仲恺分局")
    assert "legal_review_required" in rules_of(refused.value)
    steps.submit_review(world, investigated)
    steps.review(world, investigated)
    with pytest.raises(InvalidInput) as unaddressed:  # the 移送书 goes to an organ: which one is part of the decision
        steps.decide(world, investigated, outcome="transfer", evidence=[])
    assert {r.field for r in unaddressed.value.refusals} == {"transfer_to"}
    steps.decide(world, investigated, outcome="transfer", evidence=[], transfer_to="惠州市公安局仲恺分局",
                 reasons="涉嫌生产、销售不符合安全标准的食品罪")
    s = world.as_(world.officer_a)
    steps.close(world, investigated, "已移送公安机关")
    assert s.view(investigated).state.outcome == "transfer"
    # the evaluation sees the transfer the record holds (行政处罚法第二十七条第一款); a penalty case is the evaluator's to judge
    line = next(x for x in world.as_(world.evaluator).evaluation_sheet(investigated).lines if x.item.id == "veto_transfer")
    assert line.suggestion is not None and line.suggestion.veto is False and "决定移送司法机关（行政处罚法第二十七条第一款）" in line.evidence
    # the 移送书 is a letter to that organ, under Art. 27 and the State Council's transfer rules; not a decision the party may appeal
    text = "".join("".join(page.extract_text().split())
                   for page in PdfReader(io.BytesIO(render_case_file(s.case_file_data(investigated)).pdf)).pages)
    letter = text[text.rindex("涉嫌犯罪案件移送书"):]
    assert letter.split("号", 1)[1].startswith("惠州市公安局仲恺分局：")
    assert "现将该案移送你单位" in letter and "第二十七条第一款" in letter and "涉嫌生产、销售不符合安全标准的食品罪" in letter
    assert "行政复议" not in letter[:letter.index("（印章）")]


def test_returned_review_resubmitted_and_approved(world, investigated):
    steps.report(world, investigated, fine_yuan=150000)
    steps.submit_review(world, investigated)
    steps.review(world, investigated, outcome="return", corrections="补充货值金额证据")
    view = world.as_(world.officer_a).view(investigated)
    assert view.state.stage == "deliberation"
    with pytest.raises(RuleViolation) as refused:
        steps.submit_review(world, investigated)  # a resubmission must say what was corrected
    assert "corrections_made" in {r.field for r in refused.value.refusals}
    world.as_(world.officer_a).add_evidence(investigated, _file(world, "进货单.txt", "进货单据"), {
        "kind": "documentary", "description": "进货单据", "source": "当事人提供", "collected_by": [world.officer_a.id]})
    steps.submit_review(world, investigated, corrections_made="已补充进货单据")
    steps.review(world, investigated)
    state = world.as_(world.officer_a).view(investigated).state
    assert [r["review"]["outcome"] for r in state.review_rounds] == ["return", "approve"]
    steps.notice(world, investigated, fine_yuan=150000)
    world.as_(world.officer_a).perform(investigated, "waive_rights", {"written": True, "statement": "放弃陈述申辩和听证"})
    steps.decide(world, investigated, fine_yuan=150000)


def test_approval_voided_by_a_later_penalty_change(world, investigated):
    steps.report(world, investigated, fine_yuan=150000)
    steps.submit_review(world, investigated)
    steps.review(world, investigated)
    steps.report(world, investigated, fine_yuan=120000)  # the penalty changed after approval
    view = world.as_(world.officer_a).view(investigated)
    blocked = {a.kind: {r.rule for r in a.reasons} for a in view.actions if not a.allowed}
    assert "legal_review_void" in blocked["make_decision"]
    steps.notice(world, investigated, fine_yuan=120000)
    world.as_(world.officer_a).perform(investigated, "waive_rights", {"written": True, "statement": "放弃"})
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, investigated, fine_yuan=120000)
    assert "legal_review_void" in rules_of(refused.value)
    # the refusal shows what changed since the reviewer signed off
    void = next(r for r in refused.value.refusals if r.rule == "legal_review_void")
    assert "罚款由150,000.00元改为120,000.00元" in void.message, void.message
    assert "认定的违法事实" not in void.message  # what did not change is not listed


def test_reviewer_must_be_qualified_and_independent(world, investigated):
    steps.report(world, investigated, fine_yuan=150000)
    steps.submit_review(world, investigated)
    with pytest.raises(RuleViolation) as refused:
        steps.review(world, investigated, reviewer=world.unqualified)
    assert "legal_qualification" in rules_of(refused.value)
    with pytest.raises(PermissionDenied):
        steps.review(world, investigated, reviewer=world.officer_a)  # handler, and not a reviewer
    with pytest.raises(PermissionDenied):
        steps.review(world, investigated, reviewer=world.head)  # not a legal reviewer
    both = signed_in(world.services, "admin").register_officer(
        {"name": "郑双岗", "login": "zhengsg", "password": "secret-pass-1", "roles": ["officer", "legal_reviewer"], "legal_qualification": True,
         "certificates": [{"certificate_no": "44137777", "area": "区", "valid_from": "2024-01-01", "valid_to": "2028-01-01"}]})
    other = steps.lead(world, world.person)
    signed_in(world.services, "zhangming").perform(other, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    # a reviewer who investigated the case may not review it
    case_with_both = signed_in(world.services, "zhengsg").register_lead({
        "source": "complaint", "act_date": "2025-02-01", "cause": "c", "summary": "s", "party_id": world.company.id,
        "handlers": [both.id, world.officer_b.id]})
    signed_in(world.services, "zhengsg").perform(case_with_both, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    world.as_(world.head).perform(case_with_both, "approve_filing", {})
    signed_in(world.services, "zhengsg").perform(case_with_both, "record_inspection", {
        "started_at": "2025-03-05T10:00", "ended_at": "2025-03-05T11:00", "place": "p", "officers": [both.id, world.officer_b.id],
        "certificates_shown": True, "findings": "f"})
    signed_in(world.services, "zhengsg").perform(case_with_both, "submit_investigation_report", {
        "outcome": "penalty", "penalty_kinds": ["fine"], "fine_fen": 20_000_000, "facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "b", "discretion": "d"})
    signed_in(world.services, "zhengsg").perform(case_with_both, "submit_legal_review", {"summary": "s", "draft_decision": "d"})
    with pytest.raises(RuleViolation) as refused:
        steps.review(world, case_with_both, reviewer=both)
    assert "reviewer_is_handler" in rules_of(refused.value)


def test_collective_discussion_required_on_disagreement(world, investigated):
    steps.report(world, investigated, fine_yuan=150000)
    steps.submit_review(world, investigated)
    steps.review(world, investigated, outcome="disapprove")
    s = world.as_(world.officer_a)
    s.perform(investigated, "object_to_review", {"reason": "货值证据已充分"})
    blocked = {a.kind: {r.rule for r in a.reasons} for a in s.view(investigated).actions if not a.allowed}
    assert "collective_discussion_required" in blocked["make_decision"]
    with pytest.raises(RuleViolation) as refused:  # one head is not a collective discussion
        world.as_(world.head).perform(investigated, "record_collective_discussion", {
            "participants": [world.head.id], "opinions": "o", "conclusion": "c", "resolves_objection": True})
    assert "participants" in {r.field for r in refused.value.refusals}
    world.as_(world.head).perform(investigated, "record_collective_discussion", {
        "participants": [world.head.id, world.head2.id], "opinions": "同意承办机构意见，补充说明后重新送审",
        "conclusion": "补正后重新送审", "resolves_objection": True})
    blocked = {a.kind: {r.rule for r in a.reasons} for a in s.view(investigated).actions if not a.allowed}
    assert "collective_discussion_required" not in blocked["make_decision"]
    assert "legal_review_not_passed" in blocked["make_decision"]  # Art. 58: a failed review still blocks


def test_hearing_held_on_working_day_arithmetic(world, investigated):
    steps.report(world, investigated, fine_yuan=150000)
    steps.submit_review(world, investigated)
    steps.review(world, investigated)
    world.clock.set("2025-09-26T09:00")  # a Friday before the 2025 National Day holiday
    steps.notice(world, investigated, fine_yuan=150000, on="2025-09-26")
    window = next(d for d in world.as_(world.officer_a).view(investigated).deadlines if d.rule == "hearing_request")
    # 5 working days after 26 Sep: 28 Sep (make-up Sunday), 29, 30 Sep, 9 Oct, 10 Oct
    assert window.due == date(2025, 10, 10)
    world.clock.set("2025-10-13T09:00")
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.officer_a).perform(investigated, "request_hearing", {"form": "written", "on": "2025-10-13"})
    assert "hearing_request_late" in rules_of(refused.value)
    world.as_(world.officer_a).perform(investigated, "request_hearing", {"form": "written", "on": "2025-10-10"})
    s = world.as_(world.officer_a)
    notice = {"on": "2025-10-13", "place": "听证室", "chair": world.reviewer.id}
    with pytest.raises(RuleViolation) as refused:  # 7 working days after 13 Oct is 22 Oct
        s.perform(investigated, "give_hearing_notice", {**notice, "hearing_on": "2025-10-21"})
    assert "hearing_notice_period" in rules_of(refused.value)
    with pytest.raises(RuleViolation) as refused:
        s.perform(investigated, "give_hearing_notice", {**notice, "hearing_on": "2025-10-22", "chair": world.officer_b.id})
    assert "chair_is_investigator" in rules_of(refused.value)
    s.perform(investigated, "give_hearing_notice", {**notice, "hearing_on": "2025-10-22"})
    s.perform(investigated, "serve_document", {"document": "hearing_notice", "method": "direct", "recipient": "黄某", "on": "2025-10-13"})
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, investigated, fine_yuan=150000)
    assert "hearing_pending" in rules_of(refused.value)
    world.clock.set("2025-10-22T15:00")
    world.as_(world.reviewer).perform(investigated, "hold_hearing", {
        "on": "2025-10-22", "chair": world.reviewer.id, "transcript": "当事人对事实无异议，请求从轻", "agents": ["律师甲"]})
    # a case decided after a hearing is a major decision: the approval given before the hearing did not see
    # the transcript, so the case goes back to the reviewer with it
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, investigated, fine_yuan=150000, based_on_transcript=True)
    assert "legal_review_after_hearing" in rules_of(refused.value)
    s.perform(investigated, "record_hearing_report", {"content": "当事人对违法事实无异议", "recommendation": "维持原拟处罚"})
    steps.submit_review(world, investigated)
    submission = world.as_(world.reviewer).view(investigated).state.review_rounds[-1]["submission"]
    assert submission["materials"]["hearing"]["transcript"] == "当事人对事实无异议，请求从轻"
    assert submission["materials"]["hearing"]["recommendation"] == "维持原拟处罚"
    assert "经过听证程序的案件" in submission["major_reasons"]
    steps.review(world, investigated)
    # a hearing report written after that review would send it back again: the reviewer has not seen it
    from enforcement_app.domain.review import hearing_after_review

    state = world.as_(world.officer_a).view(investigated).state
    assert not hearing_after_review(state, world.services.policy_on(world.clock().date()))
    # and the decision must rest on the transcript (Art. 65)
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, investigated, fine_yuan=150000)
    assert "based_on_transcript" in {r.field for r in refused.value.refusals}
    steps.decide(world, investigated, fine_yuan=150000, based_on_transcript=True)


def _hearing_day(world, case_id):
    """A reviewed 150,000-yuan proposal, notified, a hearing requested and its notice served for 20 March;
    the clock on the hearing day."""
    steps.report(world, case_id, fine_yuan=150000)
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    steps.notice(world, case_id, fine_yuan=150000)
    s = world.as_(world.officer_a)
    s.perform(case_id, "request_hearing", {"form": "written"})
    s.perform(case_id, "give_hearing_notice", {"hearing_on": "2025-03-20", "place": "听证室", "chair": world.reviewer.id})
    s.perform(case_id, "serve_document", {"document": "hearing_notice", "method": "direct", "recipient": "黄某"})
    world.clock.set("2025-03-20T15:00")
    return s


def test_unexcused_absence_is_a_waiver(world, investigated):
    s = _hearing_day(world, investigated)
    s.perform(investigated, "record_hearing_absence", {"on": "2025-03-20", "kind": "absent_without_reason", "details": "当事人未到场"})
    steps.decide(world, investigated, fine_yuan=150000)


def test_overdue_deadline_and_extension(world, investigated):
    view = world.as_(world.officer_a).view(investigated)
    limit = next(d for d in view.deadlines if d.rule == "decision_time_limit")
    # 90 calendar days from filing on 3 March is Sunday 1 June; 2 June is the 端午 holiday: the limit ends on 3 June
    assert limit.due == date(2025, 6, 3)
    world.clock.set("2025-06-04T09:00")
    limit = next(d for d in world.as_(world.officer_a).view(investigated).deadlines if d.rule == "decision_time_limit")
    assert limit.status(date(2025, 6, 3)) != "overdue" and limit.status(date(2025, 6, 4)) == "overdue"
    rows = world.as_(world.officer_a).list_cases(overdue=True)
    assert [r["id"] for r in rows] == [investigated]
    s = world.as_(world.officer_a)
    s.perform(investigated, "request_approval", {"matter": "extension", "reason": "案情复杂，需进一步检验", "days": 30})
    request = next(iter(s.view(investigated).state.approvals_pending))
    with pytest.raises(RuleViolation):
        world.as_(world.officer_b).perform(investigated, "decide_approval", {"request": request, "approved": True})
    world.as_(world.head).perform(investigated, "decide_approval", {"request": request, "approved": True, "opinion": "同意延长三十日"})
    limit = next(d for d in s.view(investigated).deadlines if d.rule == "decision_time_limit")
    assert limit.due == date(2025, 7, 1) and limit.extended_days == 30
    assert s.list_cases(overdue=True) == []


def _file(world, name, text):
    path = world.services.path.parent / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_hearing_report_written_after_the_review_needs_a_new_review(world, investigated):
    s = _hearing_day(world, investigated)
    world.as_(world.reviewer).perform(investigated, "hold_hearing", {
        "on": "2025-03-20", "chair": world.reviewer.id, "transcript": "当事人对事实无异议"})
    steps.submit_review(world, investigated)
    steps.review(world, investigated)
    s.perform(investigated, "record_hearing_report", {"content": "听证后发现新的事实", "recommendation": "减轻处罚"})
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, investigated, fine_yuan=150000, based_on_transcript=True)
    assert "legal_review_after_hearing" in rules_of(refused.value)


def test_the_search_index_follows_the_case_through_its_steps(world, investigated):
    """The services write the search index beside the case row (db/0009): what a later step records is
    found, the index matches the rows step after step, and a step that adds no text leaves it alone."""
    s = world.as_(world.officer_a)
    db = world.services.db
    assert s.list_cases(query="鲜榨果汁饮品") == []
    s.perform(investigated, "record_inspection", {
        "started_at": "2025-03-04T14:00", "ended_at": "2025-03-04T15:00", "place": "惠州市仲恺高新区惠风路1号店内",
        "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
        "findings": "冷柜内另有鲜榨果汁饮品3瓶超过保质期", "present": "刘某"})
    assert [r["id"] for r in s.list_cases(query="鲜榨果汁饮品")] == [investigated]
    assert [r["id"] for r in s.list_cases(query="酸奶12盒")] == [investigated]  # the earlier text is still there
    db.execute("INSERT INTO case_fts(case_fts, rank) VALUES ('integrity-check', 1)")  # raises if index and rows differ
    entries = db.execute("SELECT count(*) FROM case_fts_docsize").fetchone()[0]
    steps.report(world, investigated)
    db.execute("INSERT INTO case_fts(case_fts, rank) VALUES ('integrity-check', 1)")
    assert db.execute("SELECT count(*) FROM case_fts_docsize").fetchone()[0] == entries == db.execute('SELECT count(*) FROM "case"').fetchone()[0]
