"""Case-file evaluation (案卷评查): the standard as data, the checks the record can make, the score sheet.

A standard (``resources/evaluation/*.json``, versioned by effective date) has veto items (any one found
makes the file fail with 0 points) and scored items (form 20 + content 80 in the shipped default). An item
names the checks (``auto``) that read the case as recorded; each check gives a :class:`Verdict` with its
evidence and the :class:`Finding` s it made, naming the documents involved. From them the sheet *suggests*
a mark; nothing counts until the evaluator confirms or changes it. A line therefore holds two marks, the
system's suggestion and the evaluator's decision, and only decisions count toward the total. A sheet with
an item still open is a draft: it shows how much is open and cannot be made final. The total never goes
below zero and never above an item's points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..resources import load_json, resource_path
from .case import OUTCOME_ZH, CaseState, Outcome, Procedure, Proposal, Stage, Step
from .discretion.grades import Grade
from .forms import Form
from .handwriting import SIGNER_ZH, signer_rules
from .labels import DECISION_TITLE_ZH, SERVICE_METHOD_ZH
from .money import format_range, format_yuan, parse_yuan
from .power_list import UNCHECKED_LINE, findings_of
from .procedure import ACTIONS, ART59, Context, deadlines_of, payload_of, title_of
from .procedure.decision import measure_refusals
from .procedure.proposal import proposal_entry, provisions
from .procedure.record_times import span_of
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
    checks: tuple[str, ...] = ()  # the checks of the record that suggest this item's mark; () = the evaluator's alone
    deduct: int = 0  # points each finding takes off the suggestion; 0 = a failed check suggests no points


@dataclass(frozen=True)
class RequiredDocument:
    """A document every file of its kind must hold: a step of one of ``steps`` recorded (any one), and the
    document ``served`` if named; only for ``procedure`` and the decision ``outcomes`` given (empty: all)."""

    title: str
    steps: tuple[str, ...] = ()
    served: str = ""
    procedure: str = ""
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    version: str
    effective_from: date
    effective_to: date | None
    description: str
    items: tuple[Item, ...]
    required_documents: tuple[RequiredDocument, ...] = ()

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
        auto = raw.get("auto") or ()
        checks = (auto,) if isinstance(auto, str) else tuple(auto) if isinstance(auto, list | tuple) else None
        if checks is None or any(c not in CHECKS for c in checks):
            problems.append(f"{at}.auto 未知的自动评定项 {auto!r}（可用：{'、'.join(CHECKS)}）")
            checks = ()
        deduct = raw.get("deduct", 0)
        if not isinstance(deduct, int) or isinstance(deduct, bool) or deduct < 0 or (deduct and (group == "veto" or not checks)):
            problems.append(f"{at}.deduct 应为非负整数，且只用于有自动评定的计分项")
            deduct = 0
        seen.add(item_id)
        items.append(Item(item_id, group, str(raw.get("title", "")), int(points or 0), checks, deduct))
    if not items:
        problems.append(f"{where}: 没有评查项目")
    required = []
    for n, raw in enumerate(data.get("required_documents") or []):
        at = f"{where}: required_documents[{n}]"
        steps, outcomes = raw.get("steps", []), raw.get("outcomes", [])
        if not str(raw.get("title", "")).strip() or not (steps or raw.get("served")):
            problems.append(f"{at} 应有 title 及 steps 或 served")
        unknown = [k for k in steps if k not in ACTIONS] + [o for o in outcomes if o not in set(Outcome)]
        if unknown:
            problems.append(f"{at} 未知的步骤或决定结果 {'、'.join(map(str, unknown))}")
        required.append(RequiredDocument(str(raw.get("title", "")), tuple(map(str, steps)), str(raw.get("served", "")),
                                         str(raw.get("procedure", "")), tuple(map(str, outcomes))))
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
                    str(data.get("description", "")), tuple(items), tuple(required))


def shipped_standards() -> tuple[Standard, ...]:
    folder = resource_path("evaluation")
    return tuple(parse_standard(load_json("evaluation", p.name), p.name) for p in sorted(folder.glob("*.json")))


def standard_on(day: date, standards: tuple[Standard, ...] | None = None) -> Standard:
    """The standard in force on ``day`` (the latest-starting one), else the earliest."""
    pool = standards or shipped_standards()
    valid = [s for s in pool if s.effective_from <= day and (s.effective_to is None or day <= s.effective_to)]
    return max(valid, key=lambda s: s.effective_from) if valid else min(pool, key=lambda s: s.effective_from)


# --- the checks the record can make ----------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One defect a check found, naming the documents (or steps) it is found in."""

    text: str
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """What a check says of the case: ``passed`` is None when the record cannot say (the evaluator judges;
    a check that can only find defects says None when it finds none). A failed verdict without findings
    stands as one finding."""

    passed: bool | None
    evidence: str
    findings: tuple[Finding, ...] = ()


INVESTIGATIVE = ("record_inspection", "record_inquiry", "record_sampling")


def _record_label(step: Step) -> str:
    """A 笔录 as an evaluator names it: its title and when it was made (``现场笔录（2025-03-04 10:00—11:00）``)."""
    p = payload_of(step)
    start, end = getattr(p, "started_at", None), getattr(p, "ended_at", None)
    name = RECORD_TITLES.get(step.kind, title_of(step.kind))
    if start is None:
        return f"{name}（{step.day.isoformat()}）"
    until = end.strftime("%H:%M") if end and end.date() == start.date() else (end.strftime("%Y-%m-%d %H:%M") if end else "")
    return f"{name}（{start.strftime('%Y-%m-%d %H:%M')}—{until}）"


RECORD_TITLES = {"record_inspection": "现场笔录", "record_inquiry": "询问笔录", "record_sampling": "抽样记录", "hold_hearing": "听证笔录"}


def _two_officers(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
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
    if not lines and state.outcome == Outcome.NOT_FILED:
        return Verdict(True, "不予立案，未进行调查取证（不适用）")
    if not lines:
        return Verdict(None if state.procedure == Procedure.SIMPLE else False, "没有调查取证记录")
    return Verdict(ok, "；".join(lines))


def _legal_order(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    issues = []
    if state.procedure == Procedure.SIMPLE:
        return Verdict(True, "简易程序当场作出决定")
    filed = state.filed_on
    for step in state.steps:
        if step.kind in INVESTIGATIVE and (filed is None or step.day < filed):
            issues.append(f"{title_of(step.kind)}（{step.day.isoformat()}）早于立案")
    if state.decision and state.outcome == Outcome.PENALTY:
        if state.notice_served_on is None:
            issues.append("作出处罚决定前未送达告知书")
        elif state.decided_on and state.decided_on < state.notice_served_on:
            issues.append("决定日期早于告知书送达日期")
    order = " → ".join(dict.fromkeys(title_of(s.kind) for s in state.steps if s.kind in _ORDER_KINDS))
    return Verdict((not issues), ("；".join(issues) if issues else f"记录顺序：{order}"))


_ORDER_KINDS = frozenset({"register_lead", "approve_filing", "record_inspection", "record_inquiry", "submit_investigation_report",
                          "record_legal_review", "issue_prior_notice", "record_statement", "hold_hearing", "make_decision",
                          "record_payment", "close_case", "request_closing", "approve_closing", "archive_case"})  # the steps whose order an evaluator checks


def _deadlines_met(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    late: list[Finding] = []
    lines = []
    for d in deadlines_of(state, ctx):
        if d.owner != "agency":
            continue
        end = d.met_on or ctx.today
        if end > d.due and (d.met_on is not None or state.open):
            late.append(Finding(f"{d.name}应于{d.due.isoformat()}前完成，{'实际' + d.met_on.isoformat() if d.met_on else '至今未完成'}"
                                f"（{d.basis}）", (d.name,)))
        else:
            lines.append(f"{d.name}：期限{d.due.isoformat()}{'（含批准延长' + str(d.extended_days) + '日）' if d.extended_days else ''}，"
                         f"{'于' + d.met_on.isoformat() + '完成' if d.met_on else '未届满'}")
    if late:
        return Verdict(False, "；".join(f.text for f in late), tuple(late))
    return Verdict(True, "；".join(lines) or "无适用期限")


def _review_when_required(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    if state.decision is None:
        return Verdict(None, "尚未作出决定")
    proposal = Proposal.from_payload(state.decision)
    reasons = major_reasons(state, ctx.policy, proposal)
    if not reasons:
        return Verdict(True, "非重大执法决定，无须法制审核")
    refused = review_refusals(state, ctx.policy, proposal)
    review = state.review or {}
    because = "；".join(r.message for r in reasons)
    if refused:
        return Verdict(False, f"属重大执法决定（{because}），但{refused[0].message}")
    return Verdict(True, f"属重大执法决定（{because}），法制审核于{review.get('on', '')}通过，共{len(state.review_rounds)}轮")


def _benchmark(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    decision = state.decision or {}
    if not decision or decision.get("outcome") not in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        return Verdict(None, "无处罚决定")
    bench = state.benchmark
    if bench:
        note = f"适用{bench.get('set_title') or bench.get('set', '')}条目{bench.get('entry', '')}，建议{_grade_zh(bench.get('grade'))}"
        if bench.get("deviation"):
            reason = decision.get("deviation_reason") or (state.report or {}).get("deviation_reason", "")
            return Verdict(bool(reason), f"{note}；偏离裁量基准，理由：{reason or '未说明'}")
        return Verdict(True, note)
    text = decision.get("discretion") or (state.report or {}).get("discretion", "")
    return Verdict(bool(text), (f"裁量说明：{text}" if text else "未说明裁量基准适用情况"))


def _grade_zh(grade: Any) -> str:
    return Grade(grade).zh if grade in set(Grade) else str(grade)


def _fine_in_range(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    bench = state.benchmark
    decision = state.decision or {}
    if not bench or not decision:
        return Verdict(None, "未记录裁量基准测算，由评查人员判断")
    low, high = bench.get("statutory_range_fen") or (0, 0)
    fine = int(decision.get("fine_fen", 0))
    if fine > high:
        return Verdict(False, f"罚款{format_yuan(fine)}超过法定最高限{format_yuan(high)}")
    note = "（减轻处罚，已说明理由）" if fine < low and fine else ""
    return Verdict(True, f"罚款{format_yuan(fine)}，法定幅度{format_range(low, high)}{note}；依据{bench.get('penalty_basis', '')}")


def _provisions_applied(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """适用依据 as the evaluator reads the decision: the provision broken stated apart from the penalty clause,
    the one among the benchmark entry's violation bases, the other the entry's clause for the party's kind (the
    same rules that refuse a new decision, applied to the decision as recorded, whatever program made it)."""
    decision = state.decision
    if decision is None:
        return Verdict(None, "尚未作出决定")
    outcome = str(decision.get("outcome") or "")
    if outcome not in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        return Verdict(True, f"{OUTCOME_ZH.get(Outcome(outcome), outcome)}，不适用罚则")
    document = f"{DECISION_TITLE_ZH.get(outcome, '决定书')}{decision.get('document_no', '')}"
    check = Form({})
    provisions(check, str(decision.get("violation") or ""), str(decision.get("basis") or ""), decision.get("benchmark"))
    if check.problems:
        return Verdict(False, "；".join(r.message for r in check.problems), tuple(Finding(r.message, (document,)) for r in check.problems))
    return Verdict(True, f"{document}：违反了{check.out.get('violation') or decision.get('violation')}，依据{decision.get('basis')}")


def _measures_stated(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """The decision states the order to correct (Art. 28) and the benchmark entry's mandatory measures, and
    carries its own number, not the case's (one decision carried another case's number)."""
    decision = state.decision
    if decision is None:
        return Verdict(None, "尚未作出决定")
    outcome = str(decision.get("outcome") or "")
    number = str(decision.get("document_no") or "")
    document = f"{DECISION_TITLE_ZH.get(outcome, '决定书')}{number}"
    findings = []
    if number and number == state.case_no:
        findings.append(Finding(f"决定书文号与立案编号相同（{number}）：决定书应按其文号序列编号", (document,)))
    if outcome == Outcome.PENALTY.value:
        if not str(decision.get("orders") or "").strip():
            findings.append(Finding("决定书未写明责令改正的内容和期限（行政处罚法第二十八条第一款）", (document,)))
        _orders, missing = measure_refusals(decision)
        findings += [Finding(r.message, (document,)) for r in missing]
    if findings:
        return Verdict(False, "；".join(f.text for f in findings), tuple(findings))
    stated = "、".join(decision.get("measures") or ()) or "无强制措施要求"
    return Verdict(True, f"{document}：{stated}" + (f"；责令：{decision.get('orders')}" if decision.get("orders") else ""))


def _decision_contents(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    decision = state.decision
    if decision is None:
        return Verdict(None, "尚未作出决定")
    required = ART59 if decision.get("outcome") == Outcome.PENALTY.value else {k: ART59[k] for k in ("party_name", "facts", "agency_name")}
    missing = [label for key, label in required.items() if not str(decision.get(key, "")).strip()]
    if missing:
        return Verdict(False, "缺少：" + "、".join(missing))
    return Verdict(True, f"决定书{decision.get('document_no', '')}载明第五十九条各项")


def _facts_backed(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    decision = state.decision
    if decision is None:
        return Verdict(None, "尚未作出决定")
    cited = list(decision.get("evidence", []))
    known = {e.get("sha256") for e in state.evidence}
    if decision.get("outcome") != Outcome.PENALTY.value:
        return Verdict(True, "非处罚决定")
    if not cited:
        return Verdict(False, "决定书未列明证据")
    unknown = [c for c in cited if c not in known]
    if unknown:
        document = f"行政处罚决定书{decision.get('document_no', '')}"
        findings = tuple(Finding(f"{document}引用的证据（SHA-256 {c[:12]}…）不在本案证据材料清单中", (document, "证据材料清单"))
                         for c in unknown)
        return Verdict(False, f"决定书引用的{len(unknown)}项证据不在本案证据登记中：" + "、".join(c[:12] + "…" for c in unknown), findings)
    return Verdict(True, f"决定书列明的{len(cited)}项证据均已登记（SHA-256 可核验）")


def _facts_elements(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """The decision states every fact its benchmark entry's provision needs (事实不清 is a veto ground), and the
    amounts it found agree with the bases the benchmark ran on. A decision with them all is not thereby proved:
    whether the evidence bears them out is the evaluator's judgment."""
    decision = state.decision
    outcome = str((decision or {}).get("outcome", ""))
    if decision is None or outcome not in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        return Verdict(None, "无处罚或不予处罚决定")
    bench = decision.get("benchmark") or state.benchmark
    entry = proposal_entry(ctx.benchmarks, bench, state.cause_entry, state.act_date)
    if entry is None or not entry.facts_elements:
        return Verdict(None, "未适用列明事实要素的裁量基准条目，事实是否清楚由评查人员判断")
    values = decision.get("facts_elements") if isinstance(decision.get("facts_elements"), Mapping) else {}
    document = f"{DECISION_TITLE_ZH.get(outcome, '决定书')}{decision.get('document_no', '')}"
    article = entry.penalty_basis.cite()
    findings = [Finding(f"{document}认定的违法事实缺少“{e.name}”（适用{article}所需的事实要素）", (document,))
                for e in entry.required_elements if not str(values.get(e.key, "")).strip()]
    bases = ((bench or {}).get("input") or {}).get("bases") or {}
    for e in entry.facts_elements:
        if e.base is None or e.base.value not in bases or not str(values.get(e.key, "")).strip():
            continue
        try:
            found = parse_yuan(str(values[e.key]))
        except ValueError:
            found = None
        if found != int(bases[e.base.value]):
            findings.append(Finding(f"{document}认定的{e.name}（{values[e.key]}）与裁量基准测算所用的{e.base.zh}"
                                    f"{format_yuan(int(bases[e.base.value]))}不一致", (document,)))
    if findings:
        return Verdict(False, "事实不清：" + "；".join(f.text for f in findings), tuple(findings))
    return Verdict(None, f"{document}载明{article}所需的事实要素：{'、'.join(e.name for e in entry.required_elements)}；"
                         "证据是否确实、充分由评查人员判断")


def _service(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    names = {"prior_notice": "告知书", "decision": "决定书", "hearing_notice": "听证通知书"}
    if not state.documents_issued:
        return Verdict(True, "没有需送达的文书（不适用）")
    # a case dismissed (撤销案件) or transferred to the judicial organs has no decision served on the party (the
    # case closes without it, as the closing rule says): only penalty and no-penalty decisions are served
    unserved = {"decision"} if state.outcome in (Outcome.DISMISSAL, Outcome.TRANSFER) else set()
    missing = [names.get(d, d) for d in state.documents_issued if d not in state.documents_served and d not in unserved]
    lines = [f"{names.get(d, d)}：{s.get('on', '')}，{SERVICE_METHOD_ZH.get(str(s.get('method', '')), s.get('method', ''))}"
             f"{'，送达人' + '、'.join(_officer_name(ctx, o) for o in s['officers']) if s.get('officers') else ''}"
             f"{'，受送达人签收' if s.get('receipt_signed') or _signed_receipt(s) else ''}"
             for d, s in state.documents_served.items()]
    if missing:
        return Verdict(False, "未送达：" + "、".join(missing))
    if unserved:
        lines.append(f"{OUTCOME_ZH.get(state.outcome, '')}的决定不向当事人送达")
    return Verdict(True, "；".join(lines))


def _payment(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    if state.amount_due_fen <= 0:
        return Verdict(True, "无罚没款（不适用）")
    if state.paid_fen >= state.amount_due_fen:
        receipts = "、".join(str(p.get("receipt_no", "")) for p in state.payments)
        return Verdict(True, f"应缴{format_yuan(state.amount_due_fen)}，已缴{format_yuan(state.paid_fen)}（凭证{receipts}）")
    if state.court_enforcement:
        return Verdict(True, f"已申请{state.court_enforcement.get('court', '人民法院')}强制执行")
    return Verdict(False, f"应缴{format_yuan(state.amount_due_fen)}，已缴{format_yuan(state.paid_fen)}")


def _generated(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    return Verdict(True, "案卷由系统按规定顺序生成封面、卷内目录、页码与备考表，一案一卷")


TRANSFER_ARTICLE = "行政处罚法第二十七条第一款"


def _transfer(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """The veto 涉嫌犯罪应当移送而未移送 (行政处罚法第二十七条第一款: 违法行为涉嫌犯罪的，行政机关应当及时将案件移送
    司法机关). A transfer is on the record; whether a case not transferred should have been is judged by the
    evaluator against the prosecution thresholds, which the record does not hold: the line says what was decided."""
    decisions = [s for s in state.steps if s.kind in ("make_decision", "record_simple_decision")]
    if state.outcome == Outcome.TRANSFER and decisions:
        p = decisions[-1].payload
        why = str(p.get("reasons") or p.get("facts") or "")
        return Verdict(True, f"{decisions[-1].day.isoformat()}决定移送司法机关（{TRANSFER_ARTICLE}）{'：' + why if why else ''}")
    if state.outcome is None or not decisions:
        what = OUTCOME_ZH[state.outcome] if state.outcome is not None else "尚未作出处理决定"
        return Verdict(None, f"{what}，未移送司法机关；是否涉嫌犯罪应当移送（{TRANSFER_ARTICLE}），由评查人员判断")
    return Verdict(None, f"本案{OUTCOME_ZH[state.outcome]}，未移送司法机关；违法行为是否达到涉嫌犯罪的追诉标准、应当移送（{TRANSFER_ARTICLE}），"
                         "由评查人员对照案卷事实判断")


def _archived(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    if state.stage == Stage.ARCHIVED:
        return Verdict(True, f"已归档，档号{state.archive_no}")
    return Verdict(False, "尚未归档")


def _records_overlap(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """Two 笔录 whose times overlap while they share an officer or a place: one officer cannot question
    one person while inspecting elsewhere, nor can two records be made in one room at once."""
    spans = sorted(((span, step) for step in state.steps if (span := span_of(step.kind, step.payload)) is not None),
                   key=lambda pair: (pair[0].started_at, pair[1].seq))
    findings = []
    for n, (span, first_step) in enumerate(spans):
        for span2, step2 in spans[n + 1:]:
            if span2.started_at >= span.ended_at:
                break  # sorted by start: no later record overlaps this one
            if not span.overlaps(span2):
                continue  # one of no length, at the other's start
            shared = [_officer_name(ctx, o) for o in sorted(span.officers & span2.officers)]
            place = span.place
            if not shared and (not place or place != span2.place):
                continue
            who = f"执法人员{'、'.join(shared)}" if shared else f"同一地点（{place}）"
            first, second = _record_label(first_step), _record_label(step2)
            findings.append(Finding(f"{first}与{second}时间重叠，{who}同时记载于两份笔录", (first, second)))
    if findings:
        return Verdict(False, "；".join(f.text for f in findings), tuple(findings))
    return Verdict(None, f"{len(spans)}份笔录中未发现同一执法人员或同一地点的时间重叠" if spans else "没有记载起止时间的笔录")


def _officer_name(ctx: Context, officer_id: str) -> str:
    officer = ctx.officers.get(officer_id)
    return officer.name if officer else officer_id


def _persons_identified(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """Every person questioned with their identity particulars (身份证件号码) in the 询问笔录."""
    findings, inquiries = [], 0
    for step in state.steps:
        if step.kind != "record_inquiry":
            continue
        inquiries += 1
        person = step.payload.get("person") or {}
        if not str(person.get("id_number", "")).strip():
            label = _record_label(step)
            findings.append(Finding(f"{label}未记载被询问人{person.get('name', '')}的身份证件号码", (label,)))
    if findings:
        return Verdict(False, "；".join(f.text for f in findings), tuple(findings))
    return Verdict(None, f"{inquiries}份询问笔录均记载被询问人身份证件号码" if inquiries else "没有询问笔录")


def _party_identified(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """The file holds the copy of the party's identity card or business licence (当事人身份证明), and it is the
    party's: a file without one leaves who was punished unproved (主体资格, a common veto finding)."""
    if state.procedure == Procedure.SIMPLE:
        return Verdict(None, "简易程序：当事人身份载于当场处罚决定书，由评查人员核对")
    if state.outcome == Outcome.NOT_FILED:
        return Verdict(True, "不予立案（不适用）")
    party = ctx.party
    proofs = [e for e in state.evidence if e.get("kind") == "identity"]
    if not proofs:
        return Verdict(False, "案卷中没有当事人身份证明（居民身份证或营业执照复印件）",
                       (Finding(f"缺少当事人{state.party_name}的身份证明（居民身份证或营业执照复印件）", ("当事人身份证明",)),))
    lines, findings = [], []
    for e in proofs:
        number = str(e.get("identity_no", ""))
        line = f"{e.get('identity_document', '')}（证件号码{number}，SHA-256 {str(e.get('sha256', ''))[:12]}…）"
        if party is not None and number != party.identity_no:
            findings.append(Finding(f"当事人身份证明{line}与当事人登记的证件号码{party.identity_no}不一致", ("当事人身份证明",)))
        lines.append(line)
    if findings:
        return Verdict(False, "；".join(f.text for f in findings), tuple(findings))
    return Verdict(True, "当事人身份证明：" + "；".join(lines))


LEGACY_FLAG = {"record_inspection": "party_signed", "record_simple_decision": "party_signed", "hold_hearing": "party_signed",
               "record_inquiry": "confirmed", "serve_document": "receipt_signed"}
"""Records made before signatures were captured said so with a flag (and a refusal note); they are read as they were."""


def _records_signed(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """Every record the other side signs (``resources/law/signers.json``: the party, the person present or
    questioned, the recipient) signed, or the refusal to sign noted on it with its witness."""
    findings, records = [], 0
    rules = signer_rules()
    for step in state.steps:
        rule = rules.get(step.kind)
        p = step.payload
        if rule is None or not rule.signed_for or not rule.applies(p):
            continue
        records += 1
        entries = [e for e in p.get("signatures") or () if isinstance(e, Mapping) and e.get("signer") in rule.signed_for]
        legacy = bool(p.get(LEGACY_FLAG.get(step.kind, ""))) or bool(str(p.get("refusal_note", "")).strip())
        if not entries and not legacy:
            label = _record_label(step)
            who = "或".join(SIGNER_ZH[r] for r in rule.signed_for)
            findings.append(Finding(f"{label}无{who}签名，也未注明拒绝签名情况", (label,)))
    if findings:
        return Verdict(False, "；".join(f.text for f in findings), tuple(findings))
    return Verdict(None, f"{records}份笔录均有当事人签名或拒签说明；盖章与日期由评查人员核对" if records else "没有需当事人签名的笔录")


def _within_powers(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """The veto 主体不合法 (行政处罚法第十七条、第三十八条第一款): on the day of each filing and decision step, the
    case's benchmark entry within the agency's power list then in force, each with the source of the power.
    Judged by the lists as recorded on this machine, whatever program recorded the steps (a case filed before
    the lists were checked is judged all the same). A case naming no entry is judged by the provisions its steps
    cite (see :func:`..power_list.findings_of`); one citing none is left to the evaluator."""
    if ctx.power_lists is None or ctx.benchmarks is None:
        return Verdict(None, "未载入权责清单，由评查人员核对执法主体的职权")
    found = findings_of(state, ctx.power_lists, ctx.benchmarks)
    steps = [s for s in state.steps if s.hash in found and s.kind in DOCUMENT_OF]
    if not steps and state.outcome == Outcome.NOT_FILED:
        return Verdict(True, "不予立案，未行使行政处罚权（不适用）")
    if not steps:
        return Verdict(None, "尚无立案或决定记录，由评查人员核对执法主体的职权")
    if all(found[s.hash] is None for s in steps):
        return Verdict(None, f"{UNCHECKED_LINE}，由评查人员核对")
    lines, findings = [], []
    for step in steps:
        finding = found[step.hash]
        label = f"{title_of(step.kind)}（{step.day.isoformat()}）"
        if finding is not None and finding.within:
            lines.append(f"{label}{finding.line()}")
        elif finding is not None and finding.refusal is not None:
            findings.append(Finding(f"{label}：{finding.refusal.message}", (DOCUMENT_OF.get(step.kind, title_of(step.kind)),)))
    if findings:
        return Verdict(False, "；".join(f.text for f in findings), tuple(findings))
    return Verdict(True, "；".join(lines))


DOCUMENT_OF = {"approve_filing": "立案审批表", "record_simple_decision": "当场行政处罚决定书", "make_decision": "行政处罚决定书"}
"""The steps by which the agency exercises its power, judged by the evaluation, and the document of each."""


def _required_documents(state: CaseState, ctx: Context, standard: Standard) -> Verdict:
    """The documents the standard requires of a file like this one (``required_documents`` of the standard
    in force on the closing day): a step of one of the named kinds, or a named document served."""
    kinds = {s.kind for s in state.steps}
    outcome = state.outcome.value if state.outcome else ""
    missing, present = [], []
    for rule in standard.required_documents:
        if rule.procedure and rule.procedure != state.procedure.value:
            continue
        if rule.outcomes and outcome not in rule.outcomes:
            continue
        found = (any(k in kinds for k in rule.steps) if rule.steps else True) and (not rule.served or rule.served in state.documents_served)
        (present if found else missing).append(rule.title)
    if missing:
        return Verdict(False, "案卷缺少：" + "、".join(missing), tuple(Finding(f"缺少{t}", (t,)) for t in missing))
    return Verdict(True, "应有文书齐全：" + "、".join(present) if present else "无应有文书要求")


CHECKS: dict[str, Callable[[CaseState, Context, Standard], Verdict]] = {
    "two_officers_certified": _two_officers,
    "legal_order": _legal_order,
    "deadlines_met": _deadlines_met,
    "legal_review_when_required": _review_when_required,
    "benchmark_applied": _benchmark,
    "fine_within_statutory_range": _fine_in_range,
    "decision_contents": _decision_contents,
    "provisions_applied": _provisions_applied,
    "measures_stated": _measures_stated,
    "facts_backed_by_evidence": _facts_backed,
    "facts_elements_recorded": _facts_elements,
    "service_receipts": _service,
    "payment_recorded": _payment,
    "case_file_generated": _generated,
    "archived": _archived,
    "records_without_overlap": _records_overlap,
    "persons_identified": _persons_identified,
    "party_identified": _party_identified,
    "records_signed": _records_signed,
    "required_documents": _required_documents,
    "within_power_list": _within_powers,
    "transfer_considered": _transfer,
}


# --- the sheet -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A mark for one item: points on a scored item, a veto found (True) or not (False) on a veto item."""

    score: int | None = None
    veto: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"veto": self.veto} if self.veto is not None else {"score": self.score}


@dataclass(frozen=True)
class Line:
    """One item of the sheet: what the record shows (``evidence``, ``findings``), the mark the system
    suggests from it (None when the record cannot decide) and the evaluator's decision (None while open).
    Only the decision counts."""

    item: Item
    evidence: str
    suggestion: Mark | None
    decision: Mark | None = None
    comment: str = ""
    findings: tuple[Finding, ...] = ()

    @property
    def auto(self) -> bool:
        return bool(self.item.checks)

    @property
    def open(self) -> bool:
        return self.decision is None

    @property
    def accepted(self) -> bool:
        """The evaluator's decision is the system's suggestion."""
        return self.decision is not None and self.decision == self.suggestion

    @property
    def score(self) -> int | None:
        return None if self.decision is None else self.decision.score

    @property
    def passed(self) -> bool | None:
        """Veto lines: True when the evaluator found no veto ground; scored lines: full points given."""
        if self.decision is None:
            return None
        if self.item.group == "veto":
            return not self.decision.veto
        return self.decision.score == self.item.points


@dataclass(frozen=True)
class Sheet:
    standard: Standard
    lines: tuple[Line, ...]
    evaluator: str = ""
    on: str = ""
    final: bool = False  # recorded as the final evaluation (only a complete sheet can be)

    @property
    def vetoed(self) -> bool:
        return any(line.item.group == "veto" and line.decision is not None and line.decision.veto for line in self.lines)

    @property
    def decided(self) -> int:
        return sum(not line.open for line in self.lines)

    @property
    def open_items(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.open)

    @property
    def complete(self) -> bool:
        return not self.open_items

    @property
    def total(self) -> int:
        """The points the evaluator has confirmed; 0 when a veto is confirmed. Suggestions never count."""
        if self.vetoed:
            return 0
        return sum(line.score or 0 for line in self.lines if line.item.group != "veto")

    @property
    def open_points(self) -> int:
        """The points of the scored items still open: how much of the maximum is not yet decided."""
        return sum(line.item.points for line in self.open_items)

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard": {"id": self.standard.id, "name": self.standard.name, "version": self.standard.version},
            "max_score": self.standard.max_score,
            "total": self.total,
            "vetoed": self.vetoed,
            "complete": self.complete,
            "final": self.final,
            "decided": self.decided,
            "open": len(self.open_items),
            "open_points": self.open_points,
            "evaluator": self.evaluator,
            "on": self.on,
            "items": [
                {"id": line.item.id, "group": line.item.group, "title": line.item.title, "points": line.item.points,
                 "auto": line.auto, "evidence": line.evidence,
                 "findings": [{"text": f.text, "documents": list(f.documents)} for f in line.findings],
                 "suggestion": line.suggestion.as_dict() if line.suggestion else None,
                 "decision": line.decision.as_dict() if line.decision else None, "comment": line.comment}
                for line in self.lines
            ],
        }


def mark_zh(line: Line, mark: Mark | None) -> str:
    """A suggestion or a decision as a printed sheet shows it: ``否决``/``无``, ``n/points``, ``—`` when none."""
    if mark is None:
        return "—"
    if line.item.group == "veto":
        return "否决" if mark.veto else "无"
    return f"{mark.score}/{line.item.points}"


def conclusion_zh(sheet: Sheet) -> str:
    """The sheet's conclusion in words: the confirmed total (or the veto), and how much is still open."""
    score = "不合格（存在否决项）" if sheet.vetoed else f"{sheet.total}分（满分{sheet.standard.max_score}分）"
    if sheet.complete:
        return score + ("" if sheet.final else "（已全部评定，尚未作为最终结论保存）")
    return f"{score}（草稿：已评{sheet.decided}项，尚余{len(sheet.open_items)}项未评，共{sheet.open_points}分未评）"


def _suggest(item: Item, verdicts: list[Verdict]) -> tuple[Mark | None, tuple[Finding, ...]]:
    """The mark the verdicts of an item's checks suggest: any failure decides (a veto, or the points less
    ``deduct`` per finding, else none); an undecided check leaves the item to the evaluator."""
    findings = tuple(f for v in verdicts for f in (v.findings or ((Finding(v.evidence),) if v.passed is False else ())))
    if any(v.passed is False for v in verdicts):
        if item.group == "veto":
            return Mark(veto=True), findings
        return Mark(score=max(0, item.points - item.deduct * len(findings)) if item.deduct else 0), findings
    if not verdicts or any(v.passed is None for v in verdicts):
        return None, findings
    return (Mark(veto=False) if item.group == "veto" else Mark(score=item.points)), findings


def pre_score(state: CaseState, ctx: Context, standard: Standard) -> Sheet:
    """The sheet with the system's suggestion for every item the record can decide, with its evidence;
    every item still open for the evaluator."""
    results: dict[str, Verdict] = {}
    lines = []
    for item in standard.items:
        verdicts = [results.get(c) or results.setdefault(c, CHECKS[c](state, ctx, standard)) for c in item.checks]
        suggestion, findings = _suggest(item, verdicts)
        lines.append(Line(item, "；".join(v.evidence for v in verdicts if v.evidence), suggestion, findings=findings))
    return Sheet(standard, tuple(lines))


def apply_decisions(sheet: Sheet, decisions: Mapping[str, Any], evaluator: str = "", on: str = "", final: bool = False) -> Sheet:
    """The evaluator's decisions on the sheet. ``decisions`` maps an item id to ``{"score": n}`` (scored
    items), ``{"veto": bool}`` (veto items) or ``{"confirm": true}`` (take the system's suggestion), each with
    an optional ``"comment"``. Refused whole when an id is unknown, a score is outside 0..points, a
    deduction or a veto that is not the system's suggestion has no comment, a suggestion is changed without
    a comment, or ``final`` is asked of a sheet with items still open."""
    problems: list[str] = []
    by_id = {line.item.id: line for line in sheet.lines}
    updated = dict(by_id)
    for item_id, raw in decisions.items():
        line = by_id.get(item_id)
        if line is None:
            problems.append(f"{item_id}：评查标准中没有该项")
            continue
        raw = raw if isinstance(raw, Mapping) else {"score": raw}
        comment = str(raw.get("comment", "")).strip()
        mark = _mark(line, raw, problems)
        if mark is None:
            continue
        if mark != line.suggestion and not comment:
            if line.suggestion is not None:
                problems.append(f"{item_id}：改变系统建议须写明理由")
            elif mark.veto:
                problems.append(f"{item_id}：认定否决须写明理由")
            elif mark.score is not None and mark.score < line.item.points:
                problems.append(f"{item_id}：扣分须写明扣分理由")
        updated[item_id] = Line(line.item, line.evidence, line.suggestion, mark, comment, line.findings)
    result = Sheet(sheet.standard, tuple(updated[line.item.id] for line in sheet.lines), evaluator, on, final)
    if final and not problems and not result.complete:
        problems.append(f"尚有{len(result.open_items)}项评查项目未评定，不能作为最终评查结论保存："
                        + "、".join(line.item.title for line in result.open_items))
    if problems:
        raise InvalidInput.at("scores", "；".join(problems))
    return result


def _mark(line: Line, raw: Mapping[str, Any], problems: list[str]) -> Mark | None:
    item_id = line.item.id
    if raw.get("confirm") is True:
        if line.suggestion is None:
            problems.append(f"{item_id}：该项没有系统建议，须由评查人员评定")
        return line.suggestion
    if line.item.group == "veto":
        veto = raw.get("veto")
        if not isinstance(veto, bool):
            problems.append(f"{item_id}：否决项应给出 veto: true/false")
            return None
        return Mark(veto=veto)
    score = raw.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= line.item.points:
        problems.append(f"{item_id}：得分应为 0 至 {line.item.points} 的整数，实际为 {score!r}")
        return None
    return Mark(score=score)


# --- the recorded evaluation -----------------------------------------------------------------------------


def record_payload(sheet: Sheet) -> dict[str, Any]:
    """What an ``evaluate_case_file`` event keeps: for every decided item the suggestion the evaluator was
    shown (with its evidence) beside their decision; whether the evaluation is final; the totals."""
    items = {}
    for line in sheet.lines:
        if line.decision is None:
            continue
        items[line.item.id] = {
            "suggested": {**line.suggestion.as_dict(), "evidence": line.evidence} if line.suggestion else None,
            "decided": line.decision.as_dict(),
            "comment": line.comment,
        }
    return {"standard": sheet.standard.id, "version": sheet.standard.version, "final": sheet.final, "items": items,
            "total": sheet.total, "vetoed": sheet.vetoed, "open": len(sheet.open_items)}


def decisions_of(payload: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The evaluator's decisions an ``evaluate_case_file`` event recorded. Events before suggestions were
    kept apart (key ``scores``) held only the items the evaluator scored; the system's marks of the others
    were never confirmed, so those items read as open."""
    if "items" in payload:
        return {k: {**v["decided"], "comment": v.get("comment", "")} for k, v in payload["items"].items()}
    return {k: dict(v) if isinstance(v, Mapping) else {"score": v} for k, v in payload.get("scores", {}).items()}


def _signed_receipt(served: Mapping[str, Any]) -> bool:
    return any(isinstance(e, Mapping) and e.get("signer") == "recipient" and e.get("how") != "refused" for e in served.get("signatures") or ())

