"""The hub's catch-up of a case for a laptop that began recording in it (network/fanout.py, db/0024), on a real
database and a stand-in for the hub's TODEV: a page a round within the round's budget, the files of a page before its
events, and a page whose files cannot go kept for later without holding up the other cases."""

from __future__ import annotations

import asyncio

import pytest
import steps

from enforcement_app.network import fanout, hub
from enforcement_app.store import outbox as outbox_store


class Todev:
    """What the fan-out publishes, as (subject, Nats-Msg-Id)."""

    def __init__(self):
        self.published: list[tuple[str, str]] = []

    async def publish_async(self, subject, body, *, wait_stall, stream, headers):
        self.published.append((subject, headers["Nats-Msg-Id"]))
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


def _owed(db, device: str, case: str) -> None:
    with db.conn:
        db.execute("INSERT INTO fanout_case_catch_up (device, stream, upto) VALUES (?, ?, ?)",
                   [device, case, outbox_store.last_seq(db)])


def _rows(db) -> list[tuple]:
    return db.execute("SELECT device, stream, done, failures FROM fanout_case_catch_up ORDER BY device").fetchall()


@pytest.fixture
def two_cases(world, tmp_path):
    """Two investigated cases, one with a photo (its file in the store)."""
    first = steps.investigated(world)
    world.clock.set("2025-03-04T12:00")
    photo = tmp_path / "photo.png"
    steps.png(photo, 3)
    world.as_(world.officer_a).add_evidence(first, photo, steps.photo_details(world))
    second = steps.investigated(world)
    return first, second


def test_a_case_goes_a_page_a_round_and_its_row_goes_when_all_is_sent(world, two_cases):
    db = world.services.db
    first, _ = two_cases
    _owed(db, "laptop", first)
    owed = len(outbox_store.case_history(db, first, "laptop", 0, outbox_store.last_seq(db), 10_000))
    todev, files = Todev(), []

    async def put(device, rows):
        files.append((device, [r[1] for r in rows]))
        return sum(r[2] for r in rows), ()

    scopes = {"laptop": hub.FIELD}
    rounds = 0
    while _rows(db):
        asyncio.run(fanout.catch_up_cases(db, todev, scopes, put, batch=4))
        rounds += 1
        assert rounds < 50
    assert rounds == -(-owed // 4) and len(todev.published) == owed  # four a round, each once
    assert len({m for _, m in todev.published}) == owed and all(s.startswith("to.laptop.") for s, _ in todev.published)
    (device, shas), = files
    assert device == "laptop" and len(shas) == 1 and world.services.evidence.has(shas[0])


def test_a_page_whose_files_cannot_go_waits_and_the_other_cases_go_on(world, two_cases):
    db = world.services.db
    first, second = two_cases
    _owed(db, "laptop", first)
    _owed(db, "other", second)
    todev = Todev()

    async def put(device, rows):
        return 0, ("证据文件不在本机证据库中",)

    result = asyncio.run(fanout.catch_up_cases(db, todev, {"laptop": hub.FIELD, "other": hub.FIELD}, put))
    assert result.problems and "证据文件不在本机证据库中" in result.problems[0]
    assert not any(s.startswith("to.laptop.") for s, _ in todev.published)  # nothing of the page without its file
    assert any(s.startswith("to.other.") for s, _ in todev.published)  # the other case went
    assert _rows(db) == [("laptop", first, 0, 1)]
    # a device no longer enrolled is owed nothing
    asyncio.run(fanout.catch_up_cases(db, todev, {}, put))
    assert _rows(db) == []
