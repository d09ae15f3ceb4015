"""Each procedural action is declared once, and everything that speaks of actions agrees with the declarations:
the permission matrix, the inbox, the client's forms and the typed payloads. Hostile payloads are refused by
field, never with a traceback."""

from __future__ import annotations

import dataclasses
import json

import pytest
import steps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement_app.domain.case import CaseState
from enforcement_app.domain.officers import Role
from enforcement_app.domain.permissions import Permissions
from enforcement_app.domain.procedure import ACTIONS, ActionKind, payload_of
from enforcement_app.domain.procedure.payload import PayloadTypeError, check_recorded, decode
from enforcement_app.domain.refusals import RuleViolation
from enforcement_app.resources import load_json
from enforcement_app.services.inbox import TASKS


def test_every_action_kind_is_declared_exactly_once():
    assert set(ACTIONS) == set(ActionKind)
    assert all(isinstance(a.kind, ActionKind) and a.kind == k for k, a in ACTIONS.items())
    assert len({a.title for a in ACTIONS.values()}) == len(ACTIONS), "two actions share one Chinese name"


def test_the_permission_matrix_is_the_declarations_plus_the_non_procedural_actions():
    matrix = Permissions.default()
    for kind, act in ACTIONS.items():
        spec = matrix[kind]
        assert (spec.title, spec.roles, spec.handler_only) == (act.title, act.roles, act.handler_only)
    assert not set(load_json("permissions.json")["actions"]) & set(ACTIONS), "a procedural action is spelled twice"
    with pytest.raises(ValueError, match="由程序声明"):
        Permissions({"format": "permissions/1", "actions": {"make_decision": {"title": "x", "roles": ["admin"]}}},
                    [matrix["make_decision"]])


def test_inbox_tasks_are_looked_for_in_every_stage_their_action_allows():
    declared = {k: a for k, a in ACTIONS.items() if a.inbox is not None}
    assert set(TASKS) == set(declared)
    for kind, (role, stages, due_rule) in TASKS.items():
        assert (role, set(stages), due_rule) == (declared[kind].inbox.role, set(declared[kind].stages), declared[kind].inbox.due_rule)


def test_payload_declarations_are_typed_dataclasses_with_distinct_fields():
    for act in ACTIONS.values():
        assert dataclasses.is_dataclass(act.payload) and act.payload.__dataclass_params__.frozen
        names = [f.name for f in dataclasses.fields(act.payload)]
        assert len(names) == len(set(names))
        decode(act.payload, {})  # every field has a default: old records that lack a field still read


def test_a_recorded_payload_with_an_undeclared_or_mistyped_field_is_caught():
    inquiry = ACTIONS[ActionKind.RECORD_INQUIRY].payload
    with pytest.raises(PayloadTypeError, match="未声明"):
        check_recorded(inquiry, {"recorder": "张明", "invented": 1})
    with pytest.raises(PayloadTypeError, match="officers"):
        check_recorded(inquiry, {"officers": "zhangming"})
    assert decode(inquiry, {"officers": ["a", "b"], "recorder": 7}).officers == ("a", "b")


@pytest.mark.gui
def test_the_clients_forms_ask_only_for_declared_fields():
    from enforcement_app.ui.forms import FORMS

    # the correction form asks for one item and its new text, which the workspace turns into ``changes``
    client_side = {ActionKind.CORRECT_RECORD: {"field", "value"}}
    for kind, fields in FORMS.items():
        assert kind in ACTIONS, f"a form for an undeclared action: {kind}"
        declared = ACTIONS[kind].payload.field_names()
        for field in fields:
            key = field.key.removesuffix("_yuan") + "_fen" if field.key.endswith("_yuan") else field.key
            assert key in declared or field.key in client_side.get(kind, set()), f"{kind}: the form asks for {field.key}"
            reading = dict(ACTIONS[kind].payload.readings()).get(field.key)
            if field.kind == "choice" and reading is not None and reading.how == "choice":
                assert [code for code, _ in field.options] == list(reading.options), f"{kind}.{field.key}: other options than declared"


def test_every_step_of_a_walked_case_reads_back_as_its_typed_payload(world):
    case_id = steps.investigated(world, world.company)
    state = world.services.current_state(case_id)
    for step in state.steps:
        typed = payload_of(step)
        assert type(typed) is ACTIONS[step.kind].payload
    inspection = next(payload_of(s) for s in state.steps if s.kind == ActionKind.RECORD_INSPECTION)
    assert len(inspection.officers) == 2 and inspection.started_at.year == 2025


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30) | st.floats(allow_nan=True)
    | st.text(max_size=12) | st.sampled_from(["2026-13-01", "2025-03-05T10:00+08:00", "2025-03-05", "\x00", "1e400"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """A context to judge payloads in, and two states: a blank one and an investigated case."""
    from conftest import make_world

    w = make_world(tmp_path_factory.mktemp("declarations") / "cases.db")
    case_id = steps.investigated(w, w.company)
    state = w.services.current_state(case_id)
    head = w.services.officers()[w.head.id]
    ctx = w.services.context(head, party=w.services.party(w.company.id))
    yield ctx, [CaseState(id="blank"), state]
    w.services.close()


@pytest.mark.parametrize("kind", list(ActionKind))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_payloads_are_refused_by_field_never_with_a_traceback(judged, kind, data):
    ctx, states = judged
    act = ACTIONS[kind]
    keys = sorted(act.payload.field_names() | {"fine_yuan", "amount_yuan", "benchmark", "person", "qa", "checklist", "changes"})
    raw = data.draw(st.dictionaries(st.sampled_from(keys), JSON, max_size=6))
    for state in states:
        try:
            clean = act.validate(state, ctx, raw)
        except RuleViolation as refused:
            assert refused.refusals and all(r.message for r in refused.refusals)
        else:
            check_recorded(act.payload, clean)
            json.dumps(clean, ensure_ascii=False)  # what is recorded is plain JSON


def test_a_number_where_a_list_is_expected_names_the_field(world):
    case_id = steps.investigated(world, world.company)
    world.clock.set("2025-03-06T12:00")
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.officer_a).perform(case_id, "record_inspection", {
            "started_at": "2025-03-06T09:00", "ended_at": "2025-03-06T10:00", "place": "店内", "officers": 7,
            "certificates_shown": True, "findings": "货架"})
    assert [r.field for r in refused.value.refusals if "列表" in r.message] == ["officers"]


def test_a_moment_with_an_offset_is_china_time_and_compares_with_one_without(world):
    case_id = steps.investigated(world, world.company)
    officers = [world.officer_a.id, world.officer_b.id]
    world.clock.set("2025-03-06T12:00")
    digest = world.as_(world.officer_a).perform(case_id, "record_inspection", {
        "started_at": "2025-03-06T01:00+00:00", "ended_at": "2025-03-06T10:00", "place": "店内", "officers": officers,
        "certificates_shown": True, "findings": "货架"})
    step = next(s for s in world.services.current_state(case_id).steps if s.hash == digest)
    assert step.payload["started_at"] == "2025-03-06T09:00"


def test_roles_of_the_declarations_are_roles():
    assert all(a.roles and a.roles <= set(Role) for a in ACTIONS.values())


def test_every_record_that_needs_signers_is_an_action_that_keeps_them():
    """resources/law/signers.json names actions whose payload declares its signatures, and only roles known."""
    from enforcement_app.domain.handwriting import SIGNER_ZH, signer_rules

    rules = signer_rules()
    assert set(rules) == {k for k, a in ACTIONS.items() if "signatures" in a.payload.field_names()}
    for rule in rules.values():
        assert rule.rows() and set(rule.rows()) <= set(SIGNER_ZH)
