"""Tamper tests: verify names each altered or removed event and each altered or missing evidence file."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
import steps

from enforcement_app.cli.main import main as cli


@pytest.fixture(autouse=True, params=["one range", "three ranges"])
def scan_ranges(request, monkeypatch):
    """Every tamper test runs twice: scanned in this process, and split over three ranges scanned by
    worker processes and merged, so that the parallel verify finds exactly what the serial one does."""
    if request.param == "three ranges":
        from enforcement_app.store import integrity

        monkeypatch.setattr(integrity, "_PARALLEL_FROM", 0)
        monkeypatch.setattr(integrity, "_worker_count", lambda: 3)

        def no_fallback(*args):
            raise AssertionError("the worker processes did not run")

        monkeypatch.setattr(integrity, "_workers_failed", no_fallback)
    return request.param


@pytest.fixture
def recorded(world, tmp_path):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + os.urandom(2048))
    sha = world.as_(world.officer_a).add_evidence(case_id, photo, {
        "kind": "audiovisual", "description": "现场照片", "source": "现场拍摄", "collected_by": [world.officer_a.id]})
    steps.inquire(world, case_id)
    assert world.services.verify().ok
    case_no = world.as_(world.officer_a).view(case_id).state.case_no
    world.services.close()
    return world.services.path, case_id, case_no, sha


def _raw(path):
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER event_no_update")
    conn.execute("DROP TRIGGER event_no_delete")
    return conn


def _problems(path):
    from enforcement_app.services import Services

    with Services(path) as s:
        return s.verify().problems


def test_the_database_refuses_to_change_events(recorded):
    path, *_ = recorded
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE event SET payload = '{}' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM event WHERE seq = 1")


def test_edited_event_row_is_named(recorded):
    path, case_id, case_no, _ = recorded
    conn = _raw(path)
    seq = conn.execute("SELECT seq FROM event WHERE stream = ? AND kind = 'record_inspection'", [case_id]).fetchone()[0]
    conn.execute("UPDATE event SET payload = replace(payload, '12盒', '2盒') WHERE seq = ?", [seq])
    conn.commit()
    conn.close()
    problems = _problems(path)
    altered = [p for p in problems if p.kind == "event_altered"]
    assert [(p.case, p.seq) for p in altered] == [(case_no, seq)]
    assert any(p.kind == "guard_removed" for p in problems)


def test_edited_event_with_recomputed_hash_is_still_caught(recorded):
    from enforcement_app.domain.record import event_hash

    path, case_id, case_no, _ = recorded
    conn = _raw(path)
    row = conn.execute("SELECT seq, stream, parents, actor, device, at, kind, payload FROM event WHERE stream = ? AND kind = 'record_inspection'", [case_id]).fetchone()
    payload = row[7].replace("12盒".encode(), "2盒".encode())
    forged = event_hash(row[1], row[2], row[3], row[4], row[5], row[6], payload)
    conn.execute("UPDATE event SET payload = ?, hash = ? WHERE seq = ?", [payload, forged, row[0]])
    conn.commit()
    conn.close()
    kinds = {p.kind for p in _problems(path)}
    assert "chain_broken" in kinds and "event_missing" in kinds


def test_deleted_event_is_named(recorded):
    path, case_id, case_no, _ = recorded
    conn = _raw(path)
    seq, digest = conn.execute("SELECT seq, hash FROM event WHERE stream = ? AND kind = 'approve_filing'", [case_id]).fetchone()
    conn.execute("DELETE FROM event WHERE seq = ?", [seq])
    conn.commit()
    conn.close()
    problems = _problems(path)
    missing = [p for p in problems if p.kind == "event_missing"]
    assert missing and all(p.case == case_no and p.hash == digest for p in missing)
    assert any(p.kind == "chain_broken" for p in problems)


def test_deleted_last_event_is_named(recorded):
    path, case_id, case_no, _ = recorded
    conn = _raw(path)
    conn.execute("DELETE FROM event WHERE seq = (SELECT MAX(seq) FROM event)")
    conn.commit()
    conn.close()
    kinds = {p.kind for p in _problems(path)}
    assert {"chain_head_mismatch", "event_count_mismatch", "head_mismatch"} <= kinds


def test_altered_and_deleted_evidence_files_are_named(recorded):
    from enforcement_app.store.database import evidence_dir
    from enforcement_app.store.evidence import EvidenceStore

    path, _, _, sha = recorded
    stored = EvidenceStore(evidence_dir(path)).path_for(sha)
    assert not stored.stat().st_mode & stat.S_IWUSR  # stored read-only
    os.chmod(stored, stat.S_IRUSR | stat.S_IWUSR)
    stored.write_bytes(stored.read_bytes() + b"x")
    problems = _problems(path)
    assert [(p.kind, p.file) for p in problems] == [("evidence_altered", sha)]
    stored.unlink()
    problems = _problems(path)
    assert [(p.kind, p.file) for p in problems] == [("evidence_missing", sha)]


def test_verify_cli_exit_status(recorded, capsys):
    path, case_id, case_no, sha = recorded
    assert cli(["--db", str(path), "verify"]) == 0
    conn = _raw(path)
    conn.execute("UPDATE event SET actor = 'someone-else' WHERE seq = 3")
    conn.commit()
    conn.close()
    assert cli(["--db", str(path), "verify", "--json"]) == 1
    out = capsys.readouterr().out
    assert '"event_altered"' in out and '"seq": 3' in out
