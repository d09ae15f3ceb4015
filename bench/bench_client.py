"""Benchmark: the Qt client on a desk of 100,000 or 1,000,000 cases (offscreen).

    QT_QPA_PLATFORM=offscreen python bench/bench_client.py [--cases 100000] [--db PATH]

Builds the demo database through the services, then adds case rows up to N through the store's bulk path
(``load_new_case_rows``; the list reads the case table and its indexes), as a desk holding ten agencies' cases
over ten years would have them (nearly all closed, the open ones recent). ``--db`` keeps the database there
and uses it again next time. Prints (1) the time to build it; (2) the time from importing the client to a
usable main window — login (scrypt), window built, the list's count and its first page painted — target
≤ 1 s at a million; (3) for each filter, search and sort, the median time to the first page painted and to
its count shown, beside the bare SQL of that page on a connection of its own — target ≤ 100 ms, the first
page ≤ 50 ms; (4) the next window when scrolling; (5) the client's resident memory, target ≤ 300 MB; and it
closes the window with a filter pending (the crash this benchmark once ended in).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# the device keys of the benchmark's databases go to a passphrase-protected file of its own, not the keyring
os.environ.setdefault("ENFORCEMENT_KEYSTORE", "file")
os.environ.setdefault("ENFORCEMENT_KEY_DIR", tempfile.mkdtemp(prefix="bench-keys-"))
os.environ.setdefault("ENFORCEMENT_KEY_PASSPHRASE", "bench-passphrase")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


STAGES_OPEN = ["lead", "filing", "investigation", "deliberation", "legal_review", "notice", "decided", "execution"]
CAUSES = ["销售超过保质期的食品", "销售无标签的预包装食品", "发布含有“最佳”用语的广告", "占用、堵塞消防通道", "未经许可擅自建设",
          "未按规定公示营业执照", "经营未经检疫的肉类", "消防设施未保持完好有效", "擅自改变房屋用途", "无证无照经营"]


def bench_rows(cases: int, today: date, first: int = 0, officers: tuple[str, ...] = ()):
    """The case rows of a desk that holds ten agencies' cases over ten years, as such a desk would: nearly all
    closed or archived, the open ones recent (a few hundred of them long overdue), a thousand officers two to a
    case, a dozen causes, and a search text of a title, number, party, cause and record text (a decision's fine
    among it)."""
    from enforcement_app.store.cases import CaseRow

    rng = random.Random(7)
    officers = [*officers, *(f"officer{k:04d}-id" for k in range(1000 - len(officers)))]
    span = 3650  # ten years of cases, the newest today
    for n in range(first, cases):
        age = int(span * (cases - n) / cases)  # case n of N was received age days ago; the last ones today
        received = today - timedelta(days=age)
        agency = f"agency{n % 10}"
        a, b = rng.sample(officers, 2)
        cause = CAUSES[rng.randrange(len(CAUSES))]
        party = f"惠州市某某{rng.randrange(50_000)}商行"
        case_no = f"惠{n % 10}市监罚字〔{received.year}〕{n // 10 + 1}号"
        if age < 180 or rng.random() < 0.003:  # open: the recent ones, and a few that have dragged on
            stage = STAGES_OPEN[min(len(STAGES_OPEN) - 1, age * len(STAGES_OPEN) // 180)] if age < 180 else rng.choice(STAGES_OPEN)
            next_due = (received + timedelta(days=90 + rng.randrange(-10, 30))).isoformat()
            closed, fine = "", 0
        else:
            stage = "archived" if age > 365 else "closed"
            next_due, closed, fine = "", (received + timedelta(days=rng.randrange(20, 90))).isoformat(), rng.randrange(0, 200) * 100_000
        decided = f"依据有关规定，决定罚款{fine // 100}元。" if fine else "决定不予行政处罚。"
        title = f"{party}{cause}案"
        text = f"{title} {case_no} {party} {cause} 经查，{party}{cause}，货值金额{rng.randrange(9000)}元。{decided}"
        yield CaseRow(f"bench{n:08d}", agency, case_no, "general", stage, "", title, cause, f"party{n}", party, f"{a},{b}",
                      f"张{a[-7:-3]}、李{b[-7:-3]}", received.isoformat(), received.isoformat(), closed, closed, fine, next_due,
                      "办案期限" if next_due else "", "", 0, text, "", f"{received.isoformat()}T09:00:00+08:00")


def build(path: Path, cases: int, today: date) -> None:
    """The demo database through the services, then case rows up to ``cases`` through the store's bulk path
    (:func:`enforcement_app.store.cases.load_new_case_rows`: the rows, their search indexes, the handlers' table
    and the digest of the table's facts), in one transaction. The benchmark's own data: it is written with a
    rollback journal and no syncing (a crash loses only the benchmark), then put back in WAL as the app keeps it."""
    from enforcement_app.services import Services
    from enforcement_app.services.demo import build_demo
    from enforcement_app.store.cases import load_new_case_rows
    from enforcement_app.store.database import open_database, write_transaction

    started = time.perf_counter()
    with Services(path) as services:
        build_demo(services)
    demo = time.perf_counter() - started
    db = open_database(path)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA synchronous = OFF")
    have = db.execute('SELECT count(*) FROM "case"').fetchone()[0]
    demo_officers = tuple(r[0] for r in db.execute("SELECT id FROM officer WHERE login IN ('zhangming', 'lihua')"))
    started = time.perf_counter()
    with write_transaction(db):
        load_new_case_rows(db, bench_rows(cases, today, have, demo_officers))
    load = time.perf_counter() - started
    db.execute("PRAGMA journal_mode = WAL")
    db.conn.close()
    print(f"  the demo through the services: {demo:.1f} s; {cases - have:,} case rows made and loaded through the bulk path: {load:.1f} s")


def rss_mb() -> float:
    """The process's resident memory now, in MiB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bare_first_page(path: Path, model) -> float:
    """The bare SQL of the list's first window as the model asks for it, on a fresh connection of its own
    (median of five): what the engine alone costs for the page the client shows."""
    from enforcement_app.services.case_index import CaseIndex

    index = CaseIndex(path)
    try:
        sql, args = index.window_sql(model.query(), None, 200)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.execute("PRAGMA cache_size = -32768")
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            conn.execute(sql, args).fetchall()
            runs.append(time.perf_counter() - t0)
        conn.close()
        return statistics.median(runs)
    finally:
        index.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="build the database here (or use the one already built there)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "big.db"
        if path.exists():
            run(path)
            return
        start = time.perf_counter()
        build(path, args.cases, date.today())
        print(f"built a {args.cases:,}-case database in {time.perf_counter() - start:.1f} s", flush=True)
        # the client in a process of its own: its start (imports included) and its memory, not the builder's
        subprocess.run([sys.executable, __file__, "--db", str(path)], check=True)


def run(path: Path) -> None:
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
    window = MainWindow(worker, result[0], path, date.today())
    window.show_page("cases")
    window.show()
    app.processEvents()
    page = window.cases
    page.table.viewport().repaint()
    usable = time.perf_counter() - start
    total = page.model.total
    print(f"start to a usable main window (imports, login, the list's count of {total:,} cases, first page painted): {usable:.2f} s")

    def counted() -> None:  # until the count is shown (at once, or from the counting thread)
        deadline = time.perf_counter() + 30
        while page.model.total is None and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.001)

    def sort(column: int, order):
        return lambda: page.table.sortByColumn(column, order)

    from PySide6.QtCore import Qt
    up, down = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
    actions = {
        "stage filter": lambda: page.stage.setCurrentIndex(page.stage.findData("investigation")),
        "all stages": lambda: page.stage.setCurrentIndex(0),
        "closed or archived": lambda: page.stage.setCurrentIndex(page.stage.findData("closed,archived")),
        "all stages again": lambda: page.stage.setCurrentIndex(0),
        "overdue": lambda: page.overdue.setChecked(not page.overdue.isChecked()),
        "my cases": lambda: page.mine.setChecked(not page.mine.isChecked()),
        "search 4 chars": lambda: (page.search.setText("消防通道"), page.apply()),
        "search 2 chars": lambda: (page.search.setText("罚款"), page.apply()),
        "search 1 char": lambda: (page.search.setText("罚"), page.apply()),
        "search a party": lambda: (page.search.setText("某某4321商行"), page.apply()),
        "search case number": lambda: (page.search.setText("〔2020〕12345号"), page.apply()),
        "clear search": lambda: (page.search.setText(""), page.apply()),
        "sort by fine": sort(6, down),
        "sort by case": sort(1, up),
        "sort by deadline": sort(5, up),
        "sort by registered": sort(4, down),
    }
    first_page: dict[str, list[float]] = {}
    with_count: dict[str, list[float]] = {}
    bare: dict[str, list[float]] = {}
    for _ in range(5):
        for name, act in actions.items():
            t0 = time.perf_counter()
            act()
            page.table.viewport().repaint()
            first_page.setdefault(name, []).append(time.perf_counter() - t0)
            counted()
            with_count.setdefault(name, []).append(time.perf_counter() - t0)
            bare.setdefault(name, []).append(bare_first_page(path, page.model))
    print("the case list (medians of 5; the first page painted / with its count shown / the bare SQL of that page):")
    for name in actions:
        print(f"  {name:<20} {statistics.median(first_page[name]) * 1000:6.1f} ms / {statistics.median(with_count[name]) * 1000:6.1f} ms"
              f" / bare {statistics.median(bare[name]) * 1000:6.1f} ms")
    page.mine.setChecked(False)
    page.overdue.setChecked(False)
    page.search.setText("")
    page.stage.setCurrentIndex(0)
    page.apply()
    scroll = []
    for _ in range(20):  # scrolling down: each further window after the last row shown
        t0 = time.perf_counter()
        page.model.fetchMore()
        scroll.append(time.perf_counter() - t0)
    print(f"  next window of 200 rows when scrolling: median {statistics.median(scroll) * 1000:.1f} ms (rows now {page.model.rowCount():,})")
    print(f"resident memory of the client: {rss_mb():.0f} MiB")
    # the window closes while a filter is pending: nothing may read the closed index afterwards
    page.search.setText("消防")
    window.close()
    deadline = time.perf_counter() + 0.5
    while time.perf_counter() < deadline:
        app.processEvents()
    worker.shutdown()
    QApplication.instance().processEvents()
    print("closed with a filter pending: no error")


if __name__ == "__main__":
    main()
