"""Benchmark: the Qt client on a 100,000-case database (offscreen).

    QT_QPA_PLATFORM=offscreen python bench/bench_client.py [--cases 100000]

Builds the demo database, then adds case rows up to N (the list reads the case table; the FTS index is
filled by its triggers). Prints (1) the time from importing the client to a usable main window — login
(scrypt), window built, the case list's ids loaded and its first page painted — target ≤ 1.5 s; (2) the
median time to apply each filter or search to the case list, target ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

# the device keys of the benchmark's databases go to a passphrase-protected file of its own, not the keyring
os.environ.setdefault("ENFORCEMENT_KEYSTORE", "file")
os.environ.setdefault("ENFORCEMENT_KEY_DIR", tempfile.mkdtemp(prefix="bench-keys-"))
os.environ.setdefault("ENFORCEMENT_KEY_PASSPHRASE", "bench-passphrase")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(path: Path, cases: int) -> None:
    from enforcement_app.services import Services
    from enforcement_app.services.demo import build_demo

    with Services(path) as services:
        build_demo(services)
    conn = sqlite3.connect(path)
    rng = random.Random(7)
    stages = ["lead", "filing", "investigation", "deliberation", "legal_review", "notice", "decided", "execution", "closed", "archived"]
    causes = ["销售超过保质期的食品", "销售无标签的预包装食品", "发布含有“最佳”用语的广告", "占用、堵塞消防通道", "未经许可擅自建设"]
    have = conn.execute('SELECT count(*) FROM "case"').fetchone()[0]
    rows = []
    for n in range(have, cases):
        cause = rng.choice(causes)
        party = f"惠州市某某{n % 5000}商行"
        rows.append((f"bench{n:08d}", f"仲高新市监罚字〔{2016 + n % 10}〕{n}号", "general", rng.choice(stages), f"{party}{cause}案", cause, party,
                     "zhangming-id,lihua-id", "张明、李华", f"{2016 + n % 10}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                     f"{2026 + n % 2}-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 3 else "", rng.randrange(0, 10_000_000),
                     f"{party}{cause}案 仲高新市监罚字〔{2016 + n % 10}〕{n}号 {party} {cause} 经查，{party}{cause}，货值金额{n % 9000}元"))
        if len(rows) == 20_000:
            conn.executemany('INSERT INTO "case" (id, case_no, procedure, stage, title, cause, party_name, handlers, handler_names, '
                             "received_on, next_due, fine_fen, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            rows.clear()
    if rows:
        conn.executemany('INSERT INTO "case" (id, case_no, procedure, stage, title, cause, party_name, handlers, handler_names, '
                         "received_on, next_due, fine_fen, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("INSERT INTO case_fts(case_fts) VALUES ('rebuild')")  # rows written here, not by the services (db/0009)
    conn.commit()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        start = time.perf_counter()
        build(path, args.cases)
        print(f"built a {args.cases:,}-case database in {time.perf_counter() - start:.1f} s")

        start = time.perf_counter()
        from PySide6.QtWidgets import QApplication

        from enforcement_app.services.demo import DEMO_PASSWORD
        from enforcement_app.ui.main import make_app
        from enforcement_app.ui.window import MainWindow
        from enforcement_app.ui.worker import ServiceThread

        app = make_app("zh_CN")
        worker = ServiceThread(path)
        result: list = []
        worker.logged_in.connect(result.append)
        worker.login("zhangming", DEMO_PASSWORD)
        while not result:
            app.processEvents()
        from datetime import date

        window = MainWindow(worker, result[0], path, date.today())
        window.show_page("cases")
        window.show()
        app.processEvents()
        window.cases.table.viewport().repaint()
        usable = time.perf_counter() - start
        rows = window.cases.model.rowCount()
        print(f"start to a usable main window (imports, login, {rows:,} case ids, first page painted): {usable:.2f} s")

        page = window.cases
        timings: dict[str, list[float]] = {}
        actions = {
            "stage filter": lambda: page.stage.setCurrentIndex(page.stage.findData("investigation")),
            "all stages": lambda: page.stage.setCurrentIndex(0),
            "overdue": lambda: page.overdue.setChecked(not page.overdue.isChecked()),
            "my cases": lambda: page.mine.setChecked(not page.mine.isChecked()),
            "search 4 chars (FTS)": lambda: (page.search.setText("消防通道"), page.apply()),
            "search 2 chars (LIKE)": lambda: (page.search.setText("罚款"), page.apply()),
            "search case number": lambda: (page.search.setText("〔2020〕12345号"), page.apply()),
            "clear search": lambda: (page.search.setText(""), page.apply()),
        }
        for _ in range(5):
            for name, act in actions.items():
                t0 = time.perf_counter()
                act()
                page.table.viewport().repaint()
                timings.setdefault(name, []).append(time.perf_counter() - t0)
        for name, values in timings.items():
            print(f"  {name:<24} median {statistics.median(values) * 1000:6.1f} ms  (rows now {page.model.rowCount():,})")
        window.close()
        worker.shutdown()
        QApplication.instance().processEvents()


if __name__ == "__main__":
    main()
