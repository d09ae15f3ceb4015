"""Opening a case and filing it: the lead (案源登记), the on-the-spot decision of the simple procedure, and the
head's filing approval (Art. 51–52, 54, 36)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .. import power_list
from ..case import CaseState, Outcome, Procedure, Stage, Step
from ..discretion.legal_basis import BasisQuery, citations
from ..discretion.library import UnknownEntry
from ..forms import Form
from ..labels import CASE_SOURCE_ZH
from ..money import format_yuan
from ..officers import Role
from ..penalties import PartyKind, PenaltyKind
from ..refusals import Refusal
from . import payload as P
from .engine import ActionKind, Context, InboxTask, declare, officers_refusals, plain, read, signatures_form
from .folds import day_of, decision_fold, investigators_fold
from .proposal import age_bar, violation_cited

CASE_SOURCES = tuple(CASE_SOURCE_ZH)


def _party_header(f: Form, ctx: Context) -> None:
    if ctx.party is None:
        f.problem("party_id", "须先登记当事人")
        return
    f.keep("party_id", ctx.party.id)
    f.keep("party_kind", ctx.party.kind.value)
    f.keep("party_name", ctx.party.name)
    f.keep("party_address", ctx.party.address)
    if ctx.agency is not None:
        f.keep("agency_id", ctx.agency.id)


@dataclass(frozen=True)
class CaseHeader(P.Payload):
    """The party and agency a case is opened against (kept from the registered party, not typed)."""

    party_id: str = P.kept("")
    party_kind: str = P.kept("")
    party_name: str = P.kept("")
    party_address: str = P.kept("")
    agency_id: str = P.kept("")


def _case_header(s: CaseState, p: Mapping[str, Any]) -> None:
    s.agency_id = p.get("agency_id", "")
    s.party_id = p.get("party_id", "")
    s.party_kind = p.get("party_kind", "")
    s.party_name = p.get("party_name", "")
    s.cause = p.get("cause", "")
    s.cause_entry = p.get("cause_entry", "")
    s.act_date = day_of(p.get("act_date"))
    s.life_health_finance = bool(p.get("life_health_finance", False))
    s.handlers = tuple(p.get("handlers", ()))
    s.title = f"{s.party_name}{s.cause}案"


def _within_powers(entry: str, ctx: Context, field: str = "") -> list[Refusal]:
    """Art. 17: the agency acts only within its powers. The case's benchmark entry against the agency's power
    list in force today (a case that names no entry is not checked here: see :mod:`..power_list`)."""
    if not entry or ctx.power_lists is None or ctx.benchmarks is None:
        return []
    return power_list.entry_refusals(entry, ctx.today, ctx.power_lists, ctx.benchmarks, field)


def decision_power(entry: str, basis: str, day: date, ctx: Context, field: str = "basis") -> power_list.PowerFinding | None:
    """Art. 17 on the day of a penalty decision: the case's entry against the list then in force (a
    delegation may have lapsed since filing), or, naming no entry, the penalty clause the decision cites.
    None: not checked (no lists loaded, or a recorded step replayed)."""
    if ctx.replaying or ctx.power_lists is None or ctx.benchmarks is None:
        return None
    if entry:
        return power_list.find_power(entry, day, ctx.power_lists, ctx.benchmarks, "cause_entry")
    try:
        cited = citations(basis)
    except ValueError:
        return power_list.PowerFinding("", day, None, "", Refusal(  # malformed input, not a rule refused (exit 2)
            "basis_uncited", f"处罚依据应写明法条（如《广告法》第五十七条第（一）项），以依权责清单核对本机关的职权（{power_list.ARTICLE}）",
            "", field))
    return power_list.provision_finding(cited, day, ctx.power_lists, field)


def decision_within_powers(f: Form, entry: str, day: date, ctx: Context, *, default_name: str = "") -> None:
    """The power check of a decision on ``f`` (its ``basis``), and the name it is made in: under a delegation,
    the delegating body's (Art. 20 ¶4: 受委托组织在委托范围内，以委托行政机关名义实施行政处罚). ``default_name``:
    the agency's own name, filled in when the form gave none, replaced by the delegating body's."""
    finding = decision_power(entry, str(f.out.get("basis") or ""), day, ctx)
    if finding is not None and finding.refusal is not None:
        f.problems.append(finding.refusal)
    issuer = power_list.issuing_body(finding)
    if not issuer or "agency_name" not in f.out:
        return
    if f.out["agency_name"] in ("", default_name):  # the agency's own name is not the one it acts in here
        f.keep("agency_name", issuer)
    elif f.out["agency_name"] != issuer:
        f.problem("agency_name", f"本案受{issuer}委托实施，应以委托行政机关名义作出决定（{power_list.DELEGATION_ARTICLE}）：作出决定的机关应为{issuer}")


def _case_within_powers(state: CaseState, ctx: Context) -> list[Refusal]:
    """The case's entry against the power list in force today, or (naming no entry) the statute of the
    provision its filing request cites."""
    if state.cause_entry or ctx.power_lists is None or not state.suspected_violation:
        return _within_powers(state.cause_entry, ctx)
    try:
        cited = citations(state.suspected_violation)
    except ValueError:
        return []  # recorded by an earlier program without the check: the evaluator judges
    return power_list.provision_refusals(cited, ctx.today, ctx.power_lists, statute_only=True)


def _limitation_refusals(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.act_date is None:
        return [Refusal("act_date_missing", "立案前须填写违法行为发生（或终了）日期，以核查处罚时效（行政处罚法第三十六条）", "行政处罚法第三十六条", "act_date")]
    key = "limitation_years_life_health_finance" if state.life_health_finance else "limitation_years"
    years = ctx.statute[key]
    discovered = state.lead_received_on or ctx.today
    try:
        limit = state.act_date.replace(year=state.act_date.year + years.value)
    except ValueError:  # 29 February
        limit = state.act_date.replace(year=state.act_date.year + years.value, day=28)
    if discovered > limit:
        return [
            Refusal(
                "limitation_period",
                f"违法行为于{state.act_date.isoformat()}发生，{years.value}年内未被发现（{discovered.isoformat()}登记），"
                f"不再给予行政处罚（行政处罚法{years.article}），应不予立案",
                f"行政处罚法{years.article}",
            )
        ]
    return []


# --- the lead ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterLead(CaseHeader):
    source: str = P.choice("案件来源", CASE_SOURCES)
    received_on: date | None = P.day("案源登记日期", today=True)
    act_date: date | None = P.day("违法行为发生日期", required=False)
    cause: str = P.text("案由", search=True)
    cause_entry: str = P.text("裁量基准条目", required=False)
    summary: str = P.text("案源简要情况", search=True)
    life_health_finance: bool = P.flag()
    handlers: tuple[str, ...] = P.ids("承办人员")


def _fold_lead(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.procedure = Procedure.GENERAL
    s.stage = Stage.LEAD
    _case_header(s, p)
    s.lead_received_on = day_of(p.get("received_on")) or step.day


@declare(ActionKind.REGISTER_LEAD, "案源登记", stages=frozenset(), roles=(Role.OFFICER,), payload=RegisterLead, fold=_fold_lead)
def _v_register_lead(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(RegisterLead, raw, ctx)
    received, act_date = f.day_read("received_on"), f.day_read("act_date")
    _party_header(f, ctx)
    if received and received > ctx.today:
        f.problem("received_on", "案源登记日期不能晚于今天")
    if act_date and received and act_date > received:
        f.problem("act_date", "违法行为发生日期不能晚于案源登记日期")
    if received:
        f.problems += officers_refusals(ctx, f.out["handlers"], received, ctx.statute["min_officers"].value, "handlers")
    f.problems += _within_powers(f.out.get("cause_entry", ""), ctx, "cause_entry")
    return f.done()


# --- the simple procedure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimpleDecision(CaseHeader):
    at: datetime | None = P.moment("处罚时间")
    place: str = P.text("处罚地点")
    cause: str = P.text("违法行为", search=True)
    cause_entry: str = P.text("裁量基准条目", required=False)
    facts: str = P.text("违法事实", search=True)
    basis: str = P.text("处罚依据")
    form_no: str = P.text("预定格式决定书编号")
    penalty_kinds: tuple[str, ...] = P.choices("处罚种类", [k.value for k in PenaltyKind], required=True)
    fine_fen: int = P.fen("罚款金额")
    officers: tuple[str, ...] = P.ids("执法人员")
    certificates_shown: bool = P.flag()
    signatures: tuple[Mapping[str, Any], ...] = P.kept(())  # the party's receipt of the form, or the refusal noted
    party_signed: bool = P.kept(False)  # records made before signatures were captured
    refusal_note: str = P.kept("")
    compliance: str = P.text("履行方式和期限")
    remedies: str = P.text("申请行政复议、提起行政诉讼的途径和期限")
    case_no: str = P.kept("")
    year: int = P.kept(0)
    serial: int = P.kept(0)
    on: date | None = P.kept()
    handlers: tuple[str, ...] = P.kept(())
    payable: bool = P.kept(False)


def _fold_simple(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.procedure = Procedure.SIMPLE
    _case_header(s, p)
    s.case_no = p.get("case_no", "")
    s.year = int(p.get("year", 0))
    s.serial = int(p.get("serial", 0))
    s.filed_on = step.day
    investigators_fold(s, step, p)
    decision_fold(s, step, {**p, "outcome": Outcome.PENALTY})
    # the on-the-spot form is handed to the party at once (Art. 52)
    s.decision_served_on = step.day
    s.stage = Stage.EXECUTION


@declare(ActionKind.RECORD_SIMPLE_DECISION, "当场处罚（简易程序）", stages=frozenset(), roles=(Role.OFFICER,),
         payload=SimpleDecision, fold=_fold_simple, signed=True)
def _v_simple(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(SimpleDecision, raw, ctx)
    at = f.moment_read("at")
    kinds, fine, officers = f.out["penalty_kinds"], f.out.get("fine_fen", 0), f.out["officers"]
    f.passthrough(case_no=str, year=int, serial=int)
    _party_header(f, ctx)
    if not f.out["certificates_shown"]:
        f.problem("certificates_shown", "执法人员当场作出处罚决定应当出示执法证件（行政处罚法第五十二条）")
    signatures_form(f, None, ActionKind.RECORD_SIMPLE_DECISION, raw)
    extra = sorted(set(kinds) - {PenaltyKind.WARNING.value, PenaltyKind.FINE.value})
    if extra:
        f.problem("penalty_kinds", "简易程序只能给予警告或者罚款（行政处罚法第五十一条）")
    if PenaltyKind.FINE.value in kinds and fine <= 0:
        f.problem("fine_fen", "罚款金额应大于零")
    if PenaltyKind.FINE.value not in kinds and fine:
        f.problem("fine_fen", "未选择罚款却填写了罚款金额")
    if ctx.party is not None and fine:
        limit = ctx.statute.simple_procedure_limit(ctx.party.kind)
        if fine > limit.value * 100:
            who = "公民" if ctx.party.kind == PartyKind.PERSON else "法人或者其他组织"
            f.problems.append(
                Refusal(
                    "simple_procedure_limit",
                    f"简易程序对{who}罚款不得超过{limit.value}元（行政处罚法{limit.article}），"
                    f"本案拟罚{format_yuan(fine)}，应适用普通程序",
                    f"行政处罚法{limit.article}",
                    "fine_fen",
                )
            )
    if at:
        f.problems += officers_refusals(ctx, officers, at.date(), ctx.policy.simple_procedure_min_officers)
        if not ctx.replaying:
            f.problems += age_bar(ctx.party, at.date())  # Art. 30: no penalty on the spot either for a child under 14
    decision_within_powers(f, f.out.get("cause_entry", ""), at.date() if at else ctx.today, ctx)
    f.keep("on", at.date().isoformat() if at else None)
    f.keep("handlers", officers)
    f.keep("payable", fine > 0)
    return f.done()


# --- filing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFiling(P.Payload):
    on: date | None = P.day("提请日期", today=True)
    facts: str = P.text("简要案情", search=True)
    violation: str = P.text("涉嫌违反的法律规定", required=False, search=True)
    reason: str = P.text("立案理由", search=True)
    opinion: str = P.text("承办人意见", required=False, search=True)


def _fold_request_filing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.FILING
    s.suspected_violation = p.get("violation", "")


@declare(ActionKind.REQUEST_FILING, "提请立案", stages=frozenset({Stage.LEAD}), roles=(Role.OFFICER,), handler_only=True,
         pre=_case_within_powers, payload=RequestFiling, fold=_fold_request_filing)
def _v_request_filing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The 立案审批表 states the provision the party is suspected of breaking (违反了…, not the penalty
    clause): one of the benchmark entry's violation bases when the case names one. The agency's power is
    checked by the entry, or else by that provision's statute (Art. 17; the penalty clause is checked again
    when the decision cites it)."""
    f = read(RequestFiling, raw, ctx)
    entry = _entry_of(state, ctx)
    violations = [b.cite() for b in entry.violation_basis] if entry is not None else []
    penalties = [BasisQuery.parse(b.cite()) for b in entry.penalty_bases] if entry is not None else []
    if ctx.replaying:  # recorded elsewhere, perhaps before the provision was asked for: judged by its own rules
        return f.done()
    cited = violation_cited(f, f.out.get("violation", ""), violations, penalties)
    if cited and not state.cause_entry and ctx.power_lists is not None:
        f.problems += power_list.provision_refusals(cited, ctx.today, ctx.power_lists, "violation", statute_only=True)
    return f.done()


def _entry_of(state: CaseState, ctx: Context) -> Any:
    """The case's benchmark entry (None: none named, no library, or unknown — the power check names that)."""
    if not state.cause_entry or ctx.benchmarks is None:
        return None
    try:
        return ctx.benchmarks.entry(state.cause_entry)
    except UnknownEntry:
        return None


def _filing_refusals(state: CaseState, ctx: Context) -> list[Refusal]:
    """Filing needs the act within the limitation period (Art. 36) and within the agency's powers (Art. 17)."""
    return _limitation_refusals(state, ctx) + _case_within_powers(state, ctx)


@dataclass(frozen=True)
class ApproveFiling(P.Payload):
    on: date | None = P.day("立案日期", today=True)
    opinion: str = P.text("负责人意见", required=False, search=True)
    case_no: str = P.kept("")
    year: int = P.kept(0)
    serial: int = P.kept(0)


def _fold_approve_filing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.INVESTIGATION
    s.filed_on = step.day
    s.case_no = p.get("case_no", "")
    s.year = int(p.get("year", 0))
    s.serial = int(p.get("serial", 0))


@declare(ActionKind.APPROVE_FILING, "批准立案", stages=frozenset({Stage.FILING}), roles=(Role.AGENCY_HEAD,), head_not_handler=True,
         pre=_filing_refusals, payload=ApproveFiling, fold=_fold_approve_filing,
         inbox=InboxTask(Role.AGENCY_HEAD, "lead_check"), signed=True)
def _v_approve_filing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(ApproveFiling, raw, ctx)
    on = f.day_read("on")
    f.passthrough(case_no=str, year=int, serial=int)
    if on and state.lead_received_on and on < state.lead_received_on:
        f.problem("on", "立案日期不能早于案源登记日期")
    if not raw.get("case_no"):
        f.problem("case_no", "立案须编定案件编号")
    return f.done()


@dataclass(frozen=True)
class RefuseFiling(P.Payload):
    on: date | None = P.day("决定日期", today=True)
    reason: str = P.text("不予立案理由", search=True)


def _fold_refuse_filing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.CLOSED
    s.outcome = Outcome.NOT_FILED
    s.closed_on = step.day


declare(ActionKind.REFUSE_FILING, "不予立案", stages=frozenset({Stage.FILING}), roles=(Role.AGENCY_HEAD,), head_not_handler=True,
         payload=RefuseFiling, fold=_fold_refuse_filing, signed=True)(plain(RefuseFiling))
