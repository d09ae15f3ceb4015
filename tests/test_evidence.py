"""Evidence is recorded by the hash of a file the evidence store holds; a refused addition leaves no file
behind; the command line stores a file with ``evidence add``."""

from __future__ import annotations

import io
import json
import os
import sqlite3

import pytest
import steps

from enforcement_app.cli.main import main as cli
from enforcement_app.domain.refusals import InvalidInput, RuleViolation


@pytest.fixture
def case(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    return case_id


def _details(world, **more):
    return {"kind": "audiovisual", "description": "现场照片", "source": "现场拍摄", "collected_by": [world.officer_a.id], **more}


def _photo(tmp_path, name="photo.jpg"):
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8\xff" + os.urandom(2048))
    return path


def _stored(world):
    root = world.services.evidence.root
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _count(world):
    return world.services.verify().events


def test_a_step_naming_a_hash_the_store_does_not_hold_is_refused(world, case):
    officer = world.as_(world.officer_a)
    before = _count(world)
    payload = {**_details(world), "sha256": "ab" * 32, "size": 10, "media_type": "image/jpeg", "original_name": "x.jpg",
               "collected_at": "2025-03-05T10:00"}
    with pytest.raises(InvalidInput) as refused:
        officer.perform(case, "add_evidence", payload)
    assert [r.field for r in refused.value.refusals] == ["sha256"] and "证据库中没有" in refused.value.refusals[0].message
    assert _count(world) == before and world.services.verify().ok


def test_a_step_naming_a_held_file_is_accepted_only_with_its_size(world, case, tmp_path):
    officer = world.as_(world.officer_a)
    photo = _photo(tmp_path)
    sha = officer.add_evidence(case, photo, _details(world))
    payload = {**_details(world, description="同一照片，另作说明"), "sha256": sha, "size": photo.stat().st_size - 1,
               "media_type": "image/jpeg", "original_name": "photo.jpg", "collected_at": "2025-03-05T10:00"}
    with pytest.raises(InvalidInput) as refused:
        officer.perform(case, "add_evidence", payload)
    assert [r.field for r in refused.value.refusals] == ["size"]
    officer.perform(case, "add_evidence", {**payload, "size": photo.stat().st_size})
    assert world.services.verify().ok


def test_a_refused_addition_leaves_no_file_behind(world, case, tmp_path):
    photo = _photo(tmp_path)
    before = _count(world)
    with pytest.raises(RuleViolation):  # the head is no handler of the case
        world.as_(world.head).add_evidence(case, photo, _details(world))
    with pytest.raises(RuleViolation):  # a kind of evidence the law does not know
        world.as_(world.officer_a).add_evidence(case, photo, _details(world, kind="rumour"))
    assert _stored(world) == [] and _count(world) == before and world.services.verify().ok


def test_a_file_stored_for_a_recording_that_then_fails_is_taken_out_again(world, case, tmp_path, monkeypatch):
    officer = world.as_(world.officer_a)
    kept = officer.add_evidence(case, _photo(tmp_path, "kept.jpg"), _details(world))

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(officer, "record", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        officer.add_evidence(case, _photo(tmp_path, "lost.jpg"), _details(world))
    with pytest.raises(sqlite3.OperationalError):  # a file another step refers to stays
        officer.add_evidence(case, tmp_path / "kept.jpg", _details(world))
    monkeypatch.undo()
    assert _stored(world) == [kept] and world.services.verify().ok


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    return cli(list(argv), out, err), out.getvalue(), err.getvalue()


def test_the_command_line_stores_an_evidence_file(world, case, tmp_path, monkeypatch):
    world.services.close()
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", "secret-pass-1")
    db = str(world.services.path)
    photo = _photo(tmp_path)
    code, out, err = _run("--db", db, "--user", "zhangming", "evidence", "add", case, str(photo), "--data", json.dumps(_details(world)),
                          "--json")
    assert code == 0, err
    sha = json.loads(out)["result"]
    assert _run("--db", db, "verify")[0] == 0
    for argv in (["evidence", "add", case, str(tmp_path / "missing.jpg"), "--data", json.dumps(_details(world))],
                 ["evidence", "add", case, str(tmp_path), "--data", json.dumps(_details(world))],
                 ["evidence", "add", case, str(_photo(tmp_path, "b.jpg")), "--data", "[1, 2]"],
                 ["evidence", "add", case, str(_photo(tmp_path, "c.jpg")), "--data", json.dumps(_details(world, collected_by=7))],
                 ["evidence", "add", "no-such-case", str(_photo(tmp_path, "d.jpg")), "--data", json.dumps(_details(world))]):
        code, _out, err = _run("--db", db, "--user", "zhangming", *argv)
        assert code == 2 and err.strip() and "Traceback" not in err, argv
    root = world.services.evidence.root
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == [sha]
