"""``enforcement-cli discretion`` and ``enforcement-cli rules``: argparse glue over ``discretion``.

Handlers have the CLI's common signature ``handler(args, policy, library, out) -> int`` (``library``: the
benchmark sets of the database in use, shipped plus imported); refusals go to stderr in
Chinese with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ..domain.discretion import (
    Assessment,
    BaseKind,
    BenchmarkLibrary,
    CaseFacts,
    PenaltyCheck,
    assess,
    check_penalty,
    load_benchmark_file,
    load_catalogue,
)
from ..domain.discretion.circumstances import FORMAT as CATALOGUE_FORMAT
from ..domain.discretion.model import BASE_ZH
from ..domain.money import Fen, parse_yuan
from ..domain.penalties import PENALTY_KIND_ZH, PartyKind, PenaltyKind
from ..domain.policy import AgencyPolicy
from ..domain.refusals import NotFound, RuleViolation

EXIT_INPUT = 2
_BASE_BY_NAME = {**{b.value: b for b in BaseKind}, **{zh: b for b, zh in BASE_ZH.items()}}


def add_parsers(subparsers: Any) -> Any:
    """Add ``discretion`` and ``rules {list,validate}`` to the main CLI's subparsers; returns the
    ``rules`` sub-command set so that the main CLI can add the commands that write to the database."""
    p = subparsers.add_parser("discretion", help="按行政裁量权基准计算建议处罚")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--entry", help="裁量基准条目编号，如 food_safety_124_1_5")
    which.add_argument("--basis", help="处罚依据，如 “食品安全法 第一百二十四条第一款第（五）项”")
    p.add_argument("--fact", action="append", default=[], metavar="名称=金额",
                   help="基数事实（元），如 goods_value=1200；可重复")
    p.add_argument("--party", choices=[k.value for k in PartyKind], default=PartyKind.ORGANISATION.value,
                   help="当事人类型（默认 organisation）")
    p.add_argument("--circumstance", action="append", default=[], metavar="情节",
                   help="情节编号或名称，可重复")
    p.add_argument("--act-date", help="违法行为发生日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--decision-date", help="作出决定日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--fine", help="拟处罚款（元）：检查是否超出法定幅度或偏离基准")
    p.add_argument("--reason", default="", help="偏离裁量基准的书面理由")
    p.add_argument("--rules", action="append", default=[], metavar="FILE", help="另加裁量基准文件，可重复")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(handler=run_discretion)

    rules = subparsers.add_parser("rules", help="裁量基准文件")
    sub = rules.add_subparsers(dest="rules_command", required=True)
    listing = sub.add_parser("list", help="列出裁量基准条目及其依据")
    listing.add_argument("--date", help="只列该日生效的条目 YYYY-MM-DD")
    listing.add_argument("--rules", action="append", default=[], metavar="FILE", help="另加裁量基准文件")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    listing.set_defaults(handler=run_rules_list)
    validate = sub.add_parser("validate", help="校验裁量基准文件或情节目录文件")
    validate.add_argument("file")
    validate.set_defaults(handler=run_rules_validate)
    return sub


class _InputError(Exception):
    pass


def _date(text: str | None, option: str) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _InputError(f"{option} 日期格式应为 YYYY-MM-DD，实际为 {text!r}") from None


def _facts(items: Sequence[str]) -> dict[BaseKind, Fen]:
    bases: dict[BaseKind, Fen] = {}
    for item in items:
        name, sep, value = item.partition("=")
        base = _BASE_BY_NAME.get(name.strip())
        if not sep or base is None:
            known = "、".join(f"{b.value}（{b.zh}）" for b in BaseKind)
            raise _InputError(f"--fact 应写成 名称=金额（元），名称为 {known} 之一，实际为 {item!r}")
        try:
            bases[base] = parse_yuan(value)
        except ValueError as exc:
            raise _InputError(f"--fact {name}：{exc}") from None
    return bases


def _library(files: Sequence[str], base: BenchmarkLibrary) -> BenchmarkLibrary:
    library = base
    if files:
        library = library.with_sets(load_benchmark_file(Path(f), library.catalogue) for f in files)
    return library


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return EXIT_INPUT


def _refused(exc: RuleViolation) -> int:
    bases = {b.value for b in BaseKind}
    for refusal in exc.refusals:  # a base amount missing: the option that gives it
        how = f"（--fact {refusal.field}=金额）" if refusal.field in bases else ""
        print(f"错误：{refusal.message}{how}", file=sys.stderr)
    return EXIT_INPUT


def _entry_id(args: argparse.Namespace, library: BenchmarkLibrary, day: date) -> str:
    if args.entry:
        return str(args.entry)
    found = library.find_by_basis(args.basis, day)
    if not found:
        raise _InputError(f"没有处罚依据为 {args.basis} 的裁量基准条目（可用 rules list 查看）")
    if len(found) > 1:
        choices = "\n".join(f"  {e.id}  {e.penalty_basis.cite()}  {e.cause}" for e in found)
        raise _InputError(f"{args.basis} 对应多个条目，请用 --entry 指定或写明款、项：\n{choices}")
    return found[0].id


def run_discretion(args: argparse.Namespace, policy: AgencyPolicy, base: BenchmarkLibrary, out: TextIO) -> int:
    try:
        act = _date(args.act_date, "--act-date")
        decided = _date(args.decision_date, "--decision-date")
        library = _library(args.rules, base)
        entry_id = _entry_id(args, library, act)
        facts = CaseFacts(
            party_kind=PartyKind(args.party),
            act_date=act,
            decision_date=decided,
            bases=_facts(args.fact),
            circumstances=tuple(args.circumstance),
        )
        assessment = assess(library, entry_id, facts, policy)
        check = None
        if args.fine is not None:
            try:
                fine = parse_yuan(args.fine)
            except ValueError as exc:
                raise _InputError(f"--fine：{exc}") from None
            check = check_penalty(assessment, fine, args.reason)
    except _InputError as exc:
        return _fail(str(exc))
    except RuleViolation as exc:
        return _refused(exc)
    except NotFound as exc:
        return _fail(str(exc))
    if args.json:
        document = assessment.to_json()
        if check is not None:
            document["check"] = {
                "accepted": check.accepted,
                "deviation": check.deviation,
                "legal_review": check.legal_review,
                "refusals": [r.as_dict() for r in check.refusals],
                "messages": list(check.messages),
            }
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        _print_assessment(assessment, check, out)
    if check is not None and not check.accepted:
        for refusal in check.refusals:
            print(f"不予通过：{refusal.message}", file=sys.stderr)
        return EXIT_INPUT
    return 0


def _kinds(kinds: frozenset[PenaltyKind]) -> str:
    return "、".join(PENALTY_KIND_ZH[k] for k in PenaltyKind if k in kinds) or "无"


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _print_assessment(a: Assessment, check: PenaltyCheck | None, out: TextIO) -> None:
    lines = [
        f"条目：{a.entry}　{a.cause}",
        f"裁量基准：{a.benchmark_id}（{a.benchmark_version}）",
        f"处罚依据：{a.penalty_basis}",
        f"法定罚款幅度：{a.statutory_range.describe(a.max_only)}",
        f"裁量阶次：{a.grade.zh}",
        f"建议罚款：{a.recommended_range.describe() if a.recommended_range else '不予处罚'}",
        f"处罚种类：{_kinds(a.penalty_kinds)}" + (f"（可选：{_kinds(a.alternatives)}）" if a.alternatives else ""),
        "措施：" + ("；".join(m.text for m in a.measures) or "无"),
    ]
    if a.responsible_person and a.responsible_person.recommended_range:
        lines.append(f"责任人员罚款（每人）：建议 {a.responsible_person.recommended_range.describe()}")
    lines += [
        f"适用简易程序：{_yes(a.simple_procedure.applies)}",
        f"告知听证权利：{_yes(a.hearing_right.applies)}",
        f"重大执法决定（须法制审核）：{_yes(a.major.applies)}",
        "说明：",
        *(f"  - {line}" for line in a.explanation),
    ]
    if check is not None:
        lines.append(f"拟处罚款检查：{'通过' if check.accepted else '不予通过'}"
                     + ("；须法制审核" if check.legal_review else ""))
        lines += [f"  - {m}" for m in check.messages]
        lines += [f"  - {r.message}" for r in check.refusals]
    out.write("\n".join(lines) + "\n")


def run_rules_list(args: argparse.Namespace, policy: AgencyPolicy, base: BenchmarkLibrary, out: TextIO) -> int:
    try:
        day = _date(args.date, "--date") if args.date else None
        library = _library(args.rules, base)
    except _InputError as exc:
        return _fail(str(exc))
    except RuleViolation as exc:
        return _refused(exc)
    rows = [
        {
            "id": entry.id,
            "cause": entry.cause,
            "penalty_basis": [b.cite() for b in entry.penalty_bases],
            "violation_basis": [b.cite() for b in entry.violation_basis],
            "benchmark_id": benchmark.id,
            "benchmark_version": benchmark.version,
            "effective_from": benchmark.effective_from.isoformat(),
            "effective_to": benchmark.effective_to.isoformat() if benchmark.effective_to else None,
        }
        for benchmark, entry in library.entries(day)
    ]
    if args.json:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for row in rows:
        out.write(f"{row['id']}\t{'、'.join(row['penalty_basis'])}\t{row['cause']}\n")
    out.write(f"共 {len(rows)} 个条目\n")
    return 0


def run_rules_validate(args: argparse.Namespace, policy: AgencyPolicy, base: BenchmarkLibrary, out: TextIO) -> int:
    path = Path(args.file)
    try:
        with path.open(encoding="utf-8") as fh:
            kind = json.load(fh).get("format")
    except (OSError, ValueError, AttributeError):
        kind = None  # the loader below reports the exact problem with the file
    try:
        if kind == CATALOGUE_FORMAT:
            catalogue = load_catalogue(path)
            out.write(f"有效：{path} 情节目录，{len(catalogue.circumstances)} 个情节\n")
            return 0
        benchmark = load_benchmark_file(path, base.catalogue)
    except RuleViolation as exc:
        print(f"文件 {path} 未通过校验，共 {len(exc.refusals)} 处问题：", file=sys.stderr)
        return _refused(exc)
    out.write(
        f"有效：{path} {benchmark.title}，生效日期 {benchmark.effective_from.isoformat()}，"
        f"{len(benchmark.entries)} 个条目\n"
    )
    return 0


