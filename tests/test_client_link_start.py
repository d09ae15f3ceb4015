"""The client starts the device's link on a thread of its own: the device's nats-server may take seconds to come up
(its start waits up to 20 s), and the login window must not wait for it, nor the app's quitting. Meanwhile the status
bar says the link is starting; a start that ends after the app began to quit is stopped, never left running, and one
that fails for any reason is said."""

from __future__ import annotations

import threading
import time

import pytest
from test_client import chinese  # noqa: F401 — the client as users get it

from enforcement_app.network import hub, link


class SlowStart:
    """``link.start_for`` as a device whose server is slow to come up: it returns only once ``gate`` is set (or after
    ``limit`` seconds)."""

    def __init__(self, limit: float = 5.0):
        self.gate, self.limit, self.made = threading.Event(), limit, []

    def __call__(self, db_path, *, identity=None, clock=None, arrived=None):
        self.gate.wait(self.limit)
        running = _Running()
        self.made.append(running)
        return running


class _Running:
    def __init__(self):
        self.stopped = False

    def status(self) -> link.LinkStatus:
        return link.LinkStatus(True, None, 0, 0, None)

    def wake(self) -> None:
        pass

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def joined_desk(world, tmp_path, monkeypatch):
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    link.join(world.services.path, "127.0.0.1:7422", hub.ca_file(hub_dir), world.clock())
    slow = SlowStart()
    monkeypatch.setattr(link, "start_for", slow)
    from enforcement_app.ui.worker import ServiceThread

    worker = ServiceThread(world.services.path, clock=world.clock)
    yield worker, slow
    worker.shutdown()


def test_the_link_starts_beside_the_login_and_the_status_bar_says_so_meanwhile(joined_desk, world, qtbot):
    from enforcement_app.ui.network_link import NetworkLink

    worker, slow = joined_desk
    began = time.monotonic()
    network = NetworkLink(worker, world.services.path)
    try:
        assert time.monotonic() - began < 1.0  # the window comes up while the server is still starting
        assert network.describe()[0] == "汇聚节点：正在启动本机网络服务…"
        slow.gate.set()
        qtbot.waitUntil(lambda: network.describe()[0] == "汇聚节点：已连接", timeout=5000)
        assert network.link is slow.made[0]
    finally:
        network.stop()
    assert slow.made[0].stopped


def test_a_link_whose_start_ends_after_the_app_began_to_quit_is_stopped(joined_desk, world, qtbot):
    from enforcement_app.ui.network_link import NetworkLink

    worker, slow = joined_desk
    network = NetworkLink(worker, world.services.path)
    assert network.starting
    began = time.monotonic()
    network.stop()  # the user closed the login window at once: the app does not wait for the start
    assert time.monotonic() - began < 0.5 and not slow.made and not network.starting
    slow.gate.set()  # the server comes up after all: the link's thread stops it
    qtbot.waitUntil(lambda: not network._thread.is_alive(), timeout=5000)
    assert len(slow.made) == 1 and slow.made[0].stopped and network.link is None


def test_the_server_lives_as_long_as_the_link_not_as_the_start(joined_desk, world, qtbot):
    """The device's server is killed when the thread that started it ends (PR_SET_PDEATHSIG is the thread's): the
    link's thread stays until the app quits."""
    from enforcement_app.ui.network_link import NetworkLink

    worker, slow = joined_desk
    slow.gate.set()
    network = NetworkLink(worker, world.services.path)
    try:
        qtbot.waitUntil(lambda: network.link is not None, timeout=5000)
        qtbot.wait(200)
        assert network._thread.is_alive() and not slow.made[0].stopped
    finally:
        network.stop()
    assert not network._thread.is_alive() and slow.made[0].stopped


def test_a_start_that_fails_for_any_reason_is_said(joined_desk, world, qtbot, monkeypatch):
    from enforcement_app.ui.network_link import NetworkLink

    worker, _slow = joined_desk

    def broken(db_path, **_):
        raise ValueError("设备密钥无法读取")

    monkeypatch.setattr(link, "start_for", broken)
    network = NetworkLink(worker, world.services.path)
    try:
        qtbot.waitUntil(lambda: not network.starting, timeout=5000)
        text, tip = network.describe()
        assert text == "汇聚节点：本机网络服务未启动" and "设备密钥无法读取" in tip
    finally:
        network.stop()
