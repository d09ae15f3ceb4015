"""Seals: the device's signature over the end of its arrival chain, one per write transaction.

The arrival chain links every event to all before it, so one valid seal over the last event vouches for the
whole record; the earlier seals say which transaction wrote which streams, so that when the record no longer
matches its seals, :func:`first_broken` finds the first seal it contradicts and the streams (cases) written
there. Appends happen inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .cases import rows_digest

FORMAT = "ecr-seal/1"


def seal_message(device: str, seq: int, chain: str, streams: str, rows: str) -> bytes:
    return f"{FORMAT}\ndevice:{device}\nseq:{seq}\nchain:{chain}\nstreams:{streams}\nrows:{rows}\n".encode()


def last_seq(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT max(seq) FROM event").fetchone()
    return int(row[0] or 0)


def seal(db: sqlite_utils.Database, key: Ed25519PrivateKey, device: str, since_seq: int, *, streams: str | None = None) -> bool:
    """Seal the events appended after ``since_seq`` and the case table as it now stands; ``False`` when neither
    changed since the last seal. ``streams`` overrides the streams named (the seal of an upgraded database
    names none: it vouches for all there was)."""
    row = db.execute("SELECT seq, chain FROM event ORDER BY seq DESC LIMIT 1").fetchone()
    seq, chain = (int(row[0]), str(row[1])) if row else (0, "")
    rows = rows_digest(db)
    previous = last(db)
    if seq <= since_seq and (previous is None and rows == "0" or previous is not None and previous.rows == rows):
        return False
    if streams is None:
        streams = ",".join(sorted({r[0] for r in db.execute("SELECT DISTINCT stream FROM event WHERE seq > ?", [since_seq])}))
    signature = key.sign(seal_message(device, seq, chain, streams, rows)).hex()
    db.execute("INSERT INTO seal (seq, chain, streams, rows, device, signature) VALUES (?,?,?,?,?,?)",
               [seq, chain, streams, rows, device, signature])
    return True


@dataclass(frozen=True)
class Seal:
    seq: int
    chain: str
    streams: tuple[str, ...]
    rows: str
    device: str
    signature: str
    event_chain: str | None  # the chain value the event at ``seq`` has now (None: no such event)

    def signed_by(self, public_key_hex: str) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(
                bytes.fromhex(self.signature), seal_message(self.device, self.seq, self.chain, ",".join(self.streams), self.rows))
        except (InvalidSignature, ValueError):
            return False
        return True

    @property
    def matches(self) -> bool:
        return self.event_chain == self.chain or self.seq == 0 and not self.chain


_SELECT = ("SELECT seal.seq, seal.chain, seal.streams, seal.rows, seal.device, seal.signature, event.chain FROM seal "
           "LEFT JOIN event ON event.seq = seal.seq")


def _seal(row: tuple) -> Seal:
    return Seal(int(row[0]), row[1], tuple(s for s in str(row[2]).split(",") if s), row[3], row[4], row[5], row[6])


def last(db: sqlite_utils.Database) -> Seal | None:
    row = db.execute(f"{_SELECT} ORDER BY seal.id DESC LIMIT 1").fetchone()
    return _seal(row) if row else None


def count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM seal").fetchone()[0])


def first_broken(db: sqlite_utils.Database) -> Seal | None:
    """The first seal the record no longer matches (its event gone, or with another chain value). A cut or a
    rewrite changes every chain value after it, so the seals match up to a point and not after: found by
    bisection, in a few dozen lookups whatever the length of the record."""
    ids = [r[0] for r in db.execute("SELECT id FROM seal ORDER BY id")]
    lo, hi = 0, len(ids)
    while lo < hi:
        mid = (lo + hi) // 2
        row = db.execute(f"{_SELECT} WHERE seal.id = ?", [ids[mid]]).fetchone()
        if _seal(row).matches:
            lo = mid + 1
        else:
            hi = mid
    if lo == len(ids):
        return None
    return _seal(db.execute(f"{_SELECT} WHERE seal.id = ?", [ids[lo]]).fetchone())
