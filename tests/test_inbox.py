"""Inboxes: each user sees what waits for them — never a task the services would refuse them — with the
due date from the agency's policy and an overdue warning once it has passed."""

from __future__ import annotations

import json
from datetime import date

import steps

from enforcement_app.cli.main import main as cli


def _tasks(world, officer) -> dict[tuple[str, str], object]:
    return {(i.case_id, i.task): i for i in world.as_(officer).inbox()}


def _investigated(world):
    return steps.investigated(world)


def test_filing_request_waits_for_a_head_until_decided(world):
    case_id = steps.lead(world, world.company)
    assert (case_id, "approve_filing") not in _tasks(world, world.head)
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    item = _tasks(world, world.head)[(case_id, "approve_filing")]
    assert item.task_title == "批准立案" and item.stage == "filing"
    assert (case_id, "approve_filing") not in _tasks(world, world.officer_a)  # officers cannot approve
    world.as_(world.head).perform(case_id, "approve_filing", {})
    assert (case_id, "approve_filing") not in _tasks(world, world.head)


def test_review_waits_for_qualified_independent_reviewers_with_its_time_limit(world):
    case_id = _investigated(world)
    steps.report(world, case_id, fine_yuan=150000)
    world.clock.set("2025-09-26T09:00")  # a Friday before the 2025 National Day week
    steps.submit_review(world, case_id)
    item = _tasks(world, world.reviewer)[(case_id, "record_legal_review")]
    # ten working days (agency policy default) from 26 Sep 2025: 28, 29, 30 Sep, 9, 10, 11 (make-up Saturday),
    # 13, 14, 15, 16 Oct
    assert item.due == date(2025, 10, 16) and not item.overdue
    assert (case_id, "record_legal_review") not in _tasks(world, world.unqualified)
    assert (case_id, "record_legal_review") not in _tasks(world, world.head)
    world.clock.set("2025-10-17T09:00")
    assert _tasks(world, world.reviewer)[(case_id, "record_legal_review")].overdue
    steps.review(world, case_id)
    assert (case_id, "record_legal_review") not in _tasks(world, world.reviewer)


def test_a_reviewer_who_handles_the_case_does_not_get_it(world):
    both = world.as_(world.admin).register_officer({
        "name": "钱双岗", "login": "qianshuang", "password": "secret-pass-1", "roles": ["officer", "legal_reviewer"], "legal_qualification": True,
        "certificates": [{"certificate_no": "44130009", "area": "仲恺高新区", "valid_from": "2024-01-01", "valid_to": "2028-12-31"}]})
    case_id = world.as_(world.officer_a).register_lead({
        "source": "complaint", "act_date": "2025-02-20", "cause": "销售超过保质期的食品", "summary": "投诉",
        "party_id": world.company.id, "handlers": [world.officer_a.id, both.id]})
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    world.as_(world.officer_a).perform(case_id, "record_inspection", {
        "started_at": "2025-03-04T10:00", "ended_at": "2025-03-04T11:00", "place": "店内", "officers": [world.officer_a.id, both.id],
        "certificates_shown": True, "findings": "过期酸奶12盒", "present": "刘某", "party_signed": True})
    steps.report(world, case_id, fine_yuan=150000)
    steps.submit_review(world, case_id)
    assert (case_id, "record_legal_review") in _tasks(world, world.reviewer)
    assert (case_id, "record_legal_review") not in _tasks(world, both)


def test_approval_requests_reach_heads_with_their_matter(world):
    case_id = _investigated(world)
    world.as_(world.officer_a).perform(case_id, "request_approval", {"matter": "extension", "reason": "需检验", "days": 30})
    item = _tasks(world, world.head)[(case_id, "decide_approval")]
    assert item.detail == "延长办案期限"
    request = next(iter(world.as_(world.head).view(case_id).state.approvals_pending))
    world.as_(world.head).perform(case_id, "decide_approval", {"request": request, "approved": True})
    assert (case_id, "decide_approval") not in _tasks(world, world.head)


def test_decision_appears_only_once_the_procedure_allows_it(world):
    case_id = _investigated(world)
    steps.report(world, case_id, fine_yuan=5000)
    steps.notice(world, case_id, fine_yuan=5000, on="2025-03-05")
    assert (case_id, "make_decision") not in _tasks(world, world.head)  # statement window still open
    world.clock.set("2025-03-20T09:00")
    item = _tasks(world, world.head)[(case_id, "make_decision")]
    assert item.due == date(2025, 6, 3)  # the 90-day decision limit (Art. 60) from filing on 3 March: 1 June is a Sunday, 2 June 端午


def test_officers_see_their_own_near_deadlines_and_the_cli_prints_json(world, capsys):
    case_id = _investigated(world)
    assert (case_id, "deadline") not in _tasks(world, world.officer_a)
    world.clock.set("2025-05-30T09:00")  # decision limit 1 June is within five days
    assert (case_id, "deadline") in _tasks(world, world.officer_a)
    assert (case_id, "deadline") not in _tasks(world, world.head)
    world.clock.set("2025-06-03T09:00")
    world.services.close()
    # the CLI has the real clock: past every deadline of this 2025 case
    assert cli(["--db", str(world.services.path), "--user", "zhangming", "inbox", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    mine = [i for i in items if i["case_id"] == case_id]
    assert mine and mine[0]["overdue"] and mine[0]["task"] == "deadline" and mine[0]["due_rule"] == "作出处罚决定期限"
