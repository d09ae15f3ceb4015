"""Statute history and 从旧兼从轻 (行政处罚法第三十七条, issue #15).

“实施行政处罚，适用违法行为发生时的法律、法规、规章的规定。但是，作出行政处罚决定时，法律、法规、规章已被修改或者废止，
且新的规定处罚较轻或者不认为是违法的，适用新的规定。”

Each entry carries the day the statute wording it encodes took effect (shared/domain/statute-history.md): an act
after that day is assessed even though the benchmark set was published later; where the wording changed (安全生产法
第九十四条 of 2014, 第九十七条 of 2021) the entry holds both and the lighter applies.
"""

from __future__ import annotations

from datetime import date

import pytest
import steps
from hypothesis import given, settings
from hypothesis import strategies as st

from enforcement_app.domain.discretion import BaseKind, CaseFacts, assess, shipped_library
from enforcement_app.domain.discretion.engine import severity_key
from enforcement_app.domain.discretion.library import UnknownEntry
from enforcement_app.domain.penalties import PartyKind
from enforcement_app.domain.policy import policy_on

LIBRARY = shipped_library()
POLICY = policy_on(date(2025, 1, 1))
FOOD = {BaseKind.GOODS_VALUE: 12_000, BaseKind.ILLEGAL_INCOME: 0}


def test_an_act_before_the_set_under_wording_already_in_force_is_assessed():
    """食品安全法第一百二十四条's range has stood since 2015-10-01: an act of June 2020 is assessed, not refused."""
    assert LIBRARY.set_for("food_safety_124_1", date(2020, 6, 1)) is None  # no set was in force then
    a = assess(LIBRARY, "food_safety_124_1", CaseFacts(PartyKind.ORGANISATION, date(2020, 6, 1), date(2025, 3, 1), FOOD), POLICY)
    now = assess(LIBRARY, "food_safety_124_1", CaseFacts(PartyKind.ORGANISATION, date(2025, 1, 1), date(2025, 3, 1), FOOD), POLICY)
    assert a.statutory_range == now.statutory_range and a.penalty_basis == now.penalty_basis
    with pytest.raises(UnknownEntry) as before:  # before the 2015 revision took effect: not this wording
        assess(LIBRARY, "food_safety_124_1", CaseFacts(PartyKind.ORGANISATION, date(2015, 5, 1), date(2015, 9, 1), FOOD), POLICY)
    assert "2015-05-01" in str(before.value)


def test_the_earlier_wording_applies_unless_the_new_one_is_lighter():
    """安全生产法: an act of June 2021 decided in October 2021 is fined under the 2014 Art. 94 (五万元以下), lighter than
    the 2021 Art. 97 (十万元以下); an act after 1 September 2021 under Art. 97."""
    old = assess(LIBRARY, "work_safety_97_1", CaseFacts(PartyKind.ORGANISATION, date(2021, 6, 1), date(2021, 10, 1)), POLICY)
    assert old.penalty_basis == "《安全生产法》第九十四条第（一）项" and old.statutory_range.high == 5_000_000
    assert any("从旧兼从轻" in line and "第三十七条" in line and "第九十四条" in line for line in old.explanation)
    new = assess(LIBRARY, "work_safety_97_1", CaseFacts(PartyKind.ORGANISATION, date(2021, 10, 1), date(2021, 10, 2)), POLICY)
    assert new.penalty_basis == "《安全生产法》第九十七条第（一）项" and new.statutory_range.high == 10_000_000
    overdue = assess(LIBRARY, "work_safety_97_1_overdue", CaseFacts(PartyKind.ORGANISATION, date(2021, 6, 1), date(2021, 10, 1)), POLICY)
    assert (overdue.statutory_range.low, overdue.statutory_range.high) == (5_000_000, 10_000_000)
    assert overdue.responsible_person is not None and overdue.responsible_person.statutory_range.high == 2_000_000


@settings(max_examples=60, deadline=None)
@given(act=st.dates(date(2014, 12, 1), date(2021, 8, 31)), later=st.integers(min_value=0, max_value=2000))
def test_the_lighter_of_the_two_wordings_is_always_the_one_applied(act, later):
    decided = max(date.fromordinal(act.toordinal() + later), date(2021, 7, 15))  # under the 2021 行政处罚法
    chosen = assess(LIBRARY, "work_safety_97_3", CaseFacts(PartyKind.ORGANISATION, act, decided), POLICY)
    assert chosen.penalty_basis.startswith("《安全生产法》第九十四条")  # the 2014 range is the lighter, whenever decided
    present = assess(LIBRARY, "work_safety_97_3", CaseFacts(PartyKind.ORGANISATION, date(2021, 9, 1), max(decided, date(2021, 9, 1))), POLICY)
    assert severity_key(chosen) <= severity_key(present)


def test_a_case_of_an_act_before_the_set_goes_through_the_procedure(world):
    """A food case (5 years' limitation: 涉及公民生命健康安全, Art. 36) of an act in March 2021, filed in 2025."""
    case_id = steps.lead(world, world.company, act_date="2021-03-01", life_health_finance=True)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    steps.report(world, case_id, fine_yuan=70000, benchmark={"entry": "food_safety_124_1", "bases": {"goods_value": "120", "illegal_income": "0"}})
    benchmark = world.services.current_state(case_id).report["benchmark"]
    assert benchmark["penalty_basis"] == "《食品安全法》第一百二十四条第一款" and benchmark["statutory_range_fen"] == [5_000_000, 10_000_000]
