"""Every forbidden cell of the role × action matrix is refused by the services."""

from __future__ import annotations

import json

import pytest
import steps
from conftest import signed_in

from enforcement_app.cli.main import main as cli
from enforcement_app.domain.officers import Role
from enforcement_app.domain.permissions import Permissions
from enforcement_app.domain.procedure import ACTIONS
from enforcement_app.domain.refusals import PermissionDenied

MATRIX = Permissions.default()
CASE_ACTIONS = [p for p in MATRIX if p.action in ACTIONS and ACTIONS[p.action].stages]
FORBIDDEN = [(p.action, role) for p in CASE_ACTIONS for role in Role if role not in p.roles]


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory):
    from conftest import make_world

    w = make_world(tmp_path_factory.mktemp("permissions") / "cases.db")
    yield w
    w.services.close()


@pytest.fixture(scope="module")
def case_and_users(shared_world):
    world = shared_world
    case_id = steps.lead(world, world.company)
    admin = signed_in(world.services, "admin")
    users = {}
    for role in Role:
        users[role] = admin.register_officer({"name": f"单一{role.value}", "login": f"only_{role.value}", "roles": [role.value], "password": "secret-pass-1",
                                              "legal_qualification": True,
                                              "certificates": [{"certificate_no": f"C-{role.value}", "area": "区", "valid_from": "2024-01-01", "valid_to": "2028-01-01"}]})
    return case_id, users


@pytest.mark.parametrize(("action", "role"), FORBIDDEN, ids=[f"{a}-{r.value}" for a, r in FORBIDDEN])
def test_forbidden_cell_is_refused(shared_world, case_and_users, action, role):
    case_id, users = case_and_users
    with pytest.raises(PermissionDenied) as refused:
        signed_in(shared_world.services, users[role].login).perform(case_id, action, {})
    assert refused.value.refusals[0].rule == "role"


def test_handler_only_actions_refuse_other_officers(shared_world, case_and_users):
    case_id, users = case_and_users
    with pytest.raises(PermissionDenied) as refused:
        signed_in(shared_world.services, users[Role.OFFICER].login).perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    assert refused.value.refusals[0].rule == "handler_only"


@pytest.mark.parametrize("method", ["register_officer", "set_agency", "set_policy"])
def test_admin_only_reference_data(world, method):
    with pytest.raises(PermissionDenied):
        getattr(world.as_(world.officer_a), method)({})


def test_show_json_lists_the_review_requirement_among_blocked_actions(world, capsys):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    steps.report(world, case_id, fine_yuan=150000)
    path = str(world.services.path)
    assert cli(["--db", path, "--user", "zhangming", "show", case_id, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    decision = next(b for b in data["blocked_actions"] if b["action"] == "make_decision")
    review = [r for r in decision["reasons"] if r["rule"] == "legal_review_required"]
    assert review and "第五十八条" in review[0]["article"] and "100,000.00元" in review[0]["message"]
    assert data["major_decision"]
