"""The outbox of the agency network: the mark of how far the event table has gone onto a JetStream stream
(db/0019_outbox.sql), and the reads the publisher makes after it.

The publisher runs on the network thread with a connection of its own (:func:`connect`; sqlite3 objects are
bound to the thread that made them). It reads the events after the mark, publishes them with no transaction
open, and only once the stream has acknowledged them calls :func:`advance` in one short write transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NamedTuple

import sqlite_utils

from .batches import rows_for
from .database import WRITE_WAIT_SECONDS, write_transaction

Connection = sqlite_utils.Database  # what :func:`connect` gives, named for the network package (which imports no SQL library)


class Mark(NamedTuple):
    seq: int  # every event with a seq up to this one is in the stream
    stream_seq: int  # the stream's sequence the last of them was acknowledged at


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection to a database the app has already opened (and so migrated), for the thread that calls this."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"数据库不存在：{path}")
    conn = sqlite3.connect(str(path), timeout=WRITE_WAIT_SECONDS, check_same_thread=True)
    conn.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_SECONDS * 1000}")
    return sqlite_utils.Database(conn)


def mark(db: sqlite_utils.Database, stream: str) -> Mark:
    row = db.execute("SELECT published_seq, stream_seq FROM outbox WHERE stream = ?", [stream]).fetchone()
    return Mark(int(row[0]), int(row[1])) if row else Mark(0, 0)


def events_after(db: sqlite_utils.Database, seq: int, limit: int) -> list[tuple]:
    """Up to ``limit`` events stored after local number ``seq``, in the order stored, as their columns
    ``(seq, hash, stream, parents, actor, device, at, kind, payload)`` exactly as stored; not those that came from
    the hub (:func:`note_from_hub`): it holds them."""
    return db.execute("SELECT seq, hash, stream, parents, actor, device, at, kind, payload FROM event "
                      "WHERE seq > ? AND seq NOT IN (SELECT seq FROM hub_received) ORDER BY seq LIMIT ?", [seq, limit]).fetchall()


def last_seq(db: sqlite_utils.Database) -> int:
    """The local seq of the newest event (0 if none)."""
    return int(db.execute("SELECT coalesce(max(seq), 0) FROM event").fetchone()[0])


def seq_of(db: sqlite_utils.Database, digest: str) -> int | None:
    row = db.execute("SELECT seq FROM event WHERE hash = ?", [digest]).fetchone()
    return int(row[0]) if row else None


def advance(db: sqlite_utils.Database, stream: str, upto: Mark) -> None:
    """Move the mark forward to ``upto`` (never back: a slower publisher finishing late changes nothing)."""
    with write_transaction(db):
        db.execute("INSERT INTO outbox (stream, published_seq, stream_seq) VALUES (?, ?, ?) ON CONFLICT(stream) DO UPDATE "
                   "SET published_seq = max(published_seq, excluded.published_seq), stream_seq = max(stream_seq, excluded.stream_seq)",
                   [stream, upto.seq, upto.stream_seq])


def rewind(db: sqlite_utils.Database, stream: str, to: Mark) -> None:
    """Set the mark back to ``to``: the stream holds less than the mark says (its store was lost or cut short)."""
    with write_transaction(db):
        db.execute("INSERT INTO outbox (stream, published_seq, stream_seq) VALUES (?, ?, ?) ON CONFLICT(stream) DO UPDATE "
                   "SET published_seq = excluded.published_seq, stream_seq = excluded.stream_seq", [stream, to.seq, to.stream_seq])


def recorders(db: sqlite_utils.Database, streams: list[str]) -> dict[str, set[str]]:
    """The devices that recorded events of each of ``streams`` (the hub's fan-out: who holds a case)."""
    found: dict[str, set[str]] = {s: set() for s in streams}
    for stream, device in rows_for(db, "SELECT DISTINCT stream, device FROM event WHERE stream IN ({})", streams):
        found[stream].add(device)
    return found


def party_recorders(db: sqlite_utils.Database, parties: list[str]) -> dict[str, set[str]]:
    """The devices that recorded events of a case of each of ``parties``."""
    found: dict[str, set[str]] = {p: set() for p in parties}
    for party, device in rows_for(db, 'SELECT DISTINCT c.party_id, e.device FROM "case" c JOIN event e ON e.stream = c.id '
                                      "WHERE c.party_id IN ({})", parties):
        found[party].add(device)
    return found


def evidence_after(db: sqlite_utils.Database, seq: int, limit: int) -> list[tuple[int, str, int]]:
    """Up to ``limit`` evidence files the event table names after local number ``seq``, in the order stored:
    ``(seq, sha256, size)`` of each add_evidence event (as its payload gives them, unchecked)."""
    return db.execute("SELECT seq, json_extract(CAST(payload AS TEXT), '$.sha256'), json_extract(CAST(payload AS TEXT), '$.size') "
                      "FROM event WHERE seq > ? AND kind = 'add_evidence' AND seq NOT IN (SELECT seq FROM hub_received) "
                      "ORDER BY seq LIMIT ?", [seq, limit]).fetchall()


def evidence_at(db: sqlite_utils.Database, seqs: list[int]) -> list[tuple[int, str, int]]:
    """``(seq, sha256, size)`` of the add_evidence events with these local seqs, as :func:`evidence_after` gives them."""
    return sorted(rows_for(db, "SELECT seq, json_extract(CAST(payload AS TEXT), '$.sha256'), json_extract(CAST(payload AS TEXT), '$.size') "
                               "FROM event WHERE kind = 'add_evidence' AND seq IN ({})", sorted(seqs)))


def events_at(db: sqlite_utils.Database, seqs: list[int]) -> list[tuple]:
    """The events with these local seqs, as :func:`events_after` gives them, in the order stored."""
    return sorted(rows_for(db, "SELECT seq, hash, stream, parents, actor, device, at, kind, payload FROM event WHERE seq IN ({})",
                           sorted(seqs)))


def catch_up(db: sqlite_utils.Database, device: str, scope: str, head: int) -> tuple[int, int]:
    """(upto, done) of ``device``'s catch-up in ``scope``, begun at ``head`` (the shared mark now) if it is new."""
    row = db.execute("SELECT upto, done FROM fanout_catch_up WHERE device = ? AND scope = ?", [device, scope]).fetchone()
    if row is None:  # written only the first time: the hub asks of every device every round
        with write_transaction(db):
            db.execute("INSERT OR IGNORE INTO fanout_catch_up (device, scope, upto, done) VALUES (?, ?, ?, 0)", [device, scope, head])
            row = db.execute("SELECT upto, done FROM fanout_catch_up WHERE device = ? AND scope = ?", [device, scope]).fetchone()
    return int(row[0]), int(row[1])


def caught_up(db: sqlite_utils.Database, device: str, scope: str, done: int) -> None:
    with write_transaction(db):
        db.execute("UPDATE fanout_catch_up SET done = max(done, ?) WHERE device = ? AND scope = ?", [done, device, scope])


def note_from_hub(db: sqlite_utils.Database, digests: list[str]) -> None:
    """These events (just stored, in the caller's transaction) came from the hub: the outbox leaves them out."""
    db.conn.executemany("INSERT OR IGNORE INTO hub_received (seq) SELECT seq FROM event WHERE hash = ?", [(h,) for h in digests])


def note_new_recorders(db: sqlite_utils.Database, events: list[tuple[str, str]], devices: set[str]) -> None:
    """Of these events ``(stream, device)`` (just stored, in the caller's transaction), the cases in which one of
    ``devices`` (the hub's field devices) recorded for the first time while others had recorded before: what they
    recorded is to be sent to it (db/0024)."""
    batch: dict[tuple[str, str], int] = {}
    for stream, device in events:
        if device in devices and "/" not in stream:
            batch[stream, device] = batch.get((stream, device), 0) + 1
    if not batch:
        return
    held: dict[str, dict[str, int]] = {}  # case -> device -> its events there, this batch's with them
    for stream, device, count in rows_for(db, "SELECT stream, device, count(*) FROM event WHERE stream IN ({}) GROUP BY stream, device",
                                          sorted({s for s, _ in batch})):
        held.setdefault(stream, {})[device] = count
    upto = last_seq(db)
    new = [(device, case, upto) for (case, device), count in sorted(batch.items())
           if held.get(case, {}).get(device) == count  # none of its events in the case came before this batch
           and any(n > batch.get((case, other), 0) for other, n in held[case].items() if other != device)]
    db.conn.executemany("INSERT INTO fanout_case_catch_up (device, stream, upto) VALUES (?, ?, ?) "
                        "ON CONFLICT(device, stream) DO UPDATE SET upto = max(upto, excluded.upto)", new)


def case_catch_ups(db: sqlite_utils.Database, limit: int) -> list[tuple[str, str, int, int]]:
    """Up to ``limit`` (device, case, upto, done) the hub's fan-out is still to send (db/0024): those whose files
    could not go last, then the oldest."""
    return db.execute("SELECT device, stream, upto, done FROM fanout_case_catch_up ORDER BY failures, upto, device, stream LIMIT ?",
                      [limit]).fetchall()


def held_by(db: sqlite_utils.Database, case: str, device: str, upto: int) -> set[str]:
    """The events of a case's own stream ``device`` held when it recorded its first step there: that step's
    ancestors (its parents are the heads it knew)."""
    first = db.execute("SELECT parents FROM event WHERE stream = ? AND device = ? ORDER BY seq LIMIT 1", [case, device]).fetchone()
    if first is None:
        return set()
    parents = dict(db.execute("SELECT hash, parents FROM event WHERE stream = ? AND seq <= ?", [case, upto]).fetchall())
    return _ancestors(parents, [p for p in (first[0] or "").split(",") if p])


def _ancestors(parents: dict[str, str], heads: list[str]) -> set[str]:
    """``heads`` and all they build on, by the ``parents`` (hash -> its parents, comma-separated) of one stream."""
    held: set[str] = set()
    todo = list(heads)
    while todo:
        h = todo.pop()
        if h not in held and h in parents:
            held.add(h)
            todo.extend(p for p in (parents[h] or "").split(",") if p)
    return held


def outbound_under(db: sqlite_utils.Database, device: str, case: str, heads: list[str]) -> set[str]:
    """Of the files the hub put into ``device``'s bucket and has not taken out (db/0025), those registered by
    add_evidence events of a case that ``heads`` (events of its stream) are or build on. The case's events are
    walked only when some of its files are in that bucket."""
    pending = db.execute("SELECT e.hash, f.sha256 FROM event e JOIN hub_outbound_file f ON f.device = ? "
                         "AND f.sha256 = json_extract(CAST(e.payload AS TEXT), '$.sha256') "
                         "WHERE e.stream = ? AND e.kind = 'add_evidence'", [device, case]).fetchall()
    if not pending:
        return set()
    under = _ancestors(dict(db.execute("SELECT hash, parents FROM event WHERE stream = ?", [case]).fetchall()), heads)
    return {sha for h, sha in pending if h in under}


def note_outbound_file(db: sqlite_utils.Database, device: str, sha256: str) -> None:
    """The hub put this file into ``device``'s bucket (db/0025)."""
    with write_transaction(db):
        db.execute("INSERT OR IGNORE INTO hub_outbound_file (device, sha256) VALUES (?, ?)", [device, sha256])


def note_device_files(db: sqlite_utils.Database, held: list[tuple[str, str]]) -> None:
    """(device, sha256): the files devices said they hold (db/0026; inside the caller's transaction)."""
    db.conn.executemany("INSERT OR IGNORE INTO hub_device_file (device, sha256) VALUES (?, ?)", held)


def files_held(db: sqlite_utils.Database, device: str, files: list[str]) -> set[str]:
    """Of ``files``, those ``device`` said it holds (db/0026): the hub puts none of them into its bucket again."""
    return {r[0] for r in rows_for(db, "SELECT sha256 FROM hub_device_file WHERE device = ? AND sha256 IN ({})", files, before=[device])}


def outbound_held(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """(device, sha256) of the files the hub put into a device's bucket and has not taken out (db/0025) though the
    device said it holds them (db/0026): to be taken out."""
    return [tuple(r) for r in db.execute("SELECT o.device, o.sha256 FROM hub_outbound_file o JOIN hub_device_file h "
                                         "ON h.device = o.device AND h.sha256 = o.sha256 ORDER BY o.device, o.sha256")]


def has_outbound_files(db: sqlite_utils.Database, device: str) -> bool:
    return db.execute("SELECT 1 FROM hub_outbound_file WHERE device = ? LIMIT 1", [device]).fetchone() is not None


def forget_outbound_file(db: sqlite_utils.Database, device: str, sha256: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM hub_outbound_file WHERE device = ? AND sha256 = ?", [device, sha256])


def case_history(db: sqlite_utils.Database, case: str, device: str, after: int, upto: int, limit: int) -> list[tuple]:
    """Up to ``limit`` events of a case, its evaluation and its party after local number ``after`` and up to ``upto``
    that ``device`` did not record, as :func:`events_after` gives them."""
    return db.execute("SELECT seq, hash, stream, parents, actor, device, at, kind, payload FROM event "
                      "WHERE stream IN (?, ?, (SELECT 'party/' || party_id FROM \"case\" WHERE id = ?)) AND seq > ? AND seq <= ? "
                      "AND device != ? ORDER BY seq LIMIT ?", [case, f"evaluation/{case}", case, after, upto, device, limit]).fetchall()


def case_caught_up(db: sqlite_utils.Database, device: str, case: str, done: int) -> None:
    """The catch-up of ``device`` in ``case`` sent up to local number ``done``: the row goes once that is its upto."""
    with write_transaction(db):
        db.execute("UPDATE fanout_case_catch_up SET done = max(done, ?) WHERE device = ? AND stream = ?", [done, device, case])
        db.execute("DELETE FROM fanout_case_catch_up WHERE device = ? AND stream = ? AND done >= upto", [device, case])


def case_catch_up_failed(db: sqlite_utils.Database, device: str, case: str) -> None:
    with write_transaction(db):
        db.execute("UPDATE fanout_case_catch_up SET failures = failures + 1 WHERE device = ? AND stream = ?", [device, case])


def drop_case_catch_up(db: sqlite_utils.Database, device: str, case: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM fanout_case_catch_up WHERE device = ? AND stream = ?", [device, case])
