"""A read-only view of the case table for lists of any size (the client's case list).

The list holds the ordered ids of every matching case (one indexed query, fast even at 100,000 cases)
and fetches the columns of the rows it paints, a page at a time. Filtering and sorting are SQL. This
opens its own read-only connection, so it can live on the thread that paints (WAL lets it read beside
the writer) and can never change anything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .cases import case_filter

COLUMNS = ("id", "case_no", "title", "stage", "procedure", "outcome", "party_name", "handler_names", "handlers",
           "received_on", "closed_on", "next_due", "next_due_rule", "review_status", "major", "fine_fen")
SORTABLE = {"case_no": "case_no", "title": "title", "stage": "stage", "party_name": "party_name",
            "handler_names": "handler_names", "received_on": "received_on", "next_due": "next_due", "fine_fen": "fine_fen"}


class CaseIndex:
    def __init__(self, path: str | Path):
        self.conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True, check_same_thread=True)
        self.conn.execute("PRAGMA query_only = ON")
        # a list over 100,000 cases scans tens of megabytes: keep them mapped and cached between filters
        self.conn.execute("PRAGMA mmap_size = 268435456")
        self.conn.execute("PRAGMA cache_size = -65536")

    def close(self) -> None:
        self.conn.close()

    def ids(self, *, today: date, stage: str | None = None, officer: str | None = None, overdue: bool = False,
            query: str | None = None, year: int | None = None, sort: str = "received_on", descending: bool = True) -> list[str]:
        where, args = case_filter(stage=stage, officer=officer, overdue=overdue, query=query, year=year, today=today)
        column = SORTABLE.get(sort, "received_on")
        direction = "DESC" if descending else "ASC"
        hint = ""
        if where == "1 = 1":  # everything: read the (column, id) index in order
            order = f"{column} {direction}, id {direction}"
        elif not query and column == "received_on":  # stage, overdue, own cases: the covering list index, in order
            hint, order = " INDEXED BY case_list", f"received_on {direction}, id {direction}"
        else:  # a text search: scan once and sort what matched; walking an index would visit every row at random
            order = f"+{column} {direction}, +id {direction}"
        sql = f'SELECT id FROM "case"{hint} WHERE {where} ORDER BY {order}'
        return [row[0] for row in self.conn.execute(sql, args)]

    def rows(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            sql = f'SELECT {", ".join(COLUMNS)} FROM "case" WHERE id IN ({",".join("?" * len(chunk))})'
            for row in self.conn.execute(sql, chunk):
                found[row[0]] = dict(zip(COLUMNS, row, strict=True))
        return found

    def count(self) -> int:
        return self.conn.execute('SELECT count(*) FROM "case"').fetchone()[0]
