"""Every refused transition named in the foundation and review issues, each through the services."""

from __future__ import annotations

import pytest
import steps
from conftest import signed_in
from steps import rules_of

from enforcement_app.domain.refusals import InvalidInput, PermissionDenied, RuleViolation


@pytest.fixture
def filed(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    return case_id


def test_inspection_needs_two_officers(world, filed):
    with pytest.raises(RuleViolation) as refused:
        steps.inspect(world, filed, officers=[world.officer_a.id])
    assert "two_officers" in rules_of(refused.value)
    assert "第四十二条" in str(refused.value)


def test_inspection_needs_certificates_valid_on_the_day(world, filed):
    expired = signed_in(world.services, "admin").register_officer(
        {"name": "孙过期", "login": "sunguoqi", "password": "secret-pass-1", "roles": ["officer"],
         "certificates": [{"certificate_no": "44139999", "area": "区", "valid_from": "2020-01-01", "valid_to": "2025-03-01"}]}
    )
    with pytest.raises(RuleViolation) as refused:
        steps.inspect(world, filed, officers=[world.officer_a.id, expired.id])
    assert "certificate_invalid" in rules_of(refused.value)
    assert "孙过期" in str(refused.value)


def test_inquiry_needs_certificates_shown(world, filed):
    s = world.as_(world.officer_a)
    with pytest.raises(RuleViolation) as refused:
        s.perform(filed, "record_inquiry", {
            "started_at": "2025-03-05T09:00", "ended_at": "2025-03-05T10:00", "place": "询问室",
            "officers": [world.officer_a.id, world.officer_b.id], "recorder": "李华", "certificates_shown": False,
            "rights_notified": True, "person": {"name": "刘某"}, "qa": [{"q": "问", "a": "答"}]})
    assert "certificates_not_shown" in rules_of(refused.value)
    assert "第五十五条" in str(refused.value)


def test_no_investigation_before_filing(world):
    case_id = steps.lead(world, world.company)
    with pytest.raises(RuleViolation) as refused:
        steps.inspect(world, case_id)
    assert "stage" in rules_of(refused.value)


def test_limitation_period_checked_at_filing(world):
    case_id = steps.lead(world, world.company, act_date="2022-12-01")  # more than 2 years before 2025-03-03
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.head).perform(case_id, "approve_filing", {})
    assert "limitation_period" in rules_of(refused.value)
    assert "第三十六条" in str(refused.value)
    # no number was spent on the refused approval
    assert world.services.db.execute("SELECT COUNT(*) FROM case_number").fetchone()[0] == 0
    # five years where life, health or financial safety is involved and harm was done
    other = steps.lead(world, world.company, act_date="2022-12-01", life_health_finance=True)
    steps.file(world, other)


def test_head_approval_never_from_a_handler(world):
    both = signed_in(world.services, "admin").register_officer(
        {"name": "钱兼任", "login": "qianjr", "password": "secret-pass-1", "roles": ["officer", "agency_head"],
         "certificates": [{"certificate_no": "44138888", "area": "区", "valid_from": "2024-01-01", "valid_to": "2028-01-01"}]}
    )
    case_id = signed_in(world.services, "qianjr").register_lead({
        "source": "complaint", "act_date": "2025-02-01", "cause": "c", "summary": "s", "party_id": world.company.id,
        "handlers": [both.id, world.officer_b.id]})
    signed_in(world.services, "qianjr").perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    with pytest.raises(RuleViolation) as refused:
        signed_in(world.services, "qianjr").perform(case_id, "approve_filing", {})
    assert "approver_is_handler" in rules_of(refused.value)


def test_no_decision_before_notice(world, filed):
    steps.inspect(world, filed)
    steps.report(world, filed, fine_yuan=50000)
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, filed, fine_yuan=50000)
    assert "notice_required" in rules_of(refused.value)
    assert "第四十四条" in str(refused.value)


def test_no_decision_before_notice_served(world, filed):
    steps.inspect(world, filed)
    steps.report(world, filed, fine_yuan=50000)
    world.as_(world.officer_a).perform(filed, "issue_prior_notice", {
        "penalty_kinds": ["fine"], "fine_fen": 5_000_000, "facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "b"})
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, filed, fine_yuan=50000, kinds=("fine",))
    assert "notice_not_served" in rules_of(refused.value)


def test_statement_must_be_reexamined_and_waiver_closes_the_window(world, filed):
    steps.inspect(world, filed)
    steps.report(world, filed, fine_yuan=50000)
    steps.notice(world, filed, fine_yuan=50000)
    s = world.as_(world.officer_a)
    s.perform(filed, "record_statement", {"form": "written", "by": "黄某", "content": "请求减轻处罚"})
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, filed, fine_yuan=50000)
    assert "reexamination_required" in rules_of(refused.value)
    s.perform(filed, "record_reexamination", {"adopted": False, "conclusion": "不予采纳"})
    s.perform(filed, "waive_rights", {"written": True, "statement": "放弃听证"})
    steps.decide(world, filed, fine_yuan=50000)


def test_no_heavier_penalty_than_notified(world, filed):
    """行政处罚法第四十四条、第六十二条: 作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据 — the
    decision holds nothing the notice did not state. With no statement made, Art. 45 is not what is broken."""
    steps.inspect(world, filed)
    steps.notified_and_waived(world, filed)
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, filed, fine_yuan=60000)
    refusal = next(r for r in refused.value.refusals if r.rule == "heavier_than_notified")
    assert refusal.article == "行政处罚法第四十四条、第六十二条" and "第四十四条、第六十二条" in refusal.message
    assert "第四十五条" not in refusal.message
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, filed, fine_yuan=50000, kinds=("fine", "order_suspension"))
    assert "heavier_than_notified" in rules_of(refused.value)


def test_a_lighter_kind_the_notice_did_not_state_is_refused_too(world, filed):
    """A warning ranks below the notified fine, but the party was never told of it: a new notice is needed."""
    steps.inspect(world, filed)
    steps.notified_and_waived(world, filed)
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, filed, fine_yuan=50000, kinds=("warning", "fine", "confiscate_illegal_property"))
    refusal = next(r for r in refused.value.refusals if r.rule == "heavier_than_notified")
    assert "告知书未载明的处罚种类“警告”" in refusal.message and "应重新告知" in refusal.message


def test_after_a_statement_article_45_is_cited_with_44_and_62(world, filed):
    """第四十五条第二款: 行政机关不得因当事人陈述、申辩而给予更重的处罚."""
    steps.inspect(world, filed)
    steps.report(world, filed, fine_yuan=50000)
    steps.notice(world, filed, fine_yuan=50000)
    s = world.as_(world.officer_a)
    s.perform(filed, "record_statement", {"form": "written", "by": "黄某", "content": "请求减轻处罚"})
    s.perform(filed, "record_reexamination", {"adopted": False, "conclusion": "不予采纳"})
    s.perform(filed, "waive_rights", {"written": True, "statement": "放弃听证"})
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, filed, fine_yuan=60000)
    refusal = next(r for r in refused.value.refusals if r.rule == "heavier_than_notified")
    assert refusal.article == "行政处罚法第四十四条、第六十二条、第四十五条第二款"
    assert "不得因当事人陈述、申辩而给予更重的处罚（行政处罚法第四十五条第二款）" in refusal.message


def test_notice_must_carry_hearing_right_when_the_penalty_qualifies(world, filed):
    steps.inspect(world, filed)
    steps.report(world, filed, fine_yuan=100000)
    s = world.as_(world.officer_a)
    payload = {"penalty_kinds": ["fine"], "fine_fen": 10_000_000, "facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "b", "hearing_right": False}
    with pytest.raises(RuleViolation) as refused:
        s.perform(filed, "issue_prior_notice", payload)
    assert "hearing_right" in rules_of(refused.value)
    # below the organisation threshold (100,000 yuan) no hearing right is required or added
    s.perform(filed, "issue_prior_notice", {**payload, "fine_fen": 9_999_999})
    assert world.as_(world.officer_a).view(filed).state.notice["hearing_right"] is False


def test_decision_contents_of_art_59(world, filed):
    steps.inspect(world, filed)
    steps.notified_and_waived(world, filed)
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, filed, fine_yuan=50000, evidence=[], basis="")
    assert "第五十九条" in str(refused.value)


def test_major_decision_blocked_until_review_approved(world, filed):
    steps.inspect(world, filed)
    steps.report(world, filed, fine_yuan=100000)  # ≥ 100,000 yuan on an organisation: major
    view = world.as_(world.officer_a).view(filed)
    assert view.major
    blocked = {a.kind: a for a in view.actions if not a.allowed}
    assert "legal_review_required" in {r.rule for r in blocked["make_decision"].reasons}


def test_roles_are_enforced(world, filed):
    with pytest.raises(PermissionDenied):
        world.as_(world.officer_a).perform(filed, "record_collective_discussion", {})
    with pytest.raises(PermissionDenied):
        world.as_(world.evaluator).perform(filed, "record_inspection", {})
    with pytest.raises(PermissionDenied):
        world.as_(world.officer_a).register_officer({"name": "x", "login": "x", "roles": ["admin"]})


def test_bad_party_numbers_are_refused_whole(world):
    s = world.as_(world.officer_a)
    with pytest.raises(InvalidInput) as refused:
        s.register_party({"kind": "person", "name": "某", "id_number": "110105194912310021"})
    assert "校验码" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        s.register_party({"kind": "organisation", "name": "某公司", "uscc": "91350100M000100Y44", "legal_representative": "x"})
    assert "校验码" in str(refused.value)
    assert world.services.db.execute("SELECT COUNT(*) FROM party").fetchone()[0] == 2


def test_case_numbers_are_never_reused(world):
    first = steps.lead(world, world.company)
    steps.file(world, first)
    second = steps.lead(world, world.person)
    steps.file(world, second)
    numbers = [world.as_(world.officer_a).view(c).state.case_no for c in (first, second)]
    assert numbers == ["仲高新市监罚字〔2025〕1号", "仲高新市监罚字〔2025〕2号"]


def test_a_rule_refusal_exits_1_and_malformed_input_exits_2_from_the_command_line(world, filed, monkeypatch):
    """A penalty the notice did not state is a rule of law checked while the form is read: exit 1, its article in
    the words printed. A date that is no date is malformed input: exit 2."""
    import io
    import json

    from conftest import password_of

    from enforcement_app.cli.main import main as cli

    steps.inspect(world, filed)
    steps.notified_and_waived(world, filed)
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", password_of("wangju"))
    payload = {"outcome": "penalty", "penalty_kinds": ["fine", "confiscate_illegal_property"], "fine_fen": 6_000_000,
               "facts": steps.FACTS, "facts_elements": steps.ELEMENTS, "violation": "《中华人民共和国食品安全法》第三十四条第（十）项",
               "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项", "discretion": "一般",
               "orders": "立即停止销售超过保质期的食品", "evidence": steps.records(world, filed)}

    def run(data) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli(["--db", str(world.services.path), "--user", "wangju", "do", filed, "make_decision", "--data",
                    json.dumps(data, ensure_ascii=False)], out=out, err=err)
        return code, err.getvalue()

    code, err = run(payload)
    assert code == 1 and "第四十四条、第六十二条" in err and "Traceback" not in err
    code, err = run({**payload, "fine_fen": 5_000_000, "on": "2025-13-45"})
    assert code == 2 and "on" in err
    assert world.services.current_state(filed).decision is None  # nothing recorded either way
