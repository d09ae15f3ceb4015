"""The numbers of the agency's work (the dashboard): GROUP BY queries over the case table, and over the last
event of each case's evaluation stream.

Each measure is declared once as the rows it counts (:class:`Measure`: where they come from, which count, the
bucket each falls in), so that the count of a bar and the list of the cases behind it are the same condition:
:func:`counts` groups it, :func:`cases` lists one bucket of it. The case table's measures read its indexed
columns (``stage``; ``next_due``; ``decided_on`` and ``review_status``, db/0017), so that each is one pass over an
index, not over the table, at 100,000 cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from .cases import LIST_COLUMNS


@dataclass(frozen=True)
class Measure:
    """Rows of ``source`` (each with an ``id``, the case's) that satisfy ``where``, bucketed by ``bucket`` and
    summed by ``amount``. ``where`` takes the named parameters ``:today``, ``:year_start`` and ``:year_end``."""

    bucket: str
    where: str = "1 = 1"
    amount: str = "0"
    source: str = '"case"'


EVALUATION_STREAMS = "h.stream >= 'evaluation/' AND h.stream < 'evaluation0'"  # the evaluation/<case id> streams, by key range
# each evaluated case's last evaluation event (the sheet as the evaluator last recorded it), final ones only
# (the payload is canonical JSON stored as a BLOB: read as text, since SQLite 3.45 takes a BLOB for its binary JSONB)
LAST_EVALUATIONS = f"""(SELECT substr(h.stream, {len('evaluation/') + 1}) AS id,
        json_extract(CAST(e.payload AS TEXT), '$.total') AS total, json_extract(CAST(e.payload AS TEXT), '$.vetoed') AS vetoed
    FROM stream_head h JOIN event e ON e.seq = (SELECT MAX(seq) FROM event WHERE stream = h.stream)
    WHERE {EVALUATION_STREAMS} AND json_extract(CAST(e.payload AS TEXT), '$.final'))"""

MEASURES: Mapping[str, Measure] = {
    # every case by the stage it is at
    "stage": Measure("stage"),
    # the open cases whose next deadline of the agency has passed, by that deadline's rule (as the case list's
    # 逾期 filter finds them)
    "overdue": Measure("next_due_rule", "next_due != '' AND next_due < :today"),
    # the decisions of the year (every outcome) by the month they were made, with the fines they imposed
    "decisions": Measure("substr(decided_on, 1, 7)", "decided_on >= :year_start AND decided_on < :year_end", "fine_fen"),
    # the decisions of the year that imposed a fine, by month, summing the fines
    "fines": Measure("substr(decided_on, 1, 7)", "decided_on >= :year_start AND decided_on < :year_end AND fine_fen > 0", "fine_fen"),
    # the cases whose decision was put to legal review, by the latest review's outcome (pending: not yet reviewed)
    "reviews": Measure("review_status", "review_status != ''"),
    # the evaluated case files, by their final score: failed on a veto item, below 60, bands of ten points, 90 and more
    "evaluations": Measure("CASE WHEN vetoed THEN 'veto' WHEN total < 60 THEN 'below_60' "
                           "ELSE printf('%03d', MIN(CAST(total AS INTEGER) / 10 * 10, 90)) END", source=LAST_EVALUATIONS),
}


def _parameters(today: date, year: int) -> dict[str, Any]:
    return {"today": today.isoformat(), "year_start": f"{year:04d}-01-01", "year_end": f"{year + 1:04d}-01-01"}


def counts(db: sqlite_utils.Database, measure: str, *, today: date, year: int) -> dict[str, tuple[int, int]]:
    """Per bucket of ``measure``: (how many cases, the sum of their amounts)."""
    m = MEASURES[measure]
    sql = f"SELECT {m.bucket} AS bucket, COUNT(*), TOTAL({m.amount}) FROM {m.source} WHERE {m.where} GROUP BY bucket"
    return {str(bucket): (int(n), int(amount)) for bucket, n, amount in db.execute(sql, _parameters(today, year)) if bucket is not None}


def cases(db: sqlite_utils.Database, measure: str, bucket: str, *, today: date, year: int) -> list[dict[str, Any]]:
    """The cases in one bucket of ``measure`` (:data:`~.cases.LIST_COLUMNS`), the latest registered first."""
    m = MEASURES[measure]
    parameters = {**_parameters(today, year), "bucket": bucket}
    if m.source == '"case"':
        where = f"{m.where} AND {m.bucket} = :bucket"
    else:
        where = f"id IN (SELECT id FROM {m.source} WHERE {m.where} AND {m.bucket} = :bucket)"
    sql = f'SELECT {", ".join(LIST_COLUMNS)} FROM "case" WHERE {where} ORDER BY received_on DESC, id DESC'
    return [dict(zip(LIST_COLUMNS, row, strict=True)) for row in db.execute(sql, parameters)]


def total_cases(db: sqlite_utils.Database) -> int:
    return int(db.execute('SELECT COUNT(*) FROM "case"').fetchone()[0])


def decision_years(db: sqlite_utils.Database) -> list[int]:
    """The years in which decisions were made, the latest first (the first and last from the index)."""
    first, last = db.execute("SELECT MIN(decided_on), MAX(decided_on) FROM \"case\" WHERE decided_on != ''").fetchone()
    if not first:
        return []
    return list(range(int(last[:4]), int(first[:4]) - 1, -1))
