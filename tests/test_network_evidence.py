"""Evidence files over the network: a real app database (the test world) as a device enrolled at a hub, the agency's
database a second real SQLite file, each server on 127.0.0.1. A case with a recording, recorded on the device, reaches
the agency's database with its file in the agency's evidence store, hashed again there, and the agency's database
verifies; a copy altered on its way is refused and never enters the store; a file survives two cuts of the link in the
middle of its transfer (a TCP proxy between the device's leaf remote and the hub); what the device's bucket already
holds whole is not put again, and a put cut short is purged; a killed ingest leaves no file no event names; and no
device can put anything into another device's bucket at the hub."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time

import nats
import pytest
import steps
from nats.js.api import Header
from network_support import Device, ThrottledProxy, require_binary, wait_for
from test_network_ingest import agency, case_events, central, ingest_until, stored  # noqa: F401 — agency: a fixture
from test_network_link import network  # noqa: F401 — a fixture: a hub and two devices
from test_network_outbox import LINK, link, recorded

from enforcement_app.network import evidence, hub, ingest, outbox, service, streams, sync
from enforcement_app.services import Services
from enforcement_app.store import outbox as outbox_store
from enforcement_app.store.database import evidence_dir
from enforcement_app.store.evidence import STAGING_PREFIX, EvidenceStore

pytestmark = pytest.mark.network
MB = 1 << 20


def recording(world, tmp_path, size: int, name: str = "bodycam.mp4", case_id: str | None = None) -> tuple[str, str, int]:
    """A case investigated on the device (or ``case_id``) with a recording of ``size`` random bytes as its evidence:
    the case id, the file's SHA-256 (computed here, apart from the store's) and its size."""
    case_id = case_id or steps.investigated(world, world.company)
    path = tmp_path / name
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        left = size
        while left:
            block = os.urandom(min(left, 4 * MB))
            digest.update(block)
            out.write(block)
            left -= len(block)
    sha = world.as_(world.officer_a).add_evidence(case_id, path, {
        "kind": "audiovisual", "description": "现场执法记录仪录像", "source": "执法记录仪", "collected_by": [world.officer_a.id],
        "collected_at": "2025-03-05T10:40"})
    assert sha == digest.hexdigest()
    path.unlink()
    return case_id, sha, size


@contextlib.contextmanager
def syncing(world, d):
    """The device's sync thread: its events, then its evidence files, onto its own server."""
    s = sync.Sync(world.services, d.id, d.server.client_url, poll=0.2, retry=0.5)
    s.start()
    try:
        yield s
    finally:
        s.stop()


async def hub_sources(js, device: str) -> None:
    """The hub's EVENTS and its copy of the device's bucket, both sourcing the device (its link is up)."""
    await streams.ensure_sources(js, [device])
    assert await evidence.ensure_hub_buckets(js, [device]) == {device}


def staged_files(services) -> list[str]:
    """What is staged beside the agency's evidence store (names of files in its staging folders)."""
    root = services.evidence.root
    return sorted(p.name for folder in root.glob(STAGING_PREFIX + "*") for p in folder.iterdir() if p.name != ".owner") if root.exists() else []


async def ingest_all(agency, hub_dir, js, count: int, timeout: float = 2 * LINK) -> list[ingest.Round]:  # noqa: F811
    run = ingest.Ingest(agency, hub_dir, js, retry=0.2)
    await run.start()
    try:
        return await ingest_until(run, lambda rs: stored(rs) + sum(r.refused for r in rs) >= count, timeout=timeout)
    finally:
        await run.stop()


@pytest.mark.parametrize("size", [5 * MB + 17, 2 * evidence.WINDOW * evidence.CHUNK, 0],
                         ids=["a last chunk part full", "whole windows of chunks", "empty"])
def test_a_case_with_a_recording_reaches_the_agency_with_its_file_checked_and_the_agency_verifies(linked, world, agency, tmp_path, size):  # noqa: F811
    hub_dir, hub_server, d = linked
    case_id, sha, size = recording(world, tmp_path, size)
    events = recorded(world.services)
    d.start(hub_dir, hub_server)
    link(hub_server, d)
    with syncing(world, d) as s:
        wait_for("the device's bucket holds the recording", lambda: s.uploaded and s.uploaded.put == 1, LINK)
        assert s.uploaded.bytes == size and s.uploaded.missing == ()

    async def run():
        async with central(hub_dir, hub_server) as js:
            await hub_sources(js, d.id)
            rounds = await ingest_all(agency, hub_dir, js, len(events))
            assert sum(r.refused for r in rounds) == 0 and [f for r in rounds for f in r.files_refused] == []
            # the store holds the file now: it is purged from the hub's copy of the bucket (chunks and description)
            held = (await js.stream_info(evidence.stream_name(d.id), subjects_filter=">")).state
            assert held.messages == 0 and held.last_seq >= 1  # it came, and nothing of it is left

    asyncio.run(asyncio.wait_for(run(), 3 * LINK))
    assert case_events(agency) == {e[1] for e in events}
    assert agency.evidence.check(sha, size) is None
    assert hashlib.sha256(agency.evidence.path_for(sha).read_bytes()).hexdigest() == sha  # hashed here again
    assert agency.current_state(case_id).evidence[-1]["sha256"] == sha
    assert staged_files(agency) == []
    assert agency.verify().ok


async def forge(js, device: str, sha: str, size: int, data: bytes, more_chunks: int = 0) -> None:
    """Put ``data`` into the device's bucket as object ``sha``, described as the genuine file is (its size and
    SHA-256): what a bucket altered on the device, or a device lying, would send. (Into whichever stream of the
    server ``js`` talks to takes the bucket's subjects.)"""
    nuid = "forged" + os.urandom(6).hex()
    for start in range(0, len(data), evidence.CHUNK):
        await js.publish(evidence.chunk_subject(device, nuid), data[start:start + evidence.CHUNK])
    chunks = -(-len(data) // evidence.CHUNK) + more_chunks  # described with more chunks than were sent
    info = {"name": sha, "bucket": evidence.bucket(device), "nuid": nuid, "size": size, "chunks": chunks,
            "digest": evidence.digest_of(sha), "options": {"max_chunk_size": evidence.CHUNK}}
    await js.publish(evidence.meta_subject(device, sha), json.dumps(info).encode(), headers={Header.ROLLUP: "sub"})


@pytest.mark.parametrize("alteration", ["one byte changed", "cut short", "a chunk missing"])
def test_a_file_altered_on_its_way_is_refused_with_its_reason_and_never_enters_the_store(linked, world, agency, tmp_path, alteration):  # noqa: F811
    hub_dir, hub_server, d = linked
    case_id, sha, size = recording(world, tmp_path, 2 * MB + 5)
    genuine = world.services.evidence.path_for(sha).read_bytes()
    altered = {"one byte changed": genuine[:MB] + bytes([genuine[MB] ^ 1]) + genuine[MB + 1:], "cut short": genuine[:-1000],
               "a chunk missing": genuine[:-evidence.CHUNK]}[alteration]
    events = recorded(world.services)
    evidence_event = next(e[1] for e in events if e[7] == "add_evidence")
    d.start(hub_dir, hub_server)
    link(hub_server, d)

    async def run():
        local = await nats.connect(d.server.client_url, connect_timeout=5)
        try:
            await evidence.ensure_device_bucket(local.jetstream(), d.id)
            js = local.jetstream()
            await forge(js, d.id, sha, size, altered, more_chunks=alteration == "a chunk missing")
            await outbox.publish_pending(world.services, js, d.id)  # the events go up as they are
            if alteration != "a chunk missing":  # described as the genuine file is: the device itself does not see it
                db = outbox_store.connect(world.services.path)
                try:
                    done = await evidence.Uploader(world.services.path, d.id).round(db, js)
                finally:
                    db.close()
                assert (done.put, done.held) == (0, 1)
        finally:
            await local.close()
        async with central(hub_dir, hub_server) as js:
            await hub_sources(js, d.id)
            run = ingest.Ingest(agency, hub_dir, js, retry=0.2)
            await run.start()
            rounds = await ingest_until(run, lambda rs: any(r.files_refused for r in rs), timeout=2 * LINK)
            more = await ingest_until(run, lambda rs: len(rs) == 5)  # the event waits; the copy is not fetched again
            await run.stop()
            return rounds + more

    rounds = asyncio.run(asyncio.wait_for(run(), 3 * LINK))
    refused = [f for r in rounds for f in r.files_refused]
    assert len(refused) == 1 and sha[:12] in refused[0] and d.id[:12] in refused[0] and "未放入证据库" in refused[0]
    assert {"one byte changed": "SHA-256", "cut short": "大小", "a chunk missing": "块"}[alteration] in refused[0]
    assert rounds[-1].waiting >= 1 and sum(r.refused for r in rounds) == 0  # the event itself waits for a good copy
    assert evidence_event not in case_events(agency)
    assert not agency.evidence.has(sha) and staged_files(agency) == []
    assert case_events(agency) == {e[1] for e in events} - {evidence_event}  # everything else came
    assert agency.verify().ok


def test_an_evidence_file_survives_two_cuts_of_the_link_in_the_middle_of_its_transfer(tmp_path, world, agency):  # noqa: F811
    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    d = Device(tmp_path, "device", world.services.device_id, world.services.device_signing_key())
    hub.enrol(hub_dir, d.id, d.public)
    case_id, sha, size = recording(world, tmp_path, 30 * MB)
    events = recorded(world.services)
    hub_server = hub.start(hub_dir)
    # the link carries about 12 MB a second, and is cut once a third and once two thirds of the file have gone up
    proxy = ThrottledProxy(hub_server.leafnode_port, rate=12 * MB, cut_at=(11 * MB, 21 * MB))
    try:
        d.start(hub_dir, hub_server, port=proxy.port)
        link(hub_server, d)
        with syncing(world, d) as s:
            wait_for("the device's bucket holds the recording", lambda: s.uploaded and s.uploaded.put == 1, LINK)

            async def run():
                async with central(hub_dir, hub_server) as js:
                    await hub_sources(js, d.id)
                    rounds = await ingest_all(agency, hub_dir, js, len(events), timeout=4 * LINK)
                    assert sum(r.refused for r in rounds) == 0 and [f for r in rounds for f in r.files_refused] == []

            asyncio.run(asyncio.wait_for(run(), 5 * LINK))
        assert proxy.cuts == 2 and proxy.up > size  # both cuts came while the file was on its way
        # and it went on from where each cut left it: started again from the beginning, it would have carried 52 MB
        assert proxy.up < 1.25 * size
    finally:
        proxy.close()
        if d.server is not None:
            d.server.stop()
        hub_server.stop()
    assert case_events(agency) == {e[1] for e in events}
    assert agency.evidence.check(sha, size) is None
    assert agency.current_state(case_id).evidence[-1]["sha256"] == sha
    assert agency.verify().ok


def test_what_the_bucket_holds_whole_is_not_put_again_and_a_put_cut_short_is_purged_at_the_next_start(linked, world, tmp_path):
    hub_dir, hub_server, d = linked
    case_id, first, first_size = recording(world, tmp_path, 3 * MB)
    d.start(hub_dir, hub_server)

    async def round_(uploader):
        local = await nats.connect(d.server.client_url, connect_timeout=5)
        db = outbox_store.connect(world.services.path)
        try:
            return await uploader.round(db, local.jetstream())
        finally:
            db.close()
            await local.close()

    async def local_js(do):
        local = await nats.connect(d.server.client_url, connect_timeout=5)
        try:
            return await do(local.jetstream())
        finally:
            await local.close()

    done = asyncio.run(round_(evidence.Uploader(world.services.path, d.id)))
    assert (done.put, done.held, done.bytes) == (1, 0, first_size)
    mark = outbox_store.mark(outbox_store.connect(world.services.path), evidence.MARK)
    assert mark.seq == max(e[0] for e in recorded(world.services) if e[7] == "add_evidence")
    again = asyncio.run(round_(evidence.Uploader(world.services.path, d.id)))  # the app started again
    assert (again.put, again.held) == (0, 0)  # nothing after the mark
    db = outbox_store.connect(world.services.path)
    outbox_store.rewind(db, evidence.MARK, outbox_store.Mark(0, 0))  # the mark lost: every file looked up again
    db.close()
    looked = asyncio.run(round_(evidence.Uploader(world.services.path, d.id)))
    assert (looked.put, looked.held) == (0, 1)

    async def lose_a_chunk(js):  # the bucket's copy damaged on the device: its last chunk gone
        info = await evidence.object_info(js, d.id, first)
        last = await js.get_last_msg(evidence.stream_name(d.id), evidence.chunk_subject(d.id, info.nuid))
        await js.delete_msg(evidence.stream_name(d.id), last.seq)

    asyncio.run(local_js(lose_a_chunk))
    db = outbox_store.connect(world.services.path)
    outbox_store.rewind(db, evidence.MARK, outbox_store.Mark(0, 0))
    db.close()
    repaired = asyncio.run(round_(evidence.Uploader(world.services.path, d.id)))
    assert (repaired.put, repaired.held) == (1, 0)  # not whole: put again

    # a second file whose put was cut short (the app killed after three chunks, before the description)
    _case, second, second_size = recording(world, tmp_path, 2 * MB + 3, name="second.mp4", case_id=case_id)
    data = world.services.evidence.path_for(second).read_bytes()

    async def cut_short(js):
        for n in range(3):
            await js.publish(evidence.chunk_subject(d.id, "killed"), data[n * evidence.CHUNK:(n + 1) * evidence.CHUNK])

    asyncio.run(local_js(cut_short))
    resumed = asyncio.run(round_(evidence.Uploader(world.services.path, d.id)))
    assert (resumed.put, resumed.held, resumed.bytes) == (1, 0, second_size)

    async def held(js):
        name = evidence.stream_name(d.id)
        chunks = (await js.stream_info(name, subjects_filter=f"$O.{evidence.bucket(d.id)}.C.>")).state.subjects
        infos = [await evidence.holds_whole(js, d.id, sha, n) for sha, n in ((first, first_size), (second, second_size))]
        return chunks, infos

    chunks, infos = asyncio.run(local_js(held))
    assert all(infos)
    assert chunks == {evidence.chunk_subject(d.id, i.nuid): i.chunks for i in infos}  # the killed put's chunks are gone

    # a hub's bucket filled before the hub noted what it holds (db/0025): its first round tells of every file in it
    noted: list[str] = []
    asyncio.run(round_(evidence.Uploader(world.services.path, d.id, held=noted.append)))
    assert sorted(noted) == sorted([first, second])
    # and a file taken out goes whole, description and chunks, the other staying
    asyncio.run(local_js(lambda js: evidence.take_out(js, d.id, first)))
    chunks, _ = asyncio.run(local_js(held))
    assert asyncio.run(local_js(lambda js: evidence.object_info(js, d.id, first))) is None
    assert chunks == {evidence.chunk_subject(d.id, infos[1].nuid): infos[1].chunks}


class Killed(Exception):
    pass


def as_left_by_a_dead_process(services) -> None:
    """The ingest's staging folder renamed to the pid of a process that has ended: its name says whose it is, so this
    is the folder a killed ingest leaves."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (folder,) = services.evidence.root.glob(STAGING_PREFIX + "*")
    folder.rename(folder.with_name(f"{STAGING_PREFIX}{dead.pid}-{folder.name.rsplit('-', 1)[1]}"))


def ingested_until_killed(hub_dir, hub_server, d, agency) -> None:  # noqa: F811
    """The ingest runs until something it calls raises :class:`Killed`; neither its stop() nor its close() runs."""
    async def run():
        async with central(hub_dir, hub_server) as js:
            await hub_sources(js, d.id)
            run = ingest.Ingest(agency, hub_dir, js, retry=0.2, ack_wait=1.0)
            await run.start()
            with pytest.raises(Killed):
                await ingest_until(run, lambda rs: False, timeout=2 * LINK)

    asyncio.run(asyncio.wait_for(run(), 3 * LINK))


def uploaded(world, hub_dir, hub_server, d, size: int) -> tuple[str, list]:
    """A case with a recording of ``size`` bytes, its events and file sent up by the sync thread; its SHA-256 and events."""
    _case, sha, _size = recording(world, world.services.path.parent, size)
    d.start(hub_dir, hub_server)
    link(hub_server, d)
    with syncing(world, d) as s:
        wait_for("the device's bucket holds the recording", lambda: s.uploaded and s.uploaded.put == 1, LINK)
    return sha, recorded(world.services)


def test_an_ingest_killed_between_the_events_commit_and_the_files_move_leaves_the_file_to_go_in_at_the_next_opening(
        linked, world, agency, monkeypatch):  # noqa: F811
    hub_dir, hub_server, d = linked
    sha, events = uploaded(world, hub_dir, hub_server, d, MB + 1)

    original = evidence.Receiver.settle

    async def killed_once_a_file_is_due(self, ready, stored):
        if any(e.kind == "add_evidence" and e.hash in stored for e in ready):
            raise Killed("the ingest is killed after its transaction committed, before the files are moved")
        await original(self, ready, stored)

    monkeypatch.setattr(evidence.Receiver, "settle", killed_once_a_file_is_due)
    ingested_until_killed(hub_dir, hub_server, d, agency)
    assert {e[1] for e in events} <= case_events(agency)  # the events committed
    assert not agency.evidence.has(sha) and staged_files(agency) == [f".incoming-{sha}"]
    as_left_by_a_dead_process(agency)
    with Services(agency.path, clock=world.clock) as reopened:
        assert reopened.evidence.check(sha, MB + 1) is None and staged_files(reopened) == []
        assert reopened.verify().ok


def test_an_ingest_killed_before_its_transaction_commits_leaves_nothing_of_the_file(linked, world, agency, monkeypatch):  # noqa: F811
    hub_dir, hub_server, d = linked
    sha, events = uploaded(world, hub_dir, hub_server, d, MB + 1)
    original = ingest.Ingest._add

    def killed_in_the_transaction(self, ready, conflicts):
        if any(e.kind == "add_evidence" for e in ready):
            raise Killed("the ingest is killed before its transaction commits")
        return original(self, ready, conflicts)

    monkeypatch.setattr(ingest.Ingest, "_add", killed_in_the_transaction)
    ingested_until_killed(hub_dir, hub_server, d, agency)
    evidence_event = next(e[1] for e in events if e[7] == "add_evidence")
    assert evidence_event not in case_events(agency)
    assert staged_files(agency) == [f".incoming-{sha}"] and not agency.evidence.has(sha)  # staged, checked, waiting
    as_left_by_a_dead_process(agency)
    with Services(agency.path, clock=world.clock) as reopened:
        assert not reopened.evidence.has(sha) and staged_files(reopened) == []
        assert reopened.verify().ok


def test_no_device_can_put_into_another_devices_bucket_at_the_hub_nor_take_its_flow_control(network):  # noqa: F811
    """Device 2, hostile, puts a forgery of device 1's file under device 1's subjects into its own bucket (which the
    hub sources), publishes into device 1's subjects over its link, and listens for device 1's flow control. The hub's
    copy of device 1's bucket holds only what device 1 put, that of device 2's only device 2's own subjects, and of
    device 1's flow control device 1 receives what the hub sends and device 2 nothing."""
    hub_dir, hub_server, d1, d2 = network
    for d in (d1, d2):
        streams.wait_for_link(hub_server, d.id, LINK)
    genuine = os.urandom(evidence.CHUNK + 99)
    sha = hashlib.sha256(genuine).hexdigest()
    own = os.urandom(1000)  # device 2's own file: the control that its source does flow
    own_sha = hashlib.sha256(own).hexdigest()
    smuggled = (evidence.chunk_subject(d1.id, "smuggled"), f"dlv.{d1.id}.smuggled")

    async def run():
        local1 = await nats.connect(d1.server.client_url, connect_timeout=5)
        local2 = await nats.connect(d2.server.client_url, connect_timeout=5)
        hub_nc = await nats.connect(hub_server.client_url, nkeys_seed_str=hub.service_seed(hub_dir), connect_timeout=5)
        try:
            js1, js2, hub_js = local1.jetstream(), local2.jetstream(), hub_nc.jetstream()
            at_hub: list[str] = []
            flow = {1: [], 2: []}

            async def note(msg):
                at_hub.append(msg.subject)

            for subject in smuggled:
                await hub_nc.subscribe(subject, cb=note)
            for n, client in ((1, local1), (2, local2)):
                async def flowed(msg, n=n):
                    flow[n].append(msg.subject)

                await client.subscribe(f"$JS.FC.{evidence.stream_name(d1.id)}.>", cb=flowed)
                await client.flush()
            await hub_nc.flush()
            await asyncio.sleep(0.5)  # the interests travel over the links

            await evidence.ensure_device_bucket(js1, d1.id)
            await forge(js1, d1.id, sha, len(genuine), genuine)  # device 1's honest object
            config = evidence.device_bucket_config(d2.id)
            config.subjects += [f"$O.{evidence.bucket(d1.id)}.C.>", f"$O.{evidence.bucket(d1.id)}.M.>"]
            await js2.add_stream(config)  # device 2's bucket, taking device 1's subjects too
            await forge(js2, d1.id, sha, len(genuine), b"forged" + genuine[6:])  # in device 2's bucket, as device 1's
            await forge(js2, d2.id, own_sha, len(own), own)
            assert await evidence.ensure_hub_buckets(hub_js, [d1.id, d2.id]) == {d1.id, d2.id}
            deadline = time.monotonic() + LINK
            while not (await evidence.holds_whole(hub_js, d1.id, sha, len(genuine))
                       and await evidence.holds_whole(hub_js, d2.id, own_sha, len(own))):
                assert time.monotonic() < deadline, "the buckets did not reach the hub"
                await asyncio.sleep(0.1)
            for subject in smuggled:
                await local2.publish(subject, b"forged")  # over device 2's link: refused there
            await local2.flush()
            await hub_nc.publish(f"$JS.FC.{evidence.stream_name(d1.id)}.probe", b"")  # device 1's flow control
            await hub_nc.flush()
            await asyncio.sleep(1.0)
            assert at_hub == [] and flow == {1: [f"$JS.FC.{evidence.stream_name(d1.id)}.probe"], 2: []}

            hub1 = (await hub_js.stream_info(evidence.stream_name(d1.id), subjects_filter=">")).state.subjects
            info = await evidence.object_info(hub_js, d1.id, sha)
            assert hub1 == {evidence.chunk_subject(d1.id, info.nuid): 2, evidence.meta_subject(d1.id, sha): 1}
            sub = await hub_js.subscribe(evidence.chunk_subject(d1.id, info.nuid), stream=evidence.stream_name(d1.id), ordered_consumer=True)
            data = b"".join([(await sub.next_msg(timeout=5)).data for _ in range(2)])
            await sub.unsubscribe()
            assert data == genuine
            hub2 = (await hub_js.stream_info(evidence.stream_name(d2.id), subjects_filter=">")).state.subjects
            assert hub2 and all(s.startswith(f"$O.{evidence.bucket(d2.id)}.") for s in hub2)  # its own, filtered
        finally:
            for c in (local1, local2, hub_nc):
                await c.close()

    asyncio.run(asyncio.wait_for(run(), 3 * LINK))


def test_the_hub_at_work_sources_a_device_s_bucket_once_its_link_is_up_and_takes_its_files_in(tmp_path, world):
    """``enforcement-hub run``'s service: the device's bucket is sourced once its link is up, and the recording reaches
    the agency's evidence store, after which the agency's database verifies."""
    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    d = Device(tmp_path, "device", world.services.device_id, world.services.device_signing_key())
    hub.enrol(hub_dir, d.id, d.public)
    _case, sha, size = recording(world, tmp_path, 3 * MB)
    events = {e[1] for e in recorded(world.services)}
    database = service.database_path(hub_dir)
    store = EvidenceStore(evidence_dir(database))

    async def run():
        stop, up = asyncio.Event(), asyncio.Event()
        servers = []

        def started(server):
            servers.append(server)
            up.set()

        serving = asyncio.create_task(service.serve(hub_dir, database, stop, poll=0.2, retry=0.2, started=started))
        try:
            await asyncio.wait_for(up.wait(), 20)
            d.start(hub_dir, servers[0])
            with syncing(world, d):
                deadline = time.monotonic() + 2 * LINK
                while not store.has(sha):
                    if serving.done():
                        serving.result()  # the service's own failure, raised here
                    assert time.monotonic() < deadline, "the recording did not reach the agency's store"
                    await asyncio.sleep(0.2)
        finally:
            stop.set()
            await asyncio.wait_for(serving, 30)
            if d.server is not None:
                d.server.stop()

    asyncio.run(asyncio.wait_for(run(), 4 * LINK))
    with Services(database, clock=world.clock) as agency_at_the_hub:
        assert case_events(agency_at_the_hub) == events
        assert agency_at_the_hub.evidence.check(sha, size) is None and agency_at_the_hub.verify().ok


def test_a_file_that_cannot_be_moved_into_the_store_stays_staged_and_goes_in_at_the_next_opening(linked, world, agency, monkeypatch):  # noqa: F811
    hub_dir, hub_server, d = linked
    sha, events = uploaded(world, hub_dir, hub_server, d, MB + 1)
    evidence_event = next(e[1] for e in events if e[7] == "add_evidence")

    def disk_full(self, staged, sha256):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(EvidenceStore, "commit", disk_full)

    async def run():
        async with central(hub_dir, hub_server) as js:
            await hub_sources(js, d.id)
            run = ingest.Ingest(agency, hub_dir, js, retry=0.2)
            await run.start()
            with pytest.raises(OSError, match="文件未能放入证据库"):
                await ingest_until(run, lambda rs: False, timeout=2 * LINK)
            assert evidence_event in case_events(agency) and not agency.evidence.has(sha)
            await run.stop()  # the hub stops on it; the file still cannot go, and is kept

    asyncio.run(asyncio.wait_for(run(), 3 * LINK))
    assert staged_files(agency) == [f".incoming-{sha}"]
    monkeypatch.undo()
    as_left_by_a_dead_process(agency)
    with Services(agency.path, clock=world.clock) as reopened:
        assert reopened.evidence.check(sha, MB + 1) is None and staged_files(reopened) == []
        assert reopened.verify().ok


@pytest.mark.parametrize("body", [b"[]", b'"text"', json.dumps({"name": "x", "bucket": "b", "nuid": "n", "chunks": "many", "size": 3}).encode(),
                                  json.dumps({"name": "x", "bucket": "b", "nuid": {"a": 1}, "chunks": 1, "size": 3}).encode()])
def test_a_malformed_description_in_a_devices_bucket_is_ignored_not_the_hubs_end(tmp_path, body):
    """A device writes its bucket's descriptions: whatever it puts there, the hub's receiver goes on (a description
    of ``[]`` or a count in words once raised out of the ingest's round, and the hub stopped at every restart)."""
    import types
    import uuid

    from enforcement_app.network import server
    from enforcement_app.store.evidence import EvidenceStore

    require_binary()
    sha = "ab" * 32

    async def run():
        with server.start(tmp_path / "s", {"server_name": "hub", "jetstream": {"domain": "hub"}}) as running:
            nc = await nats.connect(running.client_url)
            try:
                js = nc.jetstream()
                dev = uuid.uuid4().hex
                await js.add_stream(evidence.device_bucket_config(dev))
                await js.publish(evidence.meta_subject(dev, sha), body, stream=evidence.stream_name(dev), headers={"Nats-Rollup": "sub"})
                receiver = evidence.Receiver(EvidenceStore(tmp_path / "ev"), js)
                event = types.SimpleNamespace(kind="add_evidence", payload={"sha256": sha, "size": 3})
                assert await receiver.present([(event, dev)]) == set()
                assert await evidence.object_info(js, dev, sha) is None
                await receiver.close()
            finally:
                await nc.close()

    asyncio.run(asyncio.wait_for(run(), 30))
