"""The cached reference data and imports: an import drops what its events project into, and the officers, agency,
policy, calendar, benchmarks and power list go together (one rebuild of all their streams, read by each event's kind).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from enforcement_app.domain.record import misplaced
from enforcement_app.services import Services
from enforcement_app.services.bundle_format import decode_events, encode_events
from enforcement_app.services.bundles import BundleError, ImportSummary, add_events


def _rows(services) -> list[tuple]:
    return services.db.execute("SELECT stream, parents, actor, device, at, kind, payload FROM event ORDER BY seq").fetchall()


def _imported(services: Services, rows: list[tuple]) -> None:
    """``rows`` folded in as the hub's ingest folds a round (one transaction, the services' caches kept after)."""
    problems: list[str] = []
    events = decode_events(encode_events(rows), problems)
    assert not problems, problems
    with services.transaction():
        add_events(services.system_session(), ImportSummary("", "", ""), events, Path("round"))
    services.forget_states()


def test_a_calendar_year_on_the_policys_stream_is_refused(world, tmp_path):
    """What an event projects into is decided by its kind, not by its stream: a calendar year that came on
    ``config/policy`` (an unsigned configuration event any trusted device may record) would change the calendar
    all the same. It is refused whole, as a misplaced case step is; on its own stream it is taken."""
    agency = Services(tmp_path / "agency.db", clock=world.clock)
    try:
        _imported(agency, _rows(world.services))
        assert not agency.reference.calendar().knows(2031)  # read, and cached
        before = len(_rows(world.services))
        world.as_(world.admin).import_calendar(2031, {"holidays": ["2031-10-01", "2031-10-02"], "workdays": []}, "国务院办公厅通知")
        (year,) = _rows(world.services)[before:]
        assert year[0] == "config/calendar"
        with pytest.raises(BundleError, match="应记在记录流 config/calendar，却在 config/policy"):
            _imported(agency, [("config/policy", *year[1:])])
        assert not agency.reference.calendar().knows(2031)
        _imported(agency, [year])
        assert agency.reference.calendar().knows(2031)
    finally:
        agency.close()


@pytest.mark.parametrize(("kind", "stream", "payload", "wrong"), [
    ("set_policy", "config/policy", {}, False), ("set_policy", "config/calendar", {}, True),
    ("register_officer", "officer/o1", {"id": "o1"}, False), ("update_officer", "officer/o2", {"id": "o1"}, True),
    ("register_party", "party/p1", {"id": "p1"}, False), ("register_party", "officer/p1", {"id": "p1"}, True),
    ("set_agency", "agency/a1", {"id": "a1"}, False), ("evaluate_case_file", "evaluation/c1", {"case": "c1"}, False),
    ("evaluate_case_file", "evaluation/c2", {"case": "c1"}, True), ("trust_device", "device/d1", {}, False),
    ("trust_device", "device/", {}, True), ("trust_device", "agency/d1", {}, True),
    ("issue_agency_certificate", "agency/a1", {}, False), ("record_inspection", "officer/o1", {}, True),
])
def test_each_kind_outside_a_case_has_its_own_stream(kind, stream, payload, wrong):
    assert bool(misplaced(stream, kind, payload)) is wrong


def test_dropping_one_of_the_rebuilt_tables_drops_them_all(world):
    reference = world.services.reference
    read = [reference.officers(), reference.agency(), reference.calendar(), reference.benchmarks(), reference.power_list_versions()]
    reference.invalidate("policy")
    again = [reference.officers(), reference.agency(), reference.calendar(), reference.benchmarks(), reference.power_list_versions()]
    assert [a is b for a, b in zip(read, again, strict=True)] == [False] * len(read)
    assert reference.calendar() is again[2]  # and kept again until the next change
