"""A read-only view of the case table for lists of any size (the client's case list).

The list never holds every matching id: it counts the matches and fetches the rows it shows a window at a
time, each window the rows after the last one shown in the list's order (keyset paging: ``(column, id)``
beyond the last row's, read from the index kept in that order, db/0016). A window is read one of two ways,
whichever visits fewer rows:

- the list's conditions match many cases: walk the index of the sort order and test each row; each window
  then visits about ``window × cases ÷ matches`` rows;
- one condition matches few cases (at most :data:`FEW`, known from its own index's count): read those and
  sort them; a window then costs at most that many rows.

So a filter or a search costs a bounded number of rows however many cases the desk holds, and its count is
read from the conditions' own indexes (see :mod:`.case_search`). The view opens its own read-only connection,
so it can live on the thread that paints (WAL lets it read beside the writer) and can never change anything;
:meth:`CaseIndex.close` may be called from any state, and a closed view answers nothing rather than raising.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import case_search
from .case_search import Condition

COLUMNS = ("id", "case_no", "title", "stage", "procedure", "outcome", "party_name", "handler_names", "handlers",
           "received_on", "closed_on", "next_due", "next_due_rule", "review_status", "major", "fine_fen")
# sort key -> (the columns of the order before the id, the index in that order)
SORTABLE = {"case_no": (("case_no",), "case_sort_case_no"), "title": (("title",), "case_sort_title"),
            "stage": (("stage", "received_on"), "case_sort_stage"), "party_name": (("party_name",), "case_sort_party"),
            "handler_names": (("handler_names",), "case_sort_handlers"), "received_on": (("received_on",), "case_received_id"),
            "next_due": (("next_due",), "case_sort_next_due"), "fine_fen": (("fine_fen",), "case_sort_fine")}
FEW = 20_000  # a condition matching at most this many cases is read first and its matches sorted
FALLBACK = 4 * FEW  # ... and beyond it, if the rarest matches at most this many (reading more would cost more than the walk)
WALK_BUDGET = 0.03  # seconds a walk along the order may take before the rarest condition's index is read instead


def _unavailable(exc: BaseException) -> str:
    return (f"案件列表无法读取：{exc}。数据库的案件表或其索引缺失或损坏；请运行 enforcement-cli verify --deep 查明，"
            "并从备份恢复")


class _Budget:
    """A progress handler (called every 1,000 SQLite VM steps) that stops the statement after ``seconds``."""

    def __init__(self, seconds: float):
        self.deadline = time.perf_counter() + seconds

    def __call__(self) -> int:
        return 1 if time.perf_counter() > self.deadline else 0


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: its conditions and its order."""

    today: date
    stage: str | None = None
    officer: str | None = None
    overdue: bool = False
    query: str | None = None
    year: int | None = None
    sort: str = "received_on"
    descending: bool = True

    def conditions(self) -> list[Condition]:
        return case_search.conditions(stage=self.stage, officer=self.officer, overdue=self.overdue, query=self.query,
                                      year=self.year, today=self.today)


class CaseListUnavailable(RuntimeError):
    """The case table or an index the list reads is missing or damaged (an edit of the file, a broken disk): the
    list cannot be read, and says so in words instead of failing somewhere inside Qt."""


class CaseIndex:
    def __init__(self, path: str | Path):
        self.conn: sqlite3.Connection | None = sqlite3.connect(
            f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True, check_same_thread=True)
        self.conn.execute("PRAGMA query_only = ON")
        self.conn.execute("PRAGMA cache_size = -32768")  # 32 MiB: the indexes a list reads stay warm between filters
        self._counts: dict[tuple, int] = {}
        self._version: int | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    @property
    def closed(self) -> bool:
        return self.conn is None

    def _rows(self, sql: str, args: Sequence[Any]) -> list[tuple]:
        if self.conn is None:
            return []
        try:
            return self.conn.execute(sql, list(args)).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise
            raise CaseListUnavailable(_unavailable(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise CaseListUnavailable(_unavailable(exc)) from exc

    def _fresh(self) -> None:
        """The counts kept are of the data as it was: any commit since, by this program or another, drops them."""
        rows = self._rows("PRAGMA data_version", ())
        version = rows[0][0] if rows else None
        if version != self._version:
            self._counts.clear()
            self._version = version

    def condition_count(self, c: Condition) -> int | None:
        """How many cases ``c`` matches through its own index (None when it has none; more than its test accepts
        when the index finds more, see ``Condition.exact``)."""
        if c.count is None:
            return None
        key = (c.count, c.index_args)
        if key not in self._counts:  # a list asks again for each window: counted once per state of the data
            rows = self._rows(c.count, c.index_args)
            self._counts[key] = rows[0][0] if rows else 0
        return self._counts[key]

    def _rarest(self, conds: list[Condition]) -> tuple[Condition | None, int | None]:
        """The condition matching fewest cases through its own index, and its count."""
        counted = [(n, i) for i, c in enumerate(conds) if (n := self.condition_count(c)) is not None]
        if not counted:
            return None, None
        n, i = min(counted)
        return conds[i], n

    def _driver(self, conds: list[Condition]) -> tuple[Condition | None, int | None]:
        """The condition to read first, if one matches few enough cases, and the count of the rarest."""
        rarest, n = self._rarest(conds)
        return (rarest if n is not None and n <= FEW else None), n

    def cheap_count(self, q: ListQuery) -> bool:
        """Whether :meth:`count` takes milliseconds at any size: no condition, one whose index counts it exactly,
        or one that matches few cases; otherwise it tests many rows (the client counts those on a thread)."""
        self._fresh()
        conds = q.conditions()
        if not conds or (len(conds) == 1 and conds[0].count is not None and conds[0].exact):
            return True
        return self._driver(conds)[0] is not None

    def count(self, q: ListQuery) -> int:
        self._fresh()
        conds = q.conditions()
        if not conds:
            rows = self._rows('SELECT count(*) FROM "case"', ())
            return rows[0][0] if rows else 0
        if len(conds) == 1 and conds[0].count is not None and conds[0].exact:
            return self.condition_count(conds[0]) or 0
        driver, _ = self._driver(conds)
        if driver is None:  # many matches each: count through the rarest index that has rowids, testing each row
            rarest = min((c for c in conds if c.rowids is not None), key=lambda c: self.condition_count(c) or 0, default=None)
            driver = rarest
        sql, args = self._select("count(*)", conds, driver, None, q, order=False)
        rows = self._rows(sql, args)
        return rows[0][0] if rows else 0

    def count_unless(self, q: ListQuery, stop: Callable[[], bool]) -> int | None:
        """:meth:`count`, or None once ``stop()`` says so (asked every 1,000 steps of SQLite: a newer count is
        wanted, the window closes)."""
        if self.conn is None:
            return None
        self.conn.set_progress_handler(lambda: 1 if stop() else 0, 1000)
        try:
            return self.count(q)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                return None
            raise
        finally:
            if self.conn is not None:
                self.conn.set_progress_handler(None, 0)

    def window(self, q: ListQuery, after: dict[str, Any] | None = None, size: int = 200) -> list[dict[str, Any]]:
        """The first ``size`` rows of the list after the row ``after`` (a row this returned; None: from the top).

        A walk along the order assumes the matches are spread along it; when they are not (the overdue cases
        are the old ones, the newest are all in time), it would visit most of the table before it has a window.
        So the walk is given a budget of time, and beyond it the window is read from the rarest condition's
        own index instead, which costs what that condition matches and no more (when that is little enough)."""
        self._fresh()
        conds = q.conditions()
        rarest, matches = self._rarest(conds)
        driver = rarest if matches is not None and matches <= FEW else None
        if driver is None and rarest is not None and matches <= FALLBACK and self.conn is not None:
            self.conn.set_progress_handler(_Budget(WALK_BUDGET), 1000)
            try:
                return self._rows_of(*self._window_select(conds, None, after, q, size))
            except sqlite3.OperationalError as exc:
                if "interrupted" not in str(exc):
                    raise
            finally:
                if self.conn is not None:
                    self.conn.set_progress_handler(None, 0)
            driver = rarest  # the walk ran out of time: the rarest condition's own index
        return self._rows_of(*self._window_select(conds, driver, after, q, size))

    def window_sql(self, q: ListQuery, after: dict[str, Any] | None, size: int) -> tuple[str, list[Any]]:
        """The statement :meth:`window` runs first for these rows (the benchmark runs it bare beside the client)."""
        conds = q.conditions()
        return self._window_select(conds, self._driver(conds)[0], after, q, size)

    def _window_select(self, conds: list[Condition], driver: Condition | None, after: dict[str, Any] | None,
                       q: ListQuery, size: int) -> tuple[str, list[Any]]:
        sql, args = self._select(", ".join(COLUMNS), conds, driver, after, q)
        return f"{sql} LIMIT {int(size)}", args

    def _rows_of(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        return [dict(zip(COLUMNS, row, strict=True)) for row in self._rows(sql, args)]

    def ids(self, q: ListQuery) -> list[str]:
        """Every matching id in the list's order (for work over the whole list: a batch export)."""
        self._fresh()
        conds = q.conditions()
        driver, _ = self._driver(conds)
        sql, args = self._select("id", conds, driver, None, q)
        return [r[0] for r in self._rows(sql, args)]

    def _select(self, what: str, conds: list[Condition], driver: Condition | None, after: dict[str, Any] | None,
                q: ListQuery, *, order: bool = True) -> tuple[str, list[Any]]:
        columns, sort_index = SORTABLE.get(q.sort, SORTABLE["received_on"])
        key = (*columns, "id")
        direction = "DESC" if q.descending else "ASC"
        clauses, args = [], []
        for c in conds:  # every condition's test applies to every row; the driver's index is where they come from
            clause, more = c.through_index() if c is driver else (c.test, list(c.test_args))
            clauses.append(clause)
            args.extend(more)
        if after is not None:
            clauses.append(f"({', '.join(key)}) {'<' if q.descending else '>'} ({', '.join('?' * len(key))})")
            args.extend(after[k] for k in key)
        if driver is None:  # many matches: walk the index of the order and test each row
            source = f'"case" INDEXED BY {sort_index}' if order else '"case"'
            sort = ", ".join(f"{k} {direction}" for k in key)
        else:  # few: read them through the rarest condition's own index, then sort
            if driver.rowids is None and driver.index:
                source = f'"case" INDEXED BY {driver.index}'
            else:
                source = '"case" NOT INDEXED' if driver.rowids is not None else '"case"'
            sort = ", ".join(f"+{k} {direction}" for k in key)
        sql = f"SELECT {what} FROM {source} WHERE {' AND '.join(clauses) or '1 = 1'}"
        if order:
            sql += f" ORDER BY {sort}"
        return sql, args

    def total(self) -> int:
        rows = self._rows('SELECT count(*) FROM "case"', ())
        return rows[0][0] if rows else 0
