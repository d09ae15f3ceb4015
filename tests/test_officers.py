"""Officers change over time: roles, qualification, certificates revoked or added, accounts closed —
each change an event, each with its effect on what the procedure allows."""

from __future__ import annotations

import pytest
import steps

from enforcement_app.domain.refusals import InvalidInput, NotFound, PermissionDenied, RuleViolation


def test_a_revoked_certificate_stops_the_officer_investigating(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    admin = world.as_(world.admin)
    admin.update_officer(world.officer_b.id, {"certificate_status": {"certificate_no": "44130002", "status": "revoked", "on": "2025-03-05"}})
    with pytest.raises(RuleViolation) as refused:
        steps.inspect(world, case_id, at="2025-03-05T10:00")  # on the day of the revocation
    assert "李华" in str(refused.value)
    admin.update_officer(world.officer_b.id, {"add_certificate": {"certificate_no": "44130002B", "area": "仲恺高新区",
                                                                  "valid_from": "2025-03-01", "valid_to": "2029-02-28"}})
    steps.inspect(world, case_id, at="2025-03-05T10:00")
    kinds = [row[0] for row in world.services.db.execute("SELECT kind FROM event WHERE stream = ? ORDER BY seq", [f"officer/{world.officer_b.id}"])]
    assert kinds == ["register_officer", "update_officer", "update_officer"]


def test_roles_and_qualification_change_what_a_user_may_do(world):
    admin = world.as_(world.admin)
    admin.update_officer(world.unqualified.id, {"legal_qualification": True})
    assert world.services.officers()[world.unqualified.id].legal_qualification
    admin.update_officer(world.evaluator.id, {"roles": ["evaluator", "officer"]})
    assert {r.value for r in world.services.officers()[world.evaluator.id].roles} == {"evaluator", "officer"}
    with pytest.raises(InvalidInput):
        admin.update_officer(world.evaluator.id, {"roles": []})
    with pytest.raises(InvalidInput):
        admin.update_officer(world.evaluator.id, {"roles": ["dictator"]})


def test_a_closed_account_cannot_log_in_and_only_administrators_change_officers(world):
    with pytest.raises(PermissionDenied):
        world.as_(world.officer_a).update_officer(world.officer_b.id, {"active": False})
    world.as_(world.admin).update_officer(world.officer_b.id, {"active": False})
    with pytest.raises(NotFound):
        world.services.session("lihua")
    with pytest.raises(PermissionDenied):
        world.services.login("lihua", "secret-pass-1")
    with pytest.raises(InvalidInput):
        world.as_(world.admin).update_officer(world.admin.id, {"active": False})  # not oneself
    with pytest.raises(InvalidInput):
        world.as_(world.admin).update_officer(world.officer_a.id, {})


def test_a_revocation_does_not_reach_back(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id, at="2025-03-04T10:00")
    before = world.as_(world.evaluator).evaluation_sheet(case_id)
    world.clock.set("2025-06-01T09:00")
    world.as_(world.admin).update_officer(world.officer_b.id, {"certificate_status": {"certificate_no": "44130002", "status": "revoked"}})
    after = world.as_(world.evaluator).evaluation_sheet(case_id)
    line = {x.item.id: x for x in after.lines}["content_officers"]
    assert line.suggestion.score == {x.item.id: x for x in before.lines}["content_officers"].suggestion.score == 6
    assert "44130002" in line.evidence
    lihua = world.services.officers()[world.officer_b.id]
    assert lihua.certificate_on(world.clock().date()) is None  # but from 1 June on it is gone
