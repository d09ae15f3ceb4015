"""Benchmark: the agency network on loopback (issue #16), each figure beside the raw figure of its engine.

    python bench/bench_network.py [--events 100000] [--steps 20] [--db PATH --keys DIR]

1. The record: a device database of about ``--events`` real events, made through the services (cases opened,
   filed with the head's signed approval, inspected and the party inquired: the drawn signatures on each 笔录),
   unless ``--db`` names one made by an earlier run (``--keys``: that run's key folder).
2. Outbox: the whole record published into the device's own OUT stream, against a bare bulk publish of
   messages of the same sizes into a stream of a bare local server (the engine).
3. Backlog: the hub's EVENTS sources the device's OUT once the leaf link is up; the resume delay (link up → first
   message at the hub) apart from the catch-up rate (first → last). The engine's figure is the same sourcing; the
   target is ≥ 10,000 events/s after the link is up.
4. Ingest: the hub folds EVENTS into a new agency database, checked as a bundle's events are (≥ 5,000 events/s),
   against a bare SQLite executemany of the same rows into an event table.
5. Step → inbox: an officer's step on a laptop (a filing request) until the case is in the head's inbox on the
   office desk, every piece running (the hub's service, both devices' links), ``--steps`` times: median and
   slowest (≤ 1 s median), against a bare message's trip from a device's server to a subscriber at the hub.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import nats  # noqa: E402
from conftest import make_world, signed_in  # noqa: E402  (sets a key folder of its own for the run)
from nats.js.api import StorageType, StreamConfig  # noqa: E402
from network_support import Device, HubThread, wait_for  # noqa: E402

from enforcement_app.network import device as device_server  # noqa: E402
from enforcement_app.network import hub, ingest, link, outbox, server, streams  # noqa: E402
from enforcement_app.services import Services  # noqa: E402
from enforcement_app.services.bundle_format import encode_events  # noqa: E402

LINK = 45.0
PARTY = {"kind": "organisation", "name": "惠州某某便利店", "uscc": "91441300MA4UXXXX14", "legal_representative": "李某",
         "address": "惠州市仲恺高新区和畅路9号"}


def lead(world, on: str) -> dict:
    return {"source": "inspection", "received_on": on, "act_date": "2025-02-20", "cause": "销售超过保质期的食品",
            "cause_entry": "food_safety_124_1", "summary": "巡查发现货架上有过期酸奶",
            "handlers": [world.officer_a.id, world.officer_b.id], "life_health_finance": False}


FILING = {"facts": "巡查发现销售过期食品", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "涉嫌违反食品安全法第三十四条"}


def inspection(world, n: int) -> dict:
    return {"started_at": "2025-03-05T10:00", "ended_at": "2025-03-05T11:00", "place": f"惠州市仲恺高新区惠风路{n}号店内",
            "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
            "findings": f"货架上有超过保质期的酸奶{n % 40 + 1}盒", "present": "刘某"}


def inquiry(world, n: int) -> dict:
    return {"started_at": "2025-03-05T14:30", "ended_at": "2025-03-05T15:30", "place": "仲恺高新区市场监督管理局询问室",
            "officers": [world.officer_a.id, world.officer_b.id], "recorder": "李华", "certificates_shown": True,
            "rights_notified": True, "person": {"name": "刘某", "id_number": "11010519491231002X", "relation": "当事人"},
            "qa": [{"q": "货架上的酸奶是否过期？", "a": f"是的，忘记下架了（第{n}号）。"}]}


def build(path: Path, events: int) -> None:
    """Cases as officers record them: a lead, the filing request and the head's signed approval, an inspection
    and an inquiry with the drawn signatures of the officers and the party (two events in five are such 笔录,
    twice the share of the demo's cases: a conservative mix for the ingest)."""
    world = make_world(path)
    world.clock.set("2025-03-05T18:00")
    officer, head = signed_in(world.services, world.officer_a.login), signed_in(world.services, world.head.login)
    party = world.company.id
    started, made = time.perf_counter(), 0
    while made < events:
        case = officer.register_lead({**lead(world, "2025-03-03"), "party_id": party})
        officer.perform(case, "request_filing", FILING)
        head.perform(case, "approve_filing", {"opinion": "同意立案"})
        officer.perform(case, "record_inspection", inspection(world, made))
        officer.perform(case, "record_inquiry", inquiry(world, made))
        made += 5
        if made % 10_000 < 5:
            print(f"  {made:,} events ({time.perf_counter() - started:.0f} s)", flush=True)
    world.services.close()


def rows_of(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT seq, hash, stream, parents, actor, device, at, kind, payload FROM event ORDER BY seq").fetchall()
    finally:
        db.close()


async def raw_publish(folder: Path, bodies: list[bytes]) -> float:
    """Seconds for a bare bulk publish of ``bodies`` into a file stream of a bare local server."""
    with server.start(folder, {"server_name": "raw", "jetstream": {"domain": "raw"}}) as bare:
        nc = await nats.connect(bare.client_url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="RAW", subjects=["raw.>"], storage=StorageType.FILE))
        started = time.perf_counter()
        for start in range(0, len(bodies), 1000):
            futures = [await js.publish_async(f"raw.{n}", b, stream="RAW") for n, b in enumerate(bodies[start:start + 1000])]
            await asyncio.gather(*futures)
        took = time.perf_counter() - started
        await nc.close()
    return took


def raw_insert(folder: Path, rows: list[tuple]) -> float:
    db = sqlite3.connect(folder / "raw.db")
    db.execute("CREATE TABLE event (seq INTEGER PRIMARY KEY, hash TEXT UNIQUE, stream, parents, actor, device, at, kind, payload)")
    started = time.perf_counter()
    with db:
        db.executemany("INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload) VALUES (?,?,?,?,?,?,?,?)",
                       [r[1:] for r in rows])
    took = time.perf_counter() - started
    db.close()
    return took


async def backlog_and_ingest(tmp: Path, path: Path, rows: list[tuple]) -> None:
    with Services(path) as services:
        d = Device(tmp, "device", services.device_id, services.device_signing_key())
    hub_dir = hub.init(tmp / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    hub.enrol(hub_dir, d.id, d.public)
    with hub.start(hub_dir) as hub_server:
        d.server = device_server.start(d.folder, d.id, f"tls://127.0.0.1:{hub_server.leafnode_port}", hub.ca_file(hub_dir),
                                       d.key.private_bytes_raw())
        try:
            local = await nats.connect(d.server.client_url)
            started = time.perf_counter()
            published = await outbox.publish_pending(path, local.jetstream(), d.id)
            took = time.perf_counter() - started
            await local.close()
            print(f"outbox: {published.sent:,} events into the device's OUT in {took:.2f} s ({published.sent / took:,.0f} events/s)")
            streams.wait_for_link(hub_server, d.id, LINK)
            linked = time.perf_counter()
            central = await nats.connect(hub_server.client_url, nkeys_seed_str=hub.service_seed(hub_dir))
            js = central.jetstream()
            await streams.ensure_sources(js, [d.id])
            first = last = None
            while True:
                held = (await js.stream_info(streams.EVENTS)).state.messages
                now = time.perf_counter()
                if held and first is None:
                    first = now
                if held >= len(rows):
                    last = now
                    break
                if now - linked > 120:
                    raise SystemExit(f"backlog: only {held:,} of {len(rows):,} at the hub after 120 s")
                await asyncio.sleep(0.01)
            print(f"backlog: resume delay {first - linked:.2f} s after the link is up; then {len(rows):,} events in "
                  f"{last - first:.2f} s ({len(rows) / max(last - first, 1e-6):,.0f} events/s; target ≥ 10,000)")
            with Services(tmp / "agency.db") as agency:
                run = ingest.Ingest(agency, hub_dir, js, ack_wait=120)
                await run.start()
                stored = refused = 0
                started = time.perf_counter()
                while stored + refused < len(rows) and time.perf_counter() - started < 600:
                    r = await run.round(batch=ingest.BATCH, timeout=2)
                    stored, refused = stored + r.stored + r.known, refused + r.refused
                    if r.refusals:
                        print("  refused:", r.refusals[0].reason[:200])
                took = time.perf_counter() - started
                await run.stop()
                print(f"ingest: {stored:,} events into the agency's database in {took:.1f} s ({stored / took:,.0f} events/s; "
                      f"target ≥ 5,000), {refused:,} refused")
                ok = agency.verify()
                print(f"  the agency's database verifies: {ok.ok}" + ("" if ok.ok else f" ({ok.problems[:2]})"))
            await central.close()
        finally:
            d.server.stop()


async def bare_trip(device_srv, hub_srv, hub_dir, device_id: str, count: int = 50) -> list[float]:
    """A bare message from the device's server to a subscriber at the hub: the leaf link's own latency. The
    device's link may only publish ``dlv.<device>.…`` upward, so that is the subject used."""
    central = await nats.connect(hub_srv.client_url, nkeys_seed_str=hub.service_seed(hub_dir))
    local = await nats.connect(device_srv.client_url)
    got = asyncio.Queue()
    async def arrived(_msg) -> None:
        got.put_nowait(time.perf_counter())

    await central.subscribe(f"dlv.{device_id}.bench", cb=arrived)
    await central.flush()
    await asyncio.sleep(0.5)  # the interest reaches the device's server
    times = []
    for _ in range(count):
        sent = time.perf_counter()
        await local.publish(f"dlv.{device_id}.bench", b"x" * 1000)
        await local.flush()
        try:
            times.append(await asyncio.wait_for(got.get(), 5) - sent)
        except TimeoutError:
            break
    await local.close()
    await central.close()
    return times


def step_to_inbox(tmp: Path, steps: int) -> None:
    desk = make_world(tmp / "desk.db")
    laptop = Services(tmp / "laptop.db", clock=desk.clock)
    hub_dir = hub.init(tmp / "hub2", leaf_host="127.0.0.1", leaf_port=-1)
    for services, is_desk in ((desk.services, True), (laptop, False)):
        d = Device(tmp, "x", services.device_id, services.device_signing_key())
        hub.enrol(hub_dir, d.id, d.public, desk=is_desk)
    running = HubThread(hub_dir, tmp / "agency2.db", poll=0.2, retry=0.3).start()
    links = []
    try:
        for services in (desk.services, laptop):
            joined = link.join(services.path, running.url, hub.ca_file(hub_dir), desk.clock())
            links.append(link.DeviceLink(services.path, services.device_id, services.device_signing_key().private_bytes_raw(),
                                         joined, clock=desk.clock, poll=1.0).start())
        for running_link in links:
            wait_for("the link", lambda running_link=running_link: running_link.status().connected, LINK)

        def known() -> bool:
            laptop.refresh()
            return laptop.officer_by_login(desk.officer_a.login) is not None

        wait_for("the officers on the laptop", known, LINK)
        officer = signed_in(laptop, desk.officer_a.login)
        head = desk.services.session(desk.head.login)
        took = []
        for n in range(steps):
            case = officer.register_party_and_case(PARTY, lead(desk, "2025-03-03"))
            officer.perform(case, "request_filing", FILING)
            done = time.perf_counter()
            links[1].wake()  # as the client does after a write

            def in_inbox(case=case) -> bool:
                desk.services.refresh()
                return any(i.case_id == case for i in head.inbox())

            wait_for("the step in the head's inbox", in_inbox, 10, interval=0.005)
            took.append(time.perf_counter() - done)
            del n
        trips = asyncio.run(bare_trip(links[1].server, running.server, hub_dir, laptop.device_id))
        print(f"step → inbox: median {statistics.median(took) * 1000:.0f} ms, slowest {max(took) * 1000:.0f} ms over {steps} steps "
              f"(target ≤ 1 s median); bare message device → hub: median {statistics.median(trips) * 1000:.2f} ms")
    finally:
        for running_link in links:
            running_link.stop()
        running.stop()
        laptop.close()
        desk.services.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--db", type=Path, help="the device's record (made here unless it exists)")
    parser.add_argument("--keys", type=Path, help="the key folder of the run that made --db")
    args = parser.parse_args()
    if args.keys:
        os.environ["ENFORCEMENT_KEY_DIR"] = str(args.keys)
    print(f"device keys in {os.environ.get('ENFORCEMENT_KEY_DIR')}", flush=True)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as name:
        tmp = Path(name)
        path = args.db or tmp / "device.db"
        if not path.exists():
            started = time.perf_counter()
            build(path, args.events)
            print(f"built a device record of {args.events:,} events in {time.perf_counter() - started:.0f} s", flush=True)
        rows = rows_of(path)
        sizes = sum(len(r[8]) for r in rows) / len(rows)
        print(f"{len(rows):,} events, {sizes:,.0f} bytes of payload on average")
        bodies = [encode_events([r[2:]]) for r in rows]
        took = asyncio.run(raw_publish(tmp / "raw", bodies))
        print(f"raw: bare bulk publish of {len(bodies):,} messages of the same sizes into a local stream: {took:.2f} s "
              f"({len(bodies) / took:,.0f} messages/s)")
        took = raw_insert(tmp, rows)
        print(f"raw: bare SQLite executemany of the {len(rows):,} rows into an event table: {took:.2f} s ({len(rows) / took:,.0f} rows/s)")
        asyncio.run(backlog_and_ingest(tmp, path, rows))
        step_to_inbox(tmp, args.steps)


if __name__ == "__main__":
    main()
