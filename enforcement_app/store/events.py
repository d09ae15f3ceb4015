"""Appending events and reading them back. Appends happen inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

import sqlite_utils

from ..domain.record import Event, EventHash, RecordedEvent, chain_hash, heads_after


def stream_heads(db: sqlite_utils.Database, stream: str) -> tuple[str, ...]:
    row = db.execute("SELECT heads FROM stream_head WHERE stream = ?", [stream]).fetchone()
    return tuple(h for h in row[0].split(",") if h) if row else ()


def heads_of_streams(db: sqlite_utils.Database, streams: list[str]) -> dict[str, tuple[str, ...]]:
    """The heads of each of ``streams`` that has any, in a query per 500 streams."""
    found: dict[str, tuple[str, ...]] = {}
    for start in range(0, len(streams), 500):
        chunk = streams[start:start + 500]
        for stream, heads in db.execute(f"SELECT stream, heads FROM stream_head WHERE stream IN ({','.join('?' * len(chunk))})", chunk):
            found[stream] = tuple(h for h in heads.split(",") if h)
    return found


def append(db: sqlite_utils.Database, event: Event, heads: tuple[str, ...] | None = None) -> tuple[int, EventHash]:
    """Store one event, advance its stream heads and the global chain. Call inside ``db.atomic()``.
    ``heads``: the stream's heads as the caller just read them in this transaction (saves a query)."""
    digest = event.hash
    head_row = db.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()
    previous = head_row[0] if head_row else "0" * 64
    chain = chain_hash(previous, digest)
    cursor = db.execute(
        "INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload, chain) VALUES (?,?,?,?,?,?,?,?,?)",
        [digest, event.stream, event.parents_text, event.actor, event.device, event.at_text, event.kind, event.payload_bytes, chain],
    )
    seq = cursor.lastrowid
    heads = heads_after(stream_heads(db, event.stream) if heads is None else heads, event.parents, digest)
    db.execute(
        "INSERT INTO stream_head (stream, heads, events) VALUES (?, ?, 1) "
        "ON CONFLICT(stream) DO UPDATE SET heads = excluded.heads, events = events + 1",
        [event.stream, ",".join(heads)],
    )
    db.execute(
        "UPDATE meta SET value = CASE key WHEN 'chain_head' THEN ? ELSE CAST(value AS INTEGER) + 1 END "
        "WHERE key IN ('chain_head', 'event_count')",
        [chain],
    )
    return int(seq or 0), digest


def _row(row: tuple) -> RecordedEvent:
    seq, digest, stream, parents, actor, device, at, kind, payload = row
    return RecordedEvent(
        seq=seq,
        hash=EventHash(digest),
        stream=stream,
        parents=tuple(p for p in parents.split(",") if p),
        actor=actor,
        device=device,
        at=datetime.fromisoformat(at),
        kind=kind,
        payload=json.loads(payload),
    )


_COLUMNS = "seq, hash, stream, parents, actor, device, at, kind, payload"


def events_of(db: sqlite_utils.Database, stream: str) -> list[RecordedEvent]:
    return [_row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM event WHERE stream = ? ORDER BY seq", [stream])]


def known_hashes(db: sqlite_utils.Database, digests: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(digests), 500):
        chunk = digests[start:start + 500]
        found |= {r[0] for r in db.execute(f"SELECT hash FROM event WHERE hash IN ({','.join('?' * len(chunk))})", chunk)}
    return found


def append_rows(db: sqlite_utils.Database, rows: list[tuple]) -> list[EventHash]:
    """Store events given as their columns ``(hash, stream, parents, actor, device, at, kind, payload, …)``
    (anything after the eighth field is ignored),
    exactly as received from elsewhere and already hash-checked by the caller, in the order given
    (parents first). Call inside ``db.atomic()``."""
    head_row = db.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()
    chain = head_row[0] if head_row else "0" * 64
    streams = list(dict.fromkeys(row[1] for row in rows))
    heads = heads_of_streams(db, streams)  # as stored; then as advanced by the rows before
    counts: dict[str, int] = {}
    stored, digests = [], []
    for row in rows:
        digest, stream, parents = row[0], row[1], row[2]
        chain = chain_hash(chain, digest)
        stored.append((*row[:8], chain))
        current = heads.get(stream, ())
        if len(current) == 1 and current[0] == parents:  # the common case: one parent, the stream's single head
            heads[stream] = (digest,)
        else:
            heads[stream] = heads_after(current, parents.split(",") if parents else (), digest)
        counts[stream] = counts.get(stream, 0) + 1
        digests.append(EventHash(digest))
    db.conn.executemany(
        "INSERT INTO event (hash, stream, parents, actor, device, at, kind, payload, chain) VALUES (?,?,?,?,?,?,?,?,?)", stored
    )
    db.conn.executemany(
        "INSERT INTO stream_head (stream, heads, events) VALUES (?, ?, ?) "
        "ON CONFLICT(stream) DO UPDATE SET heads = excluded.heads, events = events + excluded.events",
        [(stream, ",".join(heads[stream]), counts[stream]) for stream in streams],
    )
    if stored:
        db.execute(
            "UPDATE meta SET value = CASE key WHEN 'chain_head' THEN ? ELSE CAST(value AS INTEGER) + ? END "
            "WHERE key IN ('chain_head', 'event_count')",
            [chain, len(stored)],
        )
    return digests


def rows_after(db: sqlite_utils.Database, seq: int) -> Iterator[tuple]:
    """Every event stored after local number ``seq``, in the order stored, as its columns ``(seq, stream,
    parents, actor, device, at, kind, payload)`` exactly as stored (the payload as its JSON text)."""
    return iter(db.execute("SELECT seq, stream, parents, actor, device, at, kind, payload FROM event WHERE seq > ? ORDER BY seq", [seq]))


def known_in_streams(db: sqlite_utils.Database, carried: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the (stream, hash) pairs the event table holds."""
    found: set[tuple[str, str]] = set()
    for start in range(0, len(carried), 500):
        hashes = [h for _s, h in carried[start:start + 500]]
        found |= {(s, h) for s, h in db.execute(f"SELECT stream, hash FROM event WHERE hash IN ({','.join('?' * len(hashes))})", hashes)}
    return found


def rows_of_kinds(db: sqlite_utils.Database, kinds: Iterable[str], after_seq: int = 0) -> Iterator[tuple]:
    """(seq, hash, stream, parents, actor, device, at, kind, payload) of the events of ``kinds`` after ``after_seq``,
    in arrival order."""
    kinds = list(kinds)
    yield from db.execute(f"SELECT seq, hash, stream, parents, actor, device, at, kind, payload FROM event "
                          f"WHERE seq > ? AND kind IN ({','.join('?' * len(kinds))}) ORDER BY seq", [after_seq, *kinds])


RECORD_KINDS = ("record_inquiry", "record_inspection", "record_preservation", "record_sampling", "record_statement")
"""The records with a start and an end that the index ``event_record_end`` (db/0018_record_times.sql) covers, written
into the query as the index writes them (SQLite uses a partial index only for the very same terms)."""
_ENDED = "substr(json_extract(CAST(payload AS TEXT), '$.ended_at'), 1, 16)"
_STARTED = "substr(json_extract(CAST(payload AS TEXT), '$.started_at'), 1, 16)"


def records_ending_after(db: sqlite_utils.Database, start: str, end: str) -> list[RecordedEvent]:
    """The recorded 笔录 that end after ``start`` and begin before ``end`` (``YYYY-MM-DDTHH:MM``, China's wall clock, as
    the forms write moments; compared as text to the minute, a first sieve the caller refines): those that may overlap
    that time, in any case."""
    kinds = ", ".join(f"'{k}'" for k in RECORD_KINDS)
    return [_row(r) for r in db.execute(f"SELECT {_COLUMNS} FROM event WHERE kind IN ({kinds}) AND {_ENDED} > ? AND {_STARTED} < ? "
                                        "ORDER BY seq", [start[:16], end[:16]])]
