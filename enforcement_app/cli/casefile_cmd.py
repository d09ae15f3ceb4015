"""``enforcement-cli export-pdf``, ``evaluate`` and ``verify-pdf``: case files and their evaluation."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..casefile import RenderedCaseFile, find_font, render_case_file, verify_pdf
from ..domain.calendar import FIRST_YEAR, LAST_YEAR
from ..domain.case import Stage
from ..domain.evaluation import Sheet, conclusion_zh, mark_zh
from ..domain.refusals import InvalidInput, NotFound, RuleViolation
from ..services.api import Services, Session

SessionOf = Callable[[Services, argparse.Namespace], Session]
EXIT_REFUSED, EXIT_INPUT = 1, 2


def year(text: str) -> int:
    """An argparse type: a year the record can hold (a 30-digit or negative year is a typo)."""
    if not (text.isascii() and text.isdecimal() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        raise argparse.ArgumentTypeError(f"年度应为 {FIRST_YEAR} 至 {LAST_YEAR} 之间的整数，实际为 {text[:30]!r}")
    return int(text)


def add_parsers(sub: Any, session_of: SessionOf, acting_of: SessionOf) -> None:
    """``session_of`` opens the session of a command that only reads; ``acting_of`` that of one that writes
    to the record (the user authenticates)."""
    p = sub.add_parser("export-pdf", help="导出案卷 PDF：单个案件，或按条件批量导出")
    p.add_argument("case", nargs="?", help="案件编号或案件ID（批量导出时省略）")
    p.add_argument("--out", type=Path, help="单个案卷的输出文件")
    p.add_argument("--out-dir", type=Path, help="批量导出的输出目录")
    p.add_argument("--stage", choices=[s.value for s in Stage], help="批量：只导出该阶段的案件")
    p.add_argument("--year", type=year, help="批量：结案（未结案的按登记）年度")
    p.add_argument("--query", help="批量：检索词")
    p.add_argument("--font", help="中文 TrueType 字体文件（.ttf/.ttc，集合可写 路径#序号），用于全部文字；"
                                  "或按用途分别指定：title=标题字体,body=正文字体,heading=标签字体,mono=哈希字体（未指定的用途照常查找）")
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    p.add_argument("--paper-seal", action="store_true", help="打印后加盖实物印章：文书印“（印章）”，不用电子印章图片")
    p.set_defaults(func=lambda services, args, out: cmd_export(services, args, out, session_of))

    p = sub.add_parser("evaluate", help="案卷评查：显示评查表（系统建议与评查人员评定），或记录评查人员的评定")
    p.add_argument("case", help="案件编号或案件ID")
    p.add_argument("--record", metavar="JSON", help='记录评定（草稿）：{"项目编号": {"score": 分, "comment": "理由"}, "否决项编号": {"veto": false}, '
                                                   '"采纳建议的项目编号": {"confirm": true}} 或 @文件')
    p.add_argument("--final", action="store_true", help="作为最终评查结论记录（须每项均已评定）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda services, args, out: cmd_evaluate(services, args, out, acting_of if args.record else session_of))

    p = sub.add_parser("verify-pdf", help="核对导出的案卷 PDF 与数据库记录是否一致")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda services, args, out: cmd_verify_pdf(services, args, out, session_of))


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "case"


def _write(path: Path, data: bytes, force: bool) -> None:
    if path.exists() and not force:
        raise FileExistsError(f"{path} 已存在，未覆盖（加 --force 覆盖）")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def _data(session, case: str, args: argparse.Namespace):
    data = session.case_file_data(case)
    return dataclasses.replace(data, paper_seal=True) if args.paper_seal else data


def cmd_export(services: Services, args: argparse.Namespace, out: TextIO, session_of: SessionOf) -> int:
    session = session_of(services, args)
    font = find_font(args.font)
    if font.note:
        print(f"警告：{font.note}", file=sys.stderr)
    if args.case:
        if args.out is None:
            raise InvalidInput.at("--out", "导出单个案卷须指定 --out 文件")
        start = time.perf_counter()
        rendered = render_case_file(_data(session, args.case, args), font)
        _write(args.out, rendered.pdf, args.force)
        _say_missing_glyphs(rendered, args.out.name)
        out.write(f"已导出 {args.out}：{len(rendered.documents)} 件文书，共 {rendered.pages} 页（编号 {rendered.numbered_pages} 页），"
                  f"{time.perf_counter() - start:.2f} 秒\n")
        _say_signature(rendered, out)
        return 0
    if args.out_dir is None:
        raise InvalidInput.at("--out-dir", "批量导出须指定 --out-dir 目录（或给出案件编号导出单个案卷）")
    rows = session.list_cases(stage=args.stage, query=args.query, year=args.year, order="case_no, id")
    if not rows:
        out.write("没有符合条件的案件\n")
        return 0
    start, pages, failures = time.perf_counter(), 0, []
    for n, row in enumerate(rows, 1):
        name = _safe_name(row["case_no"] or row["id"]) + ".pdf"
        try:
            rendered = render_case_file(_data(session, row["id"], args), font)
            _write(args.out_dir / name, rendered.pdf, args.force)
            _say_missing_glyphs(rendered, name)
            pages += rendered.pages
        except (OSError, RuleViolation, NotFound, ValueError) as exc:  # one bad case does not stop the batch
            failures.append((row["case_no"] or row["id"], str(exc)))
        done = int(30 * n / len(rows))
        print(f"\r[{'#' * done}{'.' * (30 - done)}] {n}/{len(rows)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    elapsed = time.perf_counter() - start
    out.write(f"导出 {len(rows) - len(failures)}/{len(rows)} 个案卷到 {args.out_dir}，共 {pages} 页，{elapsed:.1f} 秒"
              f"（{pages / elapsed if elapsed else 0:.0f} 页/秒）\n")
    for case, message in failures:
        out.write(f"  失败：{case}：{message}\n")
    if pages:
        _say_signature(rendered, out)
    return EXIT_REFUSED if failures else 0


def _say_missing_glyphs(rendered: RenderedCaseFile, name: str) -> None:
    """Characters of the text that none of the faces has print as empty boxes: say which, and where."""
    if rendered.missing_glyphs:
        print(f"\n警告：{name} 中的字符 {rendered.missing_glyphs} 在所用字体中均无字形，印出为空框；"
              "可用 --font 指定含这些字符的 TrueType 字体。", file=sys.stderr)


def _say_signature(rendered: RenderedCaseFile, out: TextIO) -> None:
    """Which certificate signed the files (the fingerprint users compare in their PDF reader), or why not."""
    if rendered.signed_by:
        out.write(f"执法主体电子签章（自签名证书，SHA-256 指纹 {rendered.signed_by}）\n")
    else:
        print("警告：本机没有此数据库的设备密钥或尚未设置执法主体，案卷未加执法主体电子签章", file=sys.stderr)


def print_sheet(sheet: Sheet, out: TextIO) -> None:
    group_zh = {"veto": "否决项", "form": "卷面", "content": "内容"}
    out.write(f"{sheet.standard.name}（{sheet.standard.version}）\n")
    out.write(f"  {'项目':<24} {'系统建议':>8} {'评定':>8}\n")
    for line in sheet.lines:
        out.write(f"  [{group_zh[line.item.group]}] {line.item.id:<22} {mark_zh(line, line.suggestion):>6} {mark_zh(line, line.decision):>6}"
                  f"  {line.item.title}\n")
        if line.evidence:
            out.write(f"        依据：{line.evidence}\n")
        if line.comment:
            out.write(f"        评查意见：{line.comment}\n")
    out.write(f"结论：{conclusion_zh(sheet)}\n")


def cmd_evaluate(services: Services, args: argparse.Namespace, out: TextIO, session_of: SessionOf) -> int:
    session = session_of(services, args)
    if args.record:
        raw = args.record
        if raw.startswith("@"):
            try:
                raw = Path(raw[1:]).read_text(encoding="utf-8")
            except OSError as exc:
                raise InvalidInput.at("--record", f"无法读取 {raw[1:]}：{exc.strerror}") from None
        try:
            scores = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidInput.at("--record", f"不是有效的 JSON：{exc}") from None
        if not isinstance(scores, dict):
            raise InvalidInput.at("--record", "应为 JSON 对象：{项目编号: {score, comment}}")
        sheet = session.record_evaluation(args.case, scores, final=args.final)
    else:
        sheet = session.evaluation_sheet(args.case)
    if args.json:
        out.write(json.dumps(sheet.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_sheet(sheet, out)
    return 0


def cmd_verify_pdf(services: Services, args: argparse.Namespace, out: TextIO, session_of: SessionOf) -> int:
    if not args.file.is_file():
        raise InvalidInput.at("file", f"文件不存在：{args.file}")
    check = verify_pdf(session_of(services, args), args.file)
    if args.json:
        out.write(json.dumps(check.__dict__, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(("一致：" if check.ok else "不一致：") + check.message + "\n")
    return 0 if check.ok else EXIT_REFUSED
