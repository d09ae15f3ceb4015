"""Case-file evaluation (案卷评查): the standard as data, the items the record can judge, the score sheet.

A standard (``resources/evaluation/*.json``, versioned by effective date) has veto items (any one found
makes the file fail with 0 points) and scored items (form 20 + content 80 in the shipped default). Items
marked ``auto`` are judged here from the case as recorded, each with the evidence for the finding; the
evaluator scores the rest. The sheet's total never goes below zero and never above an item's points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..resources import load_json, resource_path
from .case import CaseState, Outcome, Procedure, Proposal, Stage
from .discretion.grades import Grade
from .money import format_range, format_yuan
from .procedure import ART59, Context, deadlines_of, title_of
from .refusals import InvalidInput
from .review import major_reasons, review_refusals
from .versioning import parse_date

GROUPS = ("veto", "form", "content")


@dataclass(frozen=True)
class Item:
    id: str
    group: str
    title: str
    points: int = 0
    auto: str | None = None


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    version: str
    effective_from: date
    effective_to: date | None
    description: str
    items: tuple[Item, ...]

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    @property
    def max_score(self) -> int:
        return sum(i.points for i in self.items)


def parse_standard(data: Mapping[str, Any], where: str) -> Standard:
    problems: list[str] = []
    items: list[Item] = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("items") or []):
        at = f"{where}: items[{n}]"
        item_id, group = str(raw.get("id", "")), str(raw.get("group", ""))
        if not item_id or item_id in seen:
            problems.append(f"{at}.id 缺少或重复：{item_id!r}")
        if group not in GROUPS:
            problems.append(f"{at}.group 应为 {'、'.join(GROUPS)} 之一，实际为 {group!r}")
        points = raw.get("points", 0)
        if not isinstance(points, int) or points < 0 or (group != "veto" and points == 0):
            problems.append(f"{at}.points 应为正整数（否决项不计分）")
        auto = raw.get("auto")
        if auto is not None and auto not in CHECKS:
            problems.append(f"{at}.auto 未知的自动评定项 {auto!r}（可用：{'、'.join(CHECKS)}）")
        seen.add(item_id)
        items.append(Item(item_id, group, str(raw.get("title", "")), int(points or 0), auto))
    if not items:
        problems.append(f"{where}: 没有评查项目")
    try:
        start = parse_date(data.get("effective_from"), f"{where}.effective_from") or date.min
        if start == date.min:
            problems.append(f"{where}.effective_from 不能为空")
        end = parse_date(data["effective_to"], f"{where}.effective_to") if data.get("effective_to") else None
    except ValueError as exc:
        problems.append(str(exc))
        start, end = date.min, None
    if problems:
        raise InvalidInput.at(where, "；".join(problems))
    return Standard(str(data.get("id")), str(data.get("name", "")), str(data.get("version", "")), start, end,
                    str(data.get("description", "")), tuple(items))


def shipped_standards() -> tuple[Standard, ...]:
    folder = resource_path("evaluation")
    return tuple(parse_standard(load_json("evaluation", p.name), p.name) for p in sorted(folder.glob("*.json")))


def standard_on(day: date, standards: tuple[Standard, ...] | None = None) -> Standard:
    """The standard in force on ``day`` (the latest-starting one), else the earliest."""
    pool = standards or shipped_standards()
    valid = [s for s in pool if s.effective_from <= day and (s.effective_to is None or day <= s.effective_to)]
    return max(valid, key=lambda s: s.effective_from) if valid else min(pool, key=lambda s: s.effective_from)


# --- the checks the record can make ----------------------------------------------------------------------

Verdict = tuple[bool | None, str]  # (passed, evidence); None: the record cannot say
INVESTIGATIVE = ("record_inspection", "record_inquiry", "record_sampling")


def _two_officers(state: CaseState, ctx: Context) -> Verdict:
    lines, ok = [], True
    for step in state.steps:
        if step.kind not in INVESTIGATIVE:
            continue
        names = []
        officers = list(step.payload.get("officers", []))
        for officer_id in officers:
            officer = ctx.officers.get(officer_id)
            cert = officer.certificate_on(step.day) if officer else None
            names.append(f"{officer.name if officer else officer_id} {cert.certificate_no if cert else '（无有效证件）'}")
            ok &= cert is not None
        shown = bool(step.payload.get("certificates_shown"))
        ok &= len(officers) >= 2 and shown
        lines.append(f"{title_of(step.kind)}（{step.day.isoformat()}）：{'、'.join(names)}{'，已出示证件' if shown else '，未记载出示证件'}")
    if not lines:
        return (None if state.procedure == Procedure.SIMPLE else False), "没有调查取证记录"
    return ok, "；".join(lines)


def _legal_order(state: CaseState, ctx: Context) -> Verdict:
    issues = []
    if state.procedure == Procedure.SIMPLE:
        return True, "简易程序当场作出决定"
    filed = state.filed_on
    for step in state.steps:
        if step.kind in INVESTIGATIVE and (filed is None or step.day < filed):
            issues.append(f"{title_of(step.kind)}（{step.day.isoformat()}）早于立案")
    if state.decision and state.outcome == Outcome.PENALTY:
        if state.notice_served_on is None:
            issues.append("作出处罚决定前未送达告知书")
        elif state.decided_on and state.decided_on < state.notice_served_on:
            issues.append("决定日期早于告知书送达日期")
    if state.decision and state.report is None:
        issues.append("没有调查终结报告")
    order = " → ".join(dict.fromkeys(title_of(s.kind) for s in state.steps if s.kind in _ORDER_KINDS))
    return (not issues), ("；".join(issues) if issues else f"记录顺序：{order}")


_ORDER_KINDS = frozenset({"register_lead", "approve_filing", "record_inspection", "record_inquiry", "submit_investigation_report",
                          "record_legal_review", "issue_prior_notice", "record_statement", "hold_hearing", "make_decision",
                          "record_payment", "close_case", "archive_case"})  # the steps whose order an evaluator checks


def _deadlines_met(state: CaseState, ctx: Context) -> Verdict:
    late, lines = [], []
    for d in deadlines_of(state, ctx):
        if d.owner != "agency":
            continue
        end = d.met_on or ctx.today
        if end > d.due and (d.met_on is not None or state.open):
            late.append(f"{d.name}应于{d.due.isoformat()}前完成，{'实际' + d.met_on.isoformat() if d.met_on else '至今未完成'}")
        else:
            lines.append(f"{d.name}：期限{d.due.isoformat()}{'（含批准延长' + str(d.extended_days) + '日）' if d.extended_days else ''}，"
                         f"{'于' + d.met_on.isoformat() + '完成' if d.met_on else '未届满'}")
    return (not late), "；".join(late or lines) or "无适用期限"


def _review_when_required(state: CaseState, ctx: Context) -> Verdict:
    if state.decision is None:
        return None, "尚未作出决定"
    proposal = Proposal.from_payload(state.decision)
    reasons = major_reasons(state, ctx.policy, proposal)
    if not reasons:
        return True, "非重大执法决定，无须法制审核"
    refused = review_refusals(state, ctx.policy, proposal)
    review = state.review or {}
    because = "；".join(r.message for r in reasons)
    if refused:
        return False, f"属重大执法决定（{because}），但{refused[0].message}"
    return True, f"属重大执法决定（{because}），法制审核于{review.get('on', '')}通过，共{len(state.review_rounds)}轮"


def _benchmark(state: CaseState, ctx: Context) -> Verdict:
    decision = state.decision or {}
    if not decision or decision.get("outcome") not in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        return None, "无处罚决定"
    bench = state.benchmark
    if bench:
        note = f"适用{bench.get('set_title') or bench.get('set', '')}条目{bench.get('entry', '')}，建议{_grade_zh(bench.get('grade'))}"
        if bench.get("deviation"):
            reason = decision.get("deviation_reason") or (state.report or {}).get("deviation_reason", "")
            return bool(reason), f"{note}；偏离裁量基准，理由：{reason or '未说明'}"
        return True, note
    text = decision.get("discretion") or (state.report or {}).get("discretion", "")
    return bool(text), (f"裁量说明：{text}" if text else "未说明裁量基准适用情况")


def _grade_zh(grade: Any) -> str:
    return Grade(grade).zh if grade in set(Grade) else str(grade)


def _fine_in_range(state: CaseState, ctx: Context) -> Verdict:
    bench = state.benchmark
    decision = state.decision or {}
    if not bench or not decision:
        return None, "未记录裁量基准测算，由评查人员判断"
    low, high = bench.get("statutory_range_fen") or (0, 0)
    fine = int(decision.get("fine_fen", 0))
    if fine > high:
        return False, f"罚款{format_yuan(fine)}超过法定最高限{format_yuan(high)}"
    note = "（减轻处罚，已说明理由）" if fine < low and fine else ""
    return True, f"罚款{format_yuan(fine)}，法定幅度{format_range(low, high)}{note}；依据{bench.get('penalty_basis', '')}"


def _decision_contents(state: CaseState, ctx: Context) -> Verdict:
    decision = state.decision
    if decision is None:
        return None, "尚未作出决定"
    required = ART59 if decision.get("outcome") == Outcome.PENALTY.value else {k: ART59[k] for k in ("party_name", "facts", "agency_name")}
    missing = [label for key, label in required.items() if not str(decision.get(key, "")).strip()]
    if missing:
        return False, "缺少：" + "、".join(missing)
    return True, f"决定书{decision.get('document_no', '')}载明第五十九条各项"


def _facts_backed(state: CaseState, ctx: Context) -> Verdict:
    decision = state.decision
    if decision is None:
        return None, "尚未作出决定"
    cited = list(decision.get("evidence", []))
    known = {e.get("sha256") for e in state.evidence}
    if decision.get("outcome") != Outcome.PENALTY.value:
        return True, "非处罚决定"
    if not cited:
        return False, "决定书未列明证据"
    unknown = [c for c in cited if c not in known]
    if unknown:
        return False, f"决定书引用的{len(unknown)}项证据不在本案证据登记中"
    return True, f"决定书列明的{len(cited)}项证据均已登记（SHA-256 可核验）"


def _service(state: CaseState, ctx: Context) -> Verdict:
    names = {"prior_notice": "告知书", "decision": "决定书", "hearing_notice": "听证通知书"}
    if not state.documents_issued:
        return None, "没有需送达的文书"
    missing = [names.get(d, d) for d in state.documents_issued if d not in state.documents_served]
    lines = [f"{names.get(d, d)}：{s.get('on', '')}{'，受送达人签收' if s.get('receipt_signed') else ''}"
             for d, s in state.documents_served.items()]
    if missing:
        return False, "未送达：" + "、".join(missing)
    return True, "；".join(lines)


def _payment(state: CaseState, ctx: Context) -> Verdict:
    if state.amount_due_fen <= 0:
        return None, "无罚没款"
    if state.paid_fen >= state.amount_due_fen:
        receipts = "、".join(str(p.get("receipt_no", "")) for p in state.payments)
        return True, f"应缴{format_yuan(state.amount_due_fen)}，已缴{format_yuan(state.paid_fen)}（凭证{receipts}）"
    if state.court_enforcement:
        return True, f"已申请{state.court_enforcement.get('court', '人民法院')}强制执行"
    return False, f"应缴{format_yuan(state.amount_due_fen)}，已缴{format_yuan(state.paid_fen)}"


def _generated(state: CaseState, ctx: Context) -> Verdict:
    return True, "案卷由系统按规定顺序生成封面、卷内目录、页码与备考表，一案一卷"


def _archived(state: CaseState, ctx: Context) -> Verdict:
    if state.stage == Stage.ARCHIVED:
        return True, f"已归档，档号{state.archive_no}"
    return False, "尚未归档"


CHECKS: dict[str, Callable[[CaseState, Context], Verdict]] = {
    "two_officers_certified": _two_officers,
    "legal_order": _legal_order,
    "deadlines_met": _deadlines_met,
    "legal_review_when_required": _review_when_required,
    "benchmark_applied": _benchmark,
    "fine_within_statutory_range": _fine_in_range,
    "decision_contents": _decision_contents,
    "facts_backed_by_evidence": _facts_backed,
    "service_receipts": _service,
    "payment_recorded": _payment,
    "case_file_generated": _generated,
    "archived": _archived,
}


# --- the sheet -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    item: Item
    auto: bool
    passed: bool | None  # veto lines: True = no veto ground found
    score: int | None  # None until scored
    evidence: str
    comment: str = ""


@dataclass(frozen=True)
class Sheet:
    standard: Standard
    lines: tuple[Line, ...]
    evaluator: str = ""
    on: str = ""

    @property
    def vetoed(self) -> bool:
        return any(line.item.group == "veto" and line.passed is False for line in self.lines)

    @property
    def complete(self) -> bool:
        return all(line.passed is not None if line.item.group == "veto" else line.score is not None for line in self.lines)

    @property
    def total(self) -> int:
        if self.vetoed:
            return 0
        return sum(line.score or 0 for line in self.lines if line.item.group != "veto")

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard": {"id": self.standard.id, "name": self.standard.name, "version": self.standard.version},
            "max_score": self.standard.max_score,
            "total": self.total,
            "vetoed": self.vetoed,
            "complete": self.complete,
            "evaluator": self.evaluator,
            "on": self.on,
            "items": [
                {"id": line.item.id, "group": line.item.group, "title": line.item.title, "points": line.item.points,
                 "auto": line.auto, "passed": line.passed, "score": line.score, "evidence": line.evidence,
                 "comment": line.comment}
                for line in self.lines
            ],
        }


def pre_score(state: CaseState, ctx: Context, standard: Standard) -> Sheet:
    """The sheet with every item the record can judge already judged, with its evidence."""
    lines = []
    for item in standard.items:
        if item.auto is None:
            lines.append(Line(item, False, None, None, ""))
            continue
        passed, evidence = CHECKS[item.auto](state, ctx)
        if item.group == "veto":
            # a veto ground is found when the check fails; when it cannot judge, the evaluator decides
            lines.append(Line(item, passed is not None, passed, None, evidence))
        elif passed is None:
            lines.append(Line(item, True, None, item.points, evidence + "（不适用，记满分）"))
        else:
            lines.append(Line(item, True, passed, item.points if passed else 0, evidence))
    return Sheet(standard, tuple(lines))


def apply_scores(sheet: Sheet, scores: Mapping[str, Any], evaluator: str = "", on: str = "") -> Sheet:
    """The evaluator's scores for the items the record cannot judge. ``scores`` maps an item id to
    ``{"score": n, "comment": "..."}`` (scored items) or ``{"veto": bool, "comment": "..."}`` (veto items).
    Refused whole when an id is unknown or automatic, a score is outside 0..points, or a deduction or a
    veto has no comment."""
    problems: list[str] = []
    by_id = {line.item.id: line for line in sheet.lines}
    updated = dict(by_id)
    for item_id, raw in scores.items():
        line = by_id.get(item_id)
        if line is None:
            problems.append(f"{item_id}：评查标准中没有该项")
            continue
        if line.auto:
            problems.append(f"{item_id}：该项由系统依据记录评定，不能人工改分")
            continue
        raw = raw if isinstance(raw, Mapping) else {"score": raw}
        comment = str(raw.get("comment", "")).strip()
        if line.item.group == "veto":
            veto = raw.get("veto")
            if not isinstance(veto, bool):
                problems.append(f"{item_id}：否决项应给出 veto: true/false")
                continue
            if veto and not comment:
                problems.append(f"{item_id}：认定否决须写明理由")
            updated[item_id] = Line(line.item, False, not veto, None, line.evidence, comment)
            continue
        score = raw.get("score")
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= line.item.points:
            problems.append(f"{item_id}：得分应为 0 至 {line.item.points} 的整数，实际为 {score!r}")
            continue
        if score < line.item.points and not comment:
            problems.append(f"{item_id}：扣分须写明扣分理由")
        updated[item_id] = Line(line.item, False, score == line.item.points, score, line.evidence, comment)
    if problems:
        raise InvalidInput.at("scores", "；".join(problems))
    return Sheet(sheet.standard, tuple(updated[line.item.id] for line in sheet.lines), evaluator, on)
