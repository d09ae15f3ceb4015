"""Careless or hostile configuration reaching the services (from the client, the command line or a script)
is refused by field, never with a traceback, and records nothing."""

from __future__ import annotations

import copy

import pytest

from enforcement_app.domain.refusals import InvalidInput
from enforcement_app.resources import load_json


def _events(world):
    return world.services.verify().events


@pytest.mark.parametrize("year, data, field", [
    (None, {"holidays": [], "workdays": []}, "year"),
    (float("inf"), {"holidays": [], "workdays": []}, "year"),
    (10**30, {"holidays": [], "workdays": []}, "year"),
    ("2031x", {"holidays": [], "workdays": []}, "year"),
    (True, {"holidays": [], "workdays": []}, "year"),
    (2031, ["2031-10-01"], "holidays"),
    (2031, {"holidays": [20311001], "workdays": []}, "holidays"),
    (2031, {"holidays": [{"day": "2031-10-01"}], "workdays": []}, "holidays"),
    (2031, {"holidays": ["2031-10-01"], "workdays": "2031-09-28"}, "workdays"),
    (2031, {"holidays": ["2032-10-01"], "workdays": []}, "holidays"),
    (2031, {"holidays": ["2031-10-01"], "workdays": ["2031-10-01"]}, "holidays"),
])
def test_a_hostile_calendar_is_refused_by_field(world, year, data, field):
    before = _events(world)
    with pytest.raises(InvalidInput) as refused:
        world.as_(world.admin).import_calendar(year, data, "通知")
    assert [r.field for r in refused.value.refusals] == [field]
    assert _events(world) == before


def _version(**changes):
    version = copy.deepcopy(load_json("agency", "policy.json")["versions"][0])
    version.update({"version": "local-2026", "effective_from": "2026-01-01"})
    for path, value in changes.items():
        target = version
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        target[last] = value
    return version


@pytest.mark.parametrize("changes, where", [
    ({"legal_review__days": float("inf")}, "legal_review.days"),
    ({"legal_review__days": 10**30}, "legal_review.days"),
    ({"legal_review__days": "1e400"}, "legal_review.days"),
    ({"legal_review": [10, "working"]}, "legal_review"),
    ({"hearing": "none"}, "hearing"),
    ({"hearing__fine_person_yuan": float("nan")}, "fine_person_yuan"),
    ({"hearing__fine_person_yuan": "9" * 30}, "fine_person_yuan"),
    ({"hearing__fine_person_yuan": {"yuan": 1}}, "fine_person_yuan"),
    ({"hearing__penalty_kinds": 7}, "penalty_kinds"),
    ({"major_decision__after_hearing": "no"}, "after_hearing"),
    ({"simple_procedure_min_officers": 2.5}, "simple_procedure_min_officers"),
    ({"inbox_deadline_horizon_days": -1}, "inbox_deadline_horizon_days"),
    ({"archive_no_pattern": "(unclosed"}, "archive_no_pattern"),
    ({"version": {"v": 1}}, "version"),
    ({"effective_to": "2025-01-01"}, "effective_to"),
])
def test_a_hostile_policy_version_is_refused_naming_the_field(world, changes, where):
    before = _events(world)
    with pytest.raises(InvalidInput) as refused:
        world.as_(world.admin).set_policy(_version(**changes))
    (refusal,) = refused.value.refusals
    assert refusal.field == "policy" and where in refusal.message
    assert _events(world) == before


def test_policy_versions_written_as_before_still_read(world):
    """Versions recorded before these checks held whole numbers as text or as 10.0; they still read."""
    admin = world.as_(world.admin)
    admin.set_policy(_version(legal_review__days="12", approval_answer_days=4.0))
    policy = world.services.policy_on(world.services.today().replace(year=2026, month=6, day=1))
    assert policy.legal_review.days == 12 and policy.approval_answer_days == 4
