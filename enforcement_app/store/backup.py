"""Copies of the database file through SQLite's online backup API (consistent while others write)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from ..domain.refusals import InvalidInput


def copy_database(db: sqlite_utils.Database, target: Path) -> None:
    """Copy the open database to the new file ``target``."""
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()


def restore_database(backup: Path, target: Path) -> None:
    """Copy the backup file ``backup`` to the new file ``target`` after checking its integrity; a damaged
    or foreign file is refused with :class:`InvalidInput` (field ``backup``)."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise InvalidInput.at("backup", f"备份文件已损坏：{check}")
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput.at("backup", f"不是有效的备份文件：{exc}") from None
    finally:
        source.close()
