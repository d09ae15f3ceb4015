"""``enforcement-cli``: the command line over the services.

Global options come before the subcommand: ``enforcement-cli --db cases.db --user zhangming show 仲高新市监罚字〔2026〕1号``.
Exit status: 0 success, 1 refused by a rule or verification failed, 2 bad arguments or input.

A command that changes the record (or copies it whole: ``backup``, ``restore``) acts as ``--user`` only once
that user has authenticated, with the password from ``--password-file``, else from the environment variable
``ENFORCEMENT_PASSWORD``, else typed at a prompt when the input is a terminal. ``init`` and ``demo`` (new
databases) and the commands that only read need no password.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import getpass
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ..casefile.verify import read_marker
from ..domain.case import STAGE_ZH, Stage
from ..domain.discretion import BenchmarkFormatError
from ..domain.money import format_yuan
from ..domain.power_list import power_list_on
from ..domain.refusals import InvalidInput, NotFound, PermissionDenied, RuleViolation
from ..services import Services, Session, default_db_path, restore
from ..services.keys import keystore
from . import casefile_cmd, discretion_cmd, sync_cmd

EXIT_REFUSED = 1
EXIT_INPUT = 2


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT):
        super().__init__(message)
        self.code = code


def bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (a 30-digit limit or year is a typo)."""

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"应为整数，实际为 {text[:30]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"应在 {low} 至 {high} 之间，实际为 {text[:30]}")
        return value

    return read


def _print_json(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="enforcement-cli", description="行政执法案件记录 命令行")
    parser.add_argument("--db", type=Path, dest="db_path", metavar="DB", help=f"数据库文件（默认 {default_db_path()}）")
    parser.add_argument("--user", default=os.environ.get("ENFORCEMENT_USER", "admin"), help="以哪个用户身份操作（登录名，默认 admin）")
    parser.add_argument("--password-file", type=Path, metavar="FILE",
                        help="办理（写入）类命令须验证身份：从此文件首行读取 --user 的密码；"
                             "也可用环境变量 ENFORCEMENT_PASSWORD，或在终端按提示输入")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("init", help="初始化：设置执法主体和管理员")
    p.add_argument("--agency-name", required=True)
    p.add_argument("--seal-name")
    p.add_argument("--area", required=True)
    p.add_argument("--prefix", required=True, help="案件编号前缀，如 仲高新市监罚字")
    p.add_argument("--reconsideration-body", default="")
    p.add_argument("--litigation-court", default="")
    p.add_argument("--admin-login", default="admin")
    p.add_argument("--admin-password", required=True)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="写入演示数据（仅用于新数据库）")
    p.add_argument("--cases", type=bounded(1, 10_000), default=48)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("cases", help="列出或检索案件")
    p.add_argument("query", nargs="?", help="检索词（案号、当事人、案由、记录内容）")
    p.add_argument("--stage", choices=[s.value for s in Stage])
    p.add_argument("--officer", help="承办人员登录名")
    p.add_argument("--overdue", action="store_true", help="只列出有逾期期限的案件")
    p.add_argument("--limit", type=bounded(1, 1_000_000), default=200)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases)

    p = sub.add_parser("inbox", help="待办：待审核、待审批、待集体讨论、待决定、待听证的案件与临近期限（按 --user）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_inbox)

    p = sub.add_parser("show", help="显示案件：阶段、期限、可办理与受阻的操作、全过程记录")
    p.add_argument("case", help="案件编号或案件ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("do", help="办理一项操作：do CASE ACTION --data JSON（脚本用）")
    p.add_argument("case", help="案件编号或案件ID；开立新案用 new")
    p.add_argument("action")
    p.add_argument("--data", default="{}", help="表单内容（JSON 对象，或 @文件名）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_do)

    p = sub.add_parser("batch", help="依次办理多项操作（脚本用）：每项一个事务，办完一项输出一行“行号<TAB>结果”")
    p.add_argument("file", type=Path, help='JSON Lines 文件（- 为标准输入），每行 {"case": 案件或 new, "action": 操作, "data": {…}}，'
                                          '或 {"case": 案件, "evidence": 文件, "data": {…}}')
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("evidence", help="证据文件")
    evidence = p.add_subparsers(dest="evidence_command", required=True)
    q = evidence.add_parser("add", help="把文件存入证据库并登记到案件：evidence add CASE FILE --data JSON")
    q.add_argument("case", help="案件编号或案件ID")
    q.add_argument("file", type=Path, help="证据文件")
    q.add_argument("--data", default="{}", help='证据说明（JSON 对象或 @文件名）：{"kind", "description", "source", "collected_by", …}')
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_evidence_add)

    p = sub.add_parser("password", help="密码与个人签名密钥")
    password = p.add_subparsers(dest="password_command", required=True)
    q = password.add_parser("change", help="修改 --user 自己的密码（个人签名密钥不变，改用新密码保护）")
    q.add_argument("--new-password-file", type=Path, required=True, metavar="FILE", help="新密码（文件首行）")
    q.set_defaults(func=cmd_password_change)
    q = password.add_parser("reset", help="管理员为忘记密码的人员设置新密码（同时签发新的个人签名密钥）")
    q.add_argument("login", help="人员的登录名")
    q.add_argument("--new-password-file", type=Path, required=True, metavar="FILE", help="新密码（文件首行）")
    q.set_defaults(func=cmd_password_reset)

    p = sub.add_parser("verify", help="校验全过程记录和证据文件")
    p.add_argument("--case", help="只校验此案件")
    p.add_argument("--deep", action="store_true", help="即使案件表与签封一致，也按记录逐案重建核对")
    p.add_argument("--against", nargs="+", type=Path, default=[], metavar="FILE",
                   help="以导出的案卷 PDF 或案件包为见证：其所载的记录都须仍在本数据库中")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("backup", help="在线备份数据库和证据到一个新文件夹（含各文件哈希的清单；要么完整，要么没有）")
    p.add_argument("target", type=Path)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份文件夹恢复到一个新的数据库文件（先核对清单并校验全部记录）")
    p.add_argument("backup", type=Path)
    p.add_argument("--to", type=Path, required=True, dest="target", help="恢复到的数据库文件（不得已存在）")
    p.set_defaults(func=cmd_restore, needs_db=False)

    def file_command(group, name: str, help_text: str, func) -> argparse.ArgumentParser:
        """A subcommand that reads one file (an import, the seal)."""
        q = group.add_parser(name, help=help_text)
        q.add_argument("file", type=Path)
        q.set_defaults(func=func)
        return q

    calendar = sub.add_parser("calendar", help="节假日安排").add_subparsers(dest="calendar_command", required=True)
    file_command(calendar, "import", '导入一年的节假日安排：{"year": 2027, "holidays": [日期…], "workdays": [调休上班日期…]}', cmd_calendar_import)
    policy = sub.add_parser("policy", help="本机关的裁量与审核参数").add_subparsers(dest="policy_command", required=True)
    file_command(policy, "import", "导入一个参数版本（格式同 resources/agency/policy.json 的 versions 中的一项）", cmd_policy_import)
    seal = sub.add_parser("seal", help="本机关的电子印章图片（管理员）").add_subparsers(dest="seal_command", required=True)
    file_command(seal, "set", "设置印章图片：透明背景的 PNG，近似正方形", cmd_seal)
    seal.add_parser("clear", help="清除印章图片（文书印“（印章）”）").set_defaults(func=cmd_seal)
    powers = sub.add_parser("power-list", help="本机关的权责清单（可以处罚的法律条款或裁量基准条目及其职权来源）").add_subparsers(
        dest="power_list_command", required=True)
    file_command(powers, "import", "导入权责清单的版本（格式同 resources/agency/power_list.json；整份校验，不合格则整份不导入）", cmd_power_list_import)
    q = powers.add_parser("show", help="某日生效的权责清单（默认今天）")
    q.add_argument("--on", type=date.fromisoformat, help="日期 YYYY-MM-DD")
    q.set_defaults(func=cmd_power_list_show)

    casefile_cmd.add_parsers(sub, _session, _acting)
    sync_cmd.add_parsers(sub, _acting)
    p = sub.add_parser("bundle", help="案件包：在不联网的电脑之间用移动介质传递案件")
    bundle = p.add_subparsers(dest="bundle_command", required=True)
    q = bundle.add_parser("export", help="导出案件包（默认全部案件）")
    q.add_argument("--out", type=Path, required=True, help="案件包文件（.ecb）")
    q.add_argument("--case", action="append", default=[], help="案件编号或ID，可重复")
    q.add_argument("--query", help="按检索词选择案件")
    q.add_argument("--to-device", help="加密给该设备，且只导出上次发给它之后的新记录（设备ID，见 bundle devices）")
    q.add_argument("--plain", action="store_true", help="不加密导出（案件包含完整身份证号，只用于妥善保管的介质）")
    q.set_defaults(func=cmd_bundle_export)
    q = bundle.add_parser("import", help="导入案件包（先整包校验，不合格则整包拒绝）")
    q.add_argument("file", type=Path)
    q.add_argument("--trust-new-device", action="store_true",
                   help="信任首次来包的设备（先不加此项运行，核对显示的密钥指纹后再加）")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_bundle_import)
    q = bundle.add_parser("devices", help="本机与之交换过案件包的设备")
    q.add_argument("--set-name", metavar="NAME", help="给本机起一个便于辨认的名称（如“执法一队笔记本”）")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_bundle_devices)
    rules = discretion_cmd.add_parsers(sub)
    p = rules.add_parser("import", help="把裁量基准文件导入本机关的数据库（整份校验，不合格则整份不导入）")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_rules_import)
    p = rules.add_parser("export", help="把一套裁量基准（随软件提供的或已导入的）导出为文件")
    p.add_argument("set_id", metavar="SET", help="裁量基准编号（rules list --json 中的 benchmark_id）")
    p.add_argument("--version", help="版本（默认：最新生效的版本）")
    p.add_argument("--out", type=Path, required=True, help="导出到的文件")
    p.set_defaults(func=cmd_rules_export)
    return parser


def _session(services: Services, args: argparse.Namespace) -> Session:
    """The session of ``--user`` for a command that only reads: no password asked."""
    try:
        return services.session(args.user)
    except NotFound as exc:
        raise CliError(f"{exc}（用 --user 指定登录名）") from None


def _acting(services: Services, args: argparse.Namespace, password: str | None = None) -> Session:
    """The session of ``--user`` for a command that changes the record: the user must authenticate
    (see :func:`_password`; ``password`` when already read). A wrong password is refused with exit status 1."""
    password = _password(args) if password is None else password
    try:
        return services.login(args.user, password)
    except PermissionDenied:
        raise CliError(f"用户名或密码错误（--user {args.user}），未办理", EXIT_REFUSED) from None


def _password(args: argparse.Namespace) -> str:
    """``--user``'s password: the first line of ``--password-file``, else ``ENFORCEMENT_PASSWORD``, else
    asked at a prompt when the input is a terminal; with none of them the command is refused (exit 2)."""
    if args.password_file is not None:
        return _first_line(args.password_file, "密码文件")
    if "ENFORCEMENT_PASSWORD" in os.environ:
        return os.environ["ENFORCEMENT_PASSWORD"]
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"{args.user} 的密码：")
    raise CliError(f"此命令会写入记录，须验证 {args.user} 的身份：用 --password-file 文件、环境变量 ENFORCEMENT_PASSWORD 提供密码，"
                   "或在终端中运行以输入密码")


def cmd_init(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    if services.is_initialised():
        raise CliError("数据库已初始化（已有执法主体）", EXIT_REFUSED)
    services.initialise({"name": args.agency_name, "seal_name": args.seal_name or args.agency_name, "area": args.area,
                         "case_no_prefix": args.prefix, "reconsideration_body": args.reconsideration_body,
                         "litigation_court": args.litigation_court},
                        {"name": "系统管理员", "login": args.admin_login, "password": args.admin_password})
    out.write(f"已初始化：{args.agency_name}，管理员 {args.admin_login}\n")
    return 0


def cmd_demo(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    from ..services.demo import DEMO_PASSWORD, build_demo

    try:
        counts = build_demo(services, cases=args.cases)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_REFUSED) from None
    out.write(f"已写入演示数据：{sum(counts.values())}件案件。演示用户密码：{DEMO_PASSWORD}\n")
    for stage, n in sorted(counts.items()):
        out.write(f"  {stage}: {n}\n")
    return 0


def cmd_cases(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    session = _session(services, args)
    officer_id = None
    if args.officer:
        officer = services.officer_by_login(args.officer)
        if officer is None:
            raise CliError(f"没有该用户：{args.officer}")
        officer_id = officer.id
    rows = session.list_cases(stage=args.stage, officer=officer_id, overdue=args.overdue, query=args.query, limit=args.limit)
    if args.json:
        _print_json(rows, out)
        return 0
    today = services.today()
    for r in rows:
        due = ""
        if r["next_due"]:
            left = (date.fromisoformat(r["next_due"]) - today).days
            due = f"{r['next_due_rule']} {'逾期' + str(-left) + '天' if left < 0 else '剩' + str(left) + '天'}"
        out.write(f"{r['case_no'] or r['id'][:12]:<24} {STAGE_ZH[Stage(r['stage'])]:<6} {r['title']}  {due}\n")
    out.write(f"共 {len(rows)} 件\n")
    return 0


def cmd_inbox(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    items = _session(services, args).inbox()
    if args.json:
        _print_json([i.as_dict() for i in items], out)
        return 0
    today = services.today()
    for i in items:
        due = ""
        if i.due:
            left = (i.due - today).days
            due = f"{i.due.isoformat()} {'逾期' + str(-left) + '天' if left < 0 else '剩' + str(left) + '天'}"
        out.write(f"{'！' if i.overdue else ' '} {i.task_title:<8} {i.case_no or i.case_id[:12]:<24} {i.title}  {due} {i.detail}\n")
    out.write(f"待办 {len(items)} 项，其中逾期 {sum(i.overdue for i in items)} 项\n")
    return 0


def cmd_show(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    view = _session(services, args).view(args.case)
    data = view.as_dict()
    if args.json:
        _print_json(data, out)
        return 0
    s = view.state
    out.write(f"{s.case_no or '（未立案）'}  {s.title}\n阶段：{data['stage_name']}    程序：{'简易' if s.procedure == 'simple' else '普通'}\n")
    if view.major:
        out.write("重大执法决定：" + "；".join(view.major) + "\n")
    out.write("期限：\n")
    for d in data["deadlines"]:
        unit = {"working": "个工作日", "months": "个月"}.get(d["day_type"], "日")
        out.write(f"  {d['name']}（{d['basis']}，{d['days']}{unit}）至 {d['due']}  [{d['status']}]\n")
    out.write("可办理：" + "、".join(a["title"] for a in data["allowed_actions"]) + "\n")
    for b in data["blocked_actions"]:
        out.write(f"受阻：{b['title']}：" + "；".join(r["message"] for r in b["reasons"]) + "\n")
    out.write("全过程记录：\n")
    for e in view.events:
        out.write(f"  {e.seq:>6} {e.at:%Y-%m-%d %H:%M} {services.permissions.title(e.kind)} {e.hash[:16]}\n")
    if s.decision and s.decision.get("fine_fen"):
        out.write(f"罚款：{format_yuan(int(s.decision['fine_fen']))}\n")
    return 0


MAX_JSON_DEPTH = 32  # no form or file nests deeper; past it a document is refused before anything reads it


def _json_object(raw: str, option: str) -> dict[str, Any]:
    """The JSON object given to ``option``, written out or as ``@file``."""
    if raw.startswith("@"):
        return _json_file(Path(raw[1:]), option)
    return _parse_json(raw, option)


def _json_file(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in the file ``path`` (UTF-8); ``what`` names it in a refusal."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"{what}：无法读取 {path}：{exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"{what}：{path} 不是 UTF-8 文本（第 {exc.start + 1} 个字节）") from None
    return _parse_json(text, what)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"JSON 中不能有 {name}")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"数值超出范围：{text[:30]}")
    return value


def _parse_json(text: str, what: str) -> dict[str, Any]:
    """A JSON object, refused (exit 2, naming ``what``) when it is not JSON, not an object, holds NaN or
    Infinity or a number too long to read, or nests deeper than :data:`MAX_JSON_DEPTH`."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise CliError(f"{what} 不是有效的 JSON：{exc}") from None
    except RecursionError:
        raise CliError(f"{what}：JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）") from None
    except ValueError as exc:  # NaN, Infinity, or an integer of thousands of digits
        raise CliError(f"{what} 不是有效的 JSON：{exc}") from None
    if not isinstance(value, dict):
        raise CliError(f"{what} 应为 JSON 对象（{{…}}），实际为 {type(value).__name__}")
    _check_shape(value, what)
    return value


def _check_shape(value: Any, what: str) -> None:
    """Refuse nesting past :data:`MAX_JSON_DEPTH` and text that is not Unicode (a lone surrogate such as
    ``"\\ud800"``, which no file or database can hold). Walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise CliError(f"{what}：JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）")
            if isinstance(item, dict):
                stack.extend((k, depth) for k in item)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise CliError(f"{what}：含有无效的 Unicode 字符（{item[:20]!r}）") from None


def cmd_do(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    payload = _json_object(args.data, "--data")
    session = _acting(services, args)
    result = _do(session, args.case, args.action, payload)
    # the case number or 文号 the step was given (a step on a case; a new case shows its number in ``show``)
    numbers = session.numbers_given(args.case, result) if args.case != "new" else []
    if args.json:
        _print_json({"result": result, "numbers": numbers}, out)
    else:
        out.write(f"{result}\n" + "".join(f"编号：{n}\n" for n in numbers))
    return 0


def _witness_problems(session, files: list[Path]) -> list:
    """Each case-file PDF's chain head and each bundle's events must still be in the record."""
    problems = []
    for path in files:
        if not path.is_file():
            raise InvalidInput.at("against", f"文件不存在：{path}")
        head = path.read_bytes()[:5]
        if head == b"%PDF-":
            marker = read_marker(path.read_bytes())
            if not marker.get("case"):
                raise InvalidInput.at("against", f"{path} 不是本系统导出的案卷（没有案卷标记）")
            problems += session.witness(path.name, [(marker["case"], h) for h in marker.get("head", "").split(",") if h])
        else:
            problems += session.bundle_witness(path)
    return problems


def _do(session: Session, case: str, action: str, payload: dict[str, Any]) -> str:
    """One action, as ``do`` takes it: on a case, or ``new`` for the acts that open a record."""
    if case != "new":
        return session.perform(case, action, payload)
    if action == "register_lead":
        return session.register_lead(payload)
    if action == "record_simple_decision":
        return session.record_simple_decision(payload)
    if action == "register_party":
        return session.register_party(payload).id
    if action == "register_officer":
        return session.register_officer(payload).id
    raise CliError("new 只能用于 register_lead、record_simple_decision、register_party、register_officer")


def cmd_batch(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    """Each line its own action and transaction, reported as ``line<TAB>result`` once committed; the first
    refusal stops the batch (the lines before it stay done) and names its line."""
    session = _acting(services, args)
    try:
        lines = contextlib.nullcontext(sys.stdin.buffer) if str(args.file) == "-" else args.file.open("rb")
    except OSError as exc:
        raise CliError(f"无法读取 {args.file}：{exc.strerror or exc}") from None
    with lines as source:
        for n, raw in enumerate(source, 1):
            if not raw.strip():
                continue
            try:
                result = _batch_line(session, raw, n)
            except BaseException:
                sys.stderr.write(f"第 {n} 行未办理（此前各行已办理）：\n")
                raise
            out.write(f"{n}\t{result}\n")
            out.flush()
    return 0


def _batch_line(session: Session, raw: bytes, n: int) -> str:
    where = f"第 {n} 行"
    try:
        item = _parse_json(raw.decode("utf-8"), where)
    except UnicodeDecodeError:
        raise CliError(f"{where} 不是 UTF-8 文本") from None
    case, data = item.get("case"), item.get("data", {})
    if not isinstance(case, str) or not isinstance(data, dict):
        raise CliError(f"{where}：case 应为案件编号（或 new），data 应为 JSON 对象")
    if "evidence" in item:
        if not isinstance(item["evidence"], str):
            raise CliError(f"{where}：evidence 应为文件名")
        return session.add_evidence(case, Path(item["evidence"]), data)
    if not isinstance(item.get("action"), str):
        raise CliError(f"{where}：缺少 action（或 evidence）")
    return _do(session, case, item["action"], data)


def cmd_evidence_add(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    details = _json_object(args.data, "--data")
    sha = _acting(services, args).add_evidence(args.case, args.file, details)
    _print_json({"result": sha}, out) if args.json else out.write(f"{sha}\n")
    return 0


def cmd_verify(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    session = _session(services, args)
    report = session.verify(args.case, _verify_progress(services), deep=args.deep)
    if args.against:
        report = dataclasses.replace(report, problems=(*report.problems, *_witness_problems(session, args.against)))
    if args.json:
        _print_json({"ok": report.ok, "events": report.events, "streams": report.streams, "evidence_files": report.evidence_files,
                     "chain_head": report.chain_head, "problems": [p.as_dict() for p in report.problems],
                     "notes": list(report.notes)}, out)
    else:
        out.write(f"记录 {report.events} 条，{report.streams} 个记录链，证据文件 {report.evidence_files} 个；链头 {report.chain_head}\n")
        for p in report.problems:
            where = " ".join(x for x in (p.case, f"第{p.seq}条" if p.seq else "", p.file[:12]) if x)
            out.write(f"问题：[{p.kind}] {where} {p.message}\n")
        for note in report.notes:
            out.write(f"说明：{note}\n")
        out.write("校验通过\n" if report.ok else f"校验未通过：{len(report.problems)} 个问题\n")
    return 0 if report.ok else EXIT_REFUSED


def _verify_progress(services: Services, every: float = 2.0):
    """How far verify has got, on standard error at most every ``every`` seconds (a hub's 30 million events take
    minutes): the events checked of those recorded, and the pace."""
    total = services.event_count()
    started = last = time.monotonic()

    def told(done: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < every:
            return
        last = now
        share = f"（{done * 100 // total}%）" if total else ""
        sys.stderr.write(f"已校验 {done:,} / {total:,} 条记录{share}，每秒 {done / (now - started):,.0f} 条…\n")
        sys.stderr.flush()

    return told


def _first_line(path: Path, what: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"无法读取{what} {path}：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CliError(f"{what} {path} 不是 UTF-8 文本") from None
    return text.splitlines()[0] if text else ""


def cmd_password_change(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    new = _first_line(args.new_password_file, "新密码文件")
    old = _password(args)
    _acting(services, args, old).change_password(old, new)
    out.write(f"{args.user} 的密码已修改；个人签名密钥不变\n")
    return 0


def cmd_password_reset(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    new = _first_line(args.new_password_file, "新密码文件")
    session = _acting(services, args)
    officer = services.officer_by_login(args.login)
    if officer is None:
        raise CliError(f"没有该用户：{args.login}", EXIT_REFUSED)
    session.reset_password(officer.id, new)
    out.write(f"已为 {args.login} 设置新密码并签发新的个人签名密钥；此前的签名仍以原密钥核验\n")
    return 0


def cmd_backup(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    target = _acting(services, args).backup(args.target)
    out.write(f"已备份到 {target}\n")
    return 0


def cmd_calendar_import(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    data = _json_file(args.file, "节假日安排文件")
    _acting(services, args).import_calendar(data.get("year"), data, args.file.name)
    out.write(f"已导入 {data.get('year')} 年的节假日安排\n")
    return 0


def cmd_policy_import(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    version = _json_file(args.file, "参数文件")
    _acting(services, args).set_policy(version)
    out.write(f"已导入参数版本 {version.get('version')}，自 {version.get('effective_from')} 起施行\n")
    return 0


def cmd_seal(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    """The agency's electronic seal image: set from a PNG (transparent, square-ish), or cleared."""
    session = _acting(services, args)
    if args.seal_command == "clear":
        session.set_agency({"seal_png": ""})
        out.write("已清除电子印章图片：文书印“（印章）”，打印后加盖实物印章\n")
        return 0
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise InvalidInput.at("file", f"无法读取印章图片 {args.file}：{exc.strerror or exc}") from exc
    session.set_agency({"seal_png": base64.b64encode(data).decode()})
    out.write(f"已设置电子印章图片（{len(data) // 1024} KB）：机关签章的案卷在签发的文书上加印\n")
    return 0


def cmd_power_list_import(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    for result in _acting(services, args).import_power_list(args.file):
        status = "已导入" if result["status"] == "imported" else "未改变（已导入过，内容相同）"
        out.write(f"{status}：权责清单版本 {result['version']}（{result['title']}，{result['powers']} 项职权），"
                  f"自 {result['effective_from']} 起施行\n")
    return 0


def cmd_power_list_show(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    day = args.on or services.today()
    in_force = power_list_on(day, services.power_list_versions())
    if in_force is None:
        raise CliError(f"{day.isoformat()} 没有生效的权责清单")
    value = in_force.value
    out.write(f"{value.title}（{value.agency}，版本 {in_force.version}，自 {in_force.effective_from.isoformat()} 起施行）\n")
    for power in value.powers:
        covered = "、".join([q.cite() for q in power.provisions] + list(power.entries))
        out.write(f"- {power.id}：{power.name}；范围：{covered}；职权来源：{power.source.describe()}\n")
    return 0


def cmd_rules_import(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    result = _acting(services, args).import_benchmarks(args.file)
    if args.json:
        out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    elif result["status"] == "unchanged":
        out.write(f"未改变：{result['title']} 已导入过，内容相同\n")
    else:
        out.write(f"已导入：{result['title']}，{result['entries']} 个条目，SHA-256 {result['sha256']}\n")
    return 0


def cmd_rules_export(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    if args.out.exists():
        raise CliError(f"{args.out} 已存在，未覆盖")
    benchmark = _session(services, args).export_benchmarks(args.set_id, args.out, args.version)
    out.write(f"已导出：{benchmark.title} → {args.out}\n")
    return 0


def cmd_bundle_export(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    result = _acting(services, args).export_bundle(args.out, cases=args.case or None, query=args.query, to_device=args.to_device,
                                                   encrypt=not args.plain)
    out.write(f"已导出 {result.path}：{result.cases} 件案件，{result.events} 条记录，{result.evidence_files} 个证据文件，"
              f"{result.bytes / 1e6:.1f} MB\n")
    return 0


def cmd_bundle_import(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    # a machine with no users yet is set up by its first bundle, received by the system (nobody to authenticate)
    session = _acting(services, args) if services.officers() else services.bundle_receiver(args.user)
    result = session.import_bundle(args.file, trust_new=args.trust_new_device)
    if args.json:
        _print_json(result.as_dict(), out)
        return 0
    out.write(f"来自设备 {result.from_name or result.from_device}：新增 {result.new_events} 条记录"
              f"（{result.known_events} 条已有），新案件 {len(result.new_cases)} 件，更新案件 {len(result.updated_cases)} 件，"
              f"证据文件 {result.evidence_files} 个\n")
    for line in result.approvals:
        out.write(f"  审批/审核：{line}\n")
    for line in result.conflicts:
        out.write(f"  冲突（未覆盖）：{line}\n")
    return 0


def cmd_bundle_devices(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    if args.set_name:
        _acting(services, args).name_device(args.set_name)
    rows = services.peers()
    if args.json:
        _print_json(rows, out)
        return 0
    own = services.device_info()
    out.write(f"本机：{own['name']}（{own['device_id']}），密钥指纹 {own['fingerprint']}\n")
    out.write(f"本机公钥（登记到汇聚节点时用）：{own['public_key']}\n")
    for r in rows:
        out.write(f"  {r['device_id']}  {r['name']}  已发送至第{r['sent_upto_seq']}条  收到{r['bundles_received']}个包\n")
    return 0


def cmd_restore(services: Services | None, args: argparse.Namespace, out: TextIO) -> int:
    # no database is open (the one restored may be lost): the restoring user is an administrator of the backed-up record
    target = restore(args.backup, args.target, args.user, _password(args))
    out.write(f"已恢复到 {target}\n")
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    # argparse and the discretion commands write to sys.stderr: to the caller's err, like every refusal
    with contextlib.redirect_stderr(err):
        return _run(argv, out, err)


def _ask_device_passphrase() -> str | None:
    """Where the OS has no keyring, the device key is a passphrase-protected file: asked at a terminal only."""
    return getpass.getpass("本机设备密钥的口令：") if sys.stdin is not None and sys.stdin.isatty() else None


def _run(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> int:
    keystore.passphrase_prompt = _ask_device_passphrase
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(out):  # --help
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if getattr(args, "handler", None) is not None:  # discretion and rules commands
            with Services(args.db_path or default_db_path()) as services:
                return args.handler(args, services.policy_on(services.today()), services.benchmarks(), out)
        if not getattr(args, "needs_db", True):
            return args.func(None, args, out)
        with Services(args.db_path or default_db_path()) as services:
            return args.func(services, args, out)
    except CliError as exc:
        err.write(f"错误：{exc}\n")
        return exc.code
    except PermissionDenied as exc:
        err.write("无权办理：\n" + "".join(f"  - {r.message}\n" for r in exc.refusals))
        return EXIT_REFUSED
    except BenchmarkFormatError as exc:
        err.write(f"裁量基准文件未通过校验（{len(exc.issues)} 处问题），整份未导入：\n" + "".join(f"  - {i}\n" for i in exc.issues))
        return EXIT_INPUT
    except InvalidInput as exc:
        err.write("输入有误：\n" + "".join(f"  - {r.field + '：' if r.field else ''}{r.message}\n" for r in exc.refusals))
        return EXIT_INPUT
    except RuleViolation as exc:
        err.write("不能办理：\n" + "".join(f"  - {r.message}\n" for r in exc.refusals))
        return EXIT_REFUSED
    except NotFound as exc:
        err.write(f"错误：{exc.args[0] if exc.args else exc}\n")
        return EXIT_INPUT
    except (OSError, ValueError) as exc:
        err.write(f"错误：{exc}\n")
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
