"""A killed import leaves nothing half: the staging worker ends with its importer, what a dead importer
staged is cleared (or, past the commit, put in place) when the database is next opened, and the evidence
store holds exactly the files the events name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has: only its exit status is left)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _ended_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.skipif(not (hasattr(os, "mkfifo") and Path("/proc/self/stat").exists()), reason="needs a FIFO and /proc")
def test_the_staging_worker_ends_with_the_process_that_started_it(tmp_path):
    """The worker is made to wait (its job file a FIFO nobody writes) as it would while staging a large
    file; its parent is killed; the worker must end too, not run on as an orphan."""
    job = tmp_path / "job.json"
    os.mkfifo(job)
    script = ("import os, sys, time\nfrom enforcement_app.store import workers\n"
              "w = workers.start('enforcement_app.store.evidence_stage', sys.argv[1], str(os.getpid()), merge_stderr=True)\n"
              "print(w.pid, flush=True)\ntime.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script, str(job)], stdout=subprocess.PIPE, env=_env())
    worker = int(parent.stdout.readline())
    try:
        time.sleep(0.3)  # the worker is up and waiting
        assert _running(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _ended_within(worker, 5), "the staging worker outlived its importer"
    finally:
        parent.stdout.close()
        if _running(worker):
            os.kill(worker, signal.SIGKILL)  # the test's own grandchild, left running by a worker that did not end


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_where_the_kernel_cannot_end_it_the_worker_watches_its_parent(tmp_path):
    """Off Linux there is no PR_SET_PDEATHSIG: a thread of the worker notices its parent has gone."""
    child = ("import os, sys, time\nsys.platform = 'darwin'\nfrom enforcement_app.store import workers\n"
             "workers.die_with_parent(os.getppid())\ntime.sleep(60)\n")
    script = ("import subprocess, sys, time\n"
              f"w = subprocess.Popen([sys.executable, '-c', {child!r}])\nprint(w.pid, flush=True)\ntime.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=_env())
    worker = int(parent.stdout.readline())
    try:
        time.sleep(0.5)
        assert _running(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _ended_within(worker, 5), "the worker outlived its parent"
    finally:
        parent.stdout.close()
        if _running(worker):
            os.kill(worker, signal.SIGKILL)


# --- a killed import ------------------------------------------------------------------------------------

_IMPORTER = """
import sys
from enforcement_app.services import Services
services = Services(sys.argv[1])
print("open", flush=True)
services.system_session().import_bundle(sys.argv[2], trust_new=True)
print("done", flush=True)
"""


def _workers_for(folder: Path) -> list[int]:
    """Staging workers (still running) whose job lies under ``folder``."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if b"enforcement_app.store.evidence_stage" in cmdline and str(folder).encode() in cmdline and _running(int(proc.name)):
                found.append(int(proc.name))
    return found


def _named_evidence(services) -> set[str]:
    return {r[0] for r in services.db.execute("SELECT json_extract(payload, '$.sha256') FROM event WHERE kind = 'add_evidence'")}


def _store_files(services) -> list[str]:
    root = services.evidence.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _after_reopening(path: Path, events_in_bundle: int, context: str = "") -> None:
    """Open the database as the program would after the kill, and check nothing is half. ``context``: for
    the messages (which run, which seed)."""
    from enforcement_app.services import Services

    store = path.with_name(path.stem + ".evidence")
    left = sorted(str(p.relative_to(store)) for p in store.rglob("*")) if store.exists() else []
    with Services(path) as services:
        root = services.evidence.root
        staging = [p.name for p in root.iterdir() if p.name.startswith(".")] if root.exists() else []
        assert staging == [], f"staging left {context}; the kill left {left}"
        imported = services.db.execute("SELECT count(*) FROM event WHERE stream NOT LIKE 'device/%'").fetchone()[0]
        assert imported in (0, events_in_bundle), context  # all of the bundle or nothing
        report = services.verify()
        assert report.ok, (context, report.problems)
        assert _store_files(services) == sorted(f"{sha[:2]}/{sha}" for sha in _named_evidence(services)), (context, left)


@pytest.fixture
def heavy_bundle(world, tmp_path):
    """A bundle with 8 evidence files of 3 MB: staging them takes a while, for the kills to land in."""
    import steps

    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    for n in range(8):
        photo = tmp_path / f"photo{n}.jpg"
        photo.write_bytes(os.urandom(3 << 20))
        world.as_(world.officer_a).add_evidence(case_id, photo, {"kind": "audiovisual", "description": f"现场照片{n}", "source": "现场拍摄",
                                                                  "collected_by": [world.officer_a.id]})
    path = tmp_path / "heavy.ecb"
    summary = world.as_(world.officer_a).export_bundle(path, encrypt=False)
    return path, summary.events


def _importer(target: Path, bundle: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", _IMPORTER, str(target), str(bundle)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=_env())
    assert process.stdout.readline() == b"open\n"
    return process


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_an_importer_killed_at_any_moment_leaves_nothing_half(heavy_bundle, tmp_path):
    import random

    bundle, events = heavy_bundle
    whole = _importer(tmp_path / "whole.db", bundle)
    start = time.monotonic()
    assert whole.stdout.readline() == b"done\n" and whole.wait() == 0
    took = time.monotonic() - start
    _after_reopening(tmp_path / "whole.db", events)
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    runs = 6
    for n in range(runs):
        target = tmp_path / f"killed{n}.db"
        importer = _importer(target, bundle)
        delay = took * (n + rng.random()) / runs  # spread over the import, each at a random moment of its share
        time.sleep(delay)
        importer.send_signal(signal.SIGKILL)
        importer.wait()
        importer.stdout.close()
        store = target.with_name(target.stem + ".evidence")
        deadline = time.monotonic() + 5
        while _workers_for(store) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _workers_for(store) == [], f"a staging worker outlived its importer (seed {seed}, run {n})"
        _after_reopening(target, events, f"(seed {seed}, run {n}, killed after {delay:.3f} s)")


_DYING = """
import os, sys
from enforcement_app.services import Services, bundles
from enforcement_app.store.evidence import EvidenceStore
services = Services(sys.argv[1])
def die(*args, **kwargs):
    os._exit(9)
if sys.argv[3] == "before the commit":
    bundles._check_staged = die
else:
    EvidenceStore.commit = die
services.system_session().import_bundle(sys.argv[2], trust_new=True)
"""


@pytest.mark.parametrize("moment", ["before the commit", "after the commit"])
def test_an_import_dying_either_side_of_its_commit_is_settled_at_the_next_opening(heavy_bundle, tmp_path, moment):
    """Before the commit nothing of the import stays; after it, the staged files are put in place."""
    from enforcement_app.services import Services

    bundle, events = heavy_bundle
    target = tmp_path / "target.db"
    dying = subprocess.run([sys.executable, "-c", _DYING, str(target), str(bundle), moment], env=_env(), capture_output=True)
    assert dying.returncode == 9, dying.stderr.decode()
    store = target.with_name("target.evidence")
    staged = [p for p in store.rglob(".incoming-*") if not p.name.endswith("job.json")]
    assert len(staged) == 8  # what the dead importer left
    _after_reopening(target, events)
    with Services(target) as services:
        assert len(_store_files(services)) == (8 if moment == "after the commit" else 0)


# --- what the next opening settles ----------------------------------------------------------------------


def _aged(path: Path, hours: float = 2) -> Path:
    past = time.time() - hours * 3600
    os.utime(path, (past, past))
    return path


def _owned_by(root: Path, pid: int, started: str | None = None, host: str | None = None, owner: bool = True) -> Path:
    """A staging folder as process ``pid`` makes it; ``owner=False``: killed before it wrote ``.owner``."""
    import json
    import secrets
    import socket

    folder = root / f".staging-{pid}-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    if owner:
        (folder / ".owner").write_text(json.dumps({"pid": pid, "started": started, "host": host or socket.gethostname()}))
    (folder / ".incoming-stray").write_bytes(b"half a file")
    return folder


def _ended_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True).stdout)


def test_opening_the_database_collects_what_no_event_names_and_what_dead_processes_staged(world, tmp_path):
    import hashlib

    import steps

    from enforcement_app.services import Services
    from enforcement_app.store import workers

    case_id = steps.lead(world, world.company)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff a photo")
    named = world.as_(world.officer_a).add_evidence(case_id, photo, {"kind": "audiovisual", "description": "现场照片", "source": "现场拍摄",
                                                                      "collected_by": [world.officer_a.id]})
    store = world.services.evidence
    _aged(store.path_for(named))
    world.services.close()

    def stored(content: bytes) -> Path:  # what an earlier version copied in before its event was lost
        sha = hashlib.sha256(content).hexdigest()
        store.path_for(sha).parent.mkdir(parents=True, exist_ok=True)
        store.path_for(sha).write_bytes(content)
        return store.path_for(sha)

    lost = _aged(stored(b"evidence whose event was lost"))
    recent = stored(b"evidence copied in a moment ago")  # within the grace period: perhaps its event is on its way
    legacy = store.root / ".incoming-0a1b2c-0"
    legacy.write_bytes(b"staged beside the store by an earlier version")
    _aged(legacy)
    mine = store.open_staging()  # an import running in this process
    dead = _owned_by(store.root, _ended_pid())
    dead_unwritten = _owned_by(store.root, _ended_pid(), owner=False)
    live_unwritten = _owned_by(store.root, os.getpid(), owner=False)  # this process, an instant after making it
    foreign = _owned_by(store.root, os.getpid(), host="another-machine")
    reused = _owned_by(store.root, os.getpid(), "1") if workers.process_start(os.getpid()) else None

    with Services(world.services.path) as services:
        assert services.evidence.has(named) and recent.exists()
        assert not lost.exists() and not legacy.exists()
        assert mine.is_dir() and live_unwritten.is_dir()
        assert not dead.exists() and not dead_unwritten.exists() and not foreign.exists()
        assert reused is None or not reused.exists()  # its pid is this process's, but this process started later
        assert services.verify().ok


def test_a_file_whose_event_is_committed_while_it_is_being_collected_is_put_back(tmp_path):
    """The collection asks the database, moves the file out, asks again: an event committed between the
    two (by another process) keeps its file."""
    from enforcement_app.store.evidence import EvidenceStore

    store = EvidenceStore(tmp_path / "store")
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"a photo")
    sha, _size = store.put(source)
    _aged(store.path_for(sha))
    answers = [set(), {sha}]  # not named when first asked; named when asked again
    store.recover(lambda shas: answers.pop(0) & shas)
    assert answers == [] and store.has(sha)
    assert [p.name for p in store.root.iterdir() if p.name.startswith(".")] == []


def test_evidence_refused_with_its_event_leaves_no_file_in_the_store(world, tmp_path):
    import steps

    from enforcement_app.domain.refusals import InvalidInput

    case_id = steps.lead(world, world.company)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff a photo")
    with pytest.raises(InvalidInput):
        world.as_(world.officer_a).add_evidence(case_id, photo, {"kind": "audiovisual"})  # no description, no source
    root = world.services.evidence.root
    assert not root.exists() or [p for p in root.rglob("*") if p.is_file()] == []


def test_a_store_holding_many_files_its_database_does_not_name_is_left_alone(tmp_path):
    """An older copy of the database put back beside a newer store names few of its files: they are not
    leftovers to collect, and none is removed."""
    from enforcement_app.store.evidence import EvidenceStore

    store = EvidenceStore(tmp_path / "store")
    shas = []
    for n in range(30):
        source = tmp_path / f"photo{n}.jpg"
        source.write_bytes(b"photo %d" % n)
        shas.append(store.put(source)[0])
        _aged(store.path_for(shas[-1]))
    store.recover(lambda asked: set())
    assert all(store.has(sha) for sha in shas)


def test_a_store_that_cannot_be_tidied_does_not_keep_the_database_from_opening(world, monkeypatch):
    from enforcement_app.services import Services
    from enforcement_app.store.evidence import EvidenceStore

    world.services.evidence.root.mkdir(parents=True, exist_ok=True)

    def unreadable(self, referenced):
        raise PermissionError("the store's folder cannot be listed")

    monkeypatch.setattr(EvidenceStore, "_collect_garbage", unreadable)
    with Services(world.services.path) as services:
        assert services.verify().ok
