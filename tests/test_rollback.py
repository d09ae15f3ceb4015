"""Rollback: a database replaced by an older copy of itself, sealed just as validly, is found on the device that
wrote it, by the high-water mark the device keeps in its keystore (``store/marks.py``). Normal use, reopening,
a restore from a backup, a write that failed and a writer killed while it writes the mark (and at random
moments, in ``test_crash.py``) are not reported.

Real SQLite files in temporary folders; the keystore is the suite's key folder (see ``conftest.py``)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import steps

from enforcement_app.cli.main import main as cli
from enforcement_app.services import Services, restore
from enforcement_app.services.core import ServicesCore
from enforcement_app.store import marks
from enforcement_app.store.database import device_key_name, evidence_dir

ROOT = Path(__file__).resolve().parent.parent


def _verify(world):
    with Services(world.services.path, clock=world.clock) as services:
        return services.verify()


def _kinds(report) -> set[str]:
    return {p.kind for p in report.problems}


def _copy_file(source, target) -> None:
    """Copy a closed database file over another, as someone with the folder would (no WAL is left beside a
    closed database)."""
    for suffix in ("-wal", "-shm"):
        assert not os.path.exists(f"{target}{suffix}")
    shutil.copyfile(source, target)


def _remembered(world) -> marks.Mark | None:
    with Services(world.services.path, clock=world.clock) as services:
        return services.recall_mark().mark


def _last_seal(world) -> tuple[int, str]:
    with Services(world.services.path, clock=world.clock) as services:
        return tuple(services.db.execute("SELECT seq, chain FROM seal ORDER BY id DESC LIMIT 1").fetchone())


@pytest.fixture
def filed(world):
    """A case filed on 3 March, the database closed (so every transaction so far is in the device's mark) and
    the clock at 20 March."""
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.services.close()
    world.clock.set("2025-03-20T12:00")
    return world, case_id


def _investigate(world, case_id) -> None:
    """The later days of the case, in a program of their own: inspected, questioned, an 8,000-yuan fine reported."""
    with Services(world.services.path, clock=world.clock) as services:
        world.services = services
        steps.inspect(world, case_id)
        steps.inquire(world, case_id)
        steps.report(world, case_id, fine_yuan=8000, kinds=("fine",))


def test_an_older_sealed_copy_put_over_the_database_fails_verify_naming_what_the_device_remembers(filed, tmp_path, capsys):
    world, case_id = filed
    old = tmp_path / "old.db"
    _copy_file(world.services.path, old)
    assert _verify(world).ok
    _investigate(world, case_id)  # the fine is reported, then cut by putting the older copy back
    remembered = _remembered(world)
    assert remembered is not None and (remembered.seq, remembered.chain) == _last_seal(world)
    _copy_file(old, world.services.path)

    report = _verify(world)
    assert not report.ok and _kinds(report) == {"rolled_back"}  # every hash, link and seal of the copy is sound
    problem = report.problems[0]
    assert problem.seq == remembered.seq
    assert f"第{remembered.seq}条记录" in problem.message and "较早的副本" in problem.message
    held = _last_seal(world)[0]
    assert f"只到第{held}条" in problem.message and held < remembered.seq
    assert cli(["--db", str(world.services.path), "verify", "--json"]) == 1
    assert [p["kind"] for p in json.loads(capsys.readouterr().out)["problems"]] == ["rolled_back"]


def test_writing_on_after_a_rollback_does_not_erase_it(filed, tmp_path):
    """The device records on the rolled-back copy (its writes are sealed as ever), but its mark stays where it
    was: verify goes on saying the file is not the one the device wrote, until a backup is restored."""
    world, case_id = filed
    old = tmp_path / "old.db"
    _copy_file(world.services.path, old)
    _investigate(world, case_id)
    remembered = _remembered(world)
    _copy_file(old, world.services.path)
    with Services(world.services.path, clock=world.clock) as services:
        world.services = services
        for n in range(8):  # past the seq the device remembers, on another chain
            steps.inspect(world, case_id, at=f"2025-03-{10 + n:02d}T10:00")
        assert services.db.execute("SELECT max(seq) FROM seal").fetchone()[0] > remembered.seq
    assert _remembered(world) == remembered
    report = _verify(world)
    assert _kinds(report) == {"rolled_back"} and "另一份副本" in report.problems[0].message


def test_an_older_copy_put_in_place_under_a_running_program_does_not_move_its_mark(filed, tmp_path):
    """The file's content replaced through SQLite (its backup API) while the program has it open: what the
    program records next is on the older record, and its mark stays at the seal the older record lacks."""
    world, case_id = filed
    path = world.services.path
    old = tmp_path / "old.db"
    _copy_file(path, old)
    with Services(path, clock=world.clock) as services:
        world.services = services
        steps.inspect(world, case_id)  # the program's first write: marked at once
        remembered = services.recall_mark().mark
        source, live = sqlite3.connect(old), sqlite3.connect(path)
        source.backup(live)
        source.close()
        live.close()
        steps.inquire(world, case_id)  # two steps on the older record: past the seq remembered
        steps.report(world, case_id, fine_yuan=8000, kinds=("fine",))
    assert _remembered(world) == remembered
    assert _kinds(_verify(world)) == {"rolled_back"}


def test_normal_use_across_reopening_compares_with_the_mark_and_passes(filed):
    world, case_id = filed
    _investigate(world, case_id)
    with Services(world.services.path, clock=world.clock) as services:
        world.services = services
        steps.inspect(world, case_id, at="2025-03-20T10:00")
        recall = services.recall_mark()
        report = services.verify()
    assert report.ok and report.notes == ()  # no note: the mark was there to compare with
    assert recall.mark is not None and (recall.mark.seq, recall.mark.chain) == _last_seal(world)


def test_a_second_program_writing_the_same_file_never_moves_the_mark_back(filed):
    world, case_id = filed
    with Services(world.services.path, clock=world.clock) as first, Services(world.services.path, clock=world.clock) as second:
        world.services = first
        steps.inspect(world, case_id)
        world.services = second
        steps.inquire(world, case_id)
        first.close()  # the first program's mark is older than the one the second wrote
        assert _remembered(world).seq == _last_seal(world)[0]
    assert _verify(world).ok


def test_a_backup_restored_where_the_database_was_lost_is_not_called_rolled_back(filed, tmp_path):
    world, case_id = filed
    with Services(world.services.path, clock=world.clock) as services:
        backup = services.session(world.admin.login).backup(tmp_path / "usb" / "backup")
    _investigate(world, case_id)
    path = world.services.path
    os.remove(path)  # the disk failed: the database is lost, the mark of its last seal is not
    shutil.rmtree(evidence_dir(path), ignore_errors=True)  # (no evidence files in it: nothing read-only)
    restore(backup, path, "admin", "admin-pass-1")
    report = _verify(world)
    assert report.ok, report.problems
    with Services(path, clock=world.clock) as services:  # and it is written on, and checked again
        world.services = services
        steps.inspect(world, case_id)
    assert _verify(world).ok
    assert _remembered(world).seq == _last_seal(world)[0]


def test_a_backup_copied_into_place_by_hand_is_a_rollback(filed, tmp_path):
    world, case_id = filed
    with Services(world.services.path, clock=world.clock) as services:
        backup = services.session(world.admin.login).backup(tmp_path / "usb" / "backup")
    _investigate(world, case_id)
    _copy_file(backup / "cases.db", world.services.path)
    assert _kinds(_verify(world)) == {"rolled_back"}


def test_a_restore_to_a_new_file_verifies_and_leaves_the_original_and_its_mark_alone(filed, tmp_path):
    world, case_id = filed
    with Services(world.services.path, clock=world.clock) as services:
        backup = services.session(world.admin.login).backup(tmp_path / "usb" / "backup")
    _investigate(world, case_id)
    before = _remembered(world)
    restored = restore(backup, tmp_path / "restored.db", "admin", "admin-pass-1")
    with Services(restored) as services:
        assert services.verify().ok
    assert _remembered(world) == before and _verify(world).ok


def test_a_write_that_rolls_back_after_its_seal_leaves_the_mark_where_it_was(filed, monkeypatch):
    """The seal is made just before COMMIT; the mark only after it. A transaction that fails between the two
    (as a process killed there would) leaves no mark of a seal the file does not hold."""
    world, case_id = filed
    before = _remembered(world)
    sealed = ServicesCore._seal

    def seal_then_fail(self):
        sealed(self)
        raise OSError("disk gone at COMMIT")

    with Services(world.services.path, clock=world.clock) as services:
        world.services = services
        monkeypatch.setattr(ServicesCore, "_seal", seal_then_fail)
        with pytest.raises(OSError):
            steps.inspect(world, case_id)
        monkeypatch.undo()
    assert _remembered(world) == before
    assert _verify(world).ok


def test_a_mark_that_cannot_be_written_is_noted_not_reported_and_the_write_stands(filed, monkeypatch):
    world, case_id = filed
    before = _remembered(world)
    with Services(world.services.path, clock=world.clock) as services:
        world.services = services

        def full(name, value):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(services.keystore, "put_plain", full)
        steps.inspect(world, case_id)  # committed: the failure to remember it does not undo it
        report = services.verify()
        monkeypatch.undo()
    assert report.ok and any("未能记下" in note for note in report.notes)
    assert _remembered(world) == before and _verify(world).ok


def test_marks_are_written_a_few_seconds_apart_not_per_transaction(filed, monkeypatch):
    world, case_id = filed
    monkeypatch.setattr(marks, "INTERVAL", 0.5)
    with Services(world.services.path, clock=world.clock) as services:
        world.services = services
        written: list[str] = []
        put = services.keystore.put_plain
        monkeypatch.setattr(services.keystore, "put_plain", lambda name, value: (written.append(value), put(name, value)))
        for n in range(6):
            steps.inspect(world, case_id, at=f"2025-03-{4 + n:02d}T10:00")
        assert len(written) == 1  # the first at once; the others wait for the interval
        deadline = time.monotonic() + 5
        while len(written) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(written) == 2  # the last, on the timer, without waiting for close()
        last = services.db.execute("SELECT seq FROM seal ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert json.loads(written[-1])["seq"] == last
        time.sleep(0.6)
    assert len(written) == 2  # nothing new to write at close


def test_a_database_from_another_device_has_no_mark_here_and_says_so(filed, tmp_path, monkeypatch):
    world, _case_id = filed
    monkeypatch.setenv("ENFORCEMENT_KEY_DIR", str(tmp_path / "another-machine"))
    report = _verify(world)
    assert report.ok
    assert any("没有它的最新签封记录" in note for note in report.notes)


def test_a_database_at_a_new_path_has_no_mark_until_it_is_written_there(filed, tmp_path):
    world, case_id = filed
    moved = tmp_path / "moved" / "cases.db"
    moved.parent.mkdir()
    _copy_file(world.services.path, moved)
    with Services(moved, clock=world.clock) as services:
        report = services.verify()
        assert report.ok and any("尚未记下" in note for note in report.notes)
        world.services = services
        steps.inspect(world, case_id)
        assert services.verify().notes == ()


def test_a_mark_altered_in_the_keystore_is_reported_and_the_next_write_replaces_it(filed):
    world, case_id = filed
    with Services(world.services.path, clock=world.clock) as services:
        name = marks.mark_name(device_key_name(services.device_id), world.services.path)
        path = services.keystore.folder / f"{name}.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**body, "seq": body["seq"] - 3}), encoding="utf-8")  # an attacker's lower mark
    report = _verify(world)
    assert _kinds(report) == {"mark_invalid"} and "签名无效" in report.problems[0].message
    with Services(world.services.path, clock=world.clock) as services:
        world.services = services
        steps.inspect(world, case_id)
    assert _verify(world).ok


_KILLED_WHILE_MARKING = """
import os, signal, sys
from enforcement_app.domain.handwriting import handwritten_entry, scribble
from enforcement_app.services import Services
from enforcement_app.store import keystore

def killed(*_args):  # the mark's new value is on disk under its temporary name, not yet in place
    os.kill(os.getpid(), signal.SIGKILL)

keystore.os.replace = killed
path, case_id, officers = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
services = Services(path)
p = {"started_at": "2025-03-20T10:00", "ended_at": "2025-03-20T11:00", "place": "店内", "officers": officers,
     "certificates_shown": True, "findings": "复查", "present": "店主"}
p["signatures"] = [handwritten_entry("record_inspection", p, who, name, scribble(name), "2025-03-20T11:00:00+08:00")
                  for who, name in (("present", "店主"), ("officer", "张明"), ("officer", "李华"))]
services.session("zhangming").perform(case_id, "record_inspection", p)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_writer_killed_while_writing_its_mark_leaves_the_old_mark_and_no_rollback(filed):
    world, case_id = filed
    before = _remembered(world)
    officers = f"{world.officer_a.id},{world.officer_b.id}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", _KILLED_WHILE_MARKING, str(world.services.path), case_id, officers],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with Services(world.services.path, clock=world.clock) as services:
        kinds = [k for (k,) in services.db.execute("SELECT kind FROM event WHERE stream = ?", [case_id])]
        report = services.verify()
    assert kinds[-1] == "record_inspection"  # committed before the kill
    assert report.ok, report.problems
    assert _remembered(world) == before  # the mark lags the record by that step: it never leads it
