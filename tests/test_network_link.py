"""A hub and two devices, each its own nats-server on 127.0.0.1, linked as leaf nodes over TLS with the
devices' Ed25519 keys as their nkeys: a device's events reach the hub's EVENTS exactly once, and a device can
put nothing into another device's subjects; an unknown key is not let in."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

import nats
import pytest
from nats.js.errors import NoStreamResponseError
from network_support import Device, require_binary, wait_for

from enforcement_app.network import device, hub, streams

pytestmark = pytest.mark.network
LINK = 45.0  # a source made while its link was down retries after 30 s (design note, pitfall 1)


@pytest.fixture
def network(tmp_path):
    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    d1, d2 = Device(tmp_path, "d1"), Device(tmp_path, "d2")
    for d in (d1, d2):
        hub.enrol(hub_dir, d.id, d.public)
    started = [hub_server := hub.start(hub_dir)]
    try:
        for d in (d1, d2):
            started.append(d.start(hub_dir, hub_server))
        yield hub_dir, hub_server, d1, d2
    finally:
        for s in reversed(started):
            s.stop()


async def _hub_client(hub_dir, hub_server):
    """The hub's own client (its ingest service's identity), on the hub's loopback listener."""
    return await nats.connect(hub_server.client_url, nkeys_seed_str=hub.service_seed(hub_dir), connect_timeout=5)


@contextlib.asynccontextmanager
async def _streams_made(network):
    """The clients of device 1, device 2 and the hub, once each device's OUT stream is made and the hub's EVENTS
    sources both (the links must be up first); closed after."""
    hub_dir, hub_server, d1, d2 = network
    local1 = await nats.connect(d1.server.client_url, connect_timeout=5)
    local2 = await nats.connect(d2.server.client_url, connect_timeout=5)
    central = await _hub_client(hub_dir, hub_server)
    try:
        await streams.ensure_out(local1.jetstream(), d1.id)
        await streams.ensure_out(local2.jetstream(), d2.id)
        info = await streams.ensure_sources(central.jetstream(), [d1.id, d2.id])
        yield local1, local2, central, info
    finally:
        for c in (local1, local2, central):
            await c.close()


async def until(what: str, probe, timeout: float) -> None:
    """Like ``wait_for``, without blocking the event loop the subscriptions' callbacks run on."""
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.05)


def test_events_published_on_a_device_reach_the_hub_exactly_once(network):
    hub_dir, hub_server, d1, d2 = network
    started = time.monotonic()
    for d in (d1, d2):  # the links first, then the streams (a source made without its link waits 30 s)
        streams.wait_for_link(hub_server, d.id, LINK)
        assert streams.wait_for_link(d.server, "hub", LINK)["account"] == "$G"

    async def run():
        async with _streams_made(network) as (local1, local2, central, info):
            assert [s.filter_subject for s in info.config.sources] == [f"dev.{d1.id}.>", f"dev.{d2.id}.>"]
            js1 = local1.jetstream()
            hashes = [os.urandom(32).hex() for _ in range(5)]
            for h in hashes:
                ack = await js1.publish(streams.event_subject(d1.id, "case/42"), h.encode(), headers={"Nats-Msg-Id": h})
                assert ack.stream == streams.OUT and not ack.duplicate
            again = await js1.publish(streams.event_subject(d1.id, "case/42"), hashes[0].encode(), headers={"Nats-Msg-Id": hashes[0]})
            assert again.duplicate  # the dedup window catches the near copy; SQLite's UNIQUE hash is the real guard
            await local2.jetstream().publish(streams.event_subject(d2.id, "case/7"), b"d2", headers={"Nats-Msg-Id": "d2-1"})
            hub_js = central.jetstream()

            async def stored() -> int:
                return (await hub_js.stream_info(streams.EVENTS)).state.messages

            deadline = time.monotonic() + LINK
            while await stored() < 6 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert await stored() == 6, f"not within {LINK:g} s"
            await asyncio.sleep(0.5)  # and nothing more comes
            assert await stored() == 6
            got = []
            for seq in range(1, 7):
                msg = await hub_js.get_msg(streams.EVENTS, seq)
                got.append((msg.subject, msg.data.decode(), (msg.headers or {}).get("Nats-Msg-Id")))
                # the hub's server names the source each came through, as the ingest checks it (streams.source_mark)
                sender = msg.subject.split(".")[1]
                assert msg.headers["Nats-Stream-Source"].split(" ")[0] == streams.source_mark(sender)
            from_d1 = [g for g in got if g[0].startswith(f"dev.{d1.id}.")]
            assert [g[1] for g in from_d1] == hashes and [g[2] for g in from_d1] == hashes  # in order, once each
            assert [g[1] for g in got if g[0].startswith(f"dev.{d2.id}.")] == ["d2"]

    asyncio.run(asyncio.wait_for(run(), 2 * LINK))
    assert time.monotonic() - started < 2 * LINK


def test_a_backlog_of_large_events_is_not_stalled_by_flow_control_either_way(network):
    """A sourcing consumer asks for flow control once enough bytes are pending; its replies travel on
    ``$JS.FC.<sourced stream>.…``. Without those subjects in the link's permissions a backlog of ~10 KB events
    stalled after a few hundred ("source 'OUT' is stalled on flow control"), up the link and down it."""
    hub_dir, hub_server, d1, _d2 = network
    streams.wait_for_link(hub_server, d1.id, LINK)
    streams.wait_for_link(d1.server, "hub", LINK)
    count, body = 600, os.urandom(5000).hex().encode()  # 10 KB each, 6 MB in all

    async def run():
        async with _streams_made(network) as (local1, _local2, central, _info):
            js1, hub_js = local1.jetstream(), central.jetstream()
            for start in range(0, count, 200):
                await asyncio.gather(*[await js1.publish_async(f"dev.{d1.id}.{n}", body, stream=streams.OUT)
                                       for n in range(start, start + 200)])
            deadline = time.monotonic() + 30
            while (await hub_js.stream_info(streams.EVENTS)).state.messages < count:
                assert time.monotonic() < deadline, "the backlog stalled on its way up"
                await asyncio.sleep(0.1)
            await streams.ensure_todev(hub_js)
            await streams.ensure_in(js1, d1.id)
            for start in range(0, count, 200):
                await asyncio.gather(*[await hub_js.publish_async(streams.to_device_subject(d1.id, f"s{n}"), body, stream=streams.TODEV)
                                       for n in range(start, start + 200)])
            deadline = time.monotonic() + 30
            while (await js1.stream_info(streams.IN)).state.messages < count:
                assert time.monotonic() < deadline, "the backlog stalled on its way down"
                await asyncio.sleep(0.1)

    asyncio.run(asyncio.wait_for(run(), 3 * LINK))


def test_a_device_cannot_publish_into_another_devices_subjects(network):
    hub_dir, hub_server, d1, d2 = network
    for d in (d1, d2):
        streams.wait_for_link(hub_server, d.id, LINK)

    async def run():
        async with _streams_made(network) as (local1, local2, central, _info):
            hub_js = central.jetstream()
            await hub_js.add_stream(name="TODEV", subjects=["to.>"])
            seen: list[str] = []

            async def note(msg):
                seen.append(msg.subject)

            # the hub listens everywhere a smuggled message could land, and so does device 2
            for subject in (f"dev.{d2.id}.>", f"to.{d2.id}.>", f"dlv.{d2.id}.>", f"dlv.{d1.id}.>"):
                await central.subscribe(subject, cb=note)
                await local2.subscribe(subject, cb=note)
            await central.flush()
            await local2.flush()
            await asyncio.sleep(0.5)  # the hub's interest travels to the leaves
            js1 = local1.jetstream()
            for subject in (f"dev.{d2.id}.x", f"to.{d2.id}.x"):
                with pytest.raises(NoStreamResponseError):  # no stream anywhere takes it from device 1
                    await js1.publish(subject, b"forged", timeout=2)
            for subject in (f"dev.{d2.id}.x", f"to.{d2.id}.x", f"dlv.{d2.id}.x"):
                await local1.publish(subject, b"forged")
            await local1.publish(f"dlv.{d1.id}.probe", b"allowed")  # the control: device 1's own delivery space
            await local1.flush()
            await until("device 1's own delivery subject at the hub", lambda: f"dlv.{d1.id}.probe" in seen, 10)
            await asyncio.sleep(0.5)
            assert seen == [f"dlv.{d1.id}.probe"]  # and none of the forged ones, at the hub or on device 2
            assert (await hub_js.stream_info("TODEV")).state.messages == 0
            assert (await hub_js.publish(f"to.{d2.id}.x", b"from the hub")).stream == "TODEV"  # the stream takes what may reach it
            assert (await hub_js.stream_info(streams.EVENTS)).state.messages == 0
            with pytest.raises(Exception):  # noqa: B017 — nor may it ask the hub's JetStream API for anything
                await local1.request("$JS.hub.API.STREAM.DELETE.EVENTS", b"", timeout=2)
            from enforcement_app.network import evidence
            for theirs in (f"$JS.hub.API.CONSUMER.CREATE.{evidence.stream_name(evidence.inbound(d2.id))}.x",
                           f"$JS.hub.API.CONSUMER.CREATE.TODEV.x.to.{d2.id}.>"):
                with pytest.raises(Exception):  # noqa: B017 — nor read what the hub sends device 2, files or events
                    await local1.request(theirs, b"{}", timeout=2)
            assert (await hub_js.stream_info(streams.EVENTS)).config.name == streams.EVENTS

    asyncio.run(asyncio.wait_for(run(), 2 * LINK))


def test_a_device_that_learns_anothers_consumer_cannot_delete_it(network):
    """The hub's answers to every source's creation go by on the shared ``$JSC.R.>``: a device listening there
    learns the name of the consumer that feeds another device's IN. Deleting it would hold up what the hub sends
    that device; the link does not let the request through, and what the hub sends next still arrives."""
    import json
    import re

    hub_dir, hub_server, d1, d2 = network
    for d in (d1, d2):
        streams.wait_for_link(hub_server, d.id, LINK)

    async def run():
        async with _streams_made(network) as (local1, local2, central, _info):
            hub_js, js2 = central.jetstream(), local2.jetstream()
            await streams.ensure_todev(hub_js)
            overheard: list[bytes] = []

            async def note(msg):
                overheard.append(msg.data)

            await local1.subscribe("$JSC.R.>", cb=note)
            await local1.flush()
            await asyncio.sleep(0.5)  # device 1's interest travels to the hub
            await streams.ensure_in(js2, d2.id)

            async def held() -> int:
                return (await js2.stream_info(streams.IN)).state.messages

            await hub_js.publish(streams.to_device_subject(d2.id, "s1"), b"first", stream=streams.TODEV)
            await until_async("the first message in device 2's IN", lambda: held(), 1, 15)
            names = [m.group(1).decode() for data in overheard
                     if (m := re.search(rb'"stream_name":"TODEV","name":"([^"]+)"', data))]
            assert names, "device 1 did not overhear the consumer's creation (the test would prove nothing)"
            assert all(json.loads(data)["type"].endswith("consumer_create_response") for data in overheard)
            for name in names:
                with pytest.raises(Exception):  # noqa: B017 — no answer comes back (nor would one if it were let through)
                    await local1.request(f"$JS.hub.API.CONSUMER.DELETE.TODEV.{name}", b"", timeout=1)
                assert (await hub_js.consumer_info(streams.TODEV, name)).name == name  # the consumer is still there
            await hub_js.publish(streams.to_device_subject(d2.id, "s2"), b"second", stream=streams.TODEV)
            await until_async("the second message in device 2's IN", lambda: held(), 2, 5)

    asyncio.run(asyncio.wait_for(run(), 2 * LINK))


async def until_async(what: str, probe, want: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while await probe() < want:
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.05)


def test_an_unknown_key_is_not_let_in(network, tmp_path):
    hub_dir, hub_server, d1, _ = network
    streams.wait_for_link(hub_server, d1.id, LINK)
    stranger = Device(tmp_path, "stranger")  # not enrolled
    stranger.start(hub_dir, hub_server)
    try:
        log = stranger.folder / "nats.log"
        wait_for("the hub's refusal in the stranger's log", lambda: "Leafnode Error 'Authorization Violation'" in log.read_text(encoding="utf-8"), 15)
        assert stranger.id not in streams.links(hub_server) and streams.links(stranger.server) == {}
    finally:
        stranger.server.stop()


def test_a_device_that_does_not_know_the_hubs_ca_does_not_link(network, tmp_path):
    hub_dir, hub_server, d1, _ = network
    other = hub.init(tmp_path / "another-hub")
    misled = Device(tmp_path, "misled")
    hub.enrol(hub_dir, misled.id, misled.public)
    s = device.start(misled.folder, misled.id, f"tls://127.0.0.1:{hub_server.leafnode_port}", hub.ca_file(other),
                     misled.key.private_bytes_raw())
    try:
        log = misled.folder / "nats.log"
        wait_for("the TLS failure in the misled device's log", lambda: "certificate signed by unknown authority" in log.read_text(encoding="utf-8"), 15)
        assert misled.id not in streams.links(hub_server)
        assert d1.id in streams.links(hub_server)  # the enrolment's reload left the others linked
    finally:
        s.stop()


def test_a_backlog_of_megabytes_of_events_reaches_the_hub_whole(network):
    """A source's flow control: past a few megabytes in flight the device's consumer waits for the hub's answers, on
    ``$JS.FC.OUT.…``; the link must let them down to the device, or the source stalls there for good."""
    hub_dir, hub_server, d1, _d2 = network
    streams.wait_for_link(hub_server, d1.id, LINK)
    count, body = 3000, os.urandom(8000)  # 24 MB, as a day's recordings offline might make

    async def run():
        local = await nats.connect(d1.server.client_url, connect_timeout=5)
        central = await _hub_client(hub_dir, hub_server)
        try:
            js = local.jetstream()
            await streams.ensure_out(js, d1.id)
            for n in range(count):
                await js.publish_async(streams.event_subject(d1.id, "case/42"), body, headers={"Nats-Msg-Id": str(n)})
            await js.publish_async_completed()
            hub_js = central.jetstream()
            await streams.ensure_sources(hub_js, [d1.id])
            deadline = time.monotonic() + LINK
            while (info := await hub_js.stream_info(streams.EVENTS)).state.messages < count:
                assert time.monotonic() < deadline, f"{info.state.messages} of {count} events at the hub: {info.sources[0].error}"
                await asyncio.sleep(0.2)
        finally:
            await local.close()
            await central.close()

    asyncio.run(asyncio.wait_for(run(), 2 * LINK))
