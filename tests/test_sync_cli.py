"""#16: a device joins its agency's network from the command line (``enforcement-cli sync join URL --ca FILE``),
says what the hub's administrator enrols it with, and runs its link without the client (``sync run``) until
SIGTERM: its cases reach the agency's database. What cannot be done is said and changes nothing."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from network_support import require_binary

from enforcement_app.cli import main as cli
from enforcement_app.cli.hub_cmd import main as hub_main
from enforcement_app.network import hub, link
from enforcement_app.services import Services

ROOT = Path(__file__).resolve().parents[1]


def _cli(*argv, password: str | None = None):
    out, err = io.StringIO(), io.StringIO()
    env = {"ENFORCEMENT_PASSWORD": password} if password else {}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return cli.main(list(argv), out, err), out.getvalue(), err.getvalue()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _events(path, kind: str) -> list[dict]:
    db = sqlite3.connect(path)
    try:
        return [json.loads(bytes(r[0])) for r in db.execute("SELECT payload FROM event WHERE kind = ?", [kind])]
    finally:
        db.close()


def test_a_new_laptop_joins_as_the_system_and_says_how_the_hub_enrols_it(tmp_path):
    hub_dir = hub.init(tmp_path / "hub")
    laptop = tmp_path / "laptop.db"
    Services(laptop).close()  # a new machine: no users yet (its officers come through the network)
    code, out, err = _cli("--db", str(laptop), "sync", "join", "hub.example.gov.cn:7422", "--ca", str(hub.ca_file(hub_dir)))
    assert code == 0, err
    assert "已加入机构网络：汇聚节点 tls://hub.example.gov.cn:7422" in out
    command = re.search(r"enforcement-hub enrol --dir 汇聚节点文件夹 ([0-9a-f]{32}) ([0-9a-f]{64}) --fingerprint \"([0-9A-F ]+)\"", out)
    assert command, out
    # what it printed is exactly what the hub takes
    code, said, err = io.StringIO(), io.StringIO(), io.StringIO()
    assert hub_main(["enrol", "--dir", str(hub_dir), *command.groups()[:2], "--fingerprint", command.group(3)], said, err) == 0
    assert command.group(1) in hub.devices(hub_dir)
    (joined,) = _events(laptop, "join_network")
    assert joined["hub_url"] == "tls://hub.example.gov.cn:7422" and len(joined["ca_fingerprint"]) == 64
    code, out, _ = _cli("--db", str(laptop), "sync", "status")
    assert code == 0 and "已加入机构网络：汇聚节点 tls://hub.example.gov.cn:7422" in out and "回执 0 份" in out


def test_what_cannot_be_joined_is_said_and_nothing_is_written(tmp_path, world):
    hub_dir = hub.init(tmp_path / "hub")
    db = str(world.services.path)
    world.services.close()
    ca = str(hub.ca_file(hub_dir))
    for url, why in (("hub.example.gov.cn", "主机:端口"), ("hub:99999", "主机:端口"), ("tls://a b:1", "主机:端口")):
        code, _, err = _cli("--db", db, "--user", "admin", "sync", "join", url, "--ca", ca, password="admin-pass-1")
        assert code == 2 and why in err, err
    not_a_ca = tmp_path / "server.pem"
    not_a_ca.write_bytes((hub_dir / "server.pem").read_bytes())
    code, _, err = _cli("--db", db, "--user", "admin", "sync", "join", "h:7422", "--ca", str(not_a_ca), password="admin-pass-1")
    assert code == 2 and "不是证书颁发机构" in err
    code, _, err = _cli("--db", db, "--user", "admin", "sync", "join", "h:7422", "--ca", str(tmp_path / "missing.pem"), password="admin-pass-1")
    assert code == 2 and "读不到" in err
    # a database with users: an administrator joins it, with the password
    code, _, err = _cli("--db", db, "--user", "zhangming", "sync", "join", "h:7422", "--ca", ca, password="secret-pass-1")
    assert code == 3 or "无权" in err, err
    code, _, err = _cli("--db", db, "--user", "admin", "sync", "join", "h:7422", "--ca", ca, password="wrong")
    assert code == 1
    assert link.settings(db) is None and not _events(db, "join_network")
    assert _cli("--db", db, "--user", "admin", "sync", "join", "h:7422", "--ca", ca, password="admin-pass-1")[0] == 0
    other = hub.init(tmp_path / "other-hub")
    code, _, err = _cli("--db", db, "--user", "admin", "sync", "join", "h2:7422", "--ca", str(hub.ca_file(other)), password="admin-pass-1")
    assert code == 2 and "另一个汇聚节点" in err and link.settings(db).hub_url == "tls://h:7422"
    code, out, _ = _cli("--db", db, "--user", "admin", "sync", "leave", password="admin-pass-1")
    assert code == 0 and "已退出" in out and link.settings(db) is None
    # after leaving, another hub may be joined; the first one's CA is kept for its receipts
    assert _cli("--db", db, "--user", "admin", "sync", "join", "h2:7422", "--ca", str(hub.ca_file(other)), password="admin-pass-1")[0] == 0
    assert len(list(link.folder(db).glob("ca*.pem"))) == 2
    assert len(_events(db, "join_network")) == 2 and len(_events(db, "leave_network")) == 1


@pytest.mark.network
def test_sync_run_sends_the_devices_cases_to_the_hub_until_sigterm(tmp_path, world):
    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    services = world.services
    hub.enrol(hub_dir, services.device_id, services.device_signing_key().public_key().public_bytes_raw().hex())
    hub_run = subprocess.Popen([sys.executable, "-m", "enforcement_app.cli.hub_cmd", "run", "--dir", str(hub_dir)], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    device_run = None
    try:
        first = hub_run.stdout.readline()
        port = int(first.split("设备连接端口 ")[1].split("，")[0])
        db = str(services.path)
        events = {r[0] for r in services.db.execute("SELECT hash FROM event")}
        services.close()
        assert _cli("--db", db, "--user", "admin", "sync", "join", f"127.0.0.1:{port}", "--ca", str(hub.ca_file(hub_dir)),
                    password="admin-pass-1")[0] == 0
        device_run = subprocess.Popen([sys.executable, "-m", "enforcement_app.cli.main", "--db", db, "sync", "run"], cwd=ROOT,
                                      env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "本机网络服务已启动" in device_run.stdout.readline()
        deadline = time.monotonic() + 45

        def arrived() -> bool:
            try:
                agency = sqlite3.connect(hub_dir / "agency.db")
                try:
                    return events <= {r[0] for r in agency.execute("SELECT hash FROM event")}
                finally:
                    agency.close()
            except sqlite3.OperationalError:
                return False

        def receipted() -> bool:
            mine = sqlite3.connect(db)
            try:
                return mine.execute("SELECT count(*) FROM hub_receipt").fetchone()[0] > 0
            finally:
                mine.close()

        while not (arrived() and receipted()):
            assert time.monotonic() < deadline and device_run.poll() is None, device_run.stderr.read() if device_run.poll() is not None else ""
            time.sleep(0.2)
        time.sleep(1.5)  # a status line after the link is up
        device_run.send_signal(signal.SIGTERM)
        out, errors = device_run.communicate(timeout=30)
        assert device_run.returncode == 0, errors
        assert "已连接汇聚节点" in out and out.rstrip().endswith("本机网络服务已停止")
    finally:
        for process in (device_run, hub_run):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    code, out, _ = _cli("--db", str(world.services.path), "sync", "status")
    assert code == 0 and re.search(r"回执 [1-9]\d* 份", out), out
