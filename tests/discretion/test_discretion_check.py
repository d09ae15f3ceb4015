"""Checking a proposed fine against an assessment."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enforcement_app.domain.discretion import CaseFacts, assess, check_penalty, shipped_library
from enforcement_app.domain.money import yuan
from enforcement_app.domain.penalties import PartyKind
from enforcement_app.domain.policy import policy_on
from enforcement_app.domain.refusals import RuleViolation

DAY = date(2024, 5, 6)
POLICY = policy_on(DAY)


def fire(party=PartyKind.ORGANISATION, *circumstances):
    return assess(shipped_library(), "fire_protection_60_1_3", CaseFacts(party, DAY, circumstances=circumstances), POLICY)


def test_fine_inside_the_recommended_range_is_accepted_without_reason():
    check = check_penalty(fire(), yuan(20000))  # general: 18,500–36,500
    assert check.accepted and not check.deviation and not check.legal_review
    assert "在建议幅度" in check.messages[0]


@pytest.mark.parametrize("amount", ["18499.99", "36500.01", "5000"])
def test_fine_outside_the_recommended_range_needs_a_reason_and_legal_review(amount):
    refused = check_penalty(fire(), yuan(amount))
    assert not refused.accepted and refused.deviation
    assert refused.refusals[0].rule == "benchmark_deviation_reason"
    with pytest.raises(RuleViolation, match="书面说明理由"):
        refused.raise_if_refused()
    accepted = check_penalty(fire(), yuan(amount), "当事人积极整改，已消除隐患")
    assert accepted.accepted and accepted.deviation and accepted.legal_review
    assert any("benchmark deviation" in m for m in accepted.messages)


def test_fine_below_the_statutory_minimum_is_mitigation_needing_a_reason():
    assert not check_penalty(fire(), yuan("4999.99")).accepted
    check = check_penalty(fire(), yuan("4999.99"), "主动消除危害后果")
    assert check.accepted and check.legal_review
    assert "低于法定最低限" in check.messages[0]


def test_mitigation_the_law_commands_is_no_deviation_and_needs_no_reason():
    """行政处罚法第三十二条: 应当从轻或者减轻 — below the statutory minimum is what the law allows (issue #15), not a
    deviation to be argued; above the lighter grade is refused whatever the reason."""
    a = fire(PartyKind.ORGANISATION, "eliminated_harm", "meritorious_cooperation")
    below = check_penalty(a, yuan(3000))
    assert below.accepted and below.mitigated and not below.deviation
    above = check_penalty(a, yuan(40000), "两项法定减轻情节")
    assert not above.accepted and [r.rule for r in above.refusals] == ["mandatory_mitigation"]
    assert above.refusals[0].article == "行政处罚法第三十二条"


@given(st.integers(min_value=1, max_value=10**9), st.text(min_size=0, max_size=5))
def test_above_the_statutory_maximum_is_always_refused_even_with_a_reason(excess, reason):
    check = check_penalty(fire(), yuan(50000) + excess, reason)
    assert not check.accepted
    assert any(r.rule == "fine_above_statutory_maximum" and "《消防法》第六十条" in r.message for r in check.refusals)


def test_no_fine_for_an_individual_is_the_statutory_warning_alternative():
    assert check_penalty(fire(PartyKind.PERSON), None).accepted
    no_fine = check_penalty(fire(), None)  # an organisation must be fined
    assert not no_fine.accepted and no_fine.deviation


def test_responsible_person_fine_is_checked_against_its_own_range():
    a = assess(shipped_library(), "work_safety_97_3_overdue", CaseFacts(PartyKind.ORGANISATION, DAY), POLICY)
    assert check_penalty(a, yuan(140000), responsible_person_fine=yuan(30000)).accepted  # 29,000–41,000
    assert not check_penalty(a, yuan(140000), responsible_person_fine=yuan(50001)).accepted
    assert a.major.applies and check_penalty(a, yuan(140000)).legal_review


def test_negative_fine_is_refused():
    assert check_penalty(fire(), -1).refusals[0].rule == "negative_fine"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_engine_yuan_formatting_agrees_with_money_format_yuan(amount):
    from enforcement_app.domain.discretion.engine import format_yuan as engine_format
    from enforcement_app.domain.money import format_yuan

    assert engine_format(amount) == format_yuan(amount)
