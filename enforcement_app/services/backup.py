"""Backups: the database copied online (SQLite's backup API) with the evidence store beside it, and restoring
one to a new file. Neither overwrites an existing file."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..domain.refusals import InvalidInput, NotFound
from ..store import backup as backup_store
from ..store.database import evidence_dir
from .core import SessionCore


def backup(session: SessionCore, target: str | Path) -> Path:
    session.require("backup")
    target = Path(target)
    if target.exists():
        raise InvalidInput.at("target", f"备份文件已存在，不会覆盖：{target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_store.copy_database(session.services.db, target)
    session.services.evidence.copy_tree_to(evidence_dir(target))
    return target


def restore(backup: str | Path, target: str | Path) -> Path:
    """Restore a backup made by :meth:`Session.backup` to ``target`` (which must not exist)."""
    backup, target = Path(backup), Path(target)
    if not backup.is_file():
        raise NotFound(f"备份文件不存在：{backup}")
    if target.exists():
        raise InvalidInput.at("target", f"目标数据库已存在，不会覆盖：{target}")
    backup_store.restore_database(backup, target)
    if evidence_dir(backup).exists():
        shutil.copytree(evidence_dir(backup), evidence_dir(target), dirs_exist_ok=True)
    return target
