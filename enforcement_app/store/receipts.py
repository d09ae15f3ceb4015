"""A device's receipts from the hub (db/0021_hub_to_devices.sql): kept as received (see :mod:`..domain.witness`)."""

from __future__ import annotations

import sqlite_utils


def add(db: sqlite_utils.Database, body: str, signature: str, received_at: str) -> bool:
    """Keep a receipt (inside the caller's transaction); False if it was already kept."""
    cursor = db.conn.execute("INSERT OR IGNORE INTO hub_receipt (body, signature, received_at) VALUES (?, ?, ?)",
                             [body, signature, received_at])
    return cursor.rowcount == 1


def all_receipts(db: sqlite_utils.Database) -> list[tuple[str, str, str]]:
    """(body, signature, received_at) of every receipt, in the order received."""
    return [tuple(r) for r in db.execute("SELECT body, signature, received_at FROM hub_receipt ORDER BY id")]


def acknowledged_upto(db: sqlite_utils.Database, recent: int = 50) -> int:
    """The local seq of the newest event the hub's ``recent`` latest receipts name (0 if none): the hub holds it and
    all it follows, and this device published its events in the order of their seq."""
    row = db.execute("SELECT max(e.seq) FROM (SELECT body FROM hub_receipt ORDER BY id DESC LIMIT ?) r, "
                     "json_each(r.body, '$.events') j JOIN event e ON e.hash = json_extract(j.value, '$[1]')", [recent]).fetchone()
    return int(row[0] or 0)


def waiting(db: sqlite_utils.Database, device: str) -> int:
    """This device's own events after the newest one a receipt of the hub names: not yet known to be at the hub."""
    return int(db.execute("SELECT count(*) FROM event WHERE seq > ? AND device = ?", [acknowledged_upto(db), device]).fetchone()[0])
