"""Verification of the process record and the evidence files against the database.

Recomputes every event hash from the stored columns, checks that every parent exists in the same stream
and came earlier, recomputes the global arrival chain and compares it with the recorded head and count,
compares stream heads, and re-hashes every evidence file. Each problem names the case (number or id),
the event (position, kind, hash) or the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass

import sqlite_utils

from ..domain.record import FORMAT, GENESIS
from .evidence import EvidenceStore


@dataclass(frozen=True)
class Problem:
    kind: str  # event_altered, event_missing, chain_broken, head_mismatch, evidence_*, guard_removed
    message: str
    case: str = ""  # case number or stream id
    seq: int | None = None
    hash: str = ""
    file: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class VerifyReport:
    events: int
    streams: int
    evidence_files: int
    chain_head: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _names(db: sqlite_utils.Database) -> dict[str, str]:
    return {row[0]: (row[1] or row[0]) for row in db.execute('SELECT id, case_no FROM "case"')}


def verify_database(
    db: sqlite_utils.Database,
    evidence: EvidenceStore | None,
    *,
    stream: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    names = _names(db)

    def label(s: str) -> str:
        return names.get(s, s)

    problems: list[Problem] = []
    triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for guard in ("event_no_update", "event_no_delete"):
        if guard not in triggers:
            problems.append(Problem("guard_removed", f"事件表的只增不改保护（{guard}）已被删除"))

    seen: dict[str, tuple[str, int]] = {}  # hash -> (stream, seq)
    heads: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    previous = GENESIS
    count = 0
    sha256 = hashlib.sha256
    pending_parents: list[tuple[str, int, str, str]] = []
    cursor = db.execute("SELECT seq, hash, stream, parents, actor, device, at, kind, payload, chain FROM event ORDER BY seq")
    for seq, digest, s, parents, actor, device, at, kind, payload, chain in cursor:
        count += 1
        body = f"{FORMAT}\nstream:{s}\nparents:{parents}\nactor:{actor}\ndevice:{device}\nat:{at}\nkind:{kind}\n".encode()
        h = sha256(body)
        h.update(payload if isinstance(payload, bytes) else str(payload).encode("utf-8"))
        if h.hexdigest() != digest:
            problems.append(Problem("event_altered", f"第{seq}条记录（{kind}）的内容与其哈希不符，记录已被改动", label(s), seq, digest))
        expected_chain = sha256(f"{previous}{digest}".encode("ascii")).hexdigest()
        if expected_chain != chain:
            problems.append(
                Problem("chain_broken", f"全局哈希链在第{seq}条记录处断开：其前有记录被删除、插入或改动", label(s), seq, digest)
            )
        previous = chain
        stream_heads = heads.setdefault(s, set())
        counts[s] = counts.get(s, 0) + 1
        if parents:
            for parent in parents.split(","):
                origin = seen.get(parent)
                if origin is None or origin[0] != s:
                    pending_parents.append((s, seq, digest, parent))
                stream_heads.discard(parent)
        stream_heads.add(digest)
        seen[digest] = (s, seq)
        if progress is not None and count % 100000 == 0:
            progress(count)

    for s, seq, digest, parent in pending_parents:
        problems.append(
            Problem("event_missing", f"第{seq}条记录所接续的记录 {parent[:12]}… 不存在（已被删除或尚未收到）", label(s), seq, parent)
        )

    recorded_head = db.execute("SELECT value FROM meta WHERE key = 'chain_head'").fetchone()
    recorded_count = db.execute("SELECT value FROM meta WHERE key = 'event_count'").fetchone()
    if recorded_head and recorded_head[0] != previous:
        problems.append(Problem("chain_head_mismatch", "全局哈希链末端与登记的链头不符：末尾的记录被删除或替换"))
    if recorded_count and int(recorded_count[0]) != count:
        problems.append(Problem("event_count_mismatch", f"登记的记录数为{recorded_count[0]}条，实际为{count}条"))

    for s, recorded, events in db.execute("SELECT stream, heads, events FROM stream_head"):
        actual = heads.pop(s, set())
        if set(filter(None, recorded.split(","))) != actual or counts.get(s, 0) != events:
            problems.append(Problem("head_mismatch", f"{label(s)}的记录末端或记录数与登记不符：有记录被删除或篡改", label(s)))
    for s in heads:
        problems.append(Problem("head_mismatch", f"{label(s)}的记录未登记末端", label(s)))

    files = 0
    if evidence is not None:
        registered = {row[0]: row[1] for row in db.execute("SELECT sha256, size FROM evidence")}
        for sha, size in registered.items():
            files += 1
            problem = evidence.check(sha, size)
            if problem:
                problems.append(Problem("evidence_" + ("missing" if problem == "文件缺失" else "altered"), f"证据文件 {sha[:12]}…：{problem}", file=sha))
        referenced = db.execute(
            "SELECT e.stream, e.seq, json_extract(e.payload, '$.sha256') FROM event e WHERE e.kind = 'add_evidence'"
        ).fetchall()
        for s, seq, sha in referenced:
            if sha not in registered:
                problems.append(Problem("evidence_unregistered", f"第{seq}条记录登记的证据 {str(sha)[:12]}… 不在证据库中", label(s), seq, file=str(sha)))

    if stream is not None:
        problems = [p for p in problems if p.case in (label(stream), "")]
    return VerifyReport(count, len(counts), files, previous, tuple(problems))
