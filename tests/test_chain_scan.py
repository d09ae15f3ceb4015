"""The range scan behind verify: split anywhere, merged in order, it finds what one scan of the whole
table finds — heads, counts and missing parents — also for histories with forks across the split."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
import steps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement_app.domain import record
from enforcement_app.store import chain_scan, events
from enforcement_app.store.database import open_database
from enforcement_app.store.integrity import verify_database

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))

# one step of a history: which stream, and how it attaches: to the heads, to an older event (a fork),
# or to a hash that was never recorded (a missing parent)
steps_strategy = st.lists(
    st.tuples(st.sampled_from(["caseA", "caseB", "caseC"]), st.sampled_from(["heads", "heads", "heads", "fork", "missing"]),
              st.integers(0, 50)),
    min_size=1,
    max_size=40,
)


def _record(db, history) -> None:
    recorded: dict[str, list[str]] = {}
    with db.atomic():
        for n, (stream, attach, pick) in enumerate(history):
            earlier = recorded.setdefault(stream, [])
            if attach == "fork" and earlier:
                parents = (earlier[pick % len(earlier)],)
            elif attach == "missing":
                parents = (f"{n:064x}",)
            else:
                parents = events.stream_heads(db, stream)
            event = record.Event(stream, parents, "officer1", "dev1", T0 + timedelta(minutes=n), "note", {"n": n})
            events.append(db, event)
            earlier.append(event.hash)
    steps.seal_as_the_device(db)


def _normal(scan: chain_scan.RangeScan, lookups, conn) -> tuple:
    heads = {s: frozenset({h} if isinstance(h, str) else h) for s, h in scan.heads.items()}
    missing = set()
    for s, seq, _digest, parent in lookups:
        found = conn.execute("SELECT stream, seq FROM event WHERE hash = ?", [parent]).fetchone()
        if found is None or found[0] != s or found[1] >= seq:
            missing.add((s, seq, parent))
    return heads, scan.counts, scan.count, scan.last_chain, scan.altered, scan.broken, missing


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("scan")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=steps_strategy, cuts=st.lists(st.integers(1, 40), max_size=4))
def test_split_scans_merge_to_the_whole(scratch, history, cuts):
    path = scratch / "h.db"
    path.unlink(missing_ok=True)
    db = open_database(path)
    _record(db, history)
    conn = db.conn
    hi = conn.execute("SELECT max(seq) FROM event").fetchone()[0]
    whole = _normal(*chain_scan.merge([chain_scan.scan(conn, 1, hi)]), conn)
    bounds = sorted({c for c in cuts if c <= hi})
    ranges = list(zip([1, *[b + 1 for b in bounds]], [*bounds, hi], strict=True))
    split = _normal(*chain_scan.merge([chain_scan.scan(conn, a, b) for a, b in ranges]), conn)
    assert split == whole
    # and the whole scan agrees with what the store recorded as each stream's heads
    recorded = {s: frozenset(h.split(",")) for s, h in conn.execute("SELECT stream, heads FROM stream_head")}
    assert whole[0] == recorded
    expected_missing = {(s, n + 1, f"{n:064x}") for n, (s, attach, _p) in enumerate(history) if attach == "missing"}
    assert whole[-1] == expected_missing
    report = verify_database(db, None)
    assert {(p.case, p.seq) for p in report.problems} == {(s, seq) for s, seq, _ in expected_missing}
    db.close()


def test_scan_uses_the_record_format():
    assert chain_scan.FORMAT == record.FORMAT
    assert chain_scan.GENESIS == record.GENESIS


def test_a_range_checks_its_first_link_against_the_row_before(tmp_path):
    db = open_database(tmp_path / "c.db")
    _record(db, [("caseA", "heads", 0)] * 6)
    db.close()
    conn = sqlite3.connect(tmp_path / "c.db")
    conn.execute("DROP TRIGGER event_no_delete")
    conn.execute("DELETE FROM event WHERE seq = 3")
    conn.commit()
    second = chain_scan.scan(conn, 4, 6)
    assert [seq for _s, seq, _h in second.broken] == [4]
