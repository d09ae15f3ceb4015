"""Backups are whole or absent; a restore accepts only a backup that is whole and whose record verifies,
and leaves nothing at its target otherwise."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest
import steps

from enforcement_app.domain.refusals import InvalidInput, PermissionDenied
from enforcement_app.services import Services, restore
from enforcement_app.services import backup as backup_service
from enforcement_app.store import backup as backup_store
from enforcement_app.store.database import evidence_dir


@pytest.fixture
def recorded(world, tmp_path):
    """A case with two evidence files, and the administrator's session."""
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    for n in range(2):
        photo = tmp_path / f"photo{n}.jpg"
        photo.write_bytes(b"\xff\xd8\xff" + os.urandom(1024 + n))
        world.as_(world.officer_a).add_evidence(case_id, photo, {
            "kind": "audiovisual", "description": f"现场照片{n}", "source": "现场拍摄", "collected_by": [world.officer_a.id]})
    return world, world.as_(world.admin)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_backup_is_a_folder_whose_manifest_lists_every_file_and_it_restores_to_a_copy_that_verifies(recorded, tmp_path):
    world, admin = recorded
    target = admin.backup(tmp_path / "usb" / "backup-1")
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"] == {"sha256": _sha(target / "cases.db"), "size": (target / "cases.db").stat().st_size}
    stored = sorted(p.name for p in world.services.evidence.root.rglob("*") if p.is_file())
    assert sorted(f["name"] for f in manifest["evidence"]) == stored and len(stored) == 2
    for f in manifest["evidence"]:
        copy = target / "cases.evidence" / f["name"][:2] / f["name"]
        assert (f["sha256"], f["size"]) == (_sha(copy), copy.stat().st_size) and f["sha256"] == f["name"]
    assert sorted(p.name for p in target.iterdir()) == ["cases.db", "cases.evidence", "manifest.json"]  # one file, no WAL

    restored = admin.restore(target, tmp_path / "restored.db")
    with Services(restored) as services:
        report = services.verify()
        assert report.ok and report.evidence_files == 2
        assert report.chain_head == world.services.verify().chain_head
    assert _leftovers(tmp_path) == [] and _leftovers(tmp_path / "usb") == []


def test_a_backup_never_overwrites_and_one_stopped_midway_leaves_nothing_at_the_target(recorded, tmp_path, monkeypatch):
    world, admin = recorded
    target = tmp_path / "backup"

    def power_cut(*args):
        raise KeyboardInterrupt  # stopped while copying the evidence

    with monkeypatch.context() as m:
        m.setattr(backup_store, "_copy_hashing", power_cut)
        with pytest.raises(KeyboardInterrupt):
            admin.backup(target)
    assert not target.exists() and _leftovers(tmp_path) == []
    # a process killed midway leaves its temporary (it cannot clean up): the next backup removes it
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    leftover = tmp_path / f".backup.partial-{dead.stdout.strip()}-x1y2"
    leftover.mkdir()
    (leftover / "cases.db").write_bytes(b"half a database")
    assert admin.backup(target) == target and (target / "manifest.json").is_file()
    assert not leftover.exists()
    with pytest.raises(InvalidInput, match="不会覆盖"):
        admin.backup(target)


def _restore_refused(admin, backup, tmp_path, match):
    target = tmp_path / "restored.db"
    with pytest.raises(InvalidInput, match=match) as refused:
        admin.restore(backup, target)
    assert refused.value.refusals[0].field == "backup"
    assert not target.exists() and not evidence_dir(target).exists() and _leftovers(tmp_path) == []


def test_restore_refuses_a_partial_backup_and_leaves_no_target(recorded, tmp_path):
    _world, admin = recorded
    backup = admin.backup(tmp_path / "b" / "backup")
    evidence = next(p for p in (backup / "cases.evidence").rglob("*") if p.is_file())
    os.chmod(evidence, stat.S_IRUSR | stat.S_IWUSR)
    evidence.unlink()
    _restore_refused(admin, backup, tmp_path, "缺少证据文件")
    (backup / "manifest.json").unlink()  # a backup stopped before its manifest was written
    _restore_refused(admin, backup, tmp_path, "缺少清单")
    _restore_refused(admin, backup / "cases.db", tmp_path, "不是本软件的备份")


def test_restore_refuses_a_backup_whose_files_differ_from_the_manifest(recorded, tmp_path):
    _world, admin = recorded
    backup = admin.backup(tmp_path / "b" / "backup")
    data = bytearray((backup / "cases.db").read_bytes())
    data[-100] ^= 0xFF
    (backup / "cases.db").write_bytes(bytes(data))
    _restore_refused(admin, backup, tmp_path, "数据库文件与清单")

    backup = admin.backup(tmp_path / "b" / "backup-2")
    evidence = next(p for p in (backup / "cases.evidence").rglob("*") if p.is_file())
    os.chmod(evidence, stat.S_IRUSR | stat.S_IWUSR)
    evidence.write_bytes(evidence.read_bytes() + b"x")
    _restore_refused(admin, backup, tmp_path, "证据文件 .* 与清单")
    evidence.write_bytes(evidence.read_bytes()[:-1])
    (backup / "cases.evidence" / "ab").mkdir(exist_ok=True)
    (backup / "cases.evidence" / "ab" / ("ab" + "0" * 62)).write_bytes(b"smuggled")
    _restore_refused(admin, backup, tmp_path, "不在清单中")


def _rewrite_manifest(backup):
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    manifest["database"] = {"sha256": _sha(backup / "cases.db"), "size": (backup / "cases.db").stat().st_size}
    (backup / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_restore_refuses_a_backup_whose_record_does_not_verify_even_with_a_matching_manifest(recorded, tmp_path):
    _world, admin = recorded
    backup = admin.backup(tmp_path / "b" / "backup")
    conn = sqlite3.connect(backup / "cases.db")
    conn.execute("DROP TRIGGER event_no_update")
    conn.execute("UPDATE event SET actor = 'someone-else' WHERE seq = 3")
    conn.commit()
    conn.close()
    _rewrite_manifest(backup)
    _restore_refused(admin, backup, tmp_path, "未通过校验")

    backup = admin.backup(tmp_path / "b" / "backup-2")
    (backup / "cases.db").write_bytes((backup / "cases.db").read_bytes()[:8192])  # a database cut short
    _rewrite_manifest(backup)
    _restore_refused(admin, backup, tmp_path, "已损坏")


@pytest.mark.parametrize("manifest", [b"{not json", b"\xff\xfe", b"[]", b'{"format": "enforcement-backup/1"}',
                                      b'{"format": "enforcement-backup/1", "database": {"sha256": "../x", "size": 1}, "evidence": []}',
                                      b'{"format": "enforcement-backup/1", "database": {"sha256": "' + b"a" * 64 + b'", "size": 1e400}, "evidence": []}',
                                      b"[" * 100_000],
                         ids=["not JSON", "not UTF-8", "a list", "no files", "a path for a hash", "1e400 bytes", "deeply nested"])
def test_restore_refuses_a_malformed_manifest(recorded, tmp_path, manifest):
    _world, admin = recorded
    backup = admin.backup(tmp_path / "b" / "backup")
    (backup / "manifest.json").write_bytes(manifest)
    _restore_refused(admin, backup, tmp_path, "清单")


def test_restoring_is_the_administrators_alone(recorded, tmp_path):
    world, admin = recorded
    backup = admin.backup(tmp_path / "b" / "backup")
    target = tmp_path / "restored.db"
    with pytest.raises(PermissionDenied):
        world.as_(world.officer_a).restore(backup, target)
    for login, password in (("zhangming", "secret-pass-1"), ("admin", "wrong-password"), ("nobody", "admin-pass-1")):
        with pytest.raises(PermissionDenied):
            restore(backup, target, login, password)
        assert not target.exists() and _leftovers(tmp_path) == []
    assert restore(backup, target, "admin", "admin-pass-1") == target
    with pytest.raises(InvalidInput, match="不会覆盖"):
        backup_service.restore(backup, target)
