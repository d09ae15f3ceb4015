"""Staging evidence files out of a bundle: reading, hashing and writing them beside the evidence store.

This is the heavy half of a bundle import — every evidence byte is read, hashed and written — and it
runs in a process of its own (``python -m enforcement_app.store.evidence_stage JOB PARENT``, the job a
JSON file, one JSON line per file on stdout; it ends when the process PARENT does) while the importing
process parses and stores the events. In one process the two would take turns at the interpreter lock
thousands of times; in two they run on two cores. The module imports only the standard library,
:mod:`.workers` and :mod:`.evidence`, so the worker starts in about
0.1 s. :func:`stage_members` is also what the importing process runs itself (in a thread) where no
worker can be started.

Each file is copied into the job's staging folder, ``<store>/.staging-<token>/.incoming-<sha256>``, and
flushed to disk by a second thread while the next file is copied. Whoever started the job made that
folder and removes it if the job is stopped or refused; if they are killed, the next opening of the
database does (:meth:`.evidence.EvidenceStore.recover`).
"""

from __future__ import annotations

import json
import sys
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from . import workers
from .evidence import STAGE_CHUNK, STAGED_PREFIX, STAGING_PREFIX, EvidenceStore

Outcome = dict[str, Any]  # {"name", "sha256", "size", "tmp"} or {"name", "error"}
SEALED_CHUNK = 1 << 20


class _Slice:
    """One stored (uncompressed) zip member, read in place from a file handle of its own. ``buffer``: read
    into it rather than into new bytes (a sealed bundle, decrypted straight into it); each chunk read is
    then a view of it, valid until the next read."""

    def __init__(self, fh: BinaryIO, offset: int, size: int, buffer: bytearray | None = None):
        fh.seek(offset)
        self.fh, self.left, self.buffer = fh, size, buffer

    def read(self, n: int) -> bytes | memoryview:
        if self.left <= 0:
            return b""
        if self.buffer is not None:
            got = self.fh.readinto(memoryview(self.buffer)[:min(n, self.left, len(self.buffer))])
            chunk: bytes | memoryview = memoryview(self.buffer)[:got]
        else:
            chunk = self.fh.read(min(n, self.left))
        if not chunk:
            raise OSError("文件在读取中被截断")
        self.left -= len(chunk)
        return chunk


def staged_name(token: str, member: str) -> str:
    """Where a member ``evidence/<sha256>`` is staged, relative to the store: in the job's staging folder,
    under the hash it is meant to have (so that a folder left by a killed import can be settled)."""
    return f"{STAGING_PREFIX}{token}/{STAGED_PREFIX}{member.rpartition('/')[2]}"


def remove_staged(root: str | Path, token: str) -> None:
    """Remove every file a job with ``token`` staged, finished or not (its folder stays)."""
    for path in (Path(root) / f"{STAGING_PREFIX}{token}").glob(STAGED_PREFIX + "*"):
        path.unlink(missing_ok=True)


def _open(bundle: str, key: bytes | None) -> BinaryIO:
    """The bundle's bytes: the file, or for a sealed bundle the file decrypted as it is read."""
    if key is None:
        return open(bundle, "rb")  # noqa: SIM115 — the caller closes it
    from . import sealed  # only here: a plain bundle's worker starts without the cryptography package

    return sealed.SealedReader(bundle, key)  # type: ignore[return-value]


def stage_members(bundle: str, root: str, token: str, members: list[tuple[str, int, int]], emit: Callable[[Outcome], None],
                  stop: threading.Event | None = None, key: bytes | None = None) -> None:
    """Stage each ``(name, offset, size)`` member of the zip file ``bundle``: ``offset`` is where a stored
    member's bytes begin, or -1 for a compressed one (inflated through zipfile). ``emit`` gets one outcome
    per member once its file is on disk (called from the flushing thread). ``key``: a sealed bundle's
    content key (:mod:`.sealed`)."""
    store = EvidenceStore(root)
    store.root.mkdir(parents=True, exist_ok=True)
    stop = stop or threading.Event()
    # a sealed bundle's bytes are decrypted in 64 KiB pieces into one buffer of a megabyte, read again and again
    chunk_size = STAGE_CHUNK if key is None else SEALED_CHUNK
    buffer = bytearray(SEALED_CHUNK) if key is not None else None
    with _open(bundle, key) as fh, ThreadPoolExecutor(1, thread_name_prefix="evidence-flush") as flusher:
        for name, offset, size in members:
            if stop.is_set():
                return
            try:
                if offset >= 0:
                    sha, got, tmp = store.stage(_Slice(fh, offset, size, buffer), chunk_size, stop, sync=False, name=staged_name(token, name))
                else:
                    with _open(bundle, key) as source, zipfile.ZipFile(source) as archive, archive.open(name) as member:
                        sha, got, tmp = store.stage(member, chunk_size, stop, sync=False, name=staged_name(token, name))
            except InterruptedError:
                return
            except Exception as exc:  # noqa: BLE001 — a damaged member (CRC, bad deflate data, encryption…) is reported, whatever broke
                emit({"name": name, "error": f"文件 {name} 已损坏：{exc}"})
                continue
            flusher.submit(_flush, store, name, sha, got, tmp, emit)


def _flush(store: EvidenceStore, name: str, sha: str, size: int, tmp: Path, emit: Callable[[Outcome], None]) -> None:
    try:
        store.sync(tmp)
    except OSError as exc:
        emit({"name": name, "error": f"文件 {name} 无法写入本机证据库：{exc}"})
        return
    emit({"name": name, "sha256": sha, "size": size, "tmp": str(tmp)})


def stage_members_reporting(bundle: str, root: str, token: str, members: list[tuple[str, int, int]],
                            emit: Callable[[Outcome], None], stop: threading.Event | None = None, key: bytes | None = None) -> None:
    """:func:`stage_members`, with anything unforeseen reported as an outcome rather than lost with the
    thread that ran it (the importer then refuses the bundle: a file without its outcome is not checked)."""
    try:
        stage_members(bundle, root, token, members, emit, stop, key)
    except Exception as exc:  # noqa: BLE001
        emit({"name": "", "error": f"暂存证据文件时出错：{exc}"})


def _main() -> None:
    workers.die_with_parent(int(sys.argv[2]))  # before anything else: a killed importer leaves no worker behind
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    lock = threading.Lock()

    def emit(outcome: Outcome) -> None:
        with lock:
            sys.stdout.buffer.write(json.dumps(outcome, ensure_ascii=False).encode("utf-8") + b"\n")
            sys.stdout.buffer.flush()

    key = bytes.fromhex(sys.stdin.readline().strip()) if job.get("sealed") else None  # given on the input, never in a file
    stage_members_reporting(job["bundle"], job["root"], job["token"], [tuple(m) for m in job["members"]], emit, key=key)


if __name__ == "__main__":  # python -m enforcement_app.store.evidence_stage JOB.json PARENT_PID
    _main()
