"""``enforcement-hub``: the agency's hub.

- ``enforcement-hub init --dir DIR [--host NAME]… [--address IP]… [--leaf-port N]`` writes a new hub's keys and
  configuration (:func:`..network.hub.init`): the names and addresses are what devices dial, put in its certificate.
- ``enforcement-hub enrol --dir DIR DEVICE PUBLIC_KEY [--fingerprint F] [--desk]`` lets a device in, by the id
  and key its ``enforcement-cli sync join`` (or ``bundle devices``) shows (the fingerprint, read aloud or from its
  screen, is checked against the key); a running hub takes it at once. ``--desk``: an office desk, which receives
  every case of the agency; without it a field device, which receives the cases it holds.
- ``enforcement-hub run --dir DIR`` runs the hub in ``DIR``: its nats-server, the sources of the enrolled devices
  and the ingest into the agency's database (``DIR/agency.db`` unless ``--db`` names another), until SIGTERM or
  SIGINT.

Exit status: 0 stopped when asked, 2 a folder or database that cannot be used.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ..network import hub, ingest, service
from ..network.server import ServerError

EXIT_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="enforcement-hub", description="机构汇聚节点")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="新建汇聚节点：写入其证书、密钥和配置")
    init.add_argument("--dir", required=True, type=Path, help="汇聚节点的文件夹（新的或空的）")
    init.add_argument("--host", dest="hosts", action="append", default=[], metavar="NAME",
                      help="设备连接所用的主机名（可多次给出；默认 localhost）")
    init.add_argument("--address", dest="addresses", action="append", default=[], metavar="IP",
                      help="设备连接所用的 IP 地址（可多次给出；默认 127.0.0.1）")
    init.add_argument("--leaf-port", type=int, default=hub.LEAF_PORT, help=f"设备连接端口（默认 {hub.LEAF_PORT}）")
    enrol = commands.add_parser("enrol", help="登记一台设备（其编号和公钥见该设备的 enforcement-cli bundle devices）")
    enrol.add_argument("--dir", required=True, type=Path, help="汇聚节点的文件夹")
    enrol.add_argument("device", help="设备编号")
    enrol.add_argument("public_key", help="设备公钥（十六进制）")
    enrol.add_argument("--fingerprint", help="设备上显示的密钥指纹，用以核对公钥")
    enrol.add_argument("--desk", action="store_true",
                       help="办公室的电脑（法制审核、审批）：接收机构的全部案件；不加则为执法设备，只接收本机办理的案件")
    run = commands.add_parser("run", help="运行汇聚节点：接收各设备的记录并导入机构数据库，直到收到 SIGTERM 或 SIGINT")
    run.add_argument("--dir", required=True, type=Path, help="汇聚节点的文件夹")
    run.add_argument("--db", dest="db_path", type=Path, help="机构数据库（默认为文件夹中的 agency.db）")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "init":
            folder = hub.init(args.dir, leaf_port=args.leaf_port, names=args.hosts or ("localhost",),
                              addresses=args.addresses or ("127.0.0.1",))
            out.write(f"汇聚节点已建立：{folder}（设备连接端口 {args.leaf_port}）\n")
            return 0
        if args.command == "enrol":
            enrolment = hub.enrol(args.dir, args.device, args.public_key, args.fingerprint, desk=args.desk)
            state = ("新登记" if enrolment.new else "此前已登记，公钥相同") + (
                "，办公室电脑（接收全部案件）" if enrolment.scope == hub.DESK else "，执法设备（接收本机办理的案件）")
            taken = "运行中的汇聚节点已加载" if enrolment.reloaded else "汇聚节点下次运行时生效"
            out.write(f"设备 {args.device}：{state}；{taken}\n")
            return 0
        return asyncio.run(_run(args.dir, args.db_path or service.database_path(args.dir), out))
    except ValueError as exc:  # an address that is not one, a key that is not hex
        err.write(f"错误：{exc}\n")
        return EXIT_INPUT
    except (hub.HubError, ingest.IngestError, ServerError, OSError) as exc:
        err.write(f"错误：{exc}\n")
        return EXIT_INPUT


async def _run(directory: Path, database: Path, out: TextIO) -> int:
    hub.settings(directory)  # a folder that is not a hub is refused before anything starts or is made
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def started(server) -> None:
        out.write(f"汇聚节点已启动：设备连接端口 {server.leafnode_port}，机构数据库 {database}\n")
        out.flush()

    def report(result: ingest.Round) -> None:
        if result.problem:
            out.write(f"本轮未能完成，稍后重试：{result.problem}\n")
            out.flush()
            return
        held = sum(len(files) for files in result.held.values())
        out.write(f"新记录 {result.stored} 条，已有 {result.known} 条，拒收 {result.refused} 条，等待前序记录 {result.waiting} 条"
                  + (f"；设备告知已收到证据文件 {held} 个（汇聚节点为其保存的副本随即删除）" if held else "") + "\n")
        for r in result.refusals:
            out.write(f"  拒收 {r.subject} #{r.stream_seq}：{r.reason}\n")
        for c in result.conflicts:
            out.write(f"  未覆盖：{c}\n")
        for f in result.files_refused:
            out.write(f"  拒收证据文件：{f}\n")
        out.flush()

    await service.serve(directory, database, stop, report=report, started=started)
    out.write("汇聚节点已停止\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
