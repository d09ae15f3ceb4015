"""``enforcement-hub``: the agency's hub. ``enforcement-hub run --dir DIR`` runs the hub in ``DIR`` (made by
:func:`..network.hub.init`): its nats-server, the sources of the enrolled devices and the ingest into the agency's
database (``DIR/agency.db`` unless ``--db`` names another), until SIGTERM or SIGINT.

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
        return asyncio.run(_run(args.dir, args.db_path or service.database_path(args.dir), out))
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
        out.write(f"新记录 {result.stored} 条，已有 {result.known} 条，拒收 {result.refused} 条，等待前序记录 {result.waiting} 条\n")
        for r in result.refusals:
            out.write(f"  拒收 {r.subject} #{r.stream_seq}：{r.reason}\n")
        for c in result.conflicts:
            out.write(f"  未覆盖：{c}\n")
        out.flush()

    await service.serve(directory, database, stop, report=report, started=started)
    out.write("汇聚节点已停止\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
