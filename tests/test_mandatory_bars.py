"""The law's 不予 and 应当 are not deviations (issue #15).

行政处罚法第三十条：“不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教；已满十四周岁不满十八周岁的
未成年人有违法行为的，应当从轻或者减轻行政处罚。”
第三十一条：“精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚……”
第三十二条：“当事人有下列情形之一，应当从轻或者减轻行政处罚……”
第三十三条：“违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。初次违法且危害后果轻微并及时改正的，可以不予
行政处罚。当事人有证据足以证明没有主观过错的，不予行政处罚。……”

A bar refuses a penalty whatever reason is written; a command refuses a fine above the lighter grade and allows one
below the statutory minimum (减轻) without calling it a deviation; 首违不罚 stays a “may”. The party's age on the act
date is read from the birth date in the ID number.
"""

from __future__ import annotations

import calendar
from datetime import date
from types import SimpleNamespace

import pytest
import steps
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from enforcement_app.domain.discretion import BaseKind, CaseFacts, assess, shipped_library
from enforcement_app.domain.discretion.engine import check_penalty
from enforcement_app.domain.identity import age_on, id_number_check_char
from enforcement_app.domain.penalties import PartyKind
from enforcement_app.domain.policy import policy_on
from enforcement_app.domain.procedure.proposal import age_bar, age_circumstances
from enforcement_app.domain.refusals import InvalidInput, RuleViolation

ACT = date(2025, 2, 20)  # the act date of steps.lead
# food_safety_124_1 with goods worth 120 yuan: 货值金额不足一万元的，并处五万元以上十万元以下罚款; the lighter grade is the
# first 30 % of the range (50,000–65,000 yuan), the general 30–70 % (65,000–85,000)
LIGHTER_CEILING_YUAN, STATUTORY_MIN_YUAN = 65_000, 50_000


def _id_number(born: date) -> str:
    first17 = f"441302{born:%Y%m%d}123"
    return first17 + id_number_check_char(first17)


def _person(world, born: date, name: str = "黄小明"):
    return world.as_(world.officer_a).register_party({"kind": "person", "name": name, "id_number": _id_number(born),
                                                      "address": "惠州市仲恺高新区惠风路8号", "phone": "13800000001"})


def _bench(*circumstances: str) -> dict:
    return {"entry": "food_safety_124_1", "bases": {"goods_value": "120", "illegal_income": "0"}, "circumstances": list(circumstances)}


def _refused(exc, rule: str):
    found = [r for r in exc.refusals if r.rule == rule]
    assert found, [(r.rule, r.message) for r in exc.refusals]
    return found[0]


def _report(world, case_id, fine_yuan: int, *circumstances: str, **extra):
    return steps.report(world, case_id, fine_yuan=fine_yuan, benchmark=_bench(*circumstances), **extra)


# --- 不予行政处罚: bars ------------------------------------------------------------------------------------


def test_a_child_under_14_on_the_act_date_is_not_penalised_even_when_nothing_is_ticked(world):
    """第三十条: 不满十四周岁的……不予行政处罚 — the ID number (born 1 March 2012) says 12 on 20 February 2025."""
    child = _person(world, date(2012, 3, 1))
    case_id = steps.investigated(world, child)
    before = [s.hash for s in world.services.current_state(case_id).steps]
    for extra in ({}, {"deviation": True}):  # a written reason changes nothing
        with pytest.raises((InvalidInput, RuleViolation)) as refused:
            _report(world, case_id, 50_000, **extra)
        bar = _refused(refused.value, "mandatory_no_penalty")
        assert bar.article == "行政处罚法第三十条" and "第三十条" in bar.message and "未满十四周岁" in bar.message and "12周岁" in bar.message
    with pytest.raises((InvalidInput, RuleViolation)) as unbenchmarked:  # no benchmark run: the age still bars it
        steps.report(world, case_id, fine_yuan=50_000)
    assert _refused(unbenchmarked.value, "mandatory_no_penalty").article == "行政处罚法第三十条"
    assert [s.hash for s in world.services.current_state(case_id).steps] == before  # nothing recorded

    inspection = [s.hash for s in world.services.current_state(case_id).steps if s.kind == "record_inspection"]
    _report(world, case_id, 0, outcome="no_penalty", kinds=(), no_penalty_ground="minor_under_14",
            guardian="已当面责令其父黄某加以管教，黄某签字确认", exemption_evidence=inspection,
            first_violation="", harm="", corrected_on="", correction="")
    report = world.services.current_state(case_id).report
    assert report["exemption_basis"] == "《中华人民共和国行政处罚法》第三十条"
    assert report["benchmark"]["grade"] == "no_penalty" and report["benchmark"]["deviation"] is False
    assert report["benchmark"]["derived_circumstances"] == ["minor_under_14"]  # read from the ID number, recorded


def test_an_adult_is_not_a_child_because_the_box_was_ticked(world):
    case_id = steps.investigated(world, world.person)  # born 31 December 1949
    with pytest.raises(InvalidInput) as refused:
        _report(world, case_id, 50_000, "minor_under_14")
    assert any(r.field == "benchmark.circumstances" and "75周岁" in r.message for r in refused.value.refusals)
    with pytest.raises(InvalidInput) as wrong_ground:
        _report(world, case_id, 0, outcome="no_penalty", kinds=(), no_penalty_ground="minor_under_14", guardian="g")
    assert any(r.field == "no_penalty_ground" and "已满十四周岁" in r.message for r in wrong_ground.value.refusals)


def test_a_child_is_not_penalised_on_the_spot_either(world):
    child = _person(world, date(2013, 5, 1))
    with pytest.raises((InvalidInput, RuleViolation)) as refused:
        world.as_(world.officer_a).record_simple_decision({
            "at": "2025-03-03T10:00", "place": "店内", "cause": "标签瑕疵经责令改正拒不改正", "cause_entry": "food_safety_125_2",
            "facts": "标签瑕疵，经责令改正拒不改正", "basis": "《中华人民共和国食品安全法》第一百二十五条第二款", "form_no": "No.1",
            "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True, "party_id": child.id,
            "penalty_kinds": ["warning"]})
    assert _refused(refused.value, "mandatory_no_penalty").article == "行政处罚法第三十条"


@pytest.mark.parametrize("circumstance, article", [
    ("mental_incapacity", "行政处罚法第三十一条"),
    ("minor_and_corrected", "行政处罚法第三十三条第一款"),
    ("no_subjective_fault", "行政处罚法第三十三条第二款"),
])
def test_a_bar_refuses_any_penalty_whatever_reason_is_written(world, circumstance, article):
    case_id = steps.investigated(world, world.person)
    for extra in ({}, {"deviation": True}):
        with pytest.raises((InvalidInput, RuleViolation)) as refused:
            _report(world, case_id, 50_000, circumstance, **extra)
        bar = _refused(refused.value, "mandatory_no_penalty")
        assert bar.article == article and article.removeprefix("行政处罚法") in bar.message
        assert "benchmark_deviation_reason" not in {r.rule for r in refused.value.refusals}  # not a deviation to be argued


def test_first_violation_stays_a_may_decided_with_a_written_reason(world):
    """第三十三条第一款第二句: 初次违法……可以不予行政处罚 — a fine leaves the benchmark's suggestion, with its reason."""
    case_id = steps.investigated(world, world.person)
    with pytest.raises(InvalidInput) as unexplained:
        _report(world, case_id, 50_000, "first_violation_exemption")
    assert "benchmark_deviation_reason" in {r.rule for r in unexplained.value.refusals}
    _report(world, case_id, 50_000, "first_violation_exemption", deviation=True)
    report = world.services.current_state(case_id).report
    assert report["benchmark_deviation"] is True and report["deviation_reason"]


# --- 应当从轻或者减轻: commands ----------------------------------------------------------------------------


@pytest.mark.parametrize("party_born, circumstance, article", [
    (date(2009, 6, 1), None, "行政处罚法第三十条"),  # 15 on the act date: read from the ID number
    (None, "eliminated_harm", "行政处罚法第三十二条"),  # 第（一）项: 主动消除或者减轻违法行为危害后果
])
def test_a_commanded_mitigation_caps_the_fine_at_the_lighter_grade_and_allows_going_below_the_minimum(world, party_born, circumstance, article):
    party = _person(world, party_born, "黄小军") if party_born else world.person
    case_id = steps.investigated(world, party)
    given = (circumstance,) if circumstance else ()
    for extra in ({}, {"deviation": True}):  # above the lighter grade: refused, not argued
        with pytest.raises((InvalidInput, RuleViolation)) as refused:
            _report(world, case_id, LIGHTER_CEILING_YUAN + 5_000, *given, **extra)
        cap = _refused(refused.value, "mandatory_mitigation")
        assert cap.article == article and "应当从轻或者减轻" in cap.message and f"{LIGHTER_CEILING_YUAN:,}.00元" in cap.message
    _report(world, case_id, LIGHTER_CEILING_YUAN, *given)  # the lighter grade's ceiling itself is allowed
    report = world.services.current_state(case_id).report
    assert report["benchmark_deviation"] is False and not report["benchmark"].get("mitigated")
    _report(world, case_id, STATUTORY_MIN_YUAN - 20_000, *given)  # 减轻: below the minimum, no reason asked
    report = world.services.current_state(case_id).report
    assert report["benchmark"]["mitigated"] is True and report["benchmark_deviation"] is False and not report.get("deviation_reason")


def test_a_mitigated_fine_goes_to_collective_discussion_by_policy(world):
    """Whether 减轻 needs the heads' collective discussion is the agency's policy (default on)."""
    teen = _person(world, date(2009, 6, 1), "黄小军")
    case_id = steps.investigated(world, teen)
    world.clock.set("2025-03-10T09:00")
    _report(world, case_id, 30_000)
    steps.notice(world, case_id, fine_yuan=30_000)
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    world.clock.set("2025-03-18T09:00")
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, case_id, fine_yuan=30_000)
    assert "减轻处罚" in _refused(refused.value, "collective_discussion_required").message
    world.as_(world.head).perform(case_id, "record_collective_discussion", {
        "participants": [world.head.id, world.head2.id], "opinions": "当事人系未成年人，同意减轻处罚", "conclusion": "同意减轻处罚"})
    steps.decide(world, case_id, fine_yuan=30_000)
    assert world.services.current_state(case_id).decision["fine_fen"] == 3_000_000


# --- the age, over every birth date and act date ------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(born=st.dates(date(1995, 1, 1), date(2021, 12, 31)), act=st.dates(date(2021, 9, 1), date(2026, 12, 31)))
def test_article_30_over_ages_and_dates(born, act):
    """The age on the act date decides: under 14 no penalty at all; 14 to 18 a fine no higher than the lighter grade,
    or below the minimum; 18 and over the benchmark as usual. 周岁 counts from the day after the birthday (法释〔2006〕1号
    第二条), a 29 February birthday falling on 28 February in a common year: checked against a count by days lived,
    independent of the code's month arithmetic."""
    assume(born <= act)
    party = SimpleNamespace(kind=PartyKind.PERSON, id_number=_id_number(born))

    def birthday(year: int) -> date:
        return date(year, 2, 28) if (born.month, born.day) == (2, 29) and not calendar.isleap(year) else born.replace(year=year)

    expected = sum(1 for year in range(born.year + 1, act.year + 1) if birthday(year) < act)
    assert age_on(born, act) == expected
    circumstances, problems = age_circumstances(party, act, ())
    assert problems == []
    facts = CaseFacts(PartyKind.PERSON, act, act, {BaseKind.GOODS_VALUE: 12_000, BaseKind.ILLEGAL_INCOME: 0}, circumstances)
    assessment = assess(shipped_library(), "food_safety_124_1", facts, policy_on(act))
    low, high = assessment.statutory_range.low, assessment.statutory_range.high
    middle = (low + high) // 2  # in the general grade
    general = check_penalty(assessment, middle, "书面理由")
    below = check_penalty(assessment, low - 100_00, "书面理由")
    if expected < 14:
        assert [r.rule for r in general.refusals] == ["mandatory_no_penalty"] and "第三十条" in general.refusals[0].article
        assert age_bar(party, act) and not below.accepted
    elif expected < 18:
        assert [r.rule for r in general.refusals] == ["mandatory_mitigation"] and not age_bar(party, act)
        assert below.accepted and below.mitigated and not below.deviation
    else:
        assert general.accepted and not general.deviation and circumstances == ()
        assert below.accepted and below.deviation  # an adult's 减轻 is a deviation with its reason, as before


def test_on_the_fourteenth_birthday_a_child_is_still_under_fourteen(world):
    """周岁 from the day after the birthday: an act on the fourteenth birthday is a child's (第三十条)."""
    child = _person(world, date(2011, 2, 20))  # fourteen on 20 February 2025, the act date of steps.lead
    case_id = steps.investigated(world, child)
    with pytest.raises((InvalidInput, RuleViolation)) as refused:
        _report(world, case_id, 50_000)
    assert "13周岁" in _refused(refused.value, "mandatory_no_penalty").message
