"""The hub's ingest: a real app database (the test world) as a device enrolled at a hub, the agency's database a
second real SQLite file as a fresh desk has it, each server on 127.0.0.1. Cases recorded on the device reach the
agency's database through the outbox, the leaf link and EVENTS, and verify there; a redelivery imports nothing
twice; forged messages are refused and nothing of them lands; an event whose parent comes later waits for it.

The forged messages are published straight into the hub's EVENTS from a hub-side client, since the device's link
permissions forbid it: for those tests EVENTS is made with the devices' subjects of its own instead of its
sources (the ingest sees a sourced message as it was published: its subject, its headers, its bytes)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nats
import pytest
import steps
from conftest import signed_in
from network_support import Device, require_binary
from test_network_outbox import LINK, hub_holds, link, recorded

from enforcement_app.network import device, hub, ingest, outbox, streams
from enforcement_app.services import Services
from enforcement_app.services.bundle_format import decode_events, encode_events
from enforcement_app.services.bundles import trusted_key
from enforcement_app.store import ingest as ingest_store

pytestmark = pytest.mark.network


@pytest.fixture
def agency(tmp_path, world):
    """The agency's own database at the hub: a new desk's, as a bundle's receiving database starts."""
    services = Services(tmp_path / "agency.db", clock=world.clock)
    try:
        yield services
    finally:
        services.close()


@contextlib.asynccontextmanager
async def central(hub_dir, hub_server):
    """The hub's own client (its ingest service's identity)."""
    nc = await nats.connect(hub_server.client_url, nkeys_seed_str=hub.service_seed(hub_dir), connect_timeout=5)
    try:
        yield nc.jetstream()
    finally:
        await nc.close()


def case_events(services) -> set[str]:
    """The hashes of every event but each database's own device bookkeeping (trust, bundles: device/*)."""
    return {r[0] for r in services.db.execute("SELECT hash FROM event WHERE stream NOT LIKE 'device/%'")}


async def ingest_until(run: ingest.Ingest, done, timeout: float = 20.0) -> list[ingest.Round]:
    """Rounds of ``run`` until ``done(rounds)``; fails after ``timeout`` seconds."""
    rounds: list[ingest.Round] = []
    deadline = time.monotonic() + timeout
    while not done(rounds):
        assert time.monotonic() < deadline, f"the ingest did not get there: {rounds}"
        rounds.append(await run.round(timeout=0.5))
    return rounds


def stored(rounds) -> int:
    return sum(r.stored for r in rounds)


def test_cases_recorded_on_the_device_reach_the_agency_database_through_the_network_and_verify(linked, world, agency):
    hub_dir, hub_server, d = linked
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    steps.lead(world, world.person)
    events = recorded(world.services)
    assert trusted_key(agency, d.id) is None
    d.start(hub_dir, hub_server)
    link(hub_server, d)

    async def run():
        local_nc = await nats.connect(d.server.client_url, connect_timeout=5)
        try:
            await outbox.publish_pending(world.services, local_nc.jetstream(), d.id, batch=7)
        finally:
            await local_nc.close()
        async with central(hub_dir, hub_server) as js:
            await streams.ensure_sources(js, [d.id])
            assert len(await hub_holds(js, len(events))) == len(events)
            run = ingest.Ingest(agency, hub_dir, js)
            await run.start()
            assert trusted_key(agency, d.id) == d.public  # enrolment at the hub: the device is trusted there
            rounds = await ingest_until(run, lambda rs: stored(rs) == len(events))
            assert sum(r.refused for r in rounds) == 0 and sum(r.known for r in rounds) == 0
            assert (await run.round(timeout=0.5)) == ingest.Round()  # everything acknowledged: nothing comes again
            await run.stop()

    asyncio.run(asyncio.wait_for(run(), 3 * LINK))
    assert case_events(agency) == {e[1] for e in events}
    assert agency.verify().ok
    assert agency.db.execute('SELECT count(*) FROM "case"').fetchone()[0] == 2
    assert agency.current_state(case_id).stage == world.services.current_state(case_id).stage


@pytest.fixture
def direct(linked):
    """The hub with an EVENTS that takes the devices' subjects itself (no sources): a hub-side client publishes
    into it what a device's OUT would deliver, or a forgery."""
    hub_dir, hub_server, d = linked

    async def make():
        async with central(hub_dir, hub_server) as js:
            from nats.js.api import StorageType, StreamConfig
            await js.add_stream(StreamConfig(name=streams.EVENTS, subjects=["dev.>"], storage=StorageType.FILE))

    asyncio.run(make())
    return linked


def rows_of(services) -> list[tuple]:
    """The device's events as the outbox reads them: (seq, hash, stream, parents, actor, device, at, kind, payload)."""
    return recorded(services)


async def publish(js, device: str, row: tuple, body: bytes | None = None, msg_id: str | None = None) -> None:
    """One event as the outbox publishes it (or with another body or Nats-Msg-Id: a forgery)."""
    body = encode_events([row[2:]]) if body is None else body
    await js.publish(streams.event_subject(device, row[2]), body, headers={"Nats-Msg-Id": msg_id or row[1]})


def forged(row: tuple, **columns) -> tuple[bytes, str]:
    """The event with some columns changed, as a well-formed line, and the hash of that line."""
    names = ("stream", "parents", "actor", "device", "at", "kind", "payload")
    values = [columns.get(n, v) for n, v in zip(names, row[2:], strict=True)]
    body = encode_events([values])
    problems: list[str] = []
    (event,) = decode_events(body, problems)
    return body, event.hash


def test_a_redelivery_after_the_ingest_died_before_acknowledging_imports_nothing_twice(direct, world, agency, monkeypatch):
    hub_dir, hub_server, d = direct
    steps.lead(world, world.company)
    rows = rows_of(world.services)

    class Killed(Exception):
        pass

    async def dies_before_acking(_msg):
        raise Killed("the ingest is killed after its transaction committed, before any acknowledgement")

    async def run():
        async with central(hub_dir, hub_server) as js:
            for row in rows:
                await publish(js, d.id, row)
            first = ingest.Ingest(agency, hub_dir, js, ack_wait=1.0)
            await first.start()
            with monkeypatch.context() as m:
                m.setattr(nats.aio.msg.Msg, "ack", dies_before_acking)
                with pytest.raises(Killed):
                    await first.round(timeout=2)
            await first.stop()
        assert case_events(agency) == {r[1] for r in rows}
        count = agency.event_count()
        restarted = Services(agency.path, clock=world.clock)  # the ingest started again, on a connection of its own
        try:
            async with central(hub_dir, hub_server) as js:
                again = ingest.Ingest(restarted, hub_dir, js, ack_wait=1.0)
                await again.start()
                rounds = await ingest_until(again, lambda rs: sum(r.known for r in rs) == len(rows), timeout=15)
                assert stored(rounds) == 0 and sum(r.refused for r in rounds) == 0
                await asyncio.sleep(1.5)  # past ack_wait: acknowledged this time, nothing comes a third time
                assert (await again.round(timeout=0.5)) == ingest.Round()
                await again.stop()
            assert restarted.event_count() == count and restarted.verify().ok
        finally:
            restarted.close()

    asyncio.run(asyncio.wait_for(run(), 60))


def test_forged_messages_are_refused_with_their_reason_and_nothing_of_them_lands(direct, world, agency, tmp_path):
    hub_dir, hub_server, d = direct
    other = Device(tmp_path, "other")
    hub.enrol(hub_dir, other.id, other.public)
    steps.lead(world, world.company)
    rows = rows_of(world.services)
    *honest, last = rows  # the last event: nothing depends on it
    payload = last[8].replace(b"{", b"{ ", 1) if isinstance(last[8], bytes) else last[8].replace("{", "{ ", 1)
    tampered = encode_events([last[2:8] + (payload,)])
    as_other, as_other_hash = forged(last, device=other.id)
    unenrolled = Device(tmp_path, "stranger")
    strangers, strangers_hash = forged(last, device=unenrolled.id)

    async def run():
        async with central(hub_dir, hub_server) as js:
            for row in honest:
                await publish(js, d.id, row)
            await publish(js, d.id, last, body=tampered)  # altered on the way, under the hash it was sent with
            await publish(js, d.id, last, body=as_other, msg_id=as_other_hash)  # another enrolled device's, on this one's subject
            await publish(js, unenrolled.id, last, body=strangers, msg_id=strangers_hash)  # a device the hub never enrolled
            run = ingest.Ingest(agency, hub_dir, js, retry=0.2)
            await run.start()
            rounds = await ingest_until(run, lambda rs: sum(r.refused for r in rs) + stored(rs) >= len(honest) + 3)
            assert stored(rounds) == len(honest) and sum(r.refused for r in rounds) == 3
            await run.stop()

    asyncio.run(asyncio.wait_for(run(), 60))
    assert case_events(agency) == {r[1] for r in honest}  # neither the original of the last event nor any forgery
    assert as_other_hash not in case_events(agency) and strangers_hash not in case_events(agency)
    refusals = ingest_store.refusals(agency.db)
    assert [r.subject for r in refusals] == [streams.event_subject(d.id, last[2])] * 2 + [streams.event_subject(unenrolled.id, last[2])]
    assert [r.event_refused for r in refusals] == [False, False, False]  # only these messages: the event may yet come
    assert "途中被改动" in refusals[0].reason and refusals[0].hash != last[1]
    assert refusals[1].hash == as_other_hash and "已登记的设备" in refusals[1].reason and other.id[:12] in refusals[1].reason
    assert "未在汇聚节点登记" in refusals[2].reason
    assert agency.verify().ok


def test_an_event_the_procedure_refuses_is_noted_and_what_builds_on_it_is_refused_too(direct, world, agency):
    """Well formed, its hash right, from the enrolled device: a lead in the name of an officer this agency does not
    have is refused by the replay a bundle's events get; a step built on it arrives later and is refused in its
    turn (its parent will never be here), while the rest of the batch is kept."""
    hub_dir, hub_server, d = direct
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    rows = rows_of(world.services)
    lead_row, next_row = [r for r in rows if r[2] == case_id][:2]
    others = [r for r in rows if r[2] != case_id]  # the party, the officers, the agency: kept
    stranger = "f" * 32
    bad_lead, bad_lead_hash = forged(lead_row, actor=stranger)
    child, child_hash = forged(next_row, parents=bad_lead_hash)

    async def run():
        async with central(hub_dir, hub_server) as js:
            for row in others:
                await publish(js, d.id, row)
            await publish(js, d.id, lead_row, body=bad_lead, msg_id=bad_lead_hash)
            run = ingest.Ingest(agency, hub_dir, js, retry=0.2)
            await run.start()
            first = await ingest_until(run, lambda rs: stored(rs) + sum(r.refused for r in rs) == len(others) + 1)
            assert stored(first) == len(others) and [r.hash for rs in first for r in rs.refusals] == [bad_lead_hash]
            await publish(js, d.id, next_row, body=child, msg_id=child_hash)
            rounds = await ingest_until(run, lambda rs: sum(r.refused for r in rs) == 1)
            assert stored(rounds) == 0
            await run.stop()

    asyncio.run(asyncio.wait_for(run(), 60))
    refusals = ingest_store.refusals(agency.db)
    assert [(r.hash, r.event_refused) for r in refusals] == [(bad_lead_hash, True), (child_hash, True)]
    assert "不是本机登记的人员" in refusals[0].reason and bad_lead_hash[:12] in refusals[1].reason
    assert case_events(agency) == {r[1] for r in others}
    assert agency.db.execute('SELECT count(*) FROM "case"').fetchone()[0] == 0
    assert agency.verify().ok


def test_an_event_another_device_recorded_and_this_one_relays_is_kept_as_a_bundle_would_keep_it(direct, world, agency, tmp_path):
    """A device's OUT carries every event of its table, as a bundle of everything does: one that came to it from a
    device the hub has no link to (a USB stick) is accepted from it, checked as a bundle's events are."""
    hub_dir, hub_server, d = direct
    steps.lead(world, world.company)
    *rows, last = rows_of(world.services)
    laptop = Device(tmp_path, "laptop")  # never enrolled at the hub
    relayed, relayed_hash = forged(last, device=laptop.id)

    async def run():
        async with central(hub_dir, hub_server) as js:
            for row in rows:
                await publish(js, d.id, row)
            await publish(js, d.id, last, body=relayed, msg_id=relayed_hash)
            run = ingest.Ingest(agency, hub_dir, js)
            await run.start()
            rounds = await ingest_until(run, lambda rs: stored(rs) + sum(r.refused for r in rs) == len(rows) + 1)
            assert sum(r.refused for r in rounds) == 0
            await run.stop()

    asyncio.run(asyncio.wait_for(run(), 60))
    assert agency.db.execute("SELECT device FROM event WHERE hash = ?", [relayed_hash]).fetchone() == (laptop.id,)
    assert agency.verify().ok


def test_a_device_enrolled_while_the_ingest_runs_is_trusted_when_its_first_event_comes(direct, world, agency, tmp_path):
    hub_dir, hub_server, d = direct
    steps.lead(world, world.company)
    *rows, last = rows_of(world.services)
    late = Device(tmp_path, "late")
    own, own_hash = forged(last, device=late.id)  # the last step as the new device would have recorded it

    async def run():
        async with central(hub_dir, hub_server) as js:
            for row in rows:
                await publish(js, d.id, row)
            run = ingest.Ingest(agency, hub_dir, js)
            await run.start()
            await ingest_until(run, lambda rs: stored(rs) == len(rows))
            assert trusted_key(agency, late.id) is None
            hub.enrol(hub_dir, late.id, late.public)
            await publish(js, late.id, last, body=own, msg_id=own_hash)
            rounds = await ingest_until(run, lambda rs: stored(rs) + sum(r.refused for r in rs) == 1)
            assert stored(rounds) == 1
            await run.stop()

    asyncio.run(asyncio.wait_for(run(), 60))
    assert trusted_key(agency, late.id) == late.public
    assert own_hash in case_events(agency) and agency.verify().ok


def test_an_event_whose_parent_comes_later_waits_and_is_imported_once_the_parent_is_there(direct, world, agency):
    hub_dir, hub_server, d = direct
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    rows = rows_of(world.services)
    case_rows = [r for r in rows if r[2] == case_id]
    held_back = case_rows[0]  # the lead: every later step of the case descends from it
    later = [r for r in rows if r is not held_back]

    async def run():
        async with central(hub_dir, hub_server) as js:
            for row in later:
                await publish(js, d.id, row)
            run = ingest.Ingest(agency, hub_dir, js, retry=0.2)
            await run.start()
            first = await ingest_until(run, lambda rs: rs and rs[-1].waiting == len(case_rows) - 1)
            assert stored(first) == len(later) - (len(case_rows) - 1)
            assert case_events(agency).isdisjoint(r[1] for r in case_rows)
            await publish(js, d.id, held_back)
            rounds = await ingest_until(run, lambda rs: stored(rs) == len(case_rows))
            assert sum(r.refused for r in first + rounds) == 0
            await run.stop()

    asyncio.run(asyncio.wait_for(run(), 60))
    assert case_events(agency) == {r[1] for r in rows}
    assert agency.current_state(case_id).stage == world.services.current_state(case_id).stage
    assert agency.verify().ok


def test_enforcement_hub_run_receives_the_device_s_cases_into_the_agency_database_until_sigterm(tmp_path, world):
    """The command as an administrator runs it: the hub's server, the device's source added once its link is up,
    the ingest; stopped by SIGTERM, after which the agency's database holds the device's cases and verifies."""
    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    d = Device(tmp_path, "device", world.services.device_id, world.services.device_signing_key())
    hub.enrol(hub_dir, d.id, d.public)
    steps.lead(world, world.company)
    steps.lead(world, world.person)
    events = {e[1] for e in recorded(world.services)}
    root = Path(__file__).resolve().parents[1]
    command = subprocess.Popen([sys.executable, "-m", "enforcement_app.cli.hub_cmd", "run", "--dir", str(hub_dir)], cwd=root,
                               env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = command.stdout.readline()
        assert "设备连接端口" in first, command.stderr.read() if command.poll() is not None else first
        port = int(first.split("设备连接端口 ")[1].split("，")[0])
        d.server = device.start(d.folder, d.id, f"tls://127.0.0.1:{port}", hub.ca_file(hub_dir), d.key.private_bytes_raw())
        streams.wait_for_link(d.server, "hub", LINK)

        async def publish_all():
            nc = await nats.connect(d.server.client_url, connect_timeout=5)
            try:
                await outbox.publish_pending(world.services, nc.jetstream(), d.id)
            finally:
                await nc.close()

        asyncio.run(asyncio.wait_for(publish_all(), LINK))

        def arrived() -> bool:
            db = sqlite3.connect(hub_dir / "agency.db")
            try:
                return events <= {r[0] for r in db.execute("SELECT hash FROM event")}
            except sqlite3.OperationalError:  # not made yet
                return False
            finally:
                db.close()

        deadline = time.monotonic() + 2 * LINK
        while not arrived():
            assert time.monotonic() < deadline and command.poll() is None, "the device's events did not reach the agency's database"
            time.sleep(0.2)
        command.send_signal(signal.SIGTERM)
        out, errors = command.communicate(timeout=20)
        assert command.returncode == 0, errors
        assert "新记录" in out and out.rstrip().endswith("汇聚节点已停止")
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
        if d.server is not None:
            d.server.stop()
    with Services(hub_dir / "agency.db", clock=world.clock) as agency:
        assert case_events(agency) == events
        assert trusted_key(agency, d.id) == d.public
        assert agency.verify().ok


def test_an_idle_round_whose_fetch_times_out_the_asyncio_way_is_an_empty_round(direct, agency):
    """nats-py's fetch raises a bare asyncio.TimeoutError, not only its own nats.errors.TimeoutError, when the server's
    answer to its first probe comes just as the time runs out (``_fetch_n``): that is an idle round, not the end of the
    ingest (``enforcement-hub run`` stopped on it now and then)."""
    hub_dir, hub_server, _d = direct

    async def times_out(*_args, **_kwargs):
        raise TimeoutError

    async def run():
        async with central(hub_dir, hub_server) as js:
            run = ingest.Ingest(agency, hub_dir, js)
            await run.start()
            run._subscription.fetch = times_out
            assert await run.round(timeout=0.1) == ingest.Round()
            await run.stop()

    asyncio.run(asyncio.wait_for(run(), 30))


def test_a_message_on_one_devices_subject_that_came_through_anothers_source_is_refused():
    """The hub's server writes which source a message came through; the subject alone is the device's word (a
    device's server changed to ignore its source's filter could deliver on another's subject)."""
    from nats.aio.msg import Msg

    mine, theirs = "a" * 32, "b" * 32
    run = ingest.Ingest.__new__(ingest.Ingest)
    through = lambda device: Msg(None, subject=f"dev.{mine}.00", headers={  # noqa: E731
        "Nats-Stream-Source": f"{streams.source_mark(device)} 7 dev.{device}.> > dev.{mine}.00 x"})
    assert run._came_through(through(mine), mine) == ""
    assert "冒用他机身份" in run._came_through(through(theirs), mine)
    assert run._came_through(Msg(None, subject=f"dev.{mine}.00", headers={}), mine) == ""  # not sourced: the hub's own
    assert streams.source_mark("30bdeaaaf1c24de193d97a6ed0c427ee") == "OUT:64TUIAkK"  # as nats-server 2.15.1 wrote it
    # so with a device's word that it holds a file (a server refuses the header from a client: only this way to show it)
    run._enrolled = {mine, theirs}
    held = lambda device: Msg(None, subject=streams.held_subject(mine), data=b"ab" * 32, headers={  # noqa: E731
        "Nats-Stream-Source": f"{streams.source_mark(device)} 7 dev.{device}.> > dev.{mine}.held x"})
    assert run._held(held(mine)) == (mine, "")
    assert "冒用他机身份" in run._held(held(theirs))[1]


def test_a_certificate_given_since_the_last_round_counts_when_its_holders_step_is_judged(direct, world, agency, monkeypatch):
    """The hub's ingest reads the agency's officers for one round and keeps them for the next while no officer event
    comes; a round that brings a certificate for an officer who had none, and a lead that officer then registered
    as a handler, judges the lead with the certificate (the round drops exactly the reference data its events
    project into, before its steps are judged): the batch is stored whole, in one transaction, not refused whole
    and then taken again one event at a time."""
    hub_dir, hub_server, d = direct
    newcomer = world.as_(world.admin).register_officer({"name": "钱新", "login": "qianxin", "roles": ["officer"],
                                                        "password": "secret-pass-1"})
    steps.lead(world, world.company)
    first = rows_of(world.services)
    world.as_(world.admin).update_officer(newcomer.id, {"add_certificate": {
        "certificate_no": "44130009", "area": "仲恺高新区", "valid_from": "2024-01-01", "valid_to": "2028-12-31",
        "source_of_power": "市场监督管理局"}})
    case_id = signed_in(world.services, "qianxin").register_lead({
        "source": "complaint", "received_on": world.clock().date().isoformat(), "act_date": "2025-02-20",
        "cause": "销售超过保质期的食品", "cause_entry": "food_safety_124_1", "summary": "群众投诉该店销售过期酸奶",
        "party_id": world.company.id, "handlers": [newcomer.id, world.officer_b.id], "life_health_finance": False})
    later = rows_of(world.services)[len(first):]

    async def run():
        async with central(hub_dir, hub_server) as js:
            run = ingest.Ingest(agency, hub_dir, js)
            await run.start()
            for row in first:
                await publish(js, d.id, row)
            await ingest_until(run, lambda rs: stored(rs) == len(first))
            assert agency.officers()[newcomer.id].certificates == ()  # read, and kept for the next round
            for row in later:
                await publish(js, d.id, row)
            # each publish returned once the stream held it: one round takes them all
            writes = []
            adding = ingest.Ingest._add
            monkeypatch.setattr(ingest.Ingest, "_add", lambda self, events, conflicts: (writes.append(len(events)), adding(self, events, conflicts)))
            rounds = await ingest_until(run, lambda rs: stored(rs) + sum(r.refused for r in rs) == len(later))
            assert [r.reason for rs in rounds for r in rs.refusals] == []
            assert writes == [len(later)]
            await run.stop()

    asyncio.run(asyncio.wait_for(run(), 60))
    assert [c.certificate_no for c in agency.officers()[newcomer.id].certificates] == ["44130009"]
    assert list(agency.current_state(case_id).handlers) == [newcomer.id, world.officer_b.id]
    assert agency.verify().ok


def test_a_devices_word_that_it_holds_a_file_is_taken_from_its_own_subject_only(direct, world, agency, tmp_path):
    """``dev.<device>.held``: the device says it holds a file the hub sent it (the hub then takes its copy for it out of
    its bucket). Taken from an enrolled device, as the file's SHA-256, and noted in the agency's database (db/0026);
    refused, and noted as refused, from a device not enrolled, through another device's source, or when it is not a
    SHA-256."""
    hub_dir, hub_server, d = direct
    stranger = Device(tmp_path, "stranger")
    sha = "ab" * 32

    async def run():
        async with central(hub_dir, hub_server) as js:
            run = ingest.Ingest(agency, hub_dir, js)
            await run.start()
            await js.publish(streams.held_subject(d.id), sha.encode())
            await js.publish(streams.held_subject(d.id), b"not a digest")
            await js.publish(streams.held_subject(d.id), sha.upper().encode())
            await js.publish(streams.held_subject(stranger.id), sha.encode())
            rounds = await ingest_until(run, lambda rs: sum(len(r.held.get(d.id, [])) + r.refused for r in rs) == 4)
            await run.stop()
            return rounds

    rounds = asyncio.run(asyncio.wait_for(run(), 60))
    assert [r.held for r in rounds if r.held] == [{d.id: [sha]}]
    reasons = [r.reason for rs in rounds for r in rs.refusals]
    assert len(reasons) == 3 and sum("不是 SHA-256" in r for r in reasons) == 2 and sum("未在汇聚节点登记" in r for r in reasons) == 1
    assert len(ingest_store.refusals(agency.db)) == 3  # noted, as every refused message is
    assert agency.db.execute("SELECT device, sha256 FROM hub_device_file").fetchall() == [(d.id, sha)]
    assert not any(r.stored or r.waiting for r in rounds)  # no event of it: nothing reaches the record
