"""A device's link to its agency's hub: joining (``enforcement-cli sync join URL --ca FILE``), and the link at work
while the app runs (:class:`DeviceLink`: the device's nats-server and the sync thread that sends and receives).

Everything of the link lives beside the database, as its evidence does (``cases.db`` → ``cases.network/``):
``link.json`` (the hub's address, when joined), ``ca.pem`` (the hub's CA, which checks the hub's TLS certificate
and vouches for the key its receipts are signed with) and ``server/`` (the device's nats-server: its
configuration, its JetStream store, its lock). The device's key never goes there: its nkey seed is handed to the
server's environment at each start (:mod:`.device`).

Joining again with the same CA changes the hub's address (a hub moved); another CA is refused until the device
has left (``sync leave``). Leaving keeps the CA, as ``ca-<fingerprint>.pem`` once another is joined: the receipts
the device holds were vouched for by it, and ``verify`` checks them against every CA the device has joined.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ..services.changes import Changes
from ..store.database import network_dir
from . import device, server
from .sync import Receiving, Sync

URL = re.compile(r"(?:(?:tls|nats)://)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})")


class LinkError(ValueError):
    """A join that cannot be made as asked (the message is for the user)."""


@dataclass(frozen=True)
class LinkSettings:
    hub_url: str  # tls://host:port of the hub's leaf node listener
    ca_file: Path
    joined_at: str

    @property
    def ca_pem(self) -> bytes:
        return self.ca_file.read_bytes()


def folder(db_path: str | Path) -> Path:
    """The link's folder beside the database: ``cases.db`` → ``cases.network/``."""
    return network_dir(db_path)


def settings(db_path: str | Path) -> LinkSettings | None:
    """The link's settings, or None if this database's device has not joined a hub."""
    base = folder(db_path)
    try:
        data = json.loads((base / "link.json").read_text(encoding="utf-8"))
        return LinkSettings(str(data["hub_url"]), base / "ca.pem", str(data.get("joined_at", "")))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise LinkError(f"机构网络的设置文件无法读取（{exc}）：请重新运行 enforcement-cli sync join") from None


def normal_url(url: str) -> str:
    """``tls://host:port`` from what the user typed (``host:port``, ``tls://…``, ``nats://…``); refused otherwise."""
    found = URL.fullmatch(url.strip())
    if not found or not 0 < int(found.group(2)) < 65536:
        raise LinkError(f"汇聚节点地址应为“主机:端口”或 tls://主机:端口，收到 {url[:80]!r}")
    return f"tls://{found.group(1)}:{int(found.group(2))}"


def join(db_path: str | Path, url: str, ca_file: str | Path, now: datetime) -> LinkSettings:
    """Join the hub at ``url`` whose CA certificate is ``ca_file`` (the hub folder's ``ca.pem``, brought over as a
    bundle is). Nothing is written unless both are good."""
    hub_url = normal_url(url)
    try:
        pem = Path(ca_file).read_bytes()
        certificate = x509.load_pem_x509_certificate(pem)
    except OSError as exc:
        raise LinkError(f"读不到汇聚节点的证书文件：{exc}") from None
    except ValueError:
        raise LinkError(f"不是 PEM 格式的证书：{ca_file}") from None
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value if _has_constraints(certificate) else None
    if constraints is None or not constraints.ca:
        raise LinkError(f"该证书不是证书颁发机构（CA）证书：应给出汇聚节点文件夹中的 ca.pem，收到 {ca_file}")
    base = folder(db_path)
    known = settings(db_path)
    current = base / "ca.pem"
    if current.is_file() and current.read_bytes() != pem:
        if known is not None:
            raise LinkError("本机已加入另一个汇聚节点（证书不同）：先运行 enforcement-cli sync leave 再加入")
        old = x509.load_pem_x509_certificate(current.read_bytes()).fingerprint(hashes.SHA256()).hex()[:16]
        os.replace(current, base / f"ca-{old}.pem")  # kept: the receipts of the hub left were vouched for by it
    base.mkdir(parents=True, exist_ok=True)
    _write(current, pem)
    _write(base / "link.json", (json.dumps({"hub_url": hub_url, "joined_at": now.isoformat()}, indent=2) + "\n").encode("utf-8"))
    return LinkSettings(hub_url, base / "ca.pem", now.isoformat())


def leave(db_path: str | Path) -> bool:
    """Stop linking to the hub (the device's store of what it sent stays, and the hub's CA, for the receipts).
    Returns whether it had joined."""
    base = folder(db_path)
    if server.folder_in_use(base / "server"):
        raise LinkError("本机的网络服务正在运行：先关闭程序再退出机构网络")
    had = (base / "link.json").exists()
    (base / "link.json").unlink(missing_ok=True)
    return had


def _has_constraints(certificate: x509.Certificate) -> bool:
    try:
        certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        return True
    except x509.ExtensionNotFound:
        return False


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".new")
    partial.write_bytes(data)
    os.replace(partial, path)


@dataclass(frozen=True)
class LinkStatus:
    connected: bool
    offline_since: datetime | None  # when the link went down (or the app started, never connected since)
    waiting: int | None  # this device's events the hub has not yet acknowledged with a receipt (None: not yet counted)
    received: int  # events received from the hub since the app started
    problem: str | None  # why sending or receiving does not go, if it does not


class DeviceLink:
    """The link at work: the device's nats-server (started here, so from the thread that calls :meth:`start`: it
    must live as long as the app, see :mod:`.server`) and the sync thread that publishes the outbox, receives
    from the hub and watches the link. ``arrived`` is told (on the sync thread) what arrived changed."""

    def __init__(self, db_path: str | Path, device_id: str, private_key: bytes, link: LinkSettings, *,
                 clock: Callable[[], datetime] | None = None, arrived: Callable[[Changes], None] | None = None,
                 poll: float = 1.0, retry: float = 2.0):
        self.db_path, self.device_id, self._key, self.link = Path(db_path), device_id, private_key, link
        self.clock, self.arrived, self.poll, self.retry = clock, arrived, poll, retry
        self.server: server.Server | None = None
        self.sync: Sync | None = None

    def start(self) -> DeviceLink:
        self.server = device.start(folder(self.db_path) / "server", self.device_id, self.link.hub_url, self.link.ca_file, self._key)
        try:
            self.sync = Sync(self.db_path, self.device_id, self.server.client_url, poll=self.poll, retry=self.retry,
                             receiving=Receiving(self.server, self.link.ca_pem, self.clock, self.arrived))
            self.sync.start()
        except BaseException:
            self.server.stop()
            raise
        return self

    def wake(self) -> None:
        """Send now: a write was just committed."""
        if self.sync is not None:
            self.sync.wake()

    def status(self) -> LinkStatus:
        s = self.sync
        if s is None:
            return LinkStatus(False, None, None, 0, "机构网络未启动")
        return LinkStatus(s.connected, None if s.connected else s.offline_since, s.waiting, s.received, s.error or s.receive_error)

    def stop(self) -> None:
        try:
            if self.sync is not None:
                self.sync.stop()
        finally:
            if self.server is not None:
                self.server.stop()
            self.sync = self.server = None

    def __enter__(self) -> DeviceLink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def identity_of(services) -> tuple[str, bytes]:
    """The device id and raw Ed25519 key of the database ``services`` has open (what the link starts with)."""
    return services.device_id, services.device_signing_key().private_bytes_raw()


def start_for(db_path: str | Path, *, identity: tuple[str, bytes] | None = None, clock: Callable[[], datetime] | None = None,
              arrived: Callable[[Changes], None] | None = None) -> DeviceLink | None:
    """The link of the database at ``db_path`` started, if its device has joined a hub (else None). ``identity``: the
    device's id and key (:func:`identity_of`) from a caller that had the database open; else they are read through
    a services instance opened and closed here."""
    joined = settings(db_path)
    if joined is None:
        return None
    if identity is None:
        from ..services.api import Services  # the whole app: only a device that has joined needs it here

        with Services(db_path, clock=clock) if clock else Services(db_path) as services:
            identity = identity_of(services)
    device_id, key = identity
    return DeviceLink(db_path, device_id, key, joined, clock=clock, arrived=arrived).start()
