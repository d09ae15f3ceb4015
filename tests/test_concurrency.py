"""Two users at once: writes start as writers, waits are bounded and end in a clear refusal, and a long-lived
process judges actions on the officers and certificates as another process left them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import steps
from conftest import signed_in

from enforcement_app.domain.refusals import RuleViolation
from enforcement_app.services import Services
from enforcement_app.store.database import DatabaseBusy

ROOT = Path(__file__).resolve().parent.parent


def test_a_write_waits_for_another_programs_write_and_gives_up_with_a_clear_refusal(world):
    case_id = steps.investigated(world, world.company)
    before = world.services.db.execute("SELECT count(*) FROM event").fetchone()[0]
    other = sqlite3.connect(world.services.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    world.services.db.execute("PRAGMA busy_timeout = 200")
    try:
        with pytest.raises(DatabaseBusy) as busy:
            steps.inspect(world, case_id, at="2025-03-05T10:00")
        assert isinstance(busy.value, RuleViolation) and "稍后重试" in busy.value.refusals[0].message
    finally:
        other.rollback()
        other.close()
    assert world.services.db.execute("SELECT count(*) FROM event").fetchone()[0] == before
    steps.inspect(world, case_id, at="2025-03-05T10:00")  # once the other write is done, the same act goes through


def test_a_read_begun_before_another_programs_write_does_not_doom_the_next_write(world):
    """The old failure: a transaction that read, then wrote, after another connection committed in between
    raised 'database is locked' at once, whatever the busy timeout."""
    case_id = steps.investigated(world, world.company)
    second = Services(world.services.path, clock=world.clock)
    try:
        first_session = world.as_(world.officer_a)
        with world.services.transaction():
            world.services.current_state(case_id)  # a read inside the transaction
            # meanwhile another connection cannot write: the first transaction is already the writer
            with pytest.raises(DatabaseBusy):
                second.db.execute("PRAGMA busy_timeout = 50")
                signed_in(second, world.officer_b.login).perform(case_id, "record_inspection", _inspection(world, "2025-03-05T08:00"))
            first_session.perform(case_id, "record_inspection", _inspection(world, "2025-03-05T09:00"))
        second.db.execute("PRAGMA busy_timeout = 5000")
        signed_in(second, world.officer_b.login).perform(case_id, "record_inspection", _inspection(world, "2025-03-05T08:00"))
    finally:
        second.close()
    assert world.services.verify().ok


def _inspection(world, at: str) -> dict:
    return {"started_at": at, "ended_at": at[:11] + "11:30", "place": "店内", "officers": [world.officer_a.id, world.officer_b.id],
            "certificates_shown": True, "findings": "货架检查"}


def test_a_revoked_certificate_is_seen_by_a_process_that_cached_it(world):
    case_id = steps.investigated(world, world.company)
    laptop = Services(world.services.path, clock=world.clock)
    try:
        session = signed_in(laptop, world.officer_a.login)
        session.perform(case_id, "record_inspection", _inspection(world, "2025-03-05T08:00"))  # caches the officers
        cert = world.services.officers()[world.officer_b.id].certificates[0].certificate_no
        world.as_(world.admin).update_officer(world.officer_b.id, {"certificate_status": {"certificate_no": cert, "status": "revoked",
                                                                                           "on": "2025-03-05"}})
        with pytest.raises(RuleViolation) as refused:
            session.perform(case_id, "record_inspection", _inspection(world, "2025-03-05T09:00"))
        assert "certificate_invalid" in steps.rules_of(refused.value)
        world.as_(world.admin).update_officer(world.officer_a.id, {"active": False})
        with pytest.raises(RuleViolation) as refused:
            session.perform(case_id, "record_sampling", {**_inspection(world, "2025-03-05T10:00"), "items": "酸奶"})
        assert "inactive_user" in steps.rules_of(refused.value)
    finally:
        laptop.close()


WRITER = textwrap.dedent("""
    import json, sys
    from datetime import datetime
    from enforcement_app.domain.handwriting import handwritten_entry, scribble
    from enforcement_app.services import Services
    from enforcement_app.services.api import CHINA
    path, login, case_id, officers, n = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), int(sys.argv[5])
    clock = lambda: datetime(2025, 3, 6, 12, 0, tzinfo=CHINA)
    with Services(path, clock=clock) as services:
        session = services.session(login)  # inspections are not sign-offs: no password needed
        done = 0
        for k in range(n):
            p = {"started_at": f"2025-03-06T{8 + k // 60:02d}:{k % 60:02d}", "ended_at": "2025-03-06T11:59", "place": "店内",
                 "officers": officers, "certificates_shown": True, "findings": f"第{k}次检查", "present": "店主"}
            p["signatures"] = [handwritten_entry("record_inspection", p, who, name, scribble(name), "2025-03-06T12:00:00+08:00")
                              for who, name in (("present", "店主"), ("officer", "张明"), ("officer", "李华"))]
            session.perform(case_id, "record_inspection", p)
            done += 1
        print(done)
""")


def test_two_processes_recording_at_the_same_moment_both_finish(world):
    first = steps.investigated(world, world.company)
    second = steps.lead(world, world.person)
    steps.file(world, second)
    world.services.close()
    officers = json.dumps([world.officer_a.id, world.officer_b.id])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(world.services.path), world.officer_a.login, case, officers, "40"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for case in (first, second)]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert out.strip() == "40"
    with Services(world.services.path) as services:
        assert services.verify().ok
        for case, before in ((first, 1), (second, 0)):
            state = services.current_state(case)
            assert sum(1 for s in state.steps if s.kind == "record_inspection") == before + 40
