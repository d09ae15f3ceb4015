"""The circumstance-combination rule: worked examples and hypothesis properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enforcement_app.domain.discretion import BaseKind, CaseFacts, Grade, assess, combine, shipped_library
from enforcement_app.domain.discretion.circumstances import Effect
from enforcement_app.domain.penalties import PartyKind
from enforcement_app.domain.policy import policy_on
from enforcement_app.domain.refusals import InvalidInput

DAY = date(2024, 5, 6)
POLICY = policy_on(DAY)
LIB = shipped_library()
CATALOGUE = LIB.catalogue.circumstances


def grade_of(*ids: str) -> Grade:
    return combine(LIB.catalogue.get(i) for i in ids).grade


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ((), Grade.GENERAL),
        (("minor_under_14", "repeat_within_year", "obstructed_enforcement"), Grade.NO_PENALTY),  # step 1
        (("no_subjective_fault",), Grade.NO_PENALTY),
        (("first_violation_exemption",), Grade.NO_PENALTY),  # step 2
        (("first_violation_exemption", "repeat_within_year"), Grade.GENERAL),  # exemption blocked: 1 − 1
        (("minor_14_to_18", "eliminated_harm"), Grade.MITIGATED),  # step 3
        (("partial_capacity", "cooperated_investigation"), Grade.MITIGATED),
        (("minor_14_to_18",), Grade.LIGHTER),  # step 4: one circumstance is not enough for 减轻
        (("minor_14_to_18", "eliminated_harm", "repeat_within_year"), Grade.LIGHTER),  # aggravation blocks 减轻
        (("eliminated_harm", "repeat_within_year", "obstructed_enforcement", "harm_to_health"), Grade.LIGHTER),
        (("cooperated_investigation", "repeat_within_year"), Grade.GENERAL),  # step 5 nets out
        (("cooperated_investigation",), Grade.LIGHTER),
        (("repeat_within_year",), Grade.HEAVIER),
        (("partial_capacity", "repeat_within_year", "large_amount"), Grade.HEAVIER),
    ],
)
def test_combination_rule_examples(ids, expected):
    assert grade_of(*ids) is expected


circumstance_sets = st.sets(st.sampled_from(CATALOGUE), max_size=6)
aggravating = st.sampled_from([c for c in CATALOGUE if c.effect is Effect.HEAVIER])
lightening = st.sampled_from([c for c in CATALOGUE if c.effect is not Effect.HEAVIER])


@given(circumstance_sets, aggravating)
def test_adding_an_aggravating_circumstance_never_lowers_the_grade(present, extra):
    assert combine(present | {extra}).grade.rank >= combine(present).grade.rank


@given(circumstance_sets, lightening)
def test_adding_a_lightening_circumstance_never_raises_the_grade(present, extra):
    assert combine(present | {extra}).grade.rank <= combine(present).grade.rank


@given(st.permutations(list(CATALOGUE[:8])))
def test_order_of_circumstances_does_not_matter(ordering):
    assert combine(ordering) == combine(CATALOGUE[:8])


ENTRIES = [(entry, party) for _, entry in LIB.entries() for rule in entry.fines for party in rule.party_kinds]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ENTRIES),
    st.fixed_dictionaries({b: st.integers(min_value=100, max_value=10**11) for b in BaseKind}),
    circumstance_sets,
)
def test_recommendation_stays_in_the_statutory_range_unless_mitigated(entry_party, bases, present):
    entry, party = entry_party
    present = {c for c in present if party in c.party_kinds}
    facts = CaseFacts(party, DAY, bases=bases, circumstances=tuple(c.id for c in present))
    a = assess(LIB, entry.id, facts, POLICY)
    stat, rec = a.statutory_range, a.recommended_range
    assert a.grade is combine(present).grade
    if a.grade is Grade.NO_PENALTY:
        assert rec is None
    elif a.grade is Grade.MITIGATED and stat.low > 0:
        assert 0 <= rec.low <= rec.high < stat.low
    else:
        assert stat.low <= rec.low <= rec.high <= stat.high


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ENTRIES), st.integers(min_value=100, max_value=10**11), circumstance_sets, aggravating)
def test_engine_grade_and_upper_amount_are_monotone_in_aggravation(entry_party, base, present, extra):
    entry, party = entry_party
    present = {c for c in present if party in c.party_kinds}
    bases = {b: base for b in BaseKind}

    def run(cs):
        return assess(LIB, entry.id, CaseFacts(party, DAY, bases=bases, circumstances=tuple(c.id for c in cs)), POLICY)

    before, after = run(present), run(present | {extra})
    assert after.grade.rank >= before.grade.rank
    if before.recommended_range and after.recommended_range and after.grade is not before.grade:
        assert after.recommended_range.high >= before.recommended_range.high


def test_person_only_circumstance_is_refused_for_an_organisation():
    facts = CaseFacts(PartyKind.ORGANISATION, DAY, circumstances=("minor_14_to_18",))
    with pytest.raises(InvalidInput, match="只适用于公民"):
        assess(LIB, "advertising_57_1_advertiser", facts, POLICY)


def test_unknown_circumstance_is_refused_by_name():
    facts = CaseFacts(PartyKind.ORGANISATION, DAY, circumstances=("态度良好",))
    with pytest.raises(InvalidInput, match="未知情节：态度良好"):
        assess(LIB, "advertising_57_1_advertiser", facts, POLICY)


def test_circumstances_are_accepted_by_chinese_name():
    facts = CaseFacts(PartyKind.ORGANISATION, DAY, circumstances=("一年内因同一种违法行为受过行政处罚",))
    assert assess(LIB, "advertising_57_1_advertiser", facts, POLICY).grade is Grade.HEAVIER


def test_no_penalty_keeps_only_the_orders_and_says_why():
    facts = CaseFacts(PartyKind.PERSON, DAY, bases={BaseKind.GOODS_VALUE: 120000}, circumstances=("minor_under_14",))
    a = assess(LIB, "food_safety_124_1", facts, POLICY)
    assert a.grade is Grade.NO_PENALTY and a.recommended_range is None and not a.penalty_kinds
    assert [m.text for m in a.measures] == ["责令改正"]
    assert not a.hearing_right.applies and not a.major.applies and not a.simple_procedure.applies
    assert any("责令监护人加以管教" in line for line in a.explanation)
    assert any("《行政处罚法》第三十条" in line for line in a.explanation)


def test_mitigated_recommends_below_the_minimum_and_is_major_only_when_the_law_does_not_command_it():
    """减轻 by two circumstances of Art. 32 (应当从轻或者减轻) is the law's own result, no benchmark deviation (issue #15);
    减轻 by a circumstance the law only allows (Art. 31: 可以从轻或者减轻) stays a deviation the catalogue makes major."""
    facts = CaseFacts(PartyKind.ORGANISATION, DAY, circumstances=("eliminated_harm", "meritorious_cooperation"))
    a = assess(LIB, "fire_protection_60_1_3", facts, POLICY)
    assert a.grade is Grade.MITIGATED
    assert (a.recommended_range.low, a.recommended_range.high) == (0, 500000 - 1)
    assert not any("benchmark deviation" in r for r in a.major.reasons)
    allowed = CaseFacts(PartyKind.PERSON, DAY, bases={BaseKind.GOODS_VALUE: 12_000, BaseKind.ILLEGAL_INCOME: 0},
                        circumstances=("partial_capacity", "cooperated_investigation"))
    b = assess(LIB, "food_safety_124_1", allowed, POLICY)
    assert b.grade is Grade.MITIGATED and b.recommended_range.high == 5_000_000 - 1
    assert b.major.applies and any("benchmark deviation" in r for r in b.major.reasons)
