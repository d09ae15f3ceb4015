"""Benchmark: ``verify`` over an agency hub's record after ten years (30 million events).

    python bench/bench_verify_hub.py [--events 30000000] [--db PATH]

Generates the record as bench_record.py does (valid chained events, one in five a signed sign-off, 20 to a
case, the case rows projected and the device's seal on them) unless ``--db`` names one already made, then
prints (1) the raw figure of the engine: one bare pass of SQLite over every event row, reading the columns
verify reads; (2) ``verify`` with its progress as the command line shows it, and its pace against the raw
pass; (3) the peak resident memory. The target: verify finishes in minutes and reports progress as it goes.
Needs ~15 GB of disk for 30 million events; set BENCH_DIR to choose the disk. The record's device key is kept in
a key folder of the run (printed); ``--keys`` names it when ``--db`` reuses a record made by an earlier run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_record import generate_record  # noqa: E402

from enforcement_app.services import Services  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=30_000_000)
    parser.add_argument("--db", type=Path, help="make the record here (or use the one already made there)")
    parser.add_argument("--keys", type=Path, help="the key folder of the run that made the record given by --db")
    args = parser.parse_args()
    if args.keys:
        os.environ["ENFORCEMENT_KEY_DIR"] = str(args.keys)
    print(f"device keys in {os.environ.get('ENFORCEMENT_KEY_DIR')}", flush=True)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        path = args.db or Path(tmp) / "hub.db"
        if not path.exists():
            started = time.perf_counter()
            generate_record(path, args.events, lambda done: print(f"  generated {done:,} events ({time.perf_counter() - started:.0f} s)", flush=True))
            print(f"generated a record of {args.events:,} events in {time.perf_counter() - started:.0f} s", flush=True)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        started = time.perf_counter()
        rows = sum(1 for _ in conn.execute("SELECT seq, hash, stream, parents, actor, device, at, kind, payload, chain FROM event ORDER BY seq"))
        raw = time.perf_counter() - started
        conn.close()
        print(f"raw: one bare SQLite pass over {rows:,} event rows: {raw:.1f} s ({rows / raw:,.0f} rows/s)", flush=True)
        with Services(path) as services:
            total = services.event_count()
            started = last = time.perf_counter()

            def progress(done: int) -> None:
                nonlocal last
                now = time.perf_counter()
                if now - last >= 10:
                    last = now
                    print(f"  verify: {done:,} / {total:,} events ({done * 100 // total}%), {now - started:.0f} s", flush=True)

            report = services.verify(progress=progress)
            took = time.perf_counter() - started
        print(f"verify over {report.events:,} events: {took:.0f} s ({report.events / took:,.0f} events/s, "
              f"{took / raw:.1f}x the raw pass); ok={report.ok} {[p.message for p in report.problems[:3]]}")
        print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
