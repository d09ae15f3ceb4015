"""The hub's ingest bookkeeping (db/0020_ingest.sql): the messages of its EVENTS stream it refused, and why."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

import sqlite_utils

# what writing an event's payload may raise that is the event's fault, not the database's (a locked or full database,
# sqlite3.OperationalError, is not among them: that round is tried again, its messages redelivered)
MALFORMED = (sqlite3.ProgrammingError, sqlite3.IntegrityError, sqlite3.DataError, TypeError, ValueError, KeyError,
             AttributeError, OverflowError, RecursionError)


class Refusal(NamedTuple):
    stream_seq: int  # the message's sequence in EVENTS
    subject: str
    hash: str  # the event's, as computed from the bytes that arrived (else the Nats-Msg-Id header, or "")
    reason: str
    refused_at: str
    event_refused: bool  # the event failed the record's checks (not only this message): what builds on it is refused too


def refuse(db: sqlite_utils.Database, refusals: list[Refusal]) -> None:
    """Note refused messages; one already noted (a redelivery) is left as it was. Inside the caller's transaction."""
    db.conn.executemany("INSERT OR IGNORE INTO ingest_refusal (stream_seq, subject, hash, reason, refused_at, event_refused) "
                        "VALUES (?,?,?,?,?,?)", refusals)


def refusals(db: sqlite_utils.Database) -> list[Refusal]:
    """Every refused message, in the stream's order."""
    return [Refusal(*r[:5], bool(r[5])) for r in db.execute(
        "SELECT stream_seq, subject, hash, reason, refused_at, event_refused FROM ingest_refusal ORDER BY stream_seq")]


def refused_events(db: sqlite_utils.Database, digests: list[str]) -> set[str]:
    """Those of ``digests`` that are events refused by the record's checks."""
    found: set[str] = set()
    for start in range(0, len(digests), 500):
        chunk = digests[start:start + 500]
        found |= {r[0] for r in db.execute(
            f"SELECT hash FROM ingest_refusal WHERE event_refused AND hash IN ({','.join('?' * len(chunk))})", chunk)}
    return found
