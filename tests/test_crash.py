"""Crashes: a command-line writer killed (SIGKILL) at random moments leaves a database that passes SQLite's
integrity check and the record's verify (the device's high-water mark trails the record, never leads it, so
no kill makes it look rolled back) and holds every step it reported done; a backup killed midway
leaves no backup at its target, and restore refuses what it left behind.

Real processes (``python -m enforcement_app.cli.main``) on real SQLite files in temporary folders."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import steps

from enforcement_app.domain.refusals import InvalidInput
from enforcement_app.services import Services, restore
from enforcement_app.store.database import evidence_dir

ROOT = Path(__file__).resolve().parent.parent
KILLS = 8

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")


def _cli(*argv: str, password: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ENFORCEMENT_PASSWORD": password, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-m", "enforcement_app.cli.main", *argv], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Lines:
    """The lines a process writes to its stdout, collected by a thread as they come."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self.first = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            if line.endswith("\n"):  # a line cut short by the kill was not reported whole
                self.lines.append(line)
                self.first.set()
        self.first.set()

    def done(self) -> list[str]:
        self.thread.join(10)
        return self.lines


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _recorded(path: Path) -> tuple[set[str], set[str], set[str]]:
    """The event hashes, case ids and registered evidence files of the database at ``path``."""
    conn = sqlite3.connect(path)
    try:
        return ({r[0] for r in conn.execute("SELECT hash FROM event")}, {r[0] for r in conn.execute('SELECT id FROM "case"')},
                {r[0] for r in conn.execute("SELECT sha256 FROM evidence")})
    finally:
        conn.close()


def _batch(world, folder: Path, run: int, case_id: str) -> Path:
    """A batch of many steps: new leads, evidence files on a case being investigated, inspections of it."""
    lead = {"source": "complaint", "received_on": "2025-03-03", "act_date": "2025-02-20", "cause": "销售超过保质期的食品",
            "cause_entry": "food_safety_124_1", "party_id": world.company.id, "handlers": [world.officer_a.id, world.officer_b.id]}
    evidence = {"kind": "audiovisual", "source": "现场拍摄", "collected_by": [world.officer_a.id]}
    lines = []
    for n in range(400):
        if n % 4 == 1:
            photo = folder / f"photo-{run}-{n}.jpg"
            photo.write_bytes(b"\xff\xd8\xff" + os.urandom(16 * 1024))
            lines.append({"case": case_id, "evidence": str(photo), "data": {**evidence, "description": f"现场照片 {run}-{n}"}})
        elif n % 4 == 3:
            at = f"2025-03-{6 + n % 20:02d}T10:00"
            lines.append({"case": case_id, "action": "record_inspection", "data": steps.autosigned("record_inspection", {
                "started_at": at, "ended_at": at[:11] + "11:00", "place": "店内", "officers": [world.officer_a.id, world.officer_b.id],
                "certificates_shown": True, "findings": f"第{run}轮第{n}次检查", "present": "店主"}, str)})
        else:
            lines.append({"case": "new", "action": "register_lead", "data": {**lead, "summary": f"第{run}轮第{n}条线索"}})
    path = folder / f"batch-{run}.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_writer_killed_at_random_moments_leaves_a_whole_record_with_every_step_it_reported(world, tmp_path):
    case_id = steps.investigated(world, world.person)
    world.services.close()
    db = world.services.path
    rng = random.Random(20261126)
    reported = 0
    marked: set[int] = set()
    for run in range(KILLS):
        batch = _batch(world, tmp_path, run, case_id)
        writer = _cli("--db", str(db), "--user", "zhangming", "batch", str(batch), password="secret-pass-1")
        out = Lines(writer)
        assert out.first.wait(30), writer.stderr.read()
        time.sleep(rng.uniform(0.0, 0.3))
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
        lines = out.done()
        assert writer.returncode == -signal.SIGKILL, ("the writer finished before it was killed", writer.stderr.read())
        assert _integrity(db) == "ok"
        events, cases, files = _recorded(db)
        for line in lines:
            number, result = line.rstrip("\n").split("\t")
            kind = ("lead", "evidence", "lead", "inspection")[(int(number) - 1) % 4]
            held = {"lead": cases, "evidence": files, "inspection": events}[kind]
            assert result in held, f"reported done but not in the record: {kind} {line!r}"
        with Services(db) as services:
            report = services.verify()
            mark = services.recall_mark().mark
            sealed = services.db.execute("SELECT max(seq) FROM seal").fetchone()[0]
        assert report.ok, report.problems
        assert mark is not None and mark.seq <= sealed
        marked.add(mark.seq)
        reported += len(lines)
    assert reported > KILLS  # the kills came while steps were being recorded
    assert len(marked) > 1  # and the killed writers had moved the mark


def test_a_backup_killed_midway_leaves_no_backup_and_restore_refuses_what_it_left(world, tmp_path):
    case_id = steps.investigated(world, world.person)
    officer = world.as_(world.officer_a)
    for n in range(4):  # enough evidence that copying it takes a while
        photo = tmp_path / f"big-{n}.bin"
        photo.write_bytes(os.urandom(8 * 1024 * 1024))
        officer.add_evidence(case_id, photo, {"kind": "audiovisual", "description": f"录像{n}", "source": "执法记录仪",
                                              "collected_by": [world.officer_a.id]})
    world.services.close()
    db, usb = world.services.path, tmp_path / "usb"
    usb.mkdir()
    target = usb / "backup"
    rng = random.Random(7)
    midway = 0
    for _ in range(3):
        backup = _cli("--db", str(db), "--user", "admin", "backup", str(target), password="admin-pass-1")
        deadline = time.monotonic() + 30
        while not any(p.name.startswith(".backup.partial-") for p in usb.iterdir()) and backup.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.05))
        backup.send_signal(signal.SIGKILL)
        backup.wait(10)
        leftovers = [p for p in usb.iterdir() if p.name.startswith(".backup.partial-")]
        if target.exists():  # the kill came after the rename: then the backup is whole
            whole = restore(target, tmp_path / "whole.db", "admin", "admin-pass-1")
            shutil.rmtree(target)
            whole.unlink()
            shutil.rmtree(evidence_dir(whole))
            continue
        midway += 1
        with pytest.raises(InvalidInput):
            restore(target, tmp_path / "restored.db", "admin", "admin-pass-1")
        for leftover in leftovers:  # what a killed backup leaves is refused too, unless it got whole before the kill
            if not (leftover / "manifest.json").exists():
                with pytest.raises(InvalidInput, match="缺少清单"):
                    restore(leftover, tmp_path / "restored.db", "admin", "admin-pass-1")
        assert not (tmp_path / "restored.db").exists()
    assert midway
    finished = _cli("--db", str(db), "--user", "admin", "backup", str(target), password="admin-pass-1")
    assert finished.wait(60) == 0, finished.stderr.read()
    assert [p.name for p in usb.iterdir()] == ["backup"]  # the leftovers of the killed backups are gone
    restored = restore(target, tmp_path / "restored.db", "admin", "admin-pass-1")
    with Services(restored) as services:
        assert services.verify().ok
