"""Closing (结案): the handling officer's closing report, approved by a head who did not handle the case under
their personal signature, or returned with reasons; only the approval closes the case. A case an officer
closed alone, as earlier versions recorded it, still replays, verifies, travels and prints."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
import steps
from conftest import signed_in
from pypdf import PdfReader
from steps import rules_of

from enforcement_app.casefile import render_case_file
from enforcement_app.domain.procedure import ACTIONS, ActionKind
from enforcement_app.domain.refusals import InvalidInput, PermissionDenied, RuleViolation
from enforcement_app.services import Services


def _tasks(world, officer) -> dict:
    return {(i.case_id, i.task): i for i in world.as_(officer).inbox()}


def _pages(world, case_id) -> tuple[dict[str, int], list[str]]:
    reader = PdfReader(io.BytesIO(render_case_file(world.as_(world.evaluator).case_file_data(case_id)).pdf))
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    return outline, [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]


def test_closing_is_asked_by_the_handler_and_closed_only_by_a_heads_signed_approval(world, tmp_path):
    case_id, _ = steps.paid_case(world, tmp_path)
    officer, head = world.as_(world.officer_a), world.as_(world.head)
    with pytest.raises(RuleViolation) as refused:
        head.perform(case_id, "approve_closing", {})
    assert "no_closing_request" in rules_of(refused.value) and "提请结案审批" in str(refused.value)
    world.clock.set("2025-03-19T09:00")
    officer.perform(case_id, "request_closing", {"summary": "罚款已缴清，建议结案", "proposed_on": "2025-03-20"})
    state = officer.view(case_id).state
    assert state.stage == "execution" and state.closed_on is None  # asking closes nothing
    request = state.closing_request
    assert request["ground"] == "executed" and "罚款50,000.00元" in request["result"] and "NO.0001" in request["execution"]
    with pytest.raises(RuleViolation) as refused:
        officer.perform(case_id, "request_closing", {"summary": "再次提请"})
    assert "closing_requested" in rules_of(refused.value)
    item = _tasks(world, world.head)[(case_id, "approve_closing")]
    assert item.task_title == "批准结案" and "罚款已缴清" in item.detail and item.due.isoformat() == "2025-03-22"
    assert (case_id, "approve_closing") not in _tasks(world, world.officer_a)
    for who in (world.officer_a, world.officer_b):  # the handlers may not approve their own closing
        with pytest.raises(PermissionDenied):
            world.as_(who).perform(case_id, "approve_closing", {})
    world.clock.set("2025-03-20T10:00")
    digest = head.perform(case_id, "approve_closing", {"opinion": "同意结案"})
    state = officer.view(case_id).state
    assert state.stage == "closed" and state.closed_on.isoformat() == "2025-03-20" and state.closing_request is None
    approval = next(s for s in state.steps if s.hash == digest)
    assert approval.payload["request"] == next(s.hash for s in state.steps if s.kind == "request_closing")
    assert "sign_off" in approval.payload  # the head's personal signature
    assert (case_id, "approve_closing") not in _tasks(world, world.head)
    assert world.services.verify(deep=True).ok


def test_a_returned_closing_report_is_asked_again_and_both_forms_print(world, tmp_path):
    case_id, _ = steps.paid_case(world, tmp_path)
    officer = world.as_(world.officer_a)
    officer.perform(case_id, "request_closing", {"summary": "罚款已缴清，建议结案"})
    with pytest.raises(InvalidInput, match="退回理由不能为空"):
        world.as_(world.head).perform(case_id, "return_closing", {})
    world.as_(world.head).perform(case_id, "return_closing", {"reason": "缴款凭证原件未附卷，请补充后再报"})
    state = officer.view(case_id).state
    assert state.stage == "execution" and state.closing_request is None
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.head).perform(case_id, "approve_closing", {})
    assert "no_closing_request" in rules_of(refused.value)
    world.clock.set("2025-03-20T09:00")
    steps.close(world, case_id, "缴款凭证原件已附卷，罚款已缴清，建议结案", head=world.head2)
    outline, pages = _pages(world, case_id)
    returned, approved = pages[outline["结案审批表（退回）"]], pages[outline["结案审批表"]]
    assert "退回理由：缴款凭证原件未附卷" in returned and "王局长" in returned
    for needle in ("结案审批表", "处理结果", "给予行政处罚，没收非法财物、罚款50,000.00元", "执行情况", "缴款凭证NO.0001", "结案理由",
                   "行政处罚决定执行完毕", "拟结案日期", "缴款凭证原件已附卷", "同意结案", "结案日期：2025年3月20日", "赵副局长",
                   "44130001", "仲高新市监罚字〔2025〕1号"):
        assert needle in approved, needle
    sign_offs = world.as_(world.evaluator).case_file_data(case_id).sign_offs
    kinds = {s.hash: s.kind for s in officer.view(case_id).state.steps}
    for page, kind in ((returned, "return_closing"), (approved, "approve_closing")):
        seal = next(o for h, o in sign_offs.items() if kinds[h] == kind)
        assert seal.valid and f"密钥指纹{seal.fingerprint.replace(' ', '')}（已核验）" in page


def test_the_officers_own_closing_is_refused_now_and_not_offered(world, tmp_path):
    case_id, _ = steps.paid_case(world, tmp_path)
    officer = world.as_(world.officer_a)
    with pytest.raises(RuleViolation) as refused:
        officer.perform(case_id, "close_case", {"summary": "罚款已缴清，结案"})
    assert rules_of(refused.value) == {"retired"} and "提请结案审批" in str(refused.value) and "负责人" in str(refused.value)
    offered = {a.kind: a for a in officer.view(case_id).actions}
    assert "close_case" not in offered and offered["request_closing"].allowed
    assert officer.view(case_id).state.stage == "execution"


def test_approval_checks_again_what_made_the_case_closable(world, tmp_path):
    case_id, _ = steps.paid_case(world, tmp_path)
    officer = world.as_(world.officer_a)
    officer.perform(case_id, "request_closing", {"summary": "罚款已缴清，建议结案"})
    officer.perform(case_id, "request_approval", {"matter": "payment_deferral", "reason": "当事人申请", "days": 30})
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.head).perform(case_id, "approve_closing", {})
    assert "approval_pending" in rules_of(refused.value)


def test_a_case_its_officer_closed_before_closing_needed_approval_replays_verifies_travels_and_prints(world, tmp_path, monkeypatch):
    case_id, _ = steps.paid_case(world, tmp_path)
    with monkeypatch.context() as earlier:  # the declaration as it stood before it was retired
        earlier.setitem(ACTIONS, ActionKind.CLOSE_CASE, dataclasses.replace(ACTIONS[ActionKind.CLOSE_CASE], retired=""))
        world.as_(world.officer_a).perform(case_id, "close_case", {"summary": "罚款已缴清，结案"})
    assert ACTIONS[ActionKind.CLOSE_CASE].retired
    report = world.services.verify(deep=True)
    assert report.ok, report.problems  # an officer's close_case is no sign-off: nothing asks it for a signature
    path = world.services.path
    world.services.close()
    reopened = Services(path, clock=world.clock)  # folded again from the stored events
    try:
        state = signed_in(reopened, "zhangming").view(case_id).state
        assert state.stage == "closed" and state.closed_on.isoformat() == "2025-03-18"
        assert reopened.verify(deep=True).ok
        world.services = reopened
        outline, pages = _pages(world, case_id)
        page = pages[outline["结案审批表"]]
        assert "罚款已缴清，结案" in page and "未经负责人审批" in page and "张明" in page
        sheet = world.as_(world.evaluator).evaluation_sheet(case_id)
        assert not [f for line in sheet.lines for f in line.findings if "结案" in f.text]
        # and it travels: a new machine replays it by the rules it was recorded under
        target = Services(tmp_path / "office.db", clock=world.clock)
        try:
            bundle = tmp_path / "old.ecb"
            world.as_(world.officer_a).export_bundle(bundle, encrypt=False)
            target.system_session().import_bundle(bundle, trust_new=True)
            assert target.current_state(case_id).stage == "closed"
        finally:
            target.close()
    finally:
        reopened.close()
