"""Asking SQLite about many keys at once, a bounded number at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlite_utils


def rows_for(db: sqlite_utils.Database, sql: str, keys: Sequence[Any], chunk: int = 500, *,
             before: Sequence[Any] = ()) -> Iterator[tuple]:
    """The rows of ``sql`` for every key of ``keys``, asked ``chunk`` keys at a time: ``sql`` has one ``{}`` where
    the placeholders of a chunk go (``… WHERE id IN ({})``), so no statement has more variables than SQLite takes;
    ``before``: the values of the placeholders ahead of it."""
    for start in range(0, len(keys), chunk):
        part = list(keys[start:start + chunk])
        yield from db.execute(sql.format(",".join("?" * len(part))), [*before, *part])
