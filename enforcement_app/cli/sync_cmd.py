"""``enforcement-cli sync``: this device in its agency's network (issue #16).

- ``sync join URL --ca FILE`` joins the hub at ``URL`` (``host:port``), whose CA certificate ``FILE`` is the hub
  folder's ``ca.pem``, and prints what the hub's administrator enrols the device with. On a machine with no users
  yet (a new laptop: its officers come through the network) the system joins; otherwise an administrator
  (``--user``, with the password).
- ``sync leave`` stops linking (the hub's CA is kept: the receipts it vouched for stay checkable).
- ``sync status`` says whether the device has joined, the hub's receipts it holds, and its events still waiting
  for one.
- ``sync run`` runs the link without the client (a desk that stays on; a script), until SIGTERM or SIGINT,
  printing a line whenever its state changes.
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import TextIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ..network import link
from ..services.api import Services

STATUS_EVERY = 1.0  # seconds between looks at the link while running


def add_parsers(sub, acting) -> None:
    p = sub.add_parser("sync", help="机构网络：本机经汇聚节点与办公室及其他执法设备互通案件")
    commands = p.add_subparsers(dest="sync_command", required=True)
    q = commands.add_parser("join", help="加入机构网络：sync join 主机:端口 --ca 汇聚节点文件夹中的ca.pem")
    q.add_argument("url", help="汇聚节点的设备连接地址（主机:端口）")
    q.add_argument("--ca", required=True, help="汇聚节点的证书颁发机构证书（汇聚节点文件夹中的 ca.pem）")
    q.set_defaults(func=lambda services, args, out: cmd_join(services, args, out, acting))
    q = commands.add_parser("leave", help="退出机构网络（已保存的回执仍可核对）")
    q.set_defaults(func=lambda services, args, out: cmd_leave(services, args, out, acting))
    q = commands.add_parser("status", help="本机的机构网络状态：是否加入、汇聚节点回执、待确认的记录")
    q.set_defaults(func=cmd_status)
    q = commands.add_parser("run", help="不开客户端运行本机与汇聚节点的连接，直到收到 SIGTERM 或 SIGINT")
    q.set_defaults(func=cmd_run)


def _recorder(services: Services, args: argparse.Namespace, acting):
    """Who records the join: the system on a machine with no users yet, else an administrator who authenticates."""
    return services.system_session() if not services.officers() else acting(services, args)


def _ca_fingerprint(path) -> str:
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    return certificate.fingerprint(hashes.SHA256()).hex()


def cmd_join(services: Services, args: argparse.Namespace, out: TextIO, acting) -> int:
    session = _recorder(services, args, acting)
    session.require("trust_devices")  # before anything is written
    settings = link.join(services.path, args.url, args.ca, services.clock())
    session.record_network("join_network", {"hub_url": settings.hub_url, "ca_fingerprint": _ca_fingerprint(settings.ca_file)})
    own = services.device_info()
    out.write(f"已加入机构网络：汇聚节点 {settings.hub_url}\n")
    out.write("请汇聚节点管理员登记本机（办公室的审核、审批电脑加 --desk）：\n")
    out.write(f"  enforcement-hub enrol --dir 汇聚节点文件夹 {own['device_id']} {own['public_key']} --fingerprint \"{own['fingerprint']}\"\n")
    out.write("登记后，本机运行客户端（或 enforcement-cli sync run）时即与汇聚节点互通\n")
    return 0


def cmd_leave(services: Services, args: argparse.Namespace, out: TextIO, acting) -> int:
    session = _recorder(services, args, acting)
    session.require("trust_devices")
    if not link.leave(services.path):
        out.write("本机没有加入机构网络，未改动\n")
        return 0
    session.record_network("leave_network", {})
    out.write("已退出机构网络（汇聚节点的回执仍保存在本机，校验时照常核对）\n")
    return 0


def cmd_status(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    settings = link.settings(services.path)
    status = services.network_status()
    if settings is None:
        out.write("本机没有加入机构网络\n")
    else:
        out.write(f"已加入机构网络：汇聚节点 {settings.hub_url}（{settings.joined_at[:19].replace('T', ' ')} 加入）\n")
    out.write(f"汇聚节点回执 {status['receipts']} 份"
              + (f"，最近一份 {status['last_receipt_at'][:19].replace('T', ' ')} 收到" if status["last_receipt_at"] else "")
              + f"；本机记录中尚待汇聚节点确认的 {status['waiting']} 条\n")
    return 0


def describe(status: link.LinkStatus) -> str:
    """One line for the link's state, as the client's status bar says it."""
    if status.connected:
        state = "已连接汇聚节点"
    elif status.offline_since is not None:
        state = f"离线（自 {status.offline_since.strftime('%m-%d %H:%M')} 起）"
    else:
        state = "未连接"
    waiting = "" if status.waiting is None else f"，待上传 {status.waiting} 条"
    problem = f"；{status.problem}" if status.problem else ""
    return f"{state}{waiting}，已收到 {status.received} 条{problem}"


def cmd_run(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    settings = link.settings(services.path)
    if settings is None:
        raise link.LinkError("本机没有加入机构网络：先运行 enforcement-cli sync join")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    running = link.DeviceLink(services.path, services.device_id, services.device_signing_key().private_bytes_raw(), settings,
                              clock=services.clock).start()
    try:
        out.write(f"本机网络服务已启动，汇聚节点 {settings.hub_url}\n")
        out.flush()
        said = ""
        while True:
            line = describe(running.status())
            if line != said:
                out.write(line + "\n")
                out.flush()
                said = line
            if stop.wait(STATUS_EVERY):
                break
    finally:
        running.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    out.write("本机网络服务已停止\n")
    return 0
