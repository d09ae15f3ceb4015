"""Backups, and restoring one to a new database file. Neither overwrites anything.

A backup is a folder that is whole or absent (see :mod:`enforcement_app.store.backup`). A restore accepts
a backup only once it has checked, in a temporary folder beside the target, that the manifest lists and
matches every file, that the database passes ``integrity_check``, that the one restoring is admitted, and
that the whole record verifies; only then are the database and its evidence moved into place. A refused
backup leaves nothing at the target.

A restore is how an older record is put back legitimately, so it sets the device's high-water mark for the
target's path to the restored record's last seal (:mod:`enforcement_app.store.marks`), replacing the mark of
a database lost at that path, which would otherwise call the restored one rolled back. Copying a backup's file
into place by hand changes no mark: that is a rollback, and ``verify`` says so. The mark is written before the
database is moved into place: a restore stopped between the two leaves a mark for a file that is not there
(which the next restore replaces, and which a later copy of the lost database still holds), never a restored
database with the lost one's mark.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from ..domain.refusals import InvalidInput
from ..store import backup as backup_store
from ..store.database import evidence_dir
from .core import ServicesCore, SessionCore

_PROBLEMS_SHOWN = 5


def backup(session: SessionCore, target: str | Path) -> Path:
    """Write a backup folder of the database and the evidence store to ``target`` (which must not exist).
    The temporaries of backups to ``target`` that were stopped midway are removed first."""
    session.require("backup")
    target = Path(target)
    if target.exists():
        raise InvalidInput.at("target", f"备份已存在，不会覆盖：{target}")
    services = session.services
    services.write_mark()  # a backup is the copy likeliest to be put back by hand: the mark is brought up to it
    backup_store.remove_leftovers(target, backup_store.PARTIAL)
    backup_store.write_backup(services.db, services.evidence.root, target, made_at=services.clock())
    return target


def restore(backup: str | Path, target: str | Path, admit: Callable[[Path], None] | None = None) -> Path:
    """Restore the backup folder ``backup`` (or a file in it) to the new database file ``target``, with its
    evidence folder beside it. ``admit(copy)`` is the caller's check of who restores, given the restored
    copy's database file before it is accepted; it raises to refuse. A backup that is partial, altered
    or does not verify is refused with :class:`InvalidInput` (field ``backup``)."""
    backup, target = Path(backup), Path(target)
    _refuse_existing(target)
    folder = backup_store.backup_folder(backup)
    backup_store.remove_leftovers(target, backup_store.RESTORING)
    work = backup_store.temporary_beside(target, backup_store.RESTORING)
    try:
        copy = work / target.name
        backup_store.unpack(folder, copy, evidence_dir(copy))
        if admit is not None:
            admit(copy)
        with ServicesCore(copy) as services:
            report = services.verify()
            if not report.ok:
                shown = "；".join(p.message for p in report.problems[:_PROBLEMS_SHOWN])
                raise InvalidInput.at("backup", f"备份的记录未通过校验（{len(report.problems)} 个问题），不能恢复：{shown}")
            services.remember_at(target)
        backup_store.settle(copy)
        backup_store.sync_tree(work)
        _move_into_place(copy, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _refuse_existing(target: Path) -> None:
    if target.exists():
        raise InvalidInput.at("target", f"目标数据库已存在，不会覆盖：{target}")
    if evidence_dir(target).exists():
        raise InvalidInput.at("target", f"目标数据库的证据文件夹已存在，不会覆盖：{evidence_dir(target)}")


def _move_into_place(copy: Path, target: Path) -> None:
    """The evidence folder first, the database last: until the database is in place there is no restored
    copy, only (should the process stop between the two) an evidence folder that refuses the next restore."""
    _refuse_existing(target)
    moved = evidence_dir(copy).exists()
    if moved:
        os.rename(evidence_dir(copy), evidence_dir(target))
    try:
        os.rename(copy, target)
    except BaseException:
        if moved:
            os.rename(evidence_dir(target), evidence_dir(copy))
        raise
    backup_store.sync_dir(target.parent)
