"""Worker processes: a fresh interpreter running one small module of this package (``python -m``).

Not fork (the caller may be the Qt client with threads running) and not multiprocessing's spawn, which
re-imports the caller's main module (the whole client or CLI) before it can start. Callers keep a way
to do the same work in their own process for where no worker can start (a frozen or embedded
interpreter).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)


def start(module: str, *args: str, merge_stderr: bool = False) -> subprocess.Popen:
    """Start ``python -S -P -m <module> args…`` with pipes for its output. Raises OSError. ``-S``: the worker
    needs only the standard library and this package (on its PYTHONPATH), and skipping site-packages'
    start-up halves the interpreter's start (0.11 s → 0.06 s here). ``merge_stderr``: the worker's errors
    come on its output pipe, for a caller that reads that pipe line by line while the worker runs."""
    # -P: the working directory is not put on the module path, so no hashlib.py lying there is imported
    return subprocess.Popen([sys.executable, "-S", "-P", "-m", module, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE, env=child_env(),
                            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # no console flashing up on Windows


def child_env() -> dict[str, str]:
    """The worker must import this very package, also from a source checkout that is not installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = _PACKAGE_ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env
