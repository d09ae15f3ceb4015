"""The outbox: a real app database (the test world) as a device enrolled at a hub, each with its own nats-server on
127.0.0.1. Events go from SQLite onto the device's OUT stream in the order stored, each once, as a bundle carries it;
the mark survives restarts of the app and of the server; a crash between publishing and moving the mark only
republishes; a stream that lost its store is filled again; and what the device published reaches the hub's EVENTS.
The sync thread publishes at start, when woken after a write, and when another connection has committed."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time

import nats
import pytest
import steps
from network_support import wait_for

from enforcement_app.network import hub, outbox, streams, sync
from enforcement_app.services import Services
from enforcement_app.services.bundle_format import decode_events
from enforcement_app.store import outbox as outbox_store

pytestmark = pytest.mark.network
LINK = 45.0  # a source made while its link was down retries after 30 s (design note, pitfall 1)


def recorded(services) -> list[tuple]:
    """Every event of the database, (seq, hash, …) in the order stored."""
    db = outbox_store.connect(services.path)
    try:
        return outbox_store.events_after(db, 0, 1 << 30)
    finally:
        db.close()


def mark_of(services) -> outbox_store.Mark:
    db = outbox_store.connect(services.path)
    try:
        return outbox_store.mark(db, streams.OUT)
    finally:
        db.close()


async def held(js, stream: str) -> list[tuple[str, str, bytes]]:
    """(subject, Nats-Msg-Id, data) of every message ``stream`` holds, in its order."""
    state = (await js.stream_info(stream)).state
    messages = [await js.get_msg(stream, seq) for seq in range(state.first_seq, state.last_seq + 1)] if state.messages else []
    return [(m.subject, (m.headers or {}).get("Nats-Msg-Id"), m.data) for m in messages]


def assert_each_once_in_order(messages, events, device: str) -> None:
    """The messages are the events, each once, in the order stored: on its subject, under its hash, and as the
    bytes a bundle carries (decoded by the bundle reader, the hash recomputed from the bytes that arrived)."""
    assert [m[1] for m in messages] == [e[1] for e in events]
    assert [m[0] for m in messages] == [streams.event_subject(device, e[2]) for e in events]
    problems: list[str] = []
    arrived = decode_events(b"".join(m[2] for m in messages), problems)
    assert problems == [] and [a.hash for a in arrived] == [e[1] for e in events]
    assert [(a.stream, a.kind, a.payload_bytes) for a in arrived] == [(e[2], e[7], bytes(e[8])) for e in events]


@contextlib.asynccontextmanager
async def clients(hub_dir, hub_server, d):
    """A client of the device's own server and the hub's own client (its ingest service's identity)."""
    local = await nats.connect(d.server.client_url, connect_timeout=5)
    central = await nats.connect(hub_server.client_url, nkeys_seed_str=hub.service_seed(hub_dir), connect_timeout=5)
    try:
        yield local.jetstream(), central.jetstream()
    finally:
        await local.close()
        await central.close()


async def hub_holds(hub_js, count: int) -> list[tuple[str, str, bytes]]:
    """EVENTS once it holds ``count`` messages (within LINK seconds), and still after half a second more."""
    deadline = time.monotonic() + LINK
    while (await hub_js.stream_info(streams.EVENTS)).state.messages < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # and nothing more comes
    return await held(hub_js, streams.EVENTS)


class Killed(Exception):
    pass


def link(hub_server, d) -> None:
    streams.wait_for_link(hub_server, d.id, LINK)
    streams.wait_for_link(d.server, "hub", LINK)


def test_events_recorded_before_the_device_server_is_up_reach_its_stream_and_the_hub_once_it_is(linked, world):
    hub_dir, hub_server, d = linked
    steps.lead(world, world.company)
    steps.lead(world, world.person)
    events = recorded(world.services)
    assert len(events) > 7 and mark_of(world.services) == (0, 0)
    d.start(hub_dir, hub_server)
    link(hub_server, d)

    async def run():
        async with clients(hub_dir, hub_server, d) as (local, central):
            published = await outbox.publish_pending(world.services, local, d.id, batch=7)
            assert published == outbox.Published(sent=len(events), duplicates=0, upto=events[-1][0])
            assert_each_once_in_order(await held(local, streams.OUT), events, d.id)
            await streams.ensure_sources(central, [d.id])
            assert_each_once_in_order(await hub_holds(central, len(events)), events, d.id)
            assert await outbox.publish_pending(world.services, local, d.id) == outbox.Published(0, 0, events[-1][0])

    asyncio.run(asyncio.wait_for(run(), 2 * LINK))
    assert mark_of(world.services) == (events[-1][0], len(events))


def test_the_mark_survives_a_restart_of_the_app_and_of_the_device_server(linked, world):
    hub_dir, hub_server, d = linked
    steps.lead(world, world.company)
    d.start(hub_dir, hub_server)

    async def publish() -> tuple[outbox.Published, list]:
        async with clients(hub_dir, hub_server, d) as (local, _central):
            return await outbox.publish_pending(world.services, local, d.id), await held(local, streams.OUT)

    first, _ = asyncio.run(asyncio.wait_for(publish(), LINK))
    before = recorded(world.services)
    assert first.sent == len(before) and first.duplicates == 0
    world.services.close()  # the app ends, and its server with it
    d.server.stop()
    d.start(hub_dir, hub_server)  # the same store folder
    world.services = Services(world.services.path, clock=world.clock)
    again, out = asyncio.run(asyncio.wait_for(publish(), LINK))
    assert again == outbox.Published(sent=0, duplicates=0, upto=before[-1][0])  # nothing republished, not even for dedup
    assert_each_once_in_order(out, before, d.id)
    steps.lead(world, world.person)
    after = recorded(world.services)
    more, out = asyncio.run(asyncio.wait_for(publish(), LINK))
    assert more == outbox.Published(sent=len(after) - len(before), duplicates=0, upto=after[-1][0]) and more.sent > 0
    assert_each_once_in_order(out, after, d.id)


def test_a_crash_between_publishing_and_moving_the_mark_republishes_and_the_hub_holds_each_event_once(linked, world, monkeypatch):
    """The stream acknowledged a batch but the mark did not move (the app died in between): the next round sends
    that batch again. Within JetStream's dedup window (2 minutes, design note pitfall 3) the device's OUT takes the
    copies as duplicates and stores nothing twice, so the hub's EVENTS, sourcing OUT, holds each event once. After
    that window a republish would store copies; the real guard is the UNIQUE event hash at the hub's ingest, which
    this test does not reach."""
    hub_dir, hub_server, d = linked
    steps.lead(world, world.company)
    events = recorded(world.services)
    assert len(events) > 10  # a third batch after the two the crash concerns
    d.start(hub_dir, hub_server)
    link(hub_server, d)
    advance, calls = outbox_store.advance, []

    def dies_at_the_second_batch(db, stream, upto):
        calls.append(upto)
        if len(calls) == 2:
            raise Killed("the app is killed after the acknowledgements, before the mark moves")
        advance(db, stream, upto)

    monkeypatch.setattr(outbox_store, "advance", dies_at_the_second_batch)

    async def run():
        async with clients(hub_dir, hub_server, d) as (local, central):
            await streams.ensure_sources(central, [d.id])
            with pytest.raises(Killed):
                await outbox.publish_pending(world.services, local, d.id, batch=5)
            assert mark_of(world.services) == (events[4][0], 5)  # the first batch's mark, not the second's
            assert [m[1] for m in await held(local, streams.OUT)] == [e[1] for e in events[:10]]  # yet both were stored
            again = await outbox.publish_pending(world.services, local, d.id, batch=5)
            assert again == outbox.Published(sent=len(events) - 5, duplicates=5, upto=events[-1][0])
            assert_each_once_in_order(await held(local, streams.OUT), events, d.id)
            assert_each_once_in_order(await hub_holds(central, len(events)), events, d.id)

    asyncio.run(asyncio.wait_for(run(), 2 * LINK))


def test_a_device_server_that_lost_its_store_gets_every_event_again(linked, world):
    hub_dir, hub_server, d = linked
    steps.lead(world, world.company)
    events = recorded(world.services)
    d.start(hub_dir, hub_server)

    async def publish() -> tuple[outbox.Published, list]:
        async with clients(hub_dir, hub_server, d) as (local, _central):
            return await outbox.publish_pending(world.services, local, d.id), await held(local, streams.OUT)

    assert asyncio.run(asyncio.wait_for(publish(), LINK))[0].sent == len(events)
    d.server.stop()
    shutil.rmtree(d.folder / "jetstream")  # a new disk, or a store cut short by a power failure before it synced
    d.start(hub_dir, hub_server)
    again, out = asyncio.run(asyncio.wait_for(publish(), LINK))
    assert again == outbox.Published(sent=len(events), duplicates=0, upto=events[-1][0])
    assert_each_once_in_order(out, events, d.id)
    assert mark_of(world.services) == (events[-1][0], len(events))


def out_messages(server) -> int:
    """How many messages the server's OUT holds (its monitor: no client needed beside the sync thread's)."""
    details = server.monitor("jsz?streams=true").get("account_details", [])
    return sum(s["state"]["messages"] for a in details for s in a.get("stream_detail", []) if s["name"] == streams.OUT)


@pytest.fixture
def syncing(linked, world):
    """The device's server running and a sync thread on it that looks at the database only when woken (its poll
    is longer than any wait here); stopped after."""
    hub_dir, hub_server, d = linked
    steps.lead(world, world.company)  # recorded before the thread starts
    d.start(hub_dir, hub_server)
    thread = sync.Sync(world.services, d.id, d.server.client_url, poll=600)
    thread.start()
    try:
        yield thread, d
    finally:
        thread.stop()  # refused if the thread does not end


def test_the_sync_thread_publishes_at_start_and_when_woken_after_a_write(syncing, world):
    thread, d = syncing
    before = recorded(world.services)
    wait_for("what was recorded before the thread started, in OUT", lambda: out_messages(d.server) == len(before), 10)
    assert thread.error is None and thread.published == outbox.Published(len(before), 0, before[-1][0])
    steps.lead(world, world.person)
    after = recorded(world.services)
    thread.wake()  # as the client does after a write
    wait_for("the new case's events in OUT", lambda: out_messages(d.server) == len(after), 5)
    assert thread.error is None and thread.published.upto == after[-1][0]
    assert mark_of(world.services) == (after[-1][0], len(after))


def test_the_sync_thread_publishes_what_another_connection_committed_without_being_woken(linked, world):
    hub_dir, hub_server, d = linked
    d.start(hub_dir, hub_server)
    thread = sync.Sync(world.services.path, d.id, d.server.client_url, poll=0.1)
    thread.start()
    try:
        before = recorded(world.services)
        wait_for("the record in OUT", lambda: out_messages(d.server) == len(before), 10)
        steps.lead(world, world.company)  # the world's services: another connection than the thread's
        after = recorded(world.services)
        assert len(after) > len(before)
        wait_for("the new case's events in OUT, unwoken", lambda: out_messages(d.server) == len(after), 10)
    finally:
        thread.stop()


def test_the_sync_thread_says_why_a_round_failed_and_keeps_the_mark(linked, world):
    hub_dir, hub_server, d = linked
    d.start(hub_dir, hub_server)
    url = d.server.client_url
    d.server.stop()  # nothing answers at the address the thread was given
    thread = sync.Sync(world.services, d.id, url, poll=600, retry=0.1)
    thread.start()
    try:
        wait_for("the failure, said", lambda: thread.error, 15)
        assert "ConnectionRefusedError" in thread.error and "正在重连" in thread.error
        assert thread.published is None and mark_of(world.services) == (0, 0)
    finally:
        thread.stop()


def _mark_left_by_a_lost_tail(services, mark: outbox_store.Mark) -> None:
    """The outbox mark as the events of a stream's lost tail had left it (the stream no longer holds them)."""
    db = outbox_store.connect(services.path)
    try:
        outbox_store.advance(db, streams.OUT, mark)
    finally:
        db.close()


def _after_publishing_a_lead(linked, world, then) -> None:
    """A lead recorded and published into the device's ``OUT``, then ``then(local, device, events)`` (a coroutine
    function) on a client of the device's server."""
    hub_dir, hub_server, d = linked
    steps.lead(world, world.company)
    events = recorded(world.services)
    d.start(hub_dir, hub_server)

    async def run():
        async with clients(hub_dir, hub_server, d) as (local, _central):
            assert (await outbox.publish_pending(world.services, local, d.id)).sent == len(events)
            await then(local, d.id, events)

    asyncio.run(asyncio.wait_for(run(), LINK))


def test_a_stream_cut_short_after_the_devices_word_on_a_file_is_taken_back_to_its_last_event(linked, world):
    """The stream holds less than the mark says (its tail lost in a power failure) and its last messages are the
    device's words that it holds files (:func:`outbox.tell_held`), which name no event: the mark goes back to the
    last event the stream holds, not to the start (which would send every event again)."""

    async def then(local, device, events):
        await outbox.tell_held(local, device, [("01" * 32, "ab" * 32), ("02" * 32, "cd" * 32)])
        _mark_left_by_a_lost_tail(world.services, outbox_store.Mark(events[-1][0], len(events) + 5))
        again = await outbox.publish_pending(world.services, local, device)
        assert again == outbox.Published(sent=0, duplicates=0, upto=events[-1][0])
        out = await held(local, streams.OUT)
        assert [(m[1], m[2]) for m in out[len(events):]] == [("held." + "01" * 32, b"ab" * 32), ("held." + "02" * 32, b"cd" * 32)]
        assert_each_once_in_order(out[:len(events)], events, device)
        assert mark_of(world.services) == (events[-1][0], len(events) + 2)

    _after_publishing_a_lead(linked, world, then)


def test_a_stream_that_lost_its_tail_and_grew_again_with_the_devices_words_is_not_trusted(linked, world):
    """The device's words that it holds files are written into ``OUT`` beside the outbox: a stream that lost its last
    events (a power failure before it synced) may have grown past the mark again with them. The message at the mark's
    sequence is then a word, not the event the outbox left there: the mark goes back and the lost events go again."""

    async def then(local, device, published):
        world.clock.set("2025-03-04T10:00")
        steps.file(world, world.services.db.execute("SELECT stream FROM event WHERE kind = 'register_lead'").fetchone()[0])
        lost = recorded(world.services)[len(published):]
        assert len(lost) >= 2
        # the outbox had published them and moved the mark; the stream lost them
        _mark_left_by_a_lost_tail(world.services, outbox_store.Mark(lost[-1][0], len(published) + len(lost)))
        await outbox.tell_held(local, device, [(f"{n:02d}" * 32, "ab" * 32) for n in range(len(lost) + 1)])
        again = await outbox.publish_pending(world.services, local, device)
        assert again.sent == len(lost) and again.duplicates == 0 and again.upto == lost[-1][0]
        out = [m for m in await held(local, streams.OUT) if not m[1].startswith("held.")]
        assert_each_once_in_order(out, published + lost, device)

    _after_publishing_a_lead(linked, world, then)
