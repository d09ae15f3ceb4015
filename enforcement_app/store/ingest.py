"""The hub's ingest bookkeeping (db/0020_ingest.sql): the messages of its EVENTS stream it refused, and why."""

from __future__ import annotations

from typing import NamedTuple

import sqlite_utils


class Refusal(NamedTuple):
    stream_seq: int  # the message's sequence in EVENTS
    subject: str
    hash: str  # the event's, as computed from the bytes that arrived (else the Nats-Msg-Id header, or "")
    reason: str
    refused_at: str


def refuse(db: sqlite_utils.Database, refusals: list[Refusal]) -> None:
    """Note refused messages; one already noted (a redelivery) is left as it was. Inside the caller's transaction."""
    db.conn.executemany("INSERT OR IGNORE INTO ingest_refusal (stream_seq, subject, hash, reason, refused_at) VALUES (?,?,?,?,?)",
                        refusals)


def refusals(db: sqlite_utils.Database) -> list[Refusal]:
    """Every refused message, in the stream's order."""
    return [Refusal(*r) for r in db.execute(
        "SELECT stream_seq, subject, hash, reason, refused_at FROM ingest_refusal ORDER BY stream_seq")]
