"""A step already done is not offered again: the workspace's buttons are the procedure's next actions, so each
step's precondition says when it is done (the party's waiver, the hearing's report, a remedy's outcome), and the
same precondition refuses it when it is sent anyway. A step recorded elsewhere before such a precondition existed
still replays from a bundle."""

from __future__ import annotations

import pytest
import steps
from steps import rules_of

from enforcement_app.domain.procedure import prepare
from enforcement_app.domain.refusals import RuleViolation


def offered(world, case_id, officer) -> set[str]:
    return {a.kind for a in world.as_(officer).view(case_id).actions if a.allowed and a.permitted}


def test_the_waiver_is_offered_until_the_party_has_waived(world):
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id)
    steps.notice(world, case_id)
    assert "waive_rights" in offered(world, case_id, world.officer_a)
    world.as_(world.officer_a).perform(case_id, "waive_rights", {"written": True, "statement": "放弃陈述申辩和听证"})
    assert "waive_rights" not in offered(world, case_id, world.officer_a)
    blocked = next(a for a in world.as_(world.officer_a).view(case_id).actions if a.kind == "waive_rights")
    assert "已于2025-03-10书面放弃" in blocked.reasons[0].message
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.officer_a).perform(case_id, "waive_rights", {"written": True, "statement": "再次放弃"})
    assert "rights_waived" in rules_of(refused.value)
    # a new notice gives the rights again: once it is served, the waiver is asked for again
    world.as_(world.officer_a).perform(case_id, "issue_prior_notice", {
        "penalty_kinds": ["fine", "confiscate_illegal_property"], "fine_fen": 4_000_000, "facts": steps.FACTS,
        "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"})
    blocked = next(a for a in world.as_(world.officer_a).view(case_id).actions if a.kind == "waive_rights")
    assert {r.rule for r in blocked.reasons} == {"notice_not_served"}


def test_a_waiver_recorded_twice_elsewhere_still_replays(world):
    """A bundle's events are judged with the context replaying before the preconditions are asked (a program
    that did not yet know a waiver is done once may have recorded two)."""
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.notified_and_waived(world, case_id)
    state = world.services.current_state(case_id)
    officer = world.services.officers()[world.officer_a.id]
    ctx = world.services.context(officer, party=world.services.party(world.company.id))
    again = {"written": True, "statement": "再次放弃"}
    with pytest.raises(RuleViolation) as refused:
        prepare(state, ctx, "waive_rights", again)
    assert "rights_waived" in rules_of(refused.value)
    assert prepare(state, ctx, "waive_rights", again, replaying=True)["statement"] == "再次放弃"


def test_a_hearing_has_one_report(world):
    case_id = steps.investigated(world)
    steps.report(world, case_id, fine_yuan=150000)
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    steps.notice(world, case_id, fine_yuan=150000)
    s = world.as_(world.officer_a)
    s.perform(case_id, "request_hearing", {"form": "written"})
    world.clock.set("2025-03-06T09:00")
    s.perform(case_id, "give_hearing_notice", {"hearing_on": "2025-03-17", "place": "听证室", "chair": world.reviewer.id})
    s.perform(case_id, "serve_document", {"document": "hearing_notice", "method": "direct", "recipient": "黄某"})
    world.clock.set("2025-03-17T15:00")
    assert "record_hearing_report" not in offered(world, case_id, world.officer_a)  # nothing held yet
    world.as_(world.reviewer).perform(case_id, "hold_hearing", {"on": "2025-03-17", "chair": world.reviewer.id, "transcript": "无异议"})
    assert "record_hearing_report" in offered(world, case_id, world.officer_a)
    s.perform(case_id, "record_hearing_report", {"content": "当事人对违法事实无异议", "recommendation": "维持原拟处罚"})
    assert "record_hearing_report" not in offered(world, case_id, world.officer_a)
    assert "record_hearing_report" not in offered(world, case_id, world.reviewer)
    with pytest.raises(RuleViolation) as refused:
        s.perform(case_id, "record_hearing_report", {"content": "又一份", "recommendation": "维持"})
    assert "hearing_reported" in rules_of(refused.value)


def test_a_remedy_outcome_is_offered_only_while_a_remedy_is_pending(world, tmp_path):
    case_id, _ = steps.paid_case(world, tmp_path)
    s = world.as_(world.officer_a)
    assert "record_remedy_outcome" not in offered(world, case_id, world.officer_a)
    s.perform(case_id, "record_remedy", {"kind": "reconsideration", "body": "惠州市市场监督管理局"})
    assert "record_remedy_outcome" in offered(world, case_id, world.officer_a)
    s.perform(case_id, "record_remedy_outcome", {"kind": "reconsideration", "outcome": "upheld", "reference": "惠市监复决〔2025〕3号"})
    assert "record_remedy_outcome" not in offered(world, case_id, world.officer_a)
    with pytest.raises(RuleViolation) as refused:
        s.perform(case_id, "record_remedy_outcome", {"kind": "reconsideration", "outcome": "upheld", "reference": "又一份"})
    assert "no_remedy_pending" in rules_of(refused.value)


@pytest.mark.gui
def test_the_workspace_offers_no_button_for_a_step_done(world, qtbot):
    from PySide6.QtWidgets import QPushButton

    from enforcement_app.ui.worker import ServiceThread
    from enforcement_app.ui.workspace import CaseWorkspace

    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.notified_and_waived(world, case_id)
    worker = ServiceThread(world.services.path, clock=world.clock)
    try:
        got = []
        worker.logged_in.connect(got.append)
        worker.login("zhangming", "secret-pass-1")
        qtbot.waitUntil(lambda: bool(got), timeout=10_000)
        workspace = CaseWorkspace(worker)
        qtbot.addWidget(workspace)
        workspace.open(case_id)
        qtbot.waitUntil(lambda: bool(workspace.view), timeout=10_000)
        assert workspace.findChild(QPushButton, "action_record_statement") is not None  # the workspace did list the stage's steps
        assert workspace.findChild(QPushButton, "action_waive_rights") is None
        assert "已于2025-03-10书面放弃" in workspace.blocked.toPlainText()
    finally:
        worker.shutdown()
