"""The penalty as proposed by the investigation report, the prior notice and the decision, judged by the
discretion benchmark (State Council opinion 2022; Art. 34) and the hearing thresholds (Art. 63)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..case import CaseState, Outcome, Proposal
from ..discretion.engine import CaseFacts, assess, bar_article, check_penalty
from ..discretion.grades import Grade
from ..discretion.legal_basis import BasisQuery, citations, within
from ..discretion.model import BaseKind, BenchmarkEntry, FactElement
from ..forms import Form, shown
from ..identity import age_on, birth_date
from ..labels import NO_PENALTY_GROUND_BASIS, NO_PENALTY_GROUND_ZH
from ..money import format_yuan, parse_yuan, to_yuan
from ..penalties import PartyKind, PenaltyKind
from ..refusals import InvalidInput, NotFound, Refusal, RuleViolation
from . import payload as P
from .engine import Context

OUTCOMES = tuple(o.value for o in Outcome if o != Outcome.NOT_FILED)
PENALTY_KINDS = tuple(k.value for k in PenaltyKind)
NO_PENALTY_GROUNDS = tuple(NO_PENALTY_GROUND_ZH)
ELEMENT_MAX = 2000  # characters of one facts element
ELEMENTS_MAX = 40  # facts elements of a case whose benchmark entry declares none


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
    # the facts as the elements the benchmark entry's provision needs: element key -> what was found (amounts in
    # yuan as "3600.00"); beside ``facts``, the sentence that tells them
    facts_elements: Mapping[str, Any] | None = P.kept(label="违法事实要素")
    # no penalty (行政处罚法第三十三条): the ground and the conditions the record establishes for it
    no_penalty_ground: str = P.kept("", label="不予行政处罚的理由")
    exemption_basis: str = P.kept("", label="不予行政处罚的依据")
    minor: str = P.kept("", label="违法行为轻微的情形")
    first_violation: str = P.kept("", label="初次违法的认定")
    harm: str = P.kept("", label="危害后果")
    corrected_on: date | None = P.kept(None, label="改正日期")
    correction: str = P.kept("", label="改正情况")
    no_fault: str = P.kept("", label="没有主观过错的事实")
    incapacity: str = P.kept("", label="不能辨认或者不能控制自己行为的情况")  # Art. 31, with its 鉴定意见
    guardian: str = P.kept("", label="责令监护人管教（看管和治疗）的情况")  # Art. 30, 31
    exemption_evidence: tuple[str, ...] = P.kept((), label="证明不予处罚情形的证据")


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


def proposal_form(f: Form, state: CaseState, ctx: Context, *, on: date | None, penalty_required: bool,
                  elements_required: bool = True) -> None:
    """Read what a report, a notice or a decision proposes. ``elements_required``: the facts must be given as the
    elements of the benchmark entry (the report and the decision; the notice carries those of the report)."""
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
    if outcome == Outcome.PENALTY.value and not ctx.replaying:
        f.problems += age_bar(ctx.party, state.act_date)
    if outcome in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        _apply_benchmark(f, state, ctx, on=on, outcome=outcome, fine=fine if PenaltyKind.FINE.value in kinds else None,
                         reason=reason, declared=declared)
    if outcome in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        provisions(f, violation, basis, f.out.get("benchmark"))
        facts_elements_form(f, state, ctx, on=on, required=elements_required and not ctx.replaying)
    if outcome == Outcome.NO_PENALTY.value:
        no_penalty_form(f, state, on=on, required=not ctx.replaying, party=ctx.party)
    if outcome == Outcome.PENALTY.value:
        if not kinds:
            f.problem("penalty_kinds", "给予处罚的，须写明处罚种类")
        if PenaltyKind.FINE.value in kinds and fine <= 0:
            f.problem("fine_fen", "罚款金额应大于零")
        if PenaltyKind.FINE.value not in kinds and fine:
            f.problem("fine_fen", "未选择罚款却填写了罚款金额")
    elif kinds or fine or f.out.get("confiscation_fen"):
        f.problem("fine_fen" if fine and not kinds else "penalty_kinds", "不予处罚、撤销案件或移送的，不能写处罚种类、罚款或没收金额")


AGE_ARTICLE = "行政处罚法第三十条"
UNDER_14, FROM_14_TO_18 = "minor_under_14", "minor_14_to_18"


def party_age(party: Any, act_date: date | None) -> int | None:
    """The party's age (周岁) on the day of the act, from the birth date in their ID number; None for an
    organisation, a person without one, or a case without its act date."""
    if party is None or act_date is None or getattr(party, "kind", None) != PartyKind.PERSON:
        return None
    born = birth_date(getattr(party, "id_number", "") or "")
    return age_on(born, act_date) if born is not None and born <= act_date else None


def age_bar(party: Any, act_date: date | None) -> list[Refusal]:
    """Art. 30: 不满十四周岁的未成年人有违法行为的，不予行政处罚 — read from the ID number, whether or not the
    circumstance was ticked: no penalty of any kind."""
    age = party_age(party, act_date)
    if age is None or age >= 14:
        return []
    return [Refusal("mandatory_no_penalty", f"当事人于违法行为发生时（{act_date.isoformat()}）未满十四周岁（依身份证号码，{age}周岁），"  # type: ignore[union-attr]
                    f"依照{AGE_ARTICLE}的规定不予行政处罚，应当责令监护人加以管教", AGE_ARTICLE, "outcome")]


def age_circumstances(party: Any, act_date: date | None, given: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """The circumstances the engine judges by: those given, plus the age circumstance the ID number proves
    (under 14; fourteen to eighteen), with the problems where what was given contradicts it."""
    age = party_age(party, act_date)
    if age is None:
        return tuple(given), []
    proven = UNDER_14 if age < 14 else FROM_14_TO_18 if age < 18 else None
    problems = [f"依身份证号码，当事人于违法行为发生时{age}周岁，与所选情节“{c}”不符"
                for c in (UNDER_14, FROM_14_TO_18) if c in given and c != proven]
    return tuple(sorted({*given, *([proven] if proven else [])})), problems


def dated_between(f: Form, key: str, label: str, *, required: bool, missing: Refusal,
                  latest: tuple[date | None, str, str], earliest: tuple[date | None, str]) -> date | None:
    """A day a record states (corrected on, educated on): ``missing`` when it is required and not given, and
    never after ``latest`` (the document's own date: it records what was done) nor before ``earliest``."""
    day = f.day(key, label, required=False)
    (last, last_label, why), (first, first_label) = latest, earliest
    if day is None:
        if required and key not in [r.field for r in f.problems]:
            f.problems.append(missing)
    elif last is not None and day > last:
        f.problem(key, f"{label}{day.isoformat()}晚于{last_label}{last.isoformat()}：{why}")
    elif first is not None and day < first:
        f.problem(key, f"{label}{day.isoformat()}早于{first_label}{first.isoformat()}")
    return day


def provisions(f: Form, violation: str, basis: str, benchmark: Mapping[str, Any] | None) -> None:
    """The provision broken and the penalty provision are two citations (适用法律错误 is a veto of case-file
    evaluation): 违反了 names the rule the party broke, 依据 the clause that punishes it. Against the
    benchmark entry, the first must be one of the entry's violation bases and the second its penalty basis."""
    try:
        punished = citations(basis) if basis else []
    except ValueError:
        punished = []  # a penalty basis in free words is left to the benchmark check below
    entry_violations = list((benchmark or {}).get("violation_basis") or [])
    violation_cited(f, violation, entry_violations, punished)
    penalty_basis = (benchmark or {}).get("penalty_basis")
    if penalty_basis and basis and not any(within(p, BasisQuery.parse(penalty_basis)) for p in punished):
        f.problem("basis", f"法律依据 {basis} 不是所适用裁量基准条目的罚则：应引用{penalty_basis}")


def violation_cited(f: Form, violation: str, entry_violations: Sequence[str], punished: Sequence[BasisQuery],
                    field: str = "violation") -> list[BasisQuery] | None:
    """The provision the party broke (or, at filing, is suspected of breaking), as cited: one of the benchmark
    entry's violation bases, never the penalty clause (``punished``). An entry naming one rule gives it when
    none is written (kept on the form); None, with the problem on the form, when it cannot be accepted."""
    if not violation and len(entry_violations) == 1:
        violation = entry_violations[0]  # the entry names one rule only: that is the one broken
        f.keep(field, violation)
    if not violation:
        choices = f"（裁量基准条目所列：{'、'.join(entry_violations)}）" if entry_violations else ""
        f.problem(field, f"须写明当事人违反的法律规定，即违法行为违反的条款，而非罚则{choices}")
        return None
    try:
        cited = citations(violation)
    except ValueError as exc:
        f.problem(field, f"违反的法律规定：{exc}")
        return None
    if punished and all(any(within(c, p) or within(p, c) for p in punished) for c in cited):
        f.problem(field, f"“违反的法律规定”写成了罚则（{violation}）：应写违法行为所违反的条款，罚则写在“法律依据”中")
        return None
    if entry_violations:
        allowed = [BasisQuery.parse(v) for v in entry_violations]
        if any(not any(within(c, a) for a in allowed) for c in cited):
            f.problem(field, f"违反的法律规定 {violation} 不是所适用裁量基准条目的违法条款（可选：{'、'.join(entry_violations)}）")
            return None
    return cited


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
    circumstances, contradictions = age_circumstances(ctx.party, state.act_date, inputs["circumstances"])
    if ctx.replaying:  # judged as it was recorded, with the circumstances it gave
        circumstances, contradictions = tuple(inputs["circumstances"]), []
    for problem in contradictions:
        f.problem("benchmark.circumstances", problem)
    if contradictions:
        return
    try:
        party_kind = PartyKind(state.party_kind or (ctx.party.kind.value if ctx.party else PartyKind.ORGANISATION.value))
        act = state.act_date or on or ctx.today
        facts = CaseFacts(party_kind, act, max(on or ctx.today, act),
                          {BaseKind(k): v for k, v in inputs["bases"].items()}, circumstances)
        assessment = assess(ctx.benchmarks, inputs["entry"], facts, ctx.policy)
    except (InvalidInput, RuleViolation) as exc:
        f.problems += [Refusal(r.rule, r.message, r.article, f"benchmark.{r.field}" if r.field else "benchmark") for r in exc.refusals]
        return
    except NotFound as exc:
        f.problem("benchmark.entry", str(exc))
        return
    mitigated = False
    if outcome == Outcome.NO_PENALTY.value:
        deviation = assessment.grade is not Grade.NO_PENALTY
        messages = [f"裁量基准建议{assessment.grade.zh}，拟不予处罚，偏离裁量基准"] if deviation else ["裁量基准建议不予处罚"]
        if deviation and not reason:
            f.problem("deviation_reason", "偏离裁量基准（含减轻处罚）须书面说明理由，并报法制审核")
    else:
        check = check_penalty(assessment, fine, reason)
        deviation, messages = check.deviation, list(check.messages)
        mitigated = check.mitigated
        if assessment.bars and not ctx.replaying and not any(r.rule == "mandatory_no_penalty" for r in f.problems + list(check.refusals)):
            article = bar_article(assessment.bars)  # a bar forbids any penalty, a warning as much as a fine
            f.problems.append(Refusal("mandatory_no_penalty", f"当事人具有{'、'.join(c.name for c in assessment.bars)}的情形，依照{article}"
                                      "的规定不予行政处罚，不得作出行政处罚决定（应作出不予行政处罚决定）", article, "outcome"))
        for refusal in check.refusals:
            if refusal.rule == "benchmark_deviation_reason" and declared:
                continue  # already asked for by the declared flag
            if refusal.rule == "mandatory_no_penalty" and any(r.rule == refusal.rule for r in f.problems):
                continue  # the bar is stated once (the age read from the ID number says it already)
            if refusal.rule in ("mandatory_no_penalty", "mandatory_mitigation") and ctx.replaying:
                continue  # recorded elsewhere before the law's 不予 and 应当 were bars: judged by its own rules
            field_name = "deviation_reason" if refusal.rule == "benchmark_deviation_reason" else "fine_fen"
            f.problems.append(Refusal(refusal.rule, refusal.message, refusal.article, field_name))
    f.keep("benchmark", {
        "input": inputs,
        "entry": assessment.entry,
        "cause": assessment.cause,  # the entry as the documents name it (its id is the program's)
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
        **({"mitigated": True} if mitigated else {}),  # 减轻 as the law allows: collective discussion by policy
        **({"derived_circumstances": [c for c in circumstances if c not in inputs["circumstances"]]}
           if set(circumstances) != set(inputs["circumstances"]) else {}),  # read from the ID number
        "messages": messages,
        "explanation": list(assessment.explanation),
    })
    f.keep("benchmark_deviation", declared or deviation)


# --- the facts as elements -----------------------------------------------------------------------------


def proposal_entry(library: Any, benchmark: Mapping[str, Any] | None, cause_entry: str, day: date | None) -> BenchmarkEntry | None:
    """The benchmark entry a proposal is judged by: that of its assessment, in the set and version it ran under;
    else the case's cause entry as in force on ``day`` (or its latest version). None when there is none."""
    if library is None:
        return None
    entry_id = str((benchmark or {}).get("entry") or cause_entry or "").strip()
    if not entry_id:
        return None
    ran_under = str((benchmark or {}).get("set") or "")
    for held in library.sets:
        if f"{held.id} {held.version}" == ran_under and held.entry(entry_id) is not None:
            return held.entry(entry_id)
    for when in (day, None):
        try:
            return library.entry(entry_id, when)
        except NotFound:
            continue
    return None


def facts_elements_form(f: Form, state: CaseState, ctx: Context, *, on: date | None, required: bool) -> None:
    """The facts as the elements the entry's provision needs (事实要素), given with the proposal or carried on from
    the last one: each a declared element, an amount one read as yuan and agreeing with the base the benchmark
    ran on, and (``required``) none of the required ones missing (事实不清、证据不足 is a veto of evaluation). A case
    whose entry declares none (or that has no entry) may still record elements, under the names given."""
    asked = f.raw.get("benchmark")
    named = f.out.get("benchmark") or ({"entry": asked.get("entry")} if isinstance(asked, Mapping) and asked.get("entry") else None)
    entry = proposal_entry(ctx.benchmarks, named, state.cause_entry, state.act_date or on or ctx.today)
    given = f.raw.get("facts_elements")
    if given in (None, "", {}):
        given = (state.notice or state.report or {}).get("facts_elements")  # as the last proposal found them
    if given in (None, "", {}):
        given = {}
    if not isinstance(given, Mapping):
        f.problem("facts_elements", f"违法事实要素应为 {{要素: 内容}}，实际为 {shown(given)}")
        return
    declared = entry.facts_elements if entry is not None else ()
    if not declared and len(given) > ELEMENTS_MAX:
        f.problem("facts_elements", f"事实要素最多{ELEMENTS_MAX}项")
        return
    found: dict[str, str] = {}
    amounts: dict[str, int] = {}
    for key, value in given.items():
        element = _element_named(declared, key)
        if element is None:
            f.problem(f"facts_elements.{key}", f"裁量基准条目 {entry.id} 没有事实要素“{shown(key)}”（可记录：{'、'.join(e.name for e in declared)}）"
                      if entry is not None and declared else f"事实要素的名称应为1至40字，实际为 {shown(key)}")
            continue
        if value is not None and (not isinstance(value, str | int | float) or isinstance(value, bool)):
            f.problem(f"facts_elements.{element.key}", f"{element.name}应为文字，实际为 {shown(value)}")
            continue
        text = "" if value is None else str(value).strip()
        sub = Form({"value": text, "name": element.name})
        sub.text("name", "事实要素的名称")
        sub.text("value", element.name, required=False, max_len=ELEMENT_MAX)
        if sub.problems:
            f.problems += [Refusal(r.rule, r.message, r.article, f"facts_elements.{element.key}") for r in sub.problems]
            continue
        if not text:
            continue
        if element.amount:
            try:
                amounts[element.key] = parse_yuan(text)
            except ValueError as exc:
                f.problem(f"facts_elements.{element.key}", f"{element.name}应为金额（元）：{exc}")
                continue
            text = f"{to_yuan(amounts[element.key])}"
        found[element.key] = text
    if entry is None or not declared:
        if found:
            f.keep("facts_elements", found)
        return
    article = entry.penalty_basis.cite()
    missing = [e.name for e in entry.required_elements if e.key not in found]
    if required and missing:
        f.problems.append(Refusal(
            "facts_element_missing",
            f"认定的违法事实缺少{'、'.join(f'“{m}”' for m in missing)}（适用{article}所需的事实要素）；"
            "违法事实不清、证据不足的，不得给予行政处罚（行政处罚法第四十条）", article, "facts_elements"))
    bases = ((f.out.get("benchmark") or {}).get("input") or {}).get("bases") or {}
    for element in entry.facts_elements:
        if element.base is None or element.key not in amounts or element.base.value not in bases:
            continue
        if amounts[element.key] != int(bases[element.base.value]):
            f.problems.append(Refusal(
                "facts_base_contradiction",
                f"事实要素“{element.name}”为{format_yuan(amounts[element.key])}，裁量基准测算所用的{element.base.zh}却为"
                f"{format_yuan(int(bases[element.base.value]))}：同一事实只能认定一个数额", article, f"facts_elements.{element.key}"))
    if found:
        f.keep("facts_elements", {e.key: found[e.key] for e in entry.facts_elements if e.key in found})


def _element_named(declared: tuple[FactElement, ...], key: Any) -> FactElement | None:
    """The declared element ``key`` is the key or the name of; without declarations, an element named ``key``."""
    if declared:
        return next((e for e in declared if str(key) in (e.key, e.name)), None)
    name = key.strip() if isinstance(key, str) else ""
    return FactElement(name, name) if 0 < len(name) <= 40 else None


# --- no penalty (行政处罚法第三十三条) ----------------------------------------------------------------------

EXEMPTION_CIRCUMSTANCES = ("minor_under_14", "mental_incapacity", "minor_and_corrected", "first_violation_exemption", "no_subjective_fault")
UNCORRECTED_GROUNDS = ("minor_under_14", "mental_incapacity", "no_subjective_fault")  # no 及时改正 among their conditions
"""The grounds of Art. 33 are the circumstances of the benchmark catalogue that stand for them."""
_CONDITIONS = {
    "minor_and_corrected": (("minor", "违法行为轻微的情形"), ("harm", "没有造成危害后果的情况"),
                            ("correction", "改正的方式和结果")),
    "first_violation_exemption": (("first_violation", "初次违法的认定（如查询违法记录的情况）"), ("harm", "危害后果轻微的情况"),
                                  ("correction", "改正的方式和结果")),
    "no_subjective_fault": (("no_fault", "足以证明没有主观过错的事实"),),
    "minor_under_14": (("guardian", "责令监护人加以管教的情况"),),
    "mental_incapacity": (("incapacity", "不能辨认或者不能控制自己行为的情况（鉴定意见）"), ("guardian", "责令监护人严加看管和治疗的情况")),
}


def no_penalty_form(f: Form, state: CaseState, *, on: date | None, required: bool = True, party: Any = None) -> None:
    """A proposal not to penalise names its ground. On 行政处罚法第三十三条 it establishes that paragraph's conditions:
    for ¶1 what was minor, that no harm (or only slight harm) followed, when and how it was corrected, with the
    evidence of it; for ¶2 the facts that show no fault, with their evidence. Another statute's ground is cited
    as such, never as Art. 33. Not ``required``: a record from before these were asked for (a bundle's), whose
    ground and conditions are read as far as it gives them."""
    circumstances = set(((f.out.get("benchmark") or {}).get("input") or {}).get("circumstances") or ())
    named = [c for c in EXEMPTION_CIRCUMSTANCES if c in circumstances]
    if f.raw.get("no_penalty_ground") in (None, "") and len(named) == 1:
        f.raw["no_penalty_ground"] = named[0]  # the benchmark was run on that ground
    ground = f.choice("no_penalty_ground", "不予行政处罚的理由", NO_PENALTY_GROUNDS, required=required)
    if not ground:
        return
    basis = f.text("exemption_basis", "不予行政处罚的依据", required=ground == "other")
    cites_art33 = "第三十三条" in basis and "行政处罚法" in basis
    if ground == "other":
        if cites_art33:
            f.problem("exemption_basis", "依据行政处罚法第三十三条不予处罚的，应选择该条所列的理由并写明其条件")
        return
    article = NO_PENALTY_GROUND_BASIS[ground]
    if basis and basis != article:
        f.problem("exemption_basis", f"以“{NO_PENALTY_GROUND_ZH[ground]}”不予行政处罚的，依据为{article}")
    f.keep("exemption_basis", article)
    if circumstances and ground not in circumstances:
        f.problem("no_penalty_ground", f"不予行政处罚的理由为“{NO_PENALTY_GROUND_ZH[ground]}”，裁量基准的情节中却没有这一情节："
                                       "请在裁量基准中选定它，使测算与决定的理由一致")
    for key, label in _CONDITIONS[ground]:
        if not f.text(key, label, required=False) and required:
            f.problems.append(Refusal("no_penalty_condition", f"依据{article}不予行政处罚，须写明{label}", article, key))
    if ground == "minor_under_14" and (age := party_age(party, state.act_date)) is not None and age >= 14:
        f.problem("no_penalty_ground", f"依身份证号码，当事人于违法行为发生时已满十四周岁（{age}周岁），不适用{article}")
    if ground not in UNCORRECTED_GROUNDS:
        dated_between(f, "corrected_on", "改正日期", required=required,
                      missing=Refusal("no_penalty_condition", f"依据{article}不予行政处罚，须写明改正的日期（及时改正）", article, "corrected_on"),
                      latest=(on, "本文书的日期", "尚未改正的，不能以及时改正为由不予处罚"), earliest=(state.act_date, "违法行为发生的日期"))
    evidence = f.hashes("exemption_evidence", "证明不予处罚情形的证据")
    known = {str(e.get("sha256")) for e in state.evidence} | {s.hash for s in state.steps}
    if not evidence and required:
        what = {"no_subjective_fault": "没有主观过错", "minor_under_14": "当事人的年龄（身份证件、户口簿）",
                "mental_incapacity": "不能辨认或者不能控制自己行为（鉴定意见）"}.get(ground, "改正情况")
        f.problems.append(Refusal("no_penalty_condition", f"依据{article}不予行政处罚，须列明证明{what}的证据（证据材料或复查笔录）", article,
                                  "exemption_evidence"))
    elif unknown := [h for h in evidence if h not in known]:
        f.problem("exemption_evidence", f"证明不予处罚情形的证据不在本案的证据材料和笔录中：{unknown[0][:12]}…")
