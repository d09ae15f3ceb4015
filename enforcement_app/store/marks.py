"""The device's high-water mark: the last seal it committed to a database, kept outside the database.

Seals stop whoever has the file from rewriting the record, but not from putting back an older copy of the file,
sealed just as validly (a rollback: the last days' decisions and payments gone). So the device remembers, in
its keystore beside its key, the last seal it made on each database file: its seq and chain value, the count
of events and when the sealed event was recorded, signed with the device's key. ``verify`` reports a database
that does not hold the seal its device remembers (:func:`holds`).

A mark belongs to a device and a file path (:func:`mark_name`): copies of one database at other paths (a
restore, a test's copy of a template) each have their own, and a copy at a new path starts without one. A
restore is the one way to put an older record back in place: it writes the restored record's mark for its
path (:func:`remember`), replacing any left by the database that was lost there.

When the mark is written (:class:`MarkKeeper`): only after the transaction it names has committed, so the
mark may lag the file but never lead it, and a process killed at any moment cannot make a whole database look
rolled back. Writing one costs an ``fsync`` of a small file (about 1.2 ms here, six bare SQLite commits), so it
is not written after every transaction: at once when the last was written :data:`INTERVAL` seconds ago or
more, otherwise on a timer when that much time has passed; and at once at :meth:`MarkKeeper.flush` (the
services' ``close()``, ``verify``, before a backup) and at the interpreter's exit.

**The window that remains.** A rollback is caught when the copy put back lacks the seal of the last mark
written, i.e. when it is older than that mark. While a program runs its mark trails its last commit by at
most :data:`INTERVAL` seconds; a program killed (SIGKILL, power loss, a crash of the interpreter) leaves the
mark at the last one it wrote, so the transactions it committed in its last :data:`INTERVAL` seconds can be
cut, by putting back a copy taken in that time, without ``verify`` seeing it (the case files and bundles given
to ``verify --against`` still do). A clean exit, or ``close()``, leaves no window. The mark is as safe as the
keystore: whoever can also delete or put back the keystore's files (the key *files* where there is no OS
keyring) can remove it or roll it back with the database.

A database that no longer holds its mark (:func:`holds`) keeps it: its writes are still sealed, but the mark is
not moved (``verify`` goes on reporting the rollback until the database is restored from a backup).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .keystore import Keystore

FORMAT = "ecr-mark/1"
INTERVAL = 2.0  # seconds: the most a running program's mark trails its last committed seal


@dataclass(frozen=True)
class Mark:
    """The last seal a device committed to the database file at ``path``."""

    device: str
    path: str  # the database file, resolved (see database_path)
    seq: int  # the sealed event's seq
    chain: str  # its arrival chain value
    events: int  # the events the database then held
    at: str  # when the sealed event was recorded (ISO), "" for a seal over no event

    def message(self) -> bytes:
        return (f"{FORMAT}\ndevice:{self.device}\npath:{self.path}\nseq:{self.seq}\nchain:{self.chain}\n"
                f"events:{self.events}\nat:{self.at}\n").encode()


@dataclass(frozen=True)
class Recall:
    """What this device remembers of a database, for ``verify``: its ``mark``, or a ``note`` saying why there
    is none to compare with, or (``damaged``) why the one kept cannot be trusted."""

    mark: Mark | None = None
    note: str = ""
    damaged: str = ""


def database_path(path: str | Path) -> str:
    """The file a mark is for: ``path`` with symbolic links resolved (and, on Windows, case folded)."""
    return os.path.normcase(os.path.realpath(path))


def mark_name(key_name: str, path: str | Path) -> str:
    """The keystore name of the mark of the device whose key is ``key_name`` on the file at ``path``."""
    return f"{key_name}-mark-{hashlib.sha256(database_path(path).encode()).hexdigest()[:24]}"


def of_last_seal(db: sqlite_utils.Database, device: str, path: str) -> Mark | None:
    """The mark of the database's last seal (None when it has none): read inside the transaction that made it."""
    row = db.execute("SELECT seal.seq, seal.chain, event.at, (SELECT value FROM meta WHERE key = 'event_count') "
                     "FROM seal LEFT JOIN event ON event.seq = seal.seq ORDER BY seal.id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return Mark(device, path, int(row[0]), str(row[1]), int(row[3] or 0), str(row[2] or ""))


def holds(db: sqlite_utils.Database, mark: Mark) -> bool:
    """Whether the database still holds the seal ``mark`` names (a database that grew since holds it too).
    Every database holds the mark of no seal (seq 0, no chain: what a restored database that was never sealed
    leaves)."""
    if mark.seq == 0 and not mark.chain:
        return True
    return db.execute("SELECT 1 FROM seal WHERE seq = ? AND chain = ? LIMIT 1", [mark.seq, mark.chain]).fetchone() is not None


class Damaged(Exception):
    """The mark kept for a database is unreadable, not signed by its device, or another database's."""


def read(keystore: Keystore, name: str, public_key_hex: str, device: str, path: str) -> Mark | None:
    """The mark kept under ``name``, checked against the device's public key; None when there is none.
    Raises :class:`Damaged` (with the reason, in Chinese) when one is kept but cannot be trusted."""
    text = keystore.get_plain(name)
    if text is None:
        return None
    try:
        body = json.loads(text)
        if body.get("format") != FORMAT:
            raise ValueError(f"格式不是 {FORMAT}")
        mark = Mark(str(body["device"]), str(body["path"]), int(body["seq"]), str(body["chain"]), int(body["events"]), str(body["at"]))
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(bytes.fromhex(body["signature"]), mark.message())
    except InvalidSignature:
        raise Damaged("签名无效") from None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise Damaged(f"无法读取（{exc}）") from None
    if (mark.device, mark.path) != (device, path):
        raise Damaged(f"是另一数据库的（设备 {mark.device[:8]}，{mark.path}）")
    return mark


def remember(keystore: Keystore, name: str, key: Ed25519PrivateKey, mark: Mark) -> None:
    """Write ``mark`` under ``name``, signed with the device's key, whatever was kept there before."""
    body = {"format": FORMAT, "device": mark.device, "path": mark.path, "seq": mark.seq, "chain": mark.chain,
            "events": mark.events, "at": mark.at, "signature": key.sign(mark.message()).hex()}
    keystore.put_plain(name, json.dumps(body, ensure_ascii=False))


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class MarkKeeper:
    """Writes one database's mark as its seals commit (see the module's docstring for when). Its methods may be
    called from any thread: it touches the keystore, never the database.

    ``held``: the mark must not move (the database no longer holds the mark kept for it). ``known`` is the
    last mark this keeper read or was given; the services check before each seal that the database still
    holds it, and hold the keeper if not (the file was replaced under the running program). The mark is also
    written only while the file at its path is the one this program opened, and never moved back (another
    program writing the same file may have written a later one)."""

    def __init__(self, keystore: Keystore, name: str, key: Ed25519PrivateKey, path: str, *, known: Mark | None = None,
                 held: bool = False):
        self._keystore = keystore
        self._name = name
        self._key = key
        self._public = key.public_key().public_bytes_raw().hex()
        self.path = path
        self.known = known
        self.held = held
        self.failure = ""  # why the last write failed ("" when it did not): verify says so
        self._file = _identity(path)
        self._lock = threading.Lock()
        self._pending: Mark | None = None
        self._timer: threading.Timer | None = None
        self._written_at = float("-inf")

    def committed(self, mark: Mark) -> None:
        """``mark``'s transaction has committed: write it now, or within :data:`INTERVAL` seconds."""
        if self.held:
            return
        self.known = mark
        with self._lock:
            self._pending = mark
            _unwritten.add(self)
            if self._timer is not None:
                return
            wait = self._written_at + INTERVAL - time.monotonic()
            if wait > 0:
                self._timer = threading.Timer(wait, self.flush)
                self._timer.daemon = True
                self._timer.start()
                return
        self.flush()

    def flush(self) -> None:
        """Write the mark of the last committed seal now, if it is not written yet."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            mark, self._pending = self._pending, None
            _unwritten.discard(self)
            if mark is None or self.held:
                return
            try:
                self._write(mark)
                self.failure = ""
            except Exception as exc:  # noqa: BLE001 - the write it follows has committed; verify reports this
                self.failure = f"{type(exc).__name__}: {exc}"
            self._written_at = time.monotonic()

    def _write(self, mark: Mark) -> None:
        if _identity(self.path) != self._file:  # replaced since it was opened: what this program seals is elsewhere
            self.held = True
            return
        device = mark.device
        try:
            kept = read(self._keystore, self._name, self._public, device, self.path)
        except Damaged:
            kept = None
        if kept is not None and kept.seq >= mark.seq:
            return
        remember(self._keystore, self._name, self._key, mark)


_unwritten: set[MarkKeeper] = set()  # keepers holding a mark not yet written


@atexit.register
def _write_all() -> None:
    for keeper in list(_unwritten):
        keeper.flush()
