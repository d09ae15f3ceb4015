"""The local nats-server: started on loopback with ports it chose, refused a second time on the same folder,
stopped and waited for, and gone when the process that started it is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from network_support import process_gone, require_binary, wait_for

from enforcement_app.network import server

pytestmark = pytest.mark.network


@pytest.fixture(autouse=True)
def binary():
    return require_binary()


def test_a_server_starts_on_loopback_with_ports_it_chose_and_stops(tmp_path):
    folder = tmp_path / "nats"
    with server.start(folder, {"server_name": "probe"}) as s:
        assert s.running()
        assert s.client_url.startswith("nats://127.0.0.1:") and s.monitor_url.startswith("http://127.0.0.1:")
        varz = s.monitor("varz")
        assert varz["server_name"] == "probe" and varz["host"] == "127.0.0.1"
        assert varz["port"] == int(s.client_url.rsplit(":", 1)[1])
        assert s.monitor("jsz")["config"]["store_dir"].startswith(str(folder / "jetstream"))
        pid = s.pid
    assert s.process.returncode is not None and process_gone(pid)
    assert not (folder / "nats.pid").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{s.monitor_url}/healthz", timeout=2)


def test_two_servers_get_different_ports(tmp_path):
    with server.start(tmp_path / "a", {"server_name": "a"}) as a, server.start(tmp_path / "b", {"server_name": "b"}) as b:
        assert a.client_url != b.client_url and a.monitor_url != b.monitor_url


def test_a_second_server_on_the_same_folder_is_refused_until_the_first_stops(tmp_path):
    folder = tmp_path / "nats"
    first = server.start(folder, {"server_name": "first"})
    try:
        assert server.folder_in_use(folder)
        with pytest.raises(server.FolderInUse, match="已被另一个正在运行的 nats-server 使用"):
            server.start(folder, {"server_name": "second"})
        assert first.running() and first.monitor("varz")["server_name"] == "first"
    finally:
        first.stop()
    assert not server.folder_in_use(folder)
    with server.start(folder, {"server_name": "second"}) as second:
        assert second.monitor("varz")["server_name"] == "second"


def test_a_configuration_the_server_rejects_is_reported_with_its_log(tmp_path):
    with pytest.raises(server.ServerError, match="随即退出.*unknown field"):
        server.start(tmp_path / "nats", {"server_name": "x", "no_such_option": 1})
    assert not server.folder_in_use(tmp_path / "nats")


def test_reload_loads_the_new_configuration(tmp_path):
    with server.start(tmp_path / "nats", {"server_name": "r", "max_payload": 100_000}) as s:
        assert s.monitor("varz")["max_payload"] == 100_000
        s.reload({"server_name": "r", "max_payload": 200_000})
        assert s.monitor("varz")["max_payload"] == 200_000
        assert server.reload_running(s.folder, {"server_name": "r", "max_payload": 300_000})
        wait_for("the reload another process asked for", lambda: s.monitor("varz")["max_payload"] == 300_000, 10)
    assert not server.reload_running(s.folder, {"server_name": "r"})


def test_a_variable_is_read_from_the_environment_not_written_into_the_file(tmp_path):
    with server.start(tmp_path / "nats", {"server_name": server.Variable("PROBE_NAME")}, env={"PROBE_NAME": "from-env"}) as s:
        assert s.monitor("varz")["server_name"] == "from-env"
    assert "from-env" not in server.config_path(tmp_path / "nats").read_text(encoding="utf-8")


def test_the_server_does_not_outlive_a_killed_parent(tmp_path):
    folder = tmp_path / "nats"
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import json, sys, time
            from enforcement_app.network import server
            s = server.start({str(folder)!r}, {{"server_name": "orphan"}})
            print(json.dumps({{"pid": s.pid}}), flush=True)
            time.sleep(120)
        """)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    try:
        line = parent.stdout.readline()
        assert line, "the parent process printed no server pid"
        pid = json.loads(line)["pid"]
        assert not process_gone(pid) and server.folder_in_use(folder)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        wait_for("the orphaned nats-server to end", lambda: process_gone(pid), 10)
        wait_for("the folder's lock to be released", lambda: not server.folder_in_use(folder), 5)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
    with server.start(folder, {"server_name": "next"}) as s:  # and its store is usable again
        assert s.running()


def test_a_devices_server_takes_only_the_apps_own_clients(tmp_path):
    """Loopback is every local user's and program's: without the token made for this start (in the client URL the
    app uses, never in a file) a client is refused, so nothing else on the machine can put events into OUT."""
    import asyncio

    import nats
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from enforcement_app.network import device, hub

    hub_dir = hub.init(tmp_path / "hub")
    with device.start(tmp_path / "device", "d" * 32, "tls://127.0.0.1:9", hub.ca_file(hub_dir),
                      Ed25519PrivateKey.generate().private_bytes_raw()) as running:
        bare = running.ports["nats"][0]
        assert running.client_url != bare and "@" in running.client_url
        token = running.client_url.split("//", 1)[1].split("@", 1)[0]
        assert token not in (tmp_path / "device" / "nats.conf").read_text(encoding="utf-8")

        async def attempts():
            nc = await nats.connect(running.client_url, connect_timeout=5, max_reconnect_attempts=0)
            await nc.close()
            for url in (bare, bare.replace("://", "://wrong@")):
                with pytest.raises(Exception):  # noqa: B017 — nats-py's authorization error, or no servers
                    await nats.connect(url, connect_timeout=3, max_reconnect_attempts=0, allow_reconnect=False)

        asyncio.run(asyncio.wait_for(attempts(), 30))
