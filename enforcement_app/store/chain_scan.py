"""Re-hashing one range of the event table: the hot loop of ``verify``.

Kept free of everything but ``hashlib`` and ``sqlite3`` so that a worker process (``python -m
enforcement_app.store.chain_scan DB LO HI``, its result pickled to stdout) starts in milliseconds. ``verify`` splits the table into consecutive ``seq`` ranges, scans them in
parallel (one in the calling process, the others in workers with their own read-only connections) and
merges the partial results in order with :func:`merge`.

Each link of the global chain is checked against the *stored* chain value of the row before it, so a
range can be checked without the ranges before it: the scan only needs the chain of the row just
before its first one.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

GENESIS = "0" * 64
MMAP_BYTES = 1 << 30
FORMAT = "ecr-event/1"  # the header of domain.record; a test keeps the two equal


@dataclass
class RangeScan:
    """What one range found. ``heads`` maps a stream to its local head (a hash) or heads (a set)."""

    count: int = 0
    last_chain: str = GENESIS
    altered: list[tuple[str, int, str, str]] = field(default_factory=list)  # (stream, seq, hash, kind)
    broken: list[tuple[str, int, str]] = field(default_factory=list)  # (stream, seq, hash)
    heads: dict[str, str | set[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # parents that are not a current head of their stream in this range: an earlier range's head, an
    # older event (a fork), or missing. (stream, seq, hash, parent)
    unresolved: list[tuple[str, int, str, str]] = field(default_factory=list)
    evidence: list[tuple[str, int]] = field(default_factory=list)  # add_evidence events: (stream, seq)


def scan(
    conn: sqlite3.Connection, lo: int, hi: int, progress: Callable[[int], None] | None = None
) -> RangeScan:
    """Scan events with ``lo <= seq <= hi``."""
    result = RangeScan()
    row = conn.execute("SELECT chain FROM event WHERE seq < ? ORDER BY seq DESC LIMIT 1", [lo]).fetchone()
    previous = row[0] if row else GENESIS
    sha256 = hashlib.sha256
    heads = result.heads
    counts = result.counts
    altered, broken, unresolved, evidence = result.altered, result.broken, result.unresolved, result.evidence
    count = 0
    cursor = conn.execute(
        "SELECT seq, hash, stream, parents, actor, device, at, kind, payload, chain FROM event "
        "WHERE seq BETWEEN ? AND ? ORDER BY seq",
        [lo, hi],
    )
    for seq, digest, s, parents, actor, device, at, kind, payload, chain in cursor:
        count += 1
        if not isinstance(payload, bytes):  # a hand-edited row may hold text; hash what is there
            payload = str(payload).encode("utf-8")
        header = f"{FORMAT}\nstream:{s}\nparents:{parents}\nactor:{actor}\ndevice:{device}\nat:{at}\nkind:{kind}\n"
        if sha256(header.encode() + payload).hexdigest() != digest:
            altered.append((s, seq, digest, kind))
        if sha256(f"{previous}{digest}".encode("ascii", "replace")).hexdigest() != chain:
            broken.append((s, seq, digest))
        previous = chain
        counts[s] = counts.get(s, 0) + 1
        current = heads.get(s)
        if parents and current == parents:  # the common case: one parent, the stream's single head
            heads[s] = digest
        else:
            known = set() if current is None else ({current} if isinstance(current, str) else current)
            for parent in parents.split(",") if parents else ():
                if parent in known:
                    known.discard(parent)
                else:
                    unresolved.append((s, seq, digest, parent))
            known.add(digest)
            heads[s] = next(iter(known)) if len(known) == 1 else known
        if kind == "add_evidence":
            evidence.append((s, seq))
        if progress is not None and count % 100_000 == 0:
            progress(count)
    result.count = count
    result.last_chain = previous
    return result


def scan_file(path: str, lo: int, hi: int, progress: Callable[[int], None] | None = None) -> RangeScan:
    """Worker entry point: scan a range through a read-only connection of its own."""
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")  # one sequential pass over the table: map it, fewer read calls
    try:
        return scan(conn, lo, hi, progress)
    finally:
        conn.close()


def merge(scans: list[RangeScan]) -> tuple[RangeScan, list[tuple[str, int, str, str]]]:
    """Join consecutive range scans into one. Returns the joined scan and the parents that still need a
    lookup (not a head of their stream when their child was recorded: a fork point, or missing)."""
    total = RangeScan()
    lookups: list[tuple[str, int, str, str]] = []
    for part in scans:
        total.count += part.count
        total.altered += part.altered
        total.broken += part.broken
        total.evidence += part.evidence
        for s, n in part.counts.items():
            total.counts[s] = total.counts.get(s, 0) + n
        for s, seq, digest, parent in part.unresolved:
            earlier = total.heads.get(s)
            if isinstance(earlier, str) and earlier == parent:
                del total.heads[s]
            elif isinstance(earlier, set) and parent in earlier:
                earlier.discard(parent)
            else:
                lookups.append((s, seq, digest, parent))
        for s, local in part.heads.items():
            earlier = total.heads.get(s)
            if earlier is None:
                total.heads[s] = local
            else:
                joined = ({earlier} if isinstance(earlier, str) else set(earlier)) | (
                    {local} if isinstance(local, str) else local
                )
                total.heads[s] = joined
        if part.count:
            total.last_chain = part.last_chain
    return total, lookups


if __name__ == "__main__":  # a verify worker: python -m enforcement_app.store.chain_scan DB LO HI PARENT_PID
    import pickle
    import sys

    from enforcement_app.store.workers import die_with_parent

    if len(sys.argv) > 4:
        die_with_parent(int(sys.argv[4]))  # a killed verify leaves no scan running on

    # through the package, so the pickled result names enforcement_app.store.chain_scan.RangeScan, not __main__
    from enforcement_app.store.chain_scan import scan_file as packaged_scan_file

    def told(done: int) -> None:  # how far this range has got, a line on standard error for the parent to add up
        sys.stderr.write(f"{done}\n")
        sys.stderr.flush()

    sys.stdout.buffer.write(pickle.dumps(packaged_scan_file(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), told)))
