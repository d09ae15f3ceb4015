"""How long the dashboard's numbers take over a large database: ``python tools/measure_dashboard.py [CASES]``.

Builds a database of the current schema in a temporary folder, fills its case table with CASES rows (100,000 by
default) spread over stages, deadlines, decisions, reviews, and a fifth of them evaluated (their evaluation
events beside half a million other events), then times :func:`enforcement_app.services.dashboard.dashboard` and the
list behind its biggest bars. The rows are written straight into the tables (this measures reading, not the
procedure); nothing here is used by the program.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ENFORCEMENT_KEYSTORE", "file")
os.environ.setdefault("ENFORCEMENT_KEY_DIR", tempfile.mkdtemp(prefix="measure-keys-"))
os.environ.setdefault("ENFORCEMENT_KEY_PASSPHRASE", "measure")

from enforcement_app.services import Services  # noqa: E402
from enforcement_app.services import dashboard as dashboard_service  # noqa: E402
from enforcement_app.store import dashboard as store  # noqa: E402
from enforcement_app.store.cases import CASE_COLUMNS  # noqa: E402

STAGES = ("lead", "filing", "investigation", "deliberation", "legal_review", "notice", "hearing", "decided", "execution",
          "closed", "archived")
RULES = ("案源核查", "立案期限", "作出处罚决定期限", "法制审核期限", "听证告知后申请期限", "罚款缴纳期限")


def fill(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    today = date(2026, 6, 30)
    conn = sqlite3.connect(path)
    rows, evaluations, events = [], [], []
    for i in range(n):
        stage = rng.choice(STAGES)
        received = today - timedelta(days=rng.randrange(0, 3 * 365))
        decided = received + timedelta(days=rng.randrange(20, 90)) if stage in STAGES[7:] else None
        open_ = stage not in ("closed", "archived")
        due = received + timedelta(days=rng.randrange(10, 120)) if open_ else None
        row = {c: "" for c in CASE_COLUMNS}
        row.update(id=f"{i:032x}", procedure="general", stage=stage, title=f"案件{i}", received_on=received.isoformat(),
                   decided_on=decided.isoformat() if decided and decided <= today else "", fine_fen=rng.randrange(0, 5) * 100_000,
                   next_due=due.isoformat() if due else "", next_due_rule=rng.choice(RULES) if due else "",
                   review_status=rng.choice(("", "", "approve", "return", "pending", "disapprove")), major=0)
        rows.append(tuple(row[c] for c in CASE_COLUMNS))
        if stage in ("closed", "archived") and rng.random() < 0.6:
            payload = {"case": row["id"], "final": rng.random() < 0.9, "total": rng.randrange(40, 101), "vetoed": rng.random() < 0.05}
            evaluations.append((f"evaluation/{row['id']}", json.dumps(payload).encode()))
    conn.executemany(f'INSERT INTO "case" ({", ".join(CASE_COLUMNS)}) VALUES ({", ".join("?" * len(CASE_COLUMNS))})', rows)
    for k in range(500_000):  # the cases' own events, for the event table's size
        events.append((f"h{k:063x}", f"{k % n:032x}", "", "a", "d", "2026-01-01T00:00:00+08:00", "record_inspection", b"{}", ""))
    for k, (stream, payload) in enumerate(evaluations):
        events.append((f"e{k:063x}", stream, "", "a", "d", "2026-01-01T00:00:00+08:00", "evaluate_case_file", payload, ""))
    conn.executemany("INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload, chain) VALUES (?,?,?,?,?,?,?,?,?)", events)
    conn.executemany("INSERT INTO stream_head (stream, heads, events) VALUES (?, ?, 1)",
                     [(stream, f"e{k:063x}") for k, (stream, _p) in enumerate(evaluations)])
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    print(f"{n:,} cases, {len(evaluations):,} evaluated, {len(events):,} events")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.db"
        Services(path).close()  # the schema, migrated
        fill(path, n)
        with Services(path) as services:
            session = services.system_session()
            for attempt in ("cold", "warm"):
                started = time.perf_counter()
                board = dashboard_service.dashboard(session, year=2026)
                print(f"dashboard ({attempt}): {1000 * (time.perf_counter() - started):.0f} ms")
            for chart in board.charts:
                started = time.perf_counter()
                for m in ("stage", "overdue", "decisions", "fines", "reviews", "evaluations"):
                    if m == chart.measure:
                        store.counts(services.db, m, today=board.today, year=2026)
                counted = 1000 * (time.perf_counter() - started)
                biggest = max(chart.bars, key=lambda b: b.count, default=None)
                listed = ""
                if biggest is not None and biggest.count:
                    started = time.perf_counter()
                    found = dashboard_service.dashboard_cases(session, chart.measure, biggest.key, year=2026)
                    listed = f", its biggest bar's {len(found):,} cases listed in {1000 * (time.perf_counter() - started):.0f} ms"
                print(f"  {chart.measure}: counted in {counted:.0f} ms{listed}")
            plans = {m: [r[-1] for r in services.db.execute(
                f"EXPLAIN QUERY PLAN SELECT {store.MEASURES[m].bucket} AS b, COUNT(*) FROM {store.MEASURES[m].source} "
                f"WHERE {store.MEASURES[m].where} GROUP BY b", store._parameters(board.today, 2026))] for m in store.MEASURES}
            for m, plan in plans.items():
                print(f"  plan {m}: {' | '.join(plan)}")


if __name__ == "__main__":
    main()
