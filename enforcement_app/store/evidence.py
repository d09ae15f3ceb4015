"""Content-addressed evidence store beside the database: files named by SHA-256, read-only once stored."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
# staging a bundle's evidence (store/evidence_stage.py): large reads, few calls per file
STAGE_CHUNK = 8 << 20


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

    def put(self, source: str | Path) -> tuple[str, int]:
        """Copy ``source`` in (hashing while copying); returns (sha256, size). Idempotent."""
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
        if self.root.exists():
            shutil.copytree(self.root, target, dirs_exist_ok=True)
