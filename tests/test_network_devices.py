"""The agency network end to end: a hub (its nats-server, the ingest, the fan-out) and three devices, each a real
app database with its own nats-server on 127.0.0.1, linked through the app's own DeviceLink as a running client
links — the office desk where the head approves (the test world's database, where the agency was set up and
which numbers its cases), an officer's new laptop, another officer's new laptop. The laptops receive the agency's
officers and configuration; the case the officer opens on the laptop reaches the desk, the head's approval made
there reaches the laptop and not the other laptop, the hub's receipts for the laptop's record are kept and
checked, and every database verifies."""

from __future__ import annotations

import contextlib

import pytest
import steps
from conftest import signed_in
from network_support import Device, HubThread, case_asked_for_filing, require_binary, wait_for

from enforcement_app.network import fanout, hub, link, outbox, streams
from enforcement_app.services import Services
from enforcement_app.store import receipts as receipt_store

pytestmark = pytest.mark.network
LINK = 45.0


def events_of(db_path, stream: str | None = None) -> set[str]:
    import sqlite3

    db = sqlite3.connect(db_path)
    try:
        query = "SELECT hash FROM event" + (" WHERE stream = ?" if stream else "")
        return {r[0] for r in db.execute(query, [stream] if stream else [])}
    finally:
        db.close()


def kinds_of(db_path, stream: str) -> list[str]:
    import sqlite3

    db = sqlite3.connect(db_path)
    try:
        return [r[0] for r in db.execute("SELECT kind FROM event WHERE stream = ? ORDER BY seq", [stream])]
    finally:
        db.close()


def known_officer(services, login: str) -> bool:
    services.refresh()  # the receiving thread's connection committed them
    return services.officer_by_login(login) is not None


@pytest.fixture
def agency_network(tmp_path, world):
    """(hub, {name: (services, DeviceLink)}) with the world's database as the office desk ``desk`` and two new
    laptops ``laptop`` and ``other``; everything stopped after."""
    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    databases = {"desk": world.services}
    for name in ("laptop", "other"):
        databases[name] = Services(tmp_path / f"{name}.db", clock=world.clock)
    for name, services in databases.items():
        d = Device(tmp_path, name, services.device_id, services.device_signing_key())
        hub.enrol(hub_dir, d.id, d.public, desk=name == "desk")
    running = HubThread(hub_dir, tmp_path / "agency.db", poll=0.2, retry=0.3).start()
    links = {}
    try:
        for name, services in databases.items():
            settings = link.join(services.path, running.url, hub.ca_file(hub_dir), world.clock())
            links[name] = link.DeviceLink(services.path, services.device_id, services.device_signing_key().private_bytes_raw(),
                                          settings, clock=world.clock, poll=0.2, retry=0.3).start()
        yield running, {name: (databases[name], links[name]) for name in databases}
    finally:
        for running_link in links.values():
            with contextlib.suppress(Exception):
                running_link.stop()
        running.stop()
        for name in ("laptop", "other"):
            databases[name].close()


def test_the_officers_case_reaches_the_desk_and_the_heads_approval_reaches_only_the_officers_laptop(agency_network, world, tmp_path):
    running, devices = agency_network
    (laptop, laptop_link), (desk, desk_link), (other, _) = devices["laptop"], devices["desk"], devices["other"]
    for name, (_, running_link) in devices.items():
        wait_for(f"{name}'s link", lambda running_link=running_link: running_link.status().connected, LINK)
    officer = world.officer_a
    # the laptop holds the agency's officers once their events came down: the officer logs in there with their password
    wait_for("the officers on the laptop", lambda: known_officer(laptop, officer.login), LINK)
    on_laptop = signed_in(laptop, officer.login)
    case_id = case_asked_for_filing(world, on_laptop)
    laptop_link.wake()  # as the client does after a write
    sent = events_of(laptop.path, case_id)
    wait_for("the laptop's case on the desk", lambda: sent <= events_of(desk.path, case_id), LINK)
    desk.refresh()  # what another connection (the desk's receiving thread) committed
    assert desk.current_state(case_id).stage == laptop.current_state(case_id).stage
    signed_in(desk, world.head.login).perform(case_id, "approve_filing", {"opinion": "同意立案"})
    desk_link.wake()
    wait_for("the approval on the laptop", lambda: "approve_filing" in kinds_of(laptop.path, case_id), LINK)
    laptop.refresh()
    assert laptop.current_state(case_id).stage == desk.current_state(case_id).stage
    assert laptop.current_state(case_id).case_no  # numbered on the desk, as the agency's numbering device does
    # the officer photographs on the spot: the photo's file reaches the desk with its event, through the hub's bucket
    # for the desk (without it the event, and every step after it, would wait there for ever)
    world.clock.set("2025-03-04T12:00")
    photo = tmp_path / "photo.png"
    steps.png(photo, 7)
    sha = on_laptop.add_evidence(case_id, photo, steps.photo_details(world))
    laptop_link.wake()
    wait_for("the photo's file on the desk", lambda: desk.evidence.has(sha), LINK)
    wait_for("the photo's event on the desk", lambda: "add_evidence" in kinds_of(desk.path, case_id), LINK)
    # the other laptop got the agency's officers and configuration, and nothing of this case
    assert not events_of(other.path, case_id)
    wait_for("the officers on the other laptop", lambda: known_officer(other, world.head.login), LINK)
    assert events_of(other.path, f"officer/{world.head.id}") == events_of(desk.path, f"officer/{world.head.id}")
    # the hub's receipts for the laptop's record came, hold against the hub's CA, and cover all it sent
    wait_for("the laptop's events all acknowledged by the hub", lambda: laptop_link.status().waiting == 0, LINK)
    assert receipt_store.all_receipts(laptop.db)
    for services in (laptop, desk, other):
        assert services.verify().ok, services.verify().problems
    # what came from the hub does not go back up: the desk's OUT holds the desk's own events only (a desk receives
    # every case, and would otherwise send the agency's whole record back, once per desk)
    import asyncio

    import nats

    async def out_of(running_link, device: str) -> tuple[int, int]:
        """(events, words that it holds a file) in the device's OUT."""
        nc = await nats.connect(running_link.server.client_url, connect_timeout=5)
        try:
            subjects = (await nc.jetstream().stream_info(streams.OUT, subjects_filter=f"dev.{device}.*")).state.subjects or {}
            held = subjects.get(streams.held_subject(device), 0)
            return sum(subjects.values()) - held, held
        finally:
            await nc.close()

    own = desk.db.execute("SELECT count(*) FROM event WHERE device = ?", [desk.device_id]).fetchone()[0]
    # and the one word beside them: that it holds the laptop's photo
    wait_for("the desk's own events in its OUT", lambda: asyncio.run(out_of(desk_link, desk.device_id)) == (own, 1), 10)
    assert asyncio.run(out_of(desk_link, desk.device_id))[0] == own < desk.db.execute("SELECT count(*) FROM event").fetchone()[0]


def filed_through_the_hub(world, on_laptop, devices, before_it_goes=None) -> str:
    """A case the officer opens on the laptop and asks to file (``before_it_goes(case_id)`` done before the link is
    woken), once it is on the desk and the head's approval made there is back on the laptop."""
    (laptop, laptop_link), (desk, desk_link) = devices["laptop"], devices["desk"]
    case_id = case_asked_for_filing(world, on_laptop)
    if before_it_goes is not None:
        before_it_goes(case_id)
    laptop_link.wake()
    wait_for("the case on the desk", lambda: events_of(laptop.path, case_id) <= events_of(desk.path, case_id), LINK)
    desk.refresh()
    signed_in(desk, world.head.login).perform(case_id, "approve_filing", {"opinion": "同意立案"})
    desk_link.wake()
    wait_for("the approval on the laptop", lambda: "approve_filing" in kinds_of(laptop.path, case_id), LINK)
    laptop.refresh()
    return case_id


def test_a_laptop_that_got_a_case_by_a_bundle_is_sent_what_came_before_once_it_records_in_it(agency_network, world, tmp_path):
    """The fan-out sends a case to the devices that recorded in it. The other laptop got the case on a USB stick
    before the head approved and the officer photographed: once it records a step of its own there, the hub sends
    it what the others recorded before, the photo's file with its event."""
    running, devices = agency_network
    (laptop, laptop_link), (desk, _), (other, other_link) = devices["laptop"], devices["desk"], devices["other"]
    for name, (_, running_link) in devices.items():
        wait_for(f"{name}'s link", lambda running_link=running_link: running_link.status().connected, LINK)
    for services, logins in ((laptop, (world.officer_a.login,)), (other, (world.admin.login, world.officer_b.login))):
        for login in logins:  # the officers' events may come down over several rounds: each one used is waited for
            wait_for(f"{login} on a laptop", lambda services=services, login=login: known_officer(services, login), LINK)
    on_laptop = signed_in(laptop, world.officer_a.login)
    stick = tmp_path / "case.ecb"
    case_id = filed_through_the_hub(world, on_laptop, devices, before_it_goes=lambda case_id: on_laptop.export_bundle(
        stick, cases=[case_id], encrypt=False))
    world.clock.set("2025-03-04T12:00")
    photo = tmp_path / "photo.png"
    steps.png(photo, 7)
    sha = on_laptop.add_evidence(case_id, photo, steps.photo_details(world))
    laptop_link.wake()
    wait_for("the photo at the hub", lambda: "add_evidence" in kinds_of(running.database, case_id), LINK)
    # the other laptop takes the case from the stick: the lead and the request, neither the approval nor the photo
    signed_in(other, world.admin.login).import_bundle(stick, trust_new=True)
    assert kinds_of(other.path, case_id) == ["register_lead", "request_filing"]
    other.refresh()
    second = tmp_path / "second.png"
    steps.png(second, 11)
    own = signed_in(other, world.officer_b.login).add_evidence(case_id, second, steps.photo_details(world, 1))
    other_link.wake()
    wait_for("what came before on the other laptop", lambda: {"approve_filing", "add_evidence"} <= set(kinds_of(other.path, case_id))
             and len(kinds_of(other.path, case_id)) == 5, LINK)
    wait_for("the laptop's photo's file on the other laptop", lambda: other.evidence.has(sha), LINK)
    assert events_of(laptop.path, case_id) <= events_of(other.path, case_id)
    other.refresh()
    assert other.current_state(case_id).case_no == desk.current_state(case_id).case_no  # numbered on the desk
    # and the hub keeps no catch-up left to do, and sent only what the stick had not carried: the approval and the
    # first laptop's photo of the case's own events (and the party's registration, sent whole)
    wait_for("the catch-up done", lambda: _count(running.database, "SELECT count(*) FROM fanout_case_catch_up") == 0, LINK)
    assert _sent_to(running, other.device_id, case_id) == 2
    # the other laptop's photo reaches those who hold the case, before their databases are verified
    for services in (laptop, desk):
        wait_for("the other laptop's photo's file", lambda services=services: services.evidence.has(own), LINK)
    for services in (laptop, desk, other):
        services.refresh()
        assert services.verify().ok, services.verify().problems


def test_the_hubs_copy_of_a_file_for_a_device_goes_once_the_device_holds_it(agency_network, world, tmp_path):
    """The files the hub sends a device wait in a bucket of the hub's for that device. Once the device has stored the
    file's event, and with it the file, it says so: the hub's copy for it goes, though the desk only reads the case."""
    running, devices = agency_network
    (laptop, laptop_link), (desk, _) = devices["laptop"], devices["desk"]
    on_laptop, case_id = _a_case_filed_on_the_laptop(agency_network, world)
    steps.png(tmp_path / "photo.png", 1)
    photo = on_laptop.add_evidence(case_id, tmp_path / "photo.png", steps.photo_details(world))
    laptop_link.wake()
    wait_for("the laptop's photo on the desk", lambda: desk.evidence.has(photo) and "add_evidence" in kinds_of(desk.path, case_id), LINK)
    wait_for("the hub's copy for the desk gone", lambda: not _held_for(running, desk.device_id, photo), LINK)
    wait_for("the hub's note of it gone", lambda: _count(running.database, "SELECT count(*) FROM hub_outbound_file WHERE device = ?",
                                                          [desk.device_id]) == 0, LINK)
    assert [r.problem for r in running.rounds if r.problem] == []
    desk.refresh()
    assert desk.evidence.has(photo) and desk.verify().ok
    # the same photo in a second case (within the stream's dedup window): the hub puts it into the desk's bucket no
    # more, and the desk's copy of that bucket ends empty (it purges only what it fetched)
    second = filed_through_the_hub(world, on_laptop, devices)
    laptop.refresh()
    assert on_laptop.add_evidence(second, tmp_path / "photo.png", steps.photo_details(world)) == photo
    laptop_link.wake()
    wait_for("the second case's photo on the desk", lambda: "add_evidence" in kinds_of(desk.path, second), LINK)
    assert not _held_for(running, desk.device_id, photo)
    assert _count(running.database, "SELECT count(*) FROM hub_device_file WHERE device = ? AND sha256 = ?", [desk.device_id, photo]) == 1
    assert _inbound_messages(devices["desk"][1], desk.device_id) == 0


def test_a_word_that_was_lost_leaves_the_hubs_copy_until_the_device_builds_on_the_file(agency_network, world, tmp_path, monkeypatch):
    """A device killed before it said that it holds a file (here: its word lost): the hub's copy for it stays until the
    device records a step of the case that builds on the file's event (a device holds an add_evidence event only with
    its file); then it goes, and only that one."""

    async def lost(js, device, files, **_):
        return None

    monkeypatch.setattr(outbox, "tell_held", lost)
    running, devices = agency_network
    (laptop, laptop_link), (desk, desk_link) = devices["laptop"], devices["desk"]
    on_laptop, case_id = _a_case_filed_on_the_laptop(agency_network, world)
    photos = []
    for n in (1, 2, 3):
        steps.png(tmp_path / f"photo{n}.png", n)
        photos.append(tmp_path / f"photo{n}.png")
    first = on_laptop.add_evidence(case_id, photos[0], steps.photo_details(world))
    laptop_link.wake()
    wait_for("the laptop's photo on the desk", lambda: desk.evidence.has(first) and "add_evidence" in kinds_of(desk.path, case_id), LINK)
    assert _held_for(running, desk.device_id, first)  # the hub's copy for the desk, kept until the desk builds on it
    desk.refresh()
    second = signed_in(desk, world.officer_b.login).add_evidence(case_id, photos[1], steps.photo_details(world, 1))
    desk_link.wake()
    wait_for("the hub's copy for the desk gone", lambda: not _held_for(running, desk.device_id, first), LINK)
    wait_for("the desk's photo on the laptop", lambda: laptop.evidence.has(second), LINK)
    assert _held_for(running, laptop.device_id, second)  # the laptop has not built on it yet: its copy stays
    laptop.refresh()
    on_laptop.add_evidence(case_id, photos[2], steps.photo_details(world, 2))
    laptop_link.wake()
    wait_for("the hub's copy for the laptop gone", lambda: not _held_for(running, laptop.device_id, second), LINK)
    assert _count(running.database, "SELECT count(*) FROM hub_outbound_file WHERE sha256 IN (?, ?)", [first, second]) == 0
    for services in (laptop, desk):
        services.refresh()
        assert services.evidence.has(first) and services.evidence.has(second)
        assert services.verify().ok, services.verify().problems


def _a_case_filed_on_the_laptop(agency_network, world):
    """Every link up, the officer signed in on the laptop and a case of theirs filed through the hub (the clock at
    noon the day after): the officer's session there and the case."""
    _running, devices = agency_network
    for name, (_, running_link) in devices.items():
        wait_for(f"{name}'s link", lambda running_link=running_link: running_link.status().connected, LINK)
    laptop = devices["laptop"][0]
    wait_for("the officer on the laptop", lambda: known_officer(laptop, world.officer_a.login), LINK)
    on_laptop = signed_in(laptop, world.officer_a.login)
    case_id = filed_through_the_hub(world, on_laptop, devices)
    world.clock.set("2025-03-04T12:00")
    return on_laptop, case_id


def _held_for(running, device: str, sha: str) -> bool:
    """Whether the hub's bucket for ``device`` holds file ``sha``."""
    import asyncio

    import nats

    from enforcement_app.network import evidence

    async def look() -> bool:
        nc = await nats.connect(running.server.client_url, nkeys_seed_str=hub.service_seed(running.hub_dir), connect_timeout=5)
        try:
            return await evidence.object_info(nc.jetstream(), evidence.inbound(device), sha) is not None
        finally:
            await nc.close()

    return asyncio.run(look())


def _inbound_messages(running_link, device: str) -> int:
    """The messages the device's copy of the hub's bucket for it holds (on the device's own server)."""
    import asyncio

    import nats

    from enforcement_app.network import evidence

    async def count() -> int:
        nc = await nats.connect(running_link.server.client_url, connect_timeout=5)
        try:
            return (await nc.jetstream().stream_info(evidence.stream_name(evidence.inbound(device)))).state.messages
        finally:
            await nc.close()

    return asyncio.run(count())


def _sent_to(running, device: str, stream: str) -> int:
    """The messages the hub's TODEV holds for ``device`` on ``stream``."""
    import asyncio

    import nats

    async def count() -> int:
        nc = await nats.connect(running.server.client_url, nkeys_seed_str=hub.service_seed(running.hub_dir), connect_timeout=5)
        try:
            subject = streams.to_device_subject(device, stream)
            info = await nc.jetstream().stream_info(streams.TODEV, subjects_filter=subject)
            return (info.state.subjects or {}).get(subject, 0)
        finally:
            await nc.close()

    return asyncio.run(count())


def _count(db_path, sql: str, params=()) -> int:
    import sqlite3

    db = sqlite3.connect(db_path)
    try:
        return db.execute(sql, params).fetchone()[0]
    finally:
        db.close()


def test_targets_never_send_a_device_its_own_events_nor_a_devices_bookkeeping():
    scopes = {"a": hub.FIELD, "b": hub.FIELD, "desk": hub.DESK}
    assert fanout.targets("case1", "a", scopes, {"a"}) == ["desk"]
    assert fanout.targets("case1", "desk", scopes, {"a", "desk"}) == ["a"]
    assert fanout.targets("evaluation/case1", "desk", scopes, {"b"}) == ["b"]
    assert fanout.targets("party/p1", "a", scopes, {"a", "b"}) == ["b", "desk"]
    assert fanout.targets("officer/o1", "a", scopes, set()) == ["b", "desk"]
    assert fanout.targets("config/policy", "hubdevice", scopes, set()) == ["a", "b", "desk"]
    assert fanout.targets("device/a", "a", scopes, {"a", "b", "desk"}) == []
    assert fanout.targets("case1", "a", scopes, {"a", "stranger"}) == ["desk"]  # a device not enrolled gets nothing
    assert streams.to_device_subject("a", "party/x.y") == "to.a." + b"party/x.y".hex()


def test_a_receiving_task_that_dies_of_an_unforeseen_error_says_so(world, monkeypatch):
    """Not silent: the status bar's problem names it (a receiving task once died at its first line, unseen)."""
    from enforcement_app.network import sync

    async def broken(self):
        raise RuntimeError("接收任务的意外错误")

    monkeypatch.setattr(sync.Sync, "_receive", broken)
    thread = sync.Sync(world.services, world.services.device_id, "nats://127.0.0.1:9", poll=0.05, retry=0.05,
                       receiving=sync.Receiving(server=None, ca_pem=b""))
    thread.start()
    try:
        wait_for("the error said", lambda: thread.receive_error and "接收任务的意外错误" in thread.receive_error, 5)
    finally:
        thread.stop()


def test_a_hub_round_that_fails_is_said_and_the_hub_goes_on(tmp_path, monkeypatch):
    """Whatever a round meets that nothing foresaw, the hub says it and goes on: it once ended serve() (and with it
    enforcement-hub run) at the first exception a device's data could provoke."""
    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    calls = []
    publish = fanout.publish_to_devices

    async def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("意外的错误")
        return await publish(*args, **kwargs)

    monkeypatch.setattr(fanout, "publish_to_devices", flaky)
    running = HubThread(hub_dir, tmp_path / "agency.db", poll=0.05, retry=0.05).start()
    try:
        wait_for("the failed round said, and rounds after it", lambda: len(calls) > 5 and any(
            "意外的错误" in r.problem for r in running.rounds), 20)
    finally:
        running.stop()  # raises what serve() died of, if it did


def test_a_laptop_enrolled_while_the_hub_runs_gets_the_officers_it_had_sent_on_before(tmp_path, world):
    """The shared fan-out had passed the agency's officers before the laptop existed: it catches up on its own."""
    import sqlite3

    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    desk = world.services
    hub.enrol(hub_dir, desk.device_id, desk.device_signing_key().public_key().public_bytes_raw().hex(), desk=True)
    running = HubThread(hub_dir, tmp_path / "agency.db", poll=0.1, retry=0.2).start()
    links = []
    laptop = Services(tmp_path / "laptop.db", clock=world.clock)
    try:
        joined = link.join(desk.path, running.url, hub.ca_file(hub_dir), world.clock())
        links.append(link.DeviceLink(desk.path, desk.device_id, desk.device_signing_key().private_bytes_raw(), joined,
                                     clock=world.clock, poll=0.1, retry=0.2).start())
        officers = events_of(desk.path, f"officer/{world.head.id}")

        def passed() -> bool:  # the shared mark has gone over the desk's events
            try:
                db = sqlite3.connect(tmp_path / "agency.db")
                try:
                    row = db.execute("SELECT published_seq FROM outbox WHERE stream = 'TODEV'").fetchone()
                    held = db.execute("SELECT count(*) FROM event").fetchone()[0]
                    return bool(row) and row[0] >= held and officers <= events_of(tmp_path / "agency.db")
                finally:
                    db.close()
            except sqlite3.OperationalError:
                return False

        wait_for("the desk's record at the hub, passed by the fan-out", passed, LINK)
        hub.enrol(hub_dir, laptop.device_id, laptop.device_signing_key().public_key().public_bytes_raw().hex())
        joined = link.join(laptop.path, running.url, hub.ca_file(hub_dir), world.clock())
        links.append(link.DeviceLink(laptop.path, laptop.device_id, laptop.device_signing_key().private_bytes_raw(), joined,
                                     clock=world.clock, poll=0.1, retry=0.2).start())
        wait_for("the officers on the laptop enrolled late", lambda: known_officer(laptop, world.head.login), LINK)
        assert events_of(laptop.path, f"officer/{world.head.id}") == officers
    finally:
        for running_link in links:
            running_link.stop()
        running.stop()
        laptop.close()
