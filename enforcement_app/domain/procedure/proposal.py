"""The penalty as proposed by the investigation report, the prior notice and the decision, judged by the
discretion benchmark (State Council opinion 2022; Art. 34) and the hearing thresholds (Art. 63)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..case import CaseState, Outcome, Proposal
from ..discretion.engine import CaseFacts, assess, check_penalty
from ..discretion.grades import Grade
from ..discretion.legal_basis import BasisQuery, citations, within
from ..discretion.model import BaseKind
from ..forms import Form
from ..money import format_yuan
from ..penalties import PartyKind, PenaltyKind
from ..refusals import InvalidInput, NotFound, Refusal, RuleViolation
from . import payload as P
from .engine import Context

OUTCOMES = tuple(o.value for o in Outcome if o != Outcome.NOT_FILED)
PENALTY_KINDS = tuple(k.value for k in PenaltyKind)


@dataclass(frozen=True)
class ProposalFields(P.Payload):
    """What a report, a notice and a decision propose. Read by :func:`proposal_form` (whose rules depend on
    the outcome), so declared as kept."""

    outcome: str = P.kept("", label="处理意见")
    penalty_kinds: tuple[str, ...] = P.kept((), label="处罚种类")
    fine_fen: int = P.kept(0, label="罚款金额")
    confiscation_fen: int = P.kept(0, label="没收金额")
    facts: str = P.kept("", search=True, label="认定的违法事实")
    violation: str = P.kept("", label="违反的法律规定")  # the provision broken (违反了…), not the penalty clause
    basis: str = P.kept("", label="法律依据")  # the penalty provision (依据…)
    benchmark_deviation: bool = P.kept(False)
    deviation_reason: str = P.kept("", label="偏离裁量基准的书面理由")
    discretion: str = P.kept("", label="裁量基准适用说明")
    benchmark: Mapping[str, Any] | None = P.kept()  # the discretion assessment (entry, ranges, grade, messages)


def hearing_right(ctx: Context, party_kind: str, proposal: Proposal) -> list[str]:
    """Why the proposed penalty carries a hearing right (Art. 63; thresholds from agency policy)."""
    kind = PartyKind(party_kind) if party_kind else PartyKind.PERSON
    rule = ctx.policy.hearing
    reasons = []
    if proposal.fine_fen and proposal.fine_fen >= rule.fine.for_party(kind):
        reasons.append(f"罚款{format_yuan(proposal.fine_fen)}达到较大数额（{format_yuan(rule.fine.for_party(kind))}以上）")
    if proposal.confiscation_fen and proposal.confiscation_fen >= rule.confiscation.for_party(kind):
        reasons.append(f"没收{format_yuan(proposal.confiscation_fen)}达到较大数额")
    reasons += [f"拟{k}" for k in proposal.penalty_kinds if PenaltyKind(k) in rule.penalty_kinds]
    return reasons


def proposal_form(f: Form, state: CaseState, ctx: Context, *, on: date | None, penalty_required: bool) -> None:
    outcome = f.choice("outcome", "处理意见", OUTCOMES)
    kinds = f.choices("penalty_kinds", "处罚种类", PENALTY_KINDS)
    fine = f.fen("fine_fen", "罚款金额")
    f.fen("confiscation_fen", "没收金额")
    f.text("facts", "认定的违法事实")
    basis = f.text("basis", "法律依据", required=outcome == Outcome.PENALTY.value)
    violation = f.text("violation", "违反的法律规定", required=False)
    if not violation and (earlier := (state.notice or state.report or {}).get("violation")):
        violation = earlier  # the provision found broken carries on from the report and the notice
        f.keep("violation", violation)
    declared = f.flag("benchmark_deviation")
    reason = f.text("deviation_reason", "偏离裁量基准的书面理由", required=declared)
    f.text("discretion", "裁量基准适用说明", required=outcome == Outcome.PENALTY.value and penalty_required)
    if outcome in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        _apply_benchmark(f, state, ctx, on=on, outcome=outcome, fine=fine if PenaltyKind.FINE.value in kinds else None,
                         reason=reason, declared=declared)
    if outcome in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        _provisions(f, violation, basis, f.out.get("benchmark"))
    if outcome == Outcome.PENALTY.value:
        if not kinds:
            f.problem("penalty_kinds", "给予处罚的，须写明处罚种类")
        if PenaltyKind.FINE.value in kinds and fine <= 0:
            f.problem("fine_fen", "罚款金额应大于零")
        if PenaltyKind.FINE.value not in kinds and fine:
            f.problem("fine_fen", "未选择罚款却填写了罚款金额")
    elif kinds or fine:
        f.problem("penalty_kinds", "不予处罚、撤销案件或移送的，不能写处罚种类或罚款")


def _provisions(f: Form, violation: str, basis: str, benchmark: Mapping[str, Any] | None) -> None:
    """The provision broken and the penalty provision are two citations (适用法律错误 is a veto of case-file
    evaluation): 违反了 names the rule the party broke, 依据 the clause that punishes it. Against the
    benchmark entry, the first must be one of the entry's violation bases and the second its penalty basis."""
    entry_violations = list((benchmark or {}).get("violation_basis") or [])
    if not violation and len(entry_violations) == 1:
        violation = entry_violations[0]  # the entry names one rule only: that is the one broken
        f.keep("violation", violation)
    if not violation:
        choices = f"（裁量基准条目所列：{'、'.join(entry_violations)}）" if entry_violations else ""
        f.problem("violation", f"须写明当事人违反的法律规定，即违法行为违反的条款，而非罚则{choices}")
        return
    try:
        cited = citations(violation)
    except ValueError as exc:
        f.problem("violation", f"违反的法律规定：{exc}")
        return
    try:
        punished = citations(basis) if basis else []
    except ValueError:
        punished = []  # a penalty basis in free words is left to the benchmark check below
    if punished and all(any(within(c, p) or within(p, c) for p in punished) for c in cited):
        f.problem("violation", f"“违反的法律规定”写成了罚则（{violation}）：应写违法行为所违反的条款，罚则写在“法律依据”中")
        return
    if not entry_violations:
        return
    allowed = [BasisQuery.parse(v) for v in entry_violations]
    wrong = [c for c in cited if not any(within(c, a) for a in allowed)]
    if wrong:
        f.problem("violation", f"违反的法律规定 {violation} 不是所适用裁量基准条目的违法条款（可选：{'、'.join(entry_violations)}）")
    penalty_basis = (benchmark or {}).get("penalty_basis")
    if penalty_basis and basis and not any(within(p, BasisQuery.parse(penalty_basis)) for p in punished):
        f.problem("basis", f"法律依据 {basis} 不是所适用裁量基准条目的罚则：应引用{penalty_basis}")


def _benchmark_input(f: Form, state: CaseState) -> dict[str, Any] | None:
    """The discretion facts of this proposal: given with it, or those of the case's last proposal."""
    given = f.raw.get("benchmark")
    if given in (None, ""):
        return dict(state.benchmark["input"]) if state.benchmark else None
    if not isinstance(given, Mapping):
        f.problem("benchmark", "裁量基准数据应为对象：{entry, bases, circumstances}")
        return None
    entry = str(given.get("entry") or state.cause_entry or "").strip()
    if not entry:
        f.problem("benchmark.entry", "未指明适用的裁量基准条目")
    bases: dict[str, int] = {}
    raw_bases = given.get("bases") or {}
    if not isinstance(raw_bases, Mapping):
        f.problem("benchmark.bases", "基数事实应为 {名称: 金额(元)}")
        raw_bases = {}
    for name, value in raw_bases.items():
        try:
            base = BaseKind(str(name))
        except ValueError:
            f.problem(f"benchmark.bases.{name}", f"未知的基数：{name}（可用：{'、'.join(b.value for b in BaseKind)}）")
            continue
        sub = Form({"amount_yuan": str(value)})  # base amounts are yuan, as numbers or as text
        amount = sub.fen("amount_fen", base.zh, required=True)
        if sub.problems or amount < 0:
            f.problem(f"benchmark.bases.{name}", f"{base.zh}应为非负金额（元），实际为 {value!r}")
            continue
        bases[base.value] = amount
    circumstances = given.get("circumstances") or []
    if not isinstance(circumstances, list) or not all(isinstance(c, str) and c.strip() for c in circumstances):
        f.problem("benchmark.circumstances", "情节应为情节编号或名称的列表")
        circumstances = []
    return {"entry": entry, "bases": bases, "circumstances": sorted({c.strip() for c in circumstances})}


def _statutory_ceiling(f: Form, state: CaseState, ctx: Context, on: date | None, fine: int) -> None:
    """The case names its benchmark entry but the proposal gives no facts for it: when the entry's range
    needs no base amount, a fine above the statutory maximum is still refused (Art. 4: within the law)."""
    try:
        party_kind = PartyKind(state.party_kind or PartyKind.ORGANISATION.value)
        act = state.act_date or on or ctx.today
        assessment = assess(ctx.benchmarks, state.cause_entry, CaseFacts(party_kind, act, max(on or ctx.today, act)), ctx.policy)
    except (InvalidInput, RuleViolation, NotFound):
        return  # the range depends on facts not given (e.g. goods value): the benchmark panel asks for them
    if fine > assessment.statutory_range.high:
        f.problems.append(Refusal(
            "fine_above_statutory_maximum",
            f"罚款 {format_yuan(fine)} 超过法定最高限额 {format_yuan(assessment.statutory_range.high)}（{assessment.penalty_basis}），不得作出",
            assessment.penalty_basis, "fine_fen"))


def _apply_benchmark(
    f: Form, state: CaseState, ctx: Context, *, on: date | None, outcome: str, fine: int | None, reason: str, declared: bool
) -> None:
    """Run the discretion benchmark on the proposal: the statutory range is a hard limit, leaving the
    recommended range needs a written reason, and the deviation flag (which the agency's catalogue may
    make a major decision) is computed, not typed."""
    inputs = _benchmark_input(f, state)
    if inputs is None and not f.problems and ctx.benchmarks is not None and state.cause_entry and fine:
        _statutory_ceiling(f, state, ctx, on, fine)  # no benchmark facts given: the statutory maximum still holds
        return
    if inputs is None or f.problems or ctx.benchmarks is None:
        return
    try:
        party_kind = PartyKind(state.party_kind or (ctx.party.kind.value if ctx.party else PartyKind.ORGANISATION.value))
        act = state.act_date or on or ctx.today
        facts = CaseFacts(party_kind, act, max(on or ctx.today, act),
                          {BaseKind(k): v for k, v in inputs["bases"].items()}, tuple(inputs["circumstances"]))
        assessment = assess(ctx.benchmarks, inputs["entry"], facts, ctx.policy)
    except (InvalidInput, RuleViolation) as exc:
        f.problems += [Refusal(r.rule, r.message, r.article, f"benchmark.{r.field}" if r.field else "benchmark") for r in exc.refusals]
        return
    except NotFound as exc:
        f.problem("benchmark.entry", str(exc))
        return
    if outcome == Outcome.NO_PENALTY.value:
        deviation = assessment.grade is not Grade.NO_PENALTY
        messages = [f"裁量基准建议{assessment.grade.zh}，拟不予处罚，偏离裁量基准"] if deviation else ["裁量基准建议不予处罚"]
        if deviation and not reason:
            f.problem("deviation_reason", "偏离裁量基准（含减轻处罚）须书面说明理由，并报法制审核")
    else:
        check = check_penalty(assessment, fine, reason)
        deviation, messages = check.deviation, list(check.messages)
        for refusal in check.refusals:
            if refusal.rule == "benchmark_deviation_reason" and declared:
                continue  # already asked for by the declared flag
            field_name = "deviation_reason" if refusal.rule == "benchmark_deviation_reason" else "fine_fen"
            f.problems.append(Refusal(refusal.rule, refusal.message, refusal.article, field_name))
    f.keep("benchmark", {
        "input": inputs,
        "entry": assessment.entry,
        "set": f"{assessment.benchmark_id} {assessment.benchmark_version}",
        "set_title": next((b.title for b in ctx.benchmarks.sets
                           if (b.id, b.version) == (assessment.benchmark_id, assessment.benchmark_version)), ""),
        "penalty_basis": assessment.penalty_basis,
        "violation_basis": list(assessment.violation_basis),
        "measures": [{"kind": m.kind.value, "text": m.text, "mandatory": m.mandatory, "base": m.base.value if m.base else None}
                     for m in assessment.measures],
        "grade": assessment.grade.value,
        "statutory_range_fen": [assessment.statutory_range.low, assessment.statutory_range.high],
        "recommended_range_fen": (
            [assessment.recommended_range.low, assessment.recommended_range.high] if assessment.recommended_range else None
        ),
        "deviation": deviation,
        "messages": messages,
        "explanation": list(assessment.explanation),
    })
    f.keep("benchmark_deviation", declared or deviation)
