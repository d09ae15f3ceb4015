"""The service calls that the client and the CLI use instead of reaching into the database."""

from __future__ import annotations

import pytest

from enforcement_app.domain.refusals import InvalidInput, NotFound, RuleViolation
from enforcement_app.services import Services

PARTY = {"kind": "person", "name": "陈某", "id_number": "11010519491231002X", "address": "惠州市仲恺高新区惠风路2号"}


def _lead(world) -> dict:
    return {"source": "complaint", "act_date": "2025-02-20", "cause": "销售超过保质期的食品", "summary": "投诉",
            "handlers": [world.officer_a.id, world.officer_b.id]}


def _party_count(world) -> int:
    return world.services.db.execute("SELECT count(*) FROM party").fetchone()[0]


def test_a_party_and_its_case_are_opened_as_one_act(world):
    s = world.as_(world.officer_a)
    case_id = s.register_party_and_case(PARTY, _lead(world))
    view = s.view(case_id)
    assert view.state.party_name == "陈某"
    assert world.services.party(view.state.party_id).name == "陈某"
    assert _party_count(world) == 3


def test_a_refused_case_leaves_no_party_behind_in_the_database_or_in_memory(world):
    s = world.as_(world.officer_a)
    refused = {**_lead(world), "handlers": [world.officer_a.id]}  # one officer is not enough
    with pytest.raises(RuleViolation):
        s.register_party_and_case({**PARTY, "id": "party-refused"}, refused)
    assert _party_count(world) == 2
    with pytest.raises(NotFound):
        world.services.party("party-refused")  # read inside the rolled-back transaction, and forgotten with it


def test_an_on_the_spot_decision_with_a_new_party(world):
    s = world.as_(world.officer_a)
    spot = {"at": "2025-03-03T10:00", "place": "惠风路2号", "cause": "未按规定明码标价", "facts": "现场检查发现商品未标价",
            "basis": "《中华人民共和国食品安全法》第一百二十五条第二款", "form_no": "0001", "penalty_kinds": ["warning"],
            "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True, "party_signed": True}
    case_id = s.register_party_and_case(PARTY, spot, simple=True)
    assert s.view(case_id).state.case_no.startswith("仲高新市监罚字〔2025〕")


def test_the_first_bundle_of_a_new_machine_is_received_by_the_system(world, tmp_path):
    with Services(tmp_path / "new.db", clock=world.clock) as fresh:
        assert fresh.bundle_receiver("admin").actor.id == "system"
    assert world.services.bundle_receiver("admin").actor.login == "admin"
    with pytest.raises(NotFound):
        world.services.bundle_receiver("nobody")


def test_initialising_sets_agency_and_administrator_at_once_and_only_once(tmp_path):
    agency = {"name": "某局", "seal_name": "某局", "area": "某地", "case_no_prefix": "某罚字"}
    with Services(tmp_path / "new.db") as services:
        assert not services.is_initialised()
        with pytest.raises(InvalidInput):
            services.initialise(agency, {"name": "管理员", "login": "admin", "password": "short"})
        assert not services.is_initialised()  # the refused administrator left no agency behind
        admin = services.initialise(agency, {"name": "管理员", "login": "admin", "password": "long-enough-1"})
        assert services.is_initialised() and services.login("admin", "long-enough-1").actor == admin
        with pytest.raises(RuleViolation):
            services.initialise(agency, {"name": "另一管理员", "login": "admin2", "password": "long-enough-1"})


def test_cases_devices_and_peers_are_read_through_the_services(world, tmp_path):
    assert not world.services.has_cases()
    world.as_(world.officer_a).register_party_and_case(PARTY, _lead(world))
    assert world.services.has_cases()
    own = world.services.device_info()
    assert own["device_id"] == world.services.device_id and len(own["public_key"]) == 64 and own["fingerprint"]
    assert world.services.peers() == []
    world.as_(world.officer_a).export_bundle(tmp_path / "out.ecb", to_device="f" * 32, encrypt=False)
    assert [p["device_id"] for p in world.services.peers()] == ["f" * 32]
