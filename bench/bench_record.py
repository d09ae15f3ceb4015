"""Benchmark: recording one step durably, and verify over a million events.

    python bench/bench_record.py [--events 1000000] [--steps 300]

Prints (1) the median time to record one procedural step through the services (permission check, fold,
procedure check, event + hash + chain, projection, COMMIT with synchronous=FULL), (2) the median time for
the store's part of it (event + hash + chain + stream head + COMMIT), (3) the median of a bare sqlite3
INSERT + COMMIT of a row of the same size on the same settings, and the ratios, (4) the time for verify
and for verify --deep over N events (generated straight into the event table, each a valid chained event;
20 per case, one in five a sign-off signed with a registered officer's key).
Set BENCH_DIR to measure on a particular disk.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import make_world  # noqa: E402
from steps import autosigned  # noqa: E402

from enforcement_app.domain import signoff  # noqa: E402
from enforcement_app.domain.record import Event, chain_hash  # noqa: E402
from enforcement_app.services import Services  # noqa: E402
from enforcement_app.services.api import CHINA  # noqa: E402
from enforcement_app.store import seals  # noqa: E402


def bench_step(folder: Path, steps: int) -> tuple[float, float, int]:
    world = make_world(folder / "step.db")
    s = world.as_(world.officer_a)
    case_id = s.register_lead({"source": "complaint", "act_date": "2025-02-20", "cause": "销售超过保质期的食品",
                           "summary": "投诉", "party_id": world.company.id, "handlers": [world.officer_a.id, world.officer_b.id]})
    s.perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    world.as_(world.head).perform(case_id, "approve_filing", {})
    world.clock.set("2025-03-05T12:00")
    payload = {"started_at": "2025-03-05T10:00", "ended_at": "2025-03-05T11:00", "place": "惠州市仲恺高新区惠风路1号店内",
               "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
               "findings": "货架上有超过保质期的酸奶12盒，生产日期2024年12月1日，保质期21天。", "present": "刘某"}
    names = {o.id: o.name for o in (world.officer_a, world.officer_b)}
    # signed on the pad once by the person present and both officers; every step carries it
    payload = autosigned("record_inspection", payload, names.get)
    timings = []
    for _ in range(steps):
        # one case keeps growing, as a busy case does; fold cost is included
        start = time.perf_counter()
        s.perform(case_id, "record_inspection", payload)
        timings.append(time.perf_counter() - start)
    size = world.services.db.execute("SELECT length(payload) + 400 FROM event ORDER BY seq DESC LIMIT 1").fetchone()[0]
    world.services.close()
    return statistics.median(timings[:40]), statistics.median(timings), size, payload


def bench_append(folder: Path, steps: int, payload: dict) -> float:
    """The store's part of a step: build the event, hash it, chain it, advance the stream head, COMMIT."""
    from enforcement_app.store import events
    from enforcement_app.store.database import open_database

    db = open_database(folder / "append.db")
    t0 = datetime(2025, 3, 5, 12, tzinfo=CHINA)
    timings = []
    for n in range(steps):
        start = time.perf_counter()
        with db.atomic():
            parents = events.stream_heads(db, "case1")
            events.append(db, Event("case1", parents, "officer1", "device1", t0 + timedelta(seconds=n), "record_inspection", payload),
                          parents)
        timings.append(time.perf_counter() - start)
    db.close()
    return statistics.median(timings)


def bench_bare(folder: Path, steps: int, size: int) -> float:
    conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
    body = os.urandom(size)
    timings = []
    for _ in range(steps):
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (body) VALUES (?)", [body])
        conn.execute("COMMIT")
        timings.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(timings)


def bench_verify(folder: Path, events: int) -> tuple[float, float, int, int]:
    """Returns the medians of ``verify`` and ``verify --deep``, the events and the signed sign-offs among them."""
    path = folder / "verify.db"
    signed = generate_record(path, events)
    medians = []
    for deep in (False, True):
        runs = []
        for _ in range(5 if not deep else 3):  # the machine's speed swings between runs: report the median
            with Services(path) as services:
                start = time.perf_counter()
                report = services.verify(deep=deep)
                runs.append(time.perf_counter() - start)
            assert report.ok, report.problems[:3]
        print(f"verify{' --deep' if deep else ''} runs: {', '.join(f'{r:.2f}' for r in runs)} s")
        medians.append(statistics.median(runs))
    return medians[0], medians[1], report.events, signed


def generate_record(path: Path, events: int, progress=None) -> int:
    """A database of ``events`` valid chained events straight into the event table (20 per case, one in five a
    sign-off signed with a registered officer's key), its case rows projected and the device's seal on it, as
    the services would have left it. Returns the number of signed sign-offs; ``progress(done)`` every 1,000,000."""
    with Services(path) as services:
        services.initialise({"name": "基准测试局", "seal_name": "基准测试局", "area": "区", "case_no_prefix": "测罚字"},
                            {"name": "负责人", "login": "head", "password": "bench-pass-1"})
        signer = services.login("head", "bench-pass-1")
        key, head_id = signer.signer("record_collective_discussion"), signer.actor.id
        chain, count = services.db.execute("SELECT (SELECT value FROM meta WHERE key = 'chain_head'), "
                                           "(SELECT value FROM meta WHERE key = 'event_count')").fetchone()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    t0 = datetime(2025, 1, 1, tzinfo=CHINA)
    heads: dict[str, str] = {}
    rows = []
    per_case = 20
    signed = 0
    for n in range(events):
        stream = f"case{n // per_case:07d}"
        parent = heads.get(stream)
        parents = (parent,) if parent else ()
        at = t0 + timedelta(seconds=n)
        if n % 5 == 4:  # a case's sign-offs (approval, review, discussion, decision): about one event in five
            e = Event(stream, parents, head_id, "device1", at, "record_collective_discussion",
                      {"participants": [head_id], "conclusion": f"同意第{n}号意见"})
            e = Event(stream, parents, head_id, "device1", at, e.kind,
                      signoff.sign(key, stream, parents, head_id, "device1", e.at_text, e.kind, e.payload))
            signed += 1
        else:
            e = Event(stream, parents, "officer1", "device1", at, "record_inspection",
                      {"findings": "货架上有超过保质期的酸奶12盒", "n": n, "officers": ["a", "b"]})
        digest = e.hash
        chain = chain_hash(chain, digest)
        heads[stream] = digest
        rows.append((digest, stream, e.parents_text, e.actor, e.device, e.at_text, e.kind, e.payload_bytes, chain))
        if n % 1_000_000 == 999_999:  # a transaction a million events: the WAL stays a million events long
            conn.executemany("INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload, chain) VALUES (?,?,?,?,?,?,?,?,?)", rows)
            rows.clear()
            conn.commit()
            if progress is not None:
                progress(n + 1)
        if len(rows) == 50000:
            conn.executemany("INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload, chain) VALUES (?,?,?,?,?,?,?,?,?)", rows)
            rows.clear()
    if rows:
        conn.executemany("INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload, chain) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO stream_head (stream, heads, events) VALUES (?, ?, ?)", [(s, h, per_case) for s, h in heads.items()])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'chain_head'", [chain])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'event_count'", [str(int(count) + events)])
    conn.commit()
    conn.close()
    with Services(path) as services:
        started = time.perf_counter()
        services.reproject_cases()  # the case rows, as the services would have written them
        print(f"case rows projected from the events in {time.perf_counter() - started:.1f} s")
        with services.db.atomic():  # the device seals what was written, as the services do after a write
            seals.seal(services.db, services.device_signing_key(), services.device_id, 0)
    return signed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp)
        first, median, size, payload = bench_step(folder, args.steps)
        # the two fsync-bound figures are noisy on a shared disk: alternate them and take the median of rounds
        appends, bares = [], []
        for round_ in range(5):
            round_dir = folder / f"round{round_}"
            round_dir.mkdir()
            appends.append(bench_append(round_dir, args.steps, payload))
            bares.append(bench_bare(round_dir, args.steps, size))
        append, bare = statistics.median(appends), statistics.median(bares)
        print(f"record one step (services, durable): median {median * 1000:.2f} ms over {args.steps} steps "
              f"(first 40 steps: {first * 1000:.2f} ms)")
        print(f"record one event (store: event + hash + chain + head + COMMIT): median {append * 1000:.3f} ms")
        print(f"bare sqlite3 INSERT + COMMIT of a {size}-byte row: median {bare * 1000:.3f} ms")
        print(f"ratio store/bare: {append / bare:.2f}x (rounds: {', '.join(f'{a / b:.2f}' for a, b in zip(appends, bares, strict=True))}); "
              f"services/bare: {median / bare:.2f}x")
        elapsed, deep, n, signed = bench_verify(folder, args.events)
        print(f"verify over {n:,} events ({signed:,} signed sign-offs): median {elapsed:.2f} s ({n / elapsed:,.0f} events/s); "
              f"--deep (every case refolded, every signature checked): median {deep:.2f} s")


if __name__ == "__main__":
    main()
