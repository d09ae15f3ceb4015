"""Verification of the process record and the evidence files against the database.

Recomputes every event hash from the stored columns, checks that every parent exists in the same stream
and came earlier, recomputes the global arrival chain and compares it with the recorded head and count,
compares stream heads, and re-hashes every evidence file. Each problem names the case (number or id),
the event (position, kind, hash) or the file.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass

import sqlite_utils

from . import chain_scan, marks, seals, workers
from .evidence import EvidenceStore
from .marks import Recall

_PARALLEL_FROM = 200_000  # events; below this one process is faster than starting another
_MAX_WORKERS = 4


@dataclass(frozen=True)
class Problem:
    kind: str  # event_altered, event_missing, chain_broken, head_mismatch, evidence_*, guard_removed, rolled_back, …
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
    notes: tuple[str, ...] = ()  # what the check could not establish here (e.g. the device key is elsewhere)

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
    anchor: str | None = None,
    alongside: Callable[[Callable[[str], str]], list[Problem]] | None = None,
    recall: Recall | None = None,
) -> VerifyReport:
    """``anchor``: this device's public key as the keystore vouches for it (hex); without it the seals are
    checked against the key the database itself records, which whoever rewrote the file could have replaced.
    ``recall``: the seal this device remembers committing to the file (:mod:`.marks`), read *before* this
    check's snapshot begins, so that a mark written meanwhile by a program still recording cannot lead it.
    ``alongside(label)``: further checks (the services rebuild the projections) run in this process while
    worker processes scan the chain, inside the same snapshot; they return problems."""
    names = _names(db)

    def label(s: str) -> str:
        return names.get(s, s)

    problems: list[Problem] = []
    triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for guard in ("event_no_update", "event_no_delete"):
        if guard not in triggers:
            problems.append(Problem("guard_removed", f"事件表的只增不改保护（{guard}）已被删除"))

    conn = db.conn
    mmap_before = conn.execute("PRAGMA mmap_size").fetchone()[0]
    conn.execute(f"PRAGMA mmap_size = {chain_scan.MMAP_BYTES}")
    began = not conn.in_transaction
    if began:  # one snapshot for the whole check, even while another process records
        conn.execute("BEGIN")
    try:
        total, lookups, extra = _scan_all(conn, progress, (lambda: alongside(label)) if alongside else None)
        for s, seq, digest, kind in total.altered:
            problems.append(Problem("event_altered", f"第{seq}条记录（{kind}）的内容与其哈希不符，记录已被改动", label(s), seq, digest))
        for s, seq, digest in total.broken:
            problems.append(
                Problem("chain_broken", f"全局哈希链在第{seq}条记录处断开：其前有记录被删除、插入或改动", label(s), seq, digest)
            )
        for s, seq, _digest, parent in lookups:
            found = conn.execute("SELECT stream, seq FROM event WHERE hash = ?", [parent]).fetchone()
            if found is None or found[0] != s or found[1] >= seq:
                problems.append(
                    Problem("event_missing", f"第{seq}条记录所接续的记录 {parent[:12]}… 不存在（已被删除或尚未收到）", label(s), seq, parent)
                )
        previous, count, counts = total.last_chain, total.count, total.counts
        heads = {s: ({h} if isinstance(h, str) else set(h)) for s, h in total.heads.items()}
        problems += _check_heads_and_evidence(db, evidence, label, previous, count, counts, heads, total.evidence)
        seal_problems, notes = _check_seals(db, label, count, anchor)
        mark_problems, mark_notes = _check_mark(db, recall)
        problems += seal_problems + mark_problems + extra
        notes += mark_notes
    finally:
        if began:
            conn.execute("COMMIT")
        conn.execute(f"PRAGMA mmap_size = {int(mmap_before)}")
    files = 0 if evidence is None else db.execute("SELECT count(*) FROM evidence").fetchone()[0]
    if stream is not None:
        problems = [p for p in problems if p.case in (label(stream), "")]
    return VerifyReport(count, len(counts), files, previous, tuple(problems), tuple(notes))


def _database_file(conn) -> str | None:
    for _n, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or None
    return None


def _worker_count() -> int:
    return min(os.cpu_count() or 1, _MAX_WORKERS)


def _scan_all(conn, progress: Callable[[int], None] | None,
              alongside: Callable[[], list[Problem]] | None) -> tuple[chain_scan.RangeScan, list, list[Problem]]:
    """Scan the event table in consecutive seq ranges: one here, the rest in worker processes when the
    table is large enough for a worker's start-up (about 0.1 s) to pay off. With ``alongside``, every range
    goes to a worker and this process runs ``alongside`` meanwhile."""
    lo, hi = conn.execute("SELECT coalesce(min(seq), 0), coalesce(max(seq), -1) FROM event").fetchone()
    path = _database_file(conn)
    split = _worker_count()
    if path is None or split < 2 or hi - lo < _PARALLEL_FROM:
        scanned = chain_scan.merge([chain_scan.scan(conn, lo, hi, progress)])
        return (*scanned, alongside() if alongside else [])
    bounds = [lo + (hi - lo + 1) * k // split for k in range(split + 1)]
    ranges = [(bounds[k], bounds[k + 1] - 1) for k in range(split)]
    delegated = ranges if alongside else ranges[1:]
    try:  # each worker a fresh interpreter running only chain_scan (see .workers)
        children = [workers.start("enforcement_app.store.chain_scan", path, str(a), str(b), str(os.getpid())) for a, b in delegated]
    except OSError:
        return (*_workers_failed(conn, lo, hi, progress), alongside() if alongside else [])
    extra: list[Problem] = []
    tally = _Tally(progress, len(ranges))
    readers = [threading.Thread(target=tally.follow, args=(k + len(ranges) - len(children), child), daemon=True)
               for k, child in enumerate(children)]
    for reader in readers:
        reader.start()
    try:
        if alongside:
            extra = alongside()
            parts = []
        else:
            parts = [chain_scan.scan(conn, *ranges[0], lambda done: tally.update(0, done))]
        for child, reader in zip(children, readers, strict=True):
            out = child.stdout.read()
            child.wait()
            reader.join()
            if child.returncode != 0:
                raise RuntimeError(f"verify worker exited with {child.returncode}")
            parts.append(pickle.loads(out))
        tally.raise_if_stopped()
        return (*chain_scan.merge(parts), extra)
    except (OSError, RuntimeError, pickle.UnpicklingError, EOFError):
        return (*_workers_failed(conn, lo, hi, progress), extra)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


class _Tally:
    """The progress of a scan split over processes: each range's count as its worker reports it (a line on its
    standard error), added up and told to ``progress`` as it grows, from the threads that read the workers. A
    ``progress`` that raises (to stop the check) is raised again in the checking thread, after the workers."""

    def __init__(self, progress: Callable[[int], None] | None, ranges: int):
        self.progress = progress
        self.done = [0] * ranges
        self.lock = threading.Lock()
        self.stopped: BaseException | None = None

    def update(self, slot: int, done: int) -> None:
        with self.lock:
            self.done[slot] = done
            if self.progress is None or self.stopped is not None:
                return
            try:
                self.progress(sum(self.done))
            except BaseException as exc:  # noqa: BLE001 - handed to the checking thread
                self.stopped = exc

    def follow(self, slot: int, child) -> None:
        for line in child.stderr:
            text = line.decode(errors="replace").strip()
            if text.isdigit():
                self.update(slot, int(text))
            if self.stopped is not None and child.poll() is None:
                child.kill()

    def raise_if_stopped(self) -> None:
        if self.stopped is not None:
            raise self.stopped


def _workers_failed(conn, lo: int, hi: int, progress) -> tuple[chain_scan.RangeScan, list]:
    """No worker could start (e.g. a frozen or embedded interpreter): the same scan, in this process."""
    return chain_scan.merge([chain_scan.scan(conn, lo, hi, progress)])


def _check_heads_and_evidence(db, evidence, label, previous, count, counts, heads, evidence_events) -> list[Problem]:
    problems: list[Problem] = []
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

    if evidence is not None:
        registered = {row[0]: row[1] for row in db.execute("SELECT sha256, size FROM evidence")}
        for sha, size in registered.items():
            problem = evidence.check(sha, size)
            if problem:
                problems.append(Problem("evidence_" + ("missing" if problem == "文件缺失" else "altered"), f"证据文件 {sha[:12]}…：{problem}", file=sha))
        for s, seq in evidence_events:
            sha = db.execute("SELECT json_extract(payload, '$.sha256') FROM event WHERE seq = ?", [seq]).fetchone()[0]
            if sha not in registered:
                problems.append(Problem("evidence_unregistered", f"第{seq}条记录登记的证据 {str(sha)[:12]}… 不在证据库中", label(s), seq, file=str(sha)))

    return problems


def _check_seals(db, label, count: int, anchor: str | None) -> tuple[list[Problem], list[str]]:
    """The record against the device's seals (see :mod:`.seals`)."""
    problems: list[Problem] = []
    notes: list[str] = []
    recorded_key = db.execute("SELECT value FROM meta WHERE key = 'device_public_key'").fetchone()
    key = anchor or (recorded_key[0] if recorded_key else "")
    if anchor is None:
        notes.append("本机钥匙串中没有此数据库的设备密钥：签封仅按数据库自身登记的设备公钥核验，不能排除整体替换")
    elif recorded_key and recorded_key[0] != anchor:
        problems.append(Problem("device_key_replaced", "数据库登记的设备公钥与本机钥匙串中的设备密钥不符：数据库被替换或篡改"))
    last_event = db.execute("SELECT max(seq) FROM event").fetchone()[0]
    if not count or last_event is None:
        return problems, notes
    last = seals.last(db)
    if last is None:
        problems.append(Problem("record_unsealed", f"全部{count}条记录都没有设备签封：记录不是由本程序写入，或签封被删除"))
        return problems, notes
    if not last.signed_by(key):
        problems.append(Problem("seal_forged", f"第{last.seq}条记录处的设备签封无效：签封或所签的记录被改动", seq=last.seq))
    if last.matches and last.seq < last_event:
        streams = sorted({r[0] for r in db.execute("SELECT DISTINCT stream FROM event WHERE seq > ?", [last.seq])})
        for s in streams:
            problems.append(Problem("record_unsealed", f"第{last.seq}条之后的记录未经设备签封：有记录在程序之外被追加", label(s), last.seq + 1))
    elif not last.matches:
        broken = seals.first_broken(db) or last
        where = "、".join(label(s) for s in broken.streams) or "（未知）"
        genuine = broken.signed_by(key)
        for s in broken.streams or ("",):
            problems.append(Problem(
                "record_rewritten",
                f"记录与第{broken.seq}条处的设备签封不符：此前后有记录被删除、插入或改动（该次写入涉及：{where}）"
                + ("" if genuine else "；该签封本身也已被改动"),
                label(s) if s else "", broken.seq))
    return problems, notes


def _moment(at: str) -> str:
    return at[:19].replace("T", " ") if at else "时间不详"


def _check_mark(db, recall: Recall | None) -> tuple[list[Problem], list[str]]:
    """The record against the last seal this device remembers committing to it (see :mod:`.marks`)."""
    if recall is None:
        return [], []
    problems = [Problem("mark_invalid", f"本机为此数据库记下的最新签封{recall.damaged}：钥匙串中的记录被改动或损坏，"
                                        "不能判断数据库是否被换成了较早的副本")] if recall.damaged else []
    notes = [recall.note] if recall.note else []
    mark = recall.mark
    if mark is None or marks.holds(db, mark):
        return problems, notes
    remembered = f"本机记得此数据库最后一次签封在第{mark.seq}条记录（{_moment(mark.at)}记录，当时共{mark.events}条记录）"
    last = seals.last(db)
    if last is None or last.seq < mark.seq:
        if last is None:
            held = "而此文件中没有任何签封"
        else:
            at = db.execute("SELECT at FROM event WHERE seq = ?", [last.seq]).fetchone()
            events = db.execute("SELECT count(*) FROM event").fetchone()[0]
            held = f"而此文件中最新的签封只到第{last.seq}条（{_moment(at[0] if at else '')}记录，共{events}条记录）"
        message = f"数据库被换成了较早的副本：{remembered}，{held}；此后记录的案件步骤已不在此文件中"
    else:
        message = f"数据库被换成了另一份副本：{remembered}，此文件中没有这一签封（此前后的记录与本机所写的不同）"
    problems.append(Problem("rolled_back", message, seq=mark.seq, hash=mark.chain))
    return problems, notes
