"""Backups on disk: a folder that is whole or absent.

A backup is a folder holding the database (``cases.db``, copied online through SQLite's backup API, so it
is consistent while others write), the evidence files (``cases.evidence/``) and ``manifest.json``, which
lists the SHA-256 and size of every one of them. It is written under a temporary name beside its target,
flushed to disk, and renamed to the target only when whole: a backup stopped midway leaves no folder at
the target, only its temporary, which the next backup to that target removes.

Restoring reads the backup through :func:`unpack`, which copies each file out and refuses the backup
(:class:`InvalidInput`, field ``backup``) unless every byte copied matches the manifest and the database
passes SQLite's ``integrity_check``.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ..domain.refusals import InvalidInput

FORMAT = "enforcement-backup/1"
DATABASE = "cases.db"
EVIDENCE = "cases.evidence"
MANIFEST = "manifest.json"
PARTIAL = "partial"  # the temporary of a backup being written
RESTORING = "restoring"  # the temporary of a restore being checked

_CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")


# --- files that reach the disk -------------------------------------------------------------------------


def sync_file(path: Path) -> None:
    """Flush a file's bytes to disk (Windows flushes only handles open for writing)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_dir(path: Path) -> None:
    """Flush a folder's entries (the names of the files in it) to disk; Windows has no such call."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(root: Path) -> None:
    """Flush every file and folder under ``root`` (and ``root`` itself) to disk."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            sync_file(Path(folder) / name)
        sync_dir(Path(folder))


def temporary_beside(target: Path, what: str) -> Path:
    """A new, empty folder beside ``target`` named for it, for ``what`` (:data:`PARTIAL`, :data:`RESTORING`)
    and for this process: ``.{name}.{what}-{pid}-{random}``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.{what}-{os.getpid()}-", dir=target.parent))


def remove_leftovers(target: Path, what: str) -> None:
    """Remove the temporaries of ``what`` left beside ``target`` by processes that were stopped midway.
    A temporary whose process may still run (or, on Windows, whose process cannot be told) is left
    alone; a new backup or restore never reads another's temporary, so one left behind is only clutter."""
    prefix = f".{target.name}.{what}-"
    for path in target.parent.glob(glob.escape(prefix) + "*"):
        pid = path.name[len(prefix):].partition("-")[0]
        if pid.isdigit() and not _may_run(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _may_run(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    """Copy ``source`` to the new file ``target``, flushed to disk; returns the SHA-256 and size of the
    bytes written."""
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as fh, open(target, "xb") as out:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size


def _hash(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# --- writing a backup -------------------------------------------------------------------------------------


def copy_database(db: sqlite_utils.Database, target: Path) -> None:
    """Copy the open database to the new file ``target``: one self-contained file (no WAL beside it),
    flushed to disk."""
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    sync_file(target)


def _evidence_files(root: Path) -> Iterator[Path]:
    """The files of an evidence store (``xx/<sha256>``), without the temporaries of files being stored."""
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and re.fullmatch(r"[0-9a-f]{2}", folder.name):
            for path in sorted(folder.iterdir()):
                if path.is_file() and _SHA256.fullmatch(path.name) and path.name.startswith(folder.name):
                    yield path


def write_backup(db: sqlite_utils.Database, evidence_root: Path, target: Path, *, made_at: datetime) -> dict[str, Any]:
    """Write a backup folder of ``db`` and the evidence store at ``evidence_root`` to ``target`` (which must
    not exist); returns its manifest. Whole or absent: see the module's docstring."""
    folder = temporary_beside(target, PARTIAL)
    try:
        copy_database(db, folder / DATABASE)
        sha, size = _hash(folder / DATABASE)
        files = []
        (folder / EVIDENCE).mkdir()
        for source in _evidence_files(evidence_root):
            (folder / EVIDENCE / source.parent.name).mkdir(exist_ok=True)
            copied_sha, copied_size = _copy_hashing(source, folder / EVIDENCE / source.parent.name / source.name)
            files.append({"name": source.name, "sha256": copied_sha, "size": copied_size})
        manifest = {"format": FORMAT, "made_at": made_at.isoformat(), "database": {"sha256": sha, "size": size},
                    "evidence": files}
        with open(folder / MANIFEST, "x", encoding="utf-8") as out:
            json.dump(manifest, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        sync_tree(folder)
        if target.exists():
            raise InvalidInput.at("target", f"备份已存在，不会覆盖：{target}")
        os.rename(folder, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    sync_dir(target.parent)
    return manifest


# --- reading one back -------------------------------------------------------------------------------------


def _refuse(message: str) -> InvalidInput:
    return InvalidInput.at("backup", message)


def backup_folder(path: Path) -> Path:
    """The backup folder ``path`` names: the folder itself, or a file in it (its database or manifest)."""
    if path.is_file() and (path.parent / MANIFEST).is_file():
        return path.parent
    if not path.exists():
        raise _refuse(f"备份不存在：{path}")
    if not path.is_dir():
        raise _refuse(f"不是本软件的备份（应为一个含 {MANIFEST} 的备份文件夹）：{path}")
    if not (path / MANIFEST).is_file():
        raise _refuse(f"备份不完整：缺少清单 {MANIFEST}（备份可能在中途被中断），不能恢复：{path}")
    return path


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a backup folder, checked for shape; a malformed one is refused."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _refuse(f"备份清单 {MANIFEST} 无法读取：{exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(f"备份清单 {MANIFEST} 的格式不是 {FORMAT}")
    database, evidence = manifest.get("database"), manifest.get("evidence")
    if not (_is_file_entry(database) and isinstance(evidence, list)
            and all(_is_file_entry(f) and isinstance(f.get("name"), str) and _SHA256.fullmatch(f["name"]) for f in evidence)):
        raise _refuse(f"备份清单 {MANIFEST} 已损坏：文件条目不全或格式有误")
    return manifest


def _is_file_entry(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("sha256"), str) and bool(_SHA256.fullmatch(entry["sha256"]))
            and type(entry.get("size")) is int and entry["size"] >= 0)


def unpack(folder: Path, db_path: Path, evidence_root: Path) -> dict[str, Any]:
    """Copy a backup folder's database to the new file ``db_path`` and its evidence files into
    ``evidence_root``, checking every byte copied against the manifest and the database with SQLite's
    ``integrity_check``; returns the manifest. A file missing, altered, or not in the manifest refuses the
    whole backup (what was copied is the caller's to remove)."""
    manifest = read_manifest(folder)
    listed = {f["name"]: f for f in manifest["evidence"]}
    present = {p.name: p for p in _evidence_files(folder / EVIDENCE)}
    extra = sorted(set(present) - set(listed))
    if extra:
        raise _refuse(f"备份已被改动：证据文件 {extra[0][:12]}… 不在清单中")
    if not (folder / DATABASE).is_file():
        raise _refuse(f"备份不完整：缺少数据库文件 {DATABASE}")
    if _copy_hashing(folder / DATABASE, db_path) != (manifest["database"]["sha256"], manifest["database"]["size"]):
        raise _refuse("备份已被改动或不完整：数据库文件与清单中的 SHA-256 或大小不符")
    for name, entry in listed.items():
        source = present.get(name)
        if source is None:
            raise _refuse(f"备份不完整：缺少证据文件 {name[:12]}…")
        (evidence_root / name[:2]).mkdir(parents=True, exist_ok=True)
        if _copy_hashing(source, evidence_root / name[:2] / name) != (entry["sha256"], entry["size"]):
            raise _refuse(f"备份已被改动：证据文件 {name[:12]}… 与清单中的 SHA-256 或大小不符")
    problem = integrity_problem(db_path)
    if problem:
        raise _refuse(f"备份数据库已损坏：{problem}")
    return manifest


def integrity_problem(path: Path) -> str | None:
    """None when the database file at ``path`` passes ``PRAGMA integrity_check``, else what is wrong."""
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        return None if check == "ok" else str(check)
    except sqlite3.DatabaseError as exc:
        return f"不是有效的数据库文件（{exc}）"
    finally:
        conn.close()


def settle(path: Path) -> None:
    """Leave the database at ``path`` as one file (its write-ahead log folded in and removed), so that it
    can be moved on its own."""
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
