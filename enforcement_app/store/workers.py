"""Worker processes: a fresh interpreter running one small module of this package (``python -m``).

Not fork (the caller may be the Qt client with threads running) and not multiprocessing's spawn, which
re-imports the caller's main module (the whole client or CLI) before it can start. Callers keep a way
to do the same work in their own process for where no worker can start (a frozen or embedded
interpreter).

A worker ends with the process that started it (:func:`die_with_parent`), and whether a process still
runs is asked without psutil (:func:`process_alive`): staging folders name their owner by pid.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)
_PR_SET_PDEATHSIG = 1
_PARENT_POLL_SECONDS = 0.25


def start(module: str, *args: str, merge_stderr: bool = False, packages: tuple[str, ...] = (), stdin: bool = False) -> subprocess.Popen:
    """Start ``python -S -P -m <module> args…`` with pipes for its output. Raises OSError. ``-S``: the worker
    needs only the standard library and this package (on its PYTHONPATH), and skipping site-packages'
    start-up halves the interpreter's start (0.11 s → 0.06 s here). ``merge_stderr``: the worker's errors
    come on its output pipe, for a caller that reads that pipe line by line while the worker runs.
    ``packages``: installed packages the worker imports besides (``cryptography``), put on its path.
    ``stdin``: a pipe to the worker's input, for what must not be written to a file (a key)."""
    # -P: the working directory is not put on the module path, so no hashlib.py lying there is imported
    return subprocess.Popen([sys.executable, "-S", "-P", "-m", module, *args], stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE, env=child_env(packages),
                            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # no console flashing up on Windows


def child_env(packages: tuple[str, ...] = ()) -> dict[str, str]:
    """The worker must import this very package, also from a source checkout that is not installed (and,
    run without site-packages, the installed ``packages`` it needs besides)."""
    paths = [_PACKAGE_ROOT]
    for name in packages:
        module = sys.modules.get(name) or importlib.import_module(name)
        paths.append(str(Path(module.__file__).resolve().parent.parent))  # type: ignore[arg-type]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths)) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def die_with_parent(parent: int) -> None:
    """Called first in a worker: end this process as soon as ``parent`` (the pid of whoever started it)
    ends, so that no worker outlives a killed importer. On Linux the kernel sends SIGKILL
    (``PR_SET_PDEATHSIG``; strictly, when the thread that started the worker ends, which for an import is
    the thread waiting for it); elsewhere a thread polls the parent four times a second."""
    if sys.platform.startswith("linux"):
        try:
            asked = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            asked = False
        if asked:
            if os.getppid() != parent:  # the parent ended before the signal was asked for
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    # on POSIX an orphan is handed to another parent; on Windows the pid has to be asked about
    while (os.getppid() == parent if os.name != "nt" else process_alive(parent)):
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)


def process_start(pid: int) -> str | None:
    """When process ``pid`` started, as the kernel counts it (Linux), to tell it from a later process given
    the same pid; None where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 and fields[0] not in ("Z", "X") else None  # a zombie has ended


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether process ``pid`` runs (and, given ``started`` from :func:`process_start`, is the same process)."""
    if pid <= 0:
        return False
    if os.path.isdir("/proc/self"):
        now = process_start(pid)
        return now is not None and (started is None or now == started)
    if os.name == "nt":
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
