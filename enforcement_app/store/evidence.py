"""Content-addressed evidence store beside the database: files named by SHA-256, read-only once stored.

A file goes into the store only once the event that registers it is committed, so that the store never
holds a file no event names. Until then it waits in a staging folder beside the store
(``<store>/.staging-<pid>-<random>/``), whose name and ``.owner`` name the process writing it (pid, when it
started, host). If that process dies, the next opening of the database settles the folder (:meth:`EvidenceStore.recover`):
a staged file an event now names is put in place (the process died between its commit and the move),
anything else is removed. The same opening collects what no event names — files left by earlier versions,
which copied a file in before recording its event and kept it when the record was lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from . import workers

CHUNK = 1 << 20
# staging a bundle's evidence (store/evidence_stage.py): large reads, few calls per file
STAGE_CHUNK = 8 << 20
STAGING_PREFIX = ".staging-"  # a folder of files on their way in
STAGED_PREFIX = ".incoming-"  # a staged file: .incoming-<the SHA-256 it is meant to have>
OWNER = ".owner"
# A store file no event names is removed only once it is an hour old: a guard for writers that do not
# stage (an earlier version of this program still running copies a file in, then records its event).
GRACE_SECONDS = 3600
FEW_UNNAMED = 20  # at most this many (or a tenth of the store) are collected at one opening, else none
_SHA256 = re.compile(r"[0-9a-f]{64}")
# which of the given SHA-256s an add_evidence event names (the caller asks the database)
Referenced = Callable[[set[str]], set[str]]


def sha256_file(path: str | Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class EvidenceStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    # --- staging: files on their way in ---------------------------------------------------------------

    def staging_folder(self, token: str) -> Path:
        return self.root / f"{STAGING_PREFIX}{token}"

    def open_staging(self) -> Path:
        """A new staging folder owned by this process (see the module's docstring). Its name holds this
        process's pid, so that it names its owner from the moment it exists; ``.owner`` adds the rest."""
        folder = self.staging_folder(f"{os.getpid()}-{secrets.token_hex(8)}")
        folder.mkdir(parents=True)
        owner = {"pid": os.getpid(), "started": workers.process_start(os.getpid()), "host": socket.gethostname()}
        (folder / OWNER).write_text(json.dumps(owner), encoding="utf-8")
        return folder

    @staticmethod
    def remove_staging(folder: Path) -> None:
        """Remove a staging folder and what is in it (files moved out of the store are read-only, which
        Windows will not delete as they are)."""
        def writable_again(remove, path, _error) -> None:
            try:
                os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
                remove(path)
            except OSError:
                pass  # gone already, or left for the next opening

        shutil.rmtree(folder, onerror=writable_again)

    @contextmanager
    def adding(self, source: str | Path) -> Iterator[tuple[str, int]]:
        """Copy ``source`` into a staging folder (hashing while copying) and give its (sha256, size). The
        caller records and commits its event inside the block; when the block ends without error the file
        is moved into the store, else removed. Should the move fail, or the process die before it, the
        next opening puts the file in place (its event is committed)."""
        source = Path(source)
        if not source.is_file():
            raise FileNotFoundError(f"证据文件不存在：{source}")
        folder = self.open_staging()
        try:
            with open(source, "rb") as fh:
                sha, size, copied = self.stage(fh, CHUNK, name=f"{folder.name}/{STAGED_PREFIX}copy")
            staged = copied.with_name(STAGED_PREFIX + sha)
            os.replace(copied, staged)
            yield sha, size
        except BaseException:
            self.remove_staging(folder)
            raise
        self.commit(staged, sha)
        self.remove_staging(folder)

    def recover(self, referenced: Referenced) -> None:
        """On opening the database, before anything is added: settle the staging folders of processes
        that have ended, and remove store files no event names (older than :data:`GRACE_SECONDS`).
        Cheap when there is nothing to do: one listing of the store, and one question to the database
        about the files not registered."""
        if not self.root.is_dir():
            return
        try:
            for entry in os.scandir(self.root):
                if entry.name.startswith(STAGING_PREFIX) and entry.is_dir() and not _owner_running(Path(entry.path)):
                    self._settle(Path(entry.path), referenced)
                elif entry.name.startswith(STAGED_PREFIX) and entry.is_file() and _older_than_grace(entry.path):
                    Path(entry.path).unlink(missing_ok=True)  # staged here, beside the store, by earlier versions
            self._collect_garbage(referenced)
        except OSError:
            return  # tidying must not keep the database from opening: the next opening tries again

    def _settle(self, folder: Path, referenced: Referenced) -> None:
        """A dead process's staging folder: each file an event names, whose bytes hash to its name, goes
        into the store; the folder goes."""
        claimed = {}
        for path in folder.glob(STAGED_PREFIX + "*"):
            sha = path.name[len(STAGED_PREFIX):]
            claimed[path] = sha if _SHA256.fullmatch(sha) else ""
        missing = {sha for sha in claimed.values() if sha and not self.has(sha)}
        wanted = referenced(missing) if missing else set()
        for path, sha in claimed.items():
            try:
                if sha in wanted and sha256_file(path)[0] == sha:
                    self.commit(path, sha)
            except FileNotFoundError:
                continue  # another process opening the database at the same moment settled it first
        self.remove_staging(folder)

    def _collect_garbage(self, referenced: Referenced) -> None:
        """Remove the store files no add_evidence event names. The database is asked after the store is
        listed: a file is put in place only after its event is committed, so any file the listing saw
        whose event exists is found. A file is moved out of the store first and the database asked
        again, so that one whose event another process commits meanwhile is put back."""
        stored = {}
        for sub in os.scandir(self.root):
            if len(sub.name) == 2 and sub.is_dir():
                for entry in os.scandir(sub.path):
                    if _SHA256.fullmatch(entry.name) and entry.name[:2] == sub.name:
                        stored[entry.name] = entry.path
        if not stored:
            return
        unnamed = [sha for sha in set(stored) - referenced(set(stored)) if _older_than_grace(stored[sha])]
        if not unnamed or len(unnamed) > max(FEW_UNNAMED, len(stored) // 10):
            # many files no event names: more likely a database that is not this store's own (an older copy put
            # back beside a newer store) than leftovers, and evidence is not removed on a guess
            return
        trash = self.open_staging()
        moved = set()
        for sha in unnamed:
            try:
                os.replace(stored[sha], trash / f"{STAGED_PREFIX}{sha}")
                moved.add(sha)
            except FileNotFoundError:
                continue
        named_now = referenced(moved) if moved else set()
        for sha in moved:
            if sha in named_now:
                self.commit(trash / f"{STAGED_PREFIX}{sha}", sha)
        self.remove_staging(trash)

    def put(self, source: str | Path) -> tuple[str, int]:
        """Copy ``source`` in at once (hashing while copying); returns (sha256, size). Idempotent. For a file
        whose event is already written; otherwise use :meth:`adding`, since a stored file no event names
        is collected when the database is next opened."""
        source = Path(source)
        if not source.is_file():
            raise FileNotFoundError(f"证据文件不存在：{source}")
        with open(source, "rb") as fh:
            sha, size, staged = self.stage(fh, CHUNK)
        try:
            self.commit(staged, sha)
        except BaseException:
            self.discard(staged)
            raise
        return sha, size

    def stage(self, source: BinaryIO, chunk_size: int = STAGE_CHUNK, stop: threading.Event | None = None,
              sync: bool = True, name: str | None = None) -> tuple[str, int, Path]:
        """Copy a stream into a temporary file beside the store, hashing as it goes; returns (sha256,
        size, temporary path). :meth:`commit` moves it into place, :meth:`discard` removes it. Lets an
        import read and hash each file once and still touch nothing until everything has been checked.
        ``stop``, once set, ends the copy between two chunks with InterruptedError. ``sync=False`` leaves
        the flush to disk to the caller (:meth:`sync`, e.g. in another thread while the next file is
        copied); it must be done before :meth:`commit`. ``name``: the temporary file's name (it must not
        exist yet), so that whoever stages can find and remove it even if this process is stopped."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        if name is None:
            fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        else:
            tmp_name = str(self.root / name)
            fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(chunk_size):
                    if stop is not None and stop.is_set():
                        raise InterruptedError("staging stopped")
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                if sync:
                    os.fsync(out.fileno())
        except BaseException:
            os.unlink(tmp_name)
            raise
        return digest.hexdigest(), size, Path(tmp_name)

    @staticmethod
    def sync(staged: Path) -> None:
        """Flush a staged file's bytes to disk."""
        fd = os.open(staged, os.O_WRONLY)  # Windows flushes only handles open for writing
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def commit(self, staged: Path, sha256: str) -> None:
        target = self.path_for(sha256)
        if target.exists():
            staged.unlink()
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(staged, target)

    @staticmethod
    def discard(staged: Path) -> None:
        staged.unlink(missing_ok=True)

    def remove(self, sha256: str) -> None:
        """Take a file out of the store again: only for a file just stored by a recording that was then
        refused or rolled back, which nothing refers to."""
        path = self.path_for(sha256)
        if path.exists():
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)  # Windows deletes no read-only file
            path.unlink()

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def check(self, sha256: str, size: int) -> str | None:
        """None when the stored file is intact, else what is wrong with it (in Chinese)."""
        path = self.path_for(sha256)
        if not path.exists():
            return "文件缺失"
        actual, actual_size = sha256_file(path)
        if actual != sha256:
            return f"文件内容已被改动（SHA-256 现为 {actual[:12]}…）"
        if actual_size != size:
            return f"文件大小不符（登记 {size} 字节，实际 {actual_size} 字节）"
        return None

    def copy_tree_to(self, target: str | Path) -> None:
        """The stored files, not what is staged: a staged file's event may not be committed yet."""
        if self.root.exists():
            shutil.copytree(self.root, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(STAGING_PREFIX + "*", STAGED_PREFIX + "*"))


def _older_than_grace(path: str | Path) -> bool:
    try:
        return os.stat(path).st_mtime < time.time() - GRACE_SECONDS
    except OSError:
        return False


def _owner_running(folder: Path) -> bool:
    """Whether the process that owns a staging folder still runs (on this machine: another machine's
    folder came with a copied store). The folder's name gives the pid; its ``.owner``, when it could be
    written, when that process started and on which host."""
    try:
        pid = int(folder.name[len(STAGING_PREFIX):].split("-")[0])
    except ValueError:
        return False  # not a name this store gives
    try:
        owner = json.loads((folder / OWNER).read_text(encoding="utf-8"))
        started, host = owner.get("started"), owner.get("host")
    except (OSError, ValueError, AttributeError):  # killed before it was written, or as its folder was removed
        started, host = None, socket.gethostname()
    return host == socket.gethostname() and workers.process_alive(pid, started)
