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
