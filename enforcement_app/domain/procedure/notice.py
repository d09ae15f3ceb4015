"""Notice and hearing (告知、听证): the prior notice (Art. 44), its service (Art. 61), statement, defence and
their re-examination (Art. 45), waiver, and the hearing (Art. 63–65)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..case import CaseState, Outcome, Proposal, Stage, Step
from ..labels import HEARING_ABSENCE_ZH, SERVED_DOCUMENT_ZH, SERVICE_METHOD_ZH, STATEMENT_FORM_ZH
from ..officers import Role
from ..refusals import Refusal
from . import payload as P
from .engine import (
    OPEN_STAGES,
    ActionKind,
    Context,
    InboxTask,
    deadline,
    declare,
    not_suspended,
    officers_refusals,
    plain,
    read,
    signatures_form,
)
from .proposal import ProposalFields, hearing_right, proposal_form

SERVICE_METHODS = tuple(SERVICE_METHOD_ZH)
SERVED_DOCUMENTS = tuple(SERVED_DOCUMENT_ZH)
STATEMENT_FORMS = tuple(STATEMENT_FORM_ZH)
ABSENCE_KINDS = tuple(HEARING_ABSENCE_ZH)


def _notice_possible(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.report is None:
        return [Refusal("no_report", "须先提交调查终结报告")]
    if state.proposal is None or state.proposal.outcome != Outcome.PENALTY:
        return [Refusal("no_penalty_proposed", "调查终结报告未提出处罚意见，无需告知")]
    if state.review_pending:
        return [Refusal("legal_review_pending", "法制审核尚未完成")]
    return not_suspended(state, ctx)


@dataclass(frozen=True)
class PriorNotice(ProposalFields, P.Numbered):
    on: date | None = P.day("告知日期", today=True)
    hearing_right: bool = P.kept(False)
    hearing_reasons: tuple[str, ...] = P.kept(())
    statement_days: int = P.kept(0)


def _fold_notice(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.notice = {**p, "event": step.hash}
    s.notice_served_on = None
    s.proposal = Proposal.from_payload({**(s.report or {}), **p})
    s.benchmark = p.get("benchmark") or s.benchmark
    s.statements = []
    s.reexamined = False
    s.rights_waived_on = None
    s.documents_issued["prior_notice"] = p
    s.stage = Stage.NOTICE


@declare(ActionKind.ISSUE_PRIOR_NOTICE, "行政处罚告知", stages=frozenset({Stage.DELIBERATION, Stage.NOTICE}), roles=(Role.OFFICER,),
         handler_only=True, pre=_notice_possible, payload=PriorNotice, fold=_fold_notice, issues=lambda p: "prior_notice")
def _v_notice(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(PriorNotice, {"outcome": Outcome.PENALTY.value, **raw}, ctx)
    on = f.day_read("on")
    proposal_form(f, state, ctx, on=on, penalty_required=False, elements_required=False)
    proposal = Proposal.from_payload(f.out)
    reasons = hearing_right(ctx, state.party_kind, proposal)
    declared = raw.get("hearing_right")
    if declared is False and reasons:
        f.problems.append(
            Refusal("hearing_right", f"拟作出的处罚应当告知当事人有要求听证的权利（行政处罚法第六十三条：{'；'.join(reasons)}）", "行政处罚法第六十三条", "hearing_right")
        )
    f.keep("hearing_right", bool(reasons) or bool(declared))
    f.keep("hearing_reasons", reasons)
    f.keep("statement_days", ctx.policy.statement_window.days)
    return f.done()


# --- service -----------------------------------------------------------------------------------------------


def _document_pending(state: CaseState, ctx: Context) -> list[Refusal]:
    pending = [d for d in state.documents_issued if d not in state.documents_served]
    return [] if pending else [Refusal("nothing_to_serve", "没有待送达的文书")]


RECEIPT_METHODS = ("direct", "post", "entrusted", "forwarded")
"""The ways of service whose receipt the recipient signs and dates (the post's return receipt included)."""


@dataclass(frozen=True)
class Service(P.Numbered):  # numbered only where the agency's policy numbers its 送达回证
    document: str = P.choice("送达文书", SERVED_DOCUMENTS)
    on: date | None = P.day("送达日期", today=True)
    method: str = P.choice("送达方式", SERVICE_METHODS)
    recipient: str = P.text("受送达人")
    officers: tuple[str, ...] = P.ids("送达人", required=False)  # none given: the case's handling officers; records before: the actor
    received_on: date | None = P.day("签收日期", required=False)  # the day the recipient wrote on the receipt
    signatures: tuple[Mapping[str, Any], ...] = P.kept(())  # the recipient's (or the refusal) and both 送达人's on the 送达回证
    receipt_signed: bool = P.kept(False)  # records made before signatures were captured
    witness: str = P.text("见证人", required=lambda read_so_far: read_so_far.get("method") == "left_at_address")
    consent: bool = P.flag()
    address: str = P.kept("")
    hearing_right: bool = P.kept(False)  # a prior notice served with the right to a hearing starts its window
    payable: bool = P.kept(False)  # a decision served with an amount to pay starts the payment period


def _fold_service(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    document = p.get("document", "")
    s.documents_served[document] = {**p, "event": step.hash}
    if document == "prior_notice":
        s.notice_served_on = step.day
    elif document == "hearing_notice":
        s.hearing_notice_served_on = step.day
    elif document == "decision":
        s.decision_served_on = step.day
        if s.stage == Stage.DECIDED:
            s.stage = Stage.EXECUTION


@declare(ActionKind.SERVE_DOCUMENT, "送达", stages=OPEN_STAGES - {Stage.LEAD, Stage.FILING}, roles=(Role.OFFICER,), handler_only=True,
         pre=_document_pending, payload=Service, fold=_fold_service, issues=lambda p: "service_receipt")
def _v_serve(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Service, raw, ctx)
    document, method = f.out.get("document", ""), f.out.get("method", "")
    on = f.day_read("on")
    if method == "electronic" and not f.out["consent"]:
        f.problem("consent", "电子送达须经当事人同意并签订确认书（行政处罚法第六十一条第二款）")
    if document and document not in state.documents_issued:
        f.problem("document", "该文书尚未制作，不能送达")
    elif document in state.documents_served:
        f.problem("document", "该文书已送达")
    issued = state.documents_issued.get(document, {})
    issued_on = issued.get("on")
    if on and issued_on and on.isoformat() < str(issued_on):
        f.problem("on", "送达日期不能早于文书制作日期")
    if on and on > ctx.today:
        f.problem("on", "送达日期不能晚于今天")
    if document == "prior_notice":
        f.keep("hearing_right", bool(issued.get("hearing_right")))
    if document == "decision":
        f.keep("payable", state.amount_due_fen > 0)
    _servers(f, state, ctx, on or ctx.today)
    _receipt_day(f, method, on)
    # served in person, the recipient signs the receipt and both 送达人 sign it; left at the address, the refusal is
    # noted with its witness or recording and both 送达人 sign; other ways carry no signature
    signatures_form(f, state, ActionKind.SERVE_DOCUMENT, raw)
    _receipt_signers(f, ctx, method)
    return f.done()


def _servers(f, state: CaseState, ctx: Context, day: date) -> None:
    """Two 送达人 (the case's handling officers unless others are named), each a registered officer with a
    certificate valid on the day of service, as for any act of investigation (行政处罚法第四十二条)."""
    officers = f.out.get("officers") or list(state.handlers)
    f.keep("officers", officers)
    f.problems += [dataclasses.replace(r, message=r.message.replace("执法人员不得少于", "送达人不得少于"))
                   for r in officers_refusals(ctx, officers, day, ctx.statute["min_officers"].value, "officers")]


def _receipt_day(f, method: str, on: date | None) -> None:
    """签收日期: the day the recipient wrote on the receipt, which is the day of service; only a receipt the
    recipient signs has one."""
    received = f.day_read("received_on")
    if method in RECEIPT_METHODS:
        if received and on and received != on:
            f.problem("received_on", f"受送达人在送达回证上记明的签收日期即为送达日期：签收日期{received.isoformat()}与送达日期{on.isoformat()}不一致")
        elif on:
            f.keep("received_on", on.isoformat())
    elif received:
        f.problem("received_on", f"{SERVICE_METHOD_ZH.get(method, method)}不由受送达人签收，没有签收日期")


def _receipt_signers(f, ctx: Context, method: str) -> None:
    """What the signatures of a receipt must say beyond who signs (resources/law/signers.json): at a 留置送达 the
    recipient refused (the refusal with its witness or recording is the entry), in person they did not, and
    the 送达人 who sign are the ones named."""
    if any(r.field == "signatures" for r in f.problems):
        return
    entries = f.out.get("signatures") or []
    recipient = [e for e in entries if e["signer"] == "recipient"]
    if method == "left_at_address" and any(e["how"] != "refused" for e in recipient):
        f.problem("signatures", "受送达人已签收的，不是留置送达：留置送达应记录受送达人拒绝签收的情况，由见证人签名或者以录音录像记录")
    if method == "direct" and any(e["how"] == "refused" for e in recipient):
        f.problem("method", "受送达人拒绝签收的，应记为留置送达（注明拒收事由和日期，由见证人签名或者拍照、录像记录送达过程）")
    if method in ("direct", "left_at_address"):
        signed = {e["name"] for e in entries if e["signer"] == "officer"}
        for officer_id in f.out.get("officers", []):
            officer = ctx.officers.get(officer_id)
            if officer is not None and officer.name not in signed:
                f.problem("signatures", f"送达人{officer.name}未在送达回证上签名")


# --- statement, defence, waiver ----------------------------------------------------------------------------


def _notice_served(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.notice is None or state.notice_served_on is None:
        return [Refusal("notice_not_served", "行政处罚告知书尚未送达")]
    return []


def _oral(values: Mapping[str, Any]) -> bool:
    return values.get("form") == "oral"


@dataclass(frozen=True)
class Statement(P.Payload):
    on: date | None = P.day("陈述申辩日期", today=True)
    form: str = P.choice("陈述申辩方式", STATEMENT_FORMS)
    by: str = P.text("陈述申辩人")
    content: str = P.text("陈述申辩内容", search=True)
    # an oral statement is taken down as a 笔录: when and where, by which two officers, who wrote it
    started_at: datetime | None = P.moment("开始时间", required=_oral)
    ended_at: datetime | None = P.moment("结束时间", required=_oral)
    place: str = P.text("地点", required=_oral)
    officers: tuple[str, ...] = P.ids("执法人员", required=_oral)
    recorder: str = P.text("记录人", required=_oral)
    signatures: tuple[Mapping[str, Any], ...] = P.kept(())  # an oral statement's record, signed by the party and both officers


def _fold_statement(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.statements.append(p)
    s.reexamined = False


@declare(ActionKind.RECORD_STATEMENT, "陈述申辩", stages=frozenset({Stage.NOTICE, Stage.HEARING, Stage.DELIBERATION}), roles=(Role.OFFICER,),
         handler_only=True, pre=_notice_served, payload=Statement, fold=_fold_statement)
def _v_statement(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Statement, raw, ctx)
    # an oral statement is taken down as 陈述申辩笔录 and signed by the party and the officers; a written one is
    # the party's own paper
    if f.out.get("form") == "oral":
        start, end = f.moment_read("started_at"), f.moment_read("ended_at")
        if start and end and end < start:
            f.problem("ended_at", "结束时间早于开始时间")
        if start:
            if start.date() > ctx.today:
                f.problem("started_at", "陈述申辩时间不能晚于今天")
            f.problems += officers_refusals(ctx, f.out["officers"], start.date(), ctx.statute["min_officers"].value)
    signatures_form(f, state, ActionKind.RECORD_STATEMENT, raw)
    return f.done()


def _statement_unexamined(state: CaseState, ctx: Context) -> list[Refusal]:
    if not state.statements:
        return [Refusal("no_statement", "当事人尚未陈述申辩")]
    if state.reexamined:
        return [Refusal("already_reexamined", "已对陈述申辩进行复核")]
    return []


@dataclass(frozen=True)
class Reexamination(P.Payload):
    on: date | None = P.day("复核日期", today=True)
    adopted: bool = P.flag()
    conclusion: str = P.text("复核意见", search=True)


def _fold_reexamination(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.reexamined = True


declare(ActionKind.RECORD_REEXAMINATION, "复核", stages=frozenset({Stage.NOTICE, Stage.HEARING, Stage.DELIBERATION}), roles=(Role.OFFICER,),
         handler_only=True, pre=_statement_unexamined, payload=Reexamination, fold=_fold_reexamination)(plain(Reexamination))


@dataclass(frozen=True)
class Waiver(P.Payload):
    on: date | None = P.day("日期", today=True)
    written: bool = P.flag()
    statement: str = P.text("当事人书面表示内容")


def _fold_waiver(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.rights_waived_on = step.day


def _waivable(state: CaseState, ctx: Context) -> list[Refusal]:
    """A waiver is recorded once per notice: once the party has waived, the step is done (a new notice, which
    gives the rights again, clears it)."""
    refusals = _notice_served(state, ctx)
    if refusals or ctx.replaying:
        return refusals
    if state.rights_waived_on is not None:
        return [Refusal("rights_waived", f"当事人已于{state.rights_waived_on.isoformat()}书面放弃陈述、申辩和听证权利，无需再次记录")]
    return []


@declare(ActionKind.WAIVE_RIGHTS, "当事人放弃陈述申辩和听证", stages=frozenset({Stage.NOTICE}), roles=(Role.OFFICER,), handler_only=True,
         pre=_waivable, payload=Waiver, fold=_fold_waiver)
def _v_waive(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Waiver, raw, ctx)
    if not f.out["written"]:
        f.problem("written", "当事人放弃陈述、申辩和听证权利须有书面明确表示")
    return f.done()


# --- hearing -----------------------------------------------------------------------------------------------


def _hearing_requestable(state: CaseState, ctx: Context) -> list[Refusal]:
    refusals = _notice_served(state, ctx)
    if refusals:
        return refusals
    if not (state.notice or {}).get("hearing_right"):
        return [Refusal("no_hearing_right", "拟作出的处罚不属于听证范围（行政处罚法第六十三条）", "行政处罚法第六十三条")]
    if state.rights_waived_on:
        return [Refusal("rights_waived", "当事人已书面放弃听证权利")]
    return []


@dataclass(frozen=True)
class HearingRequest(P.Payload):
    on: date | None = P.day("听证申请日期", today=True)
    form: str = P.choice("申请方式", STATEMENT_FORMS)


def _fold_hearing_request(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_requested_on = step.day
    s.stage = Stage.HEARING


@declare(ActionKind.REQUEST_HEARING, "听证申请", stages=frozenset({Stage.NOTICE}), roles=(Role.OFFICER,), handler_only=True,
         pre=_hearing_requestable, payload=HearingRequest, fold=_fold_hearing_request)
def _v_request_hearing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(HearingRequest, raw, ctx)
    on = f.day_read("on")
    window = deadline(state, ctx, "hearing_request")
    if on and window and on > window.due:
        f.problems.append(
            Refusal(
                "hearing_request_late",
                f"当事人应在告知书送达后五个工作日内要求听证（行政处罚法第六十四条第（一）项），期限已于{window.due.isoformat()}届满",
                "行政处罚法第六十四条第（一）项",
                "on",
            )
        )
    if on and state.notice_served_on and on < state.notice_served_on:
        f.problem("on", "听证申请日期早于告知书送达日期")
    return f.done()


def hearing_notice_earliest(ctx: Context, served_on: date) -> date:
    """Art. 64(2): the notice reaches the party at least 7 working days before the hearing, i.e. the
    hearing is held no earlier than the 7th working day after the notice is served."""
    return ctx.calendar.add_working_days(served_on, 7)


def _no_hearing_notice(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.hearing_requested_on is None:
        return [Refusal("no_hearing_request", "当事人未要求听证")]
    return []


def _hearing_chair_refusals(state: CaseState, ctx: Context, chair: str) -> list[Refusal]:
    if chair and (chair in state.handlers or chair in state.investigators):
        name = ctx.officers[chair].name if chair in ctx.officers else chair
        return [Refusal("chair_is_investigator", f"{name}是本案调查人员，不能主持听证（行政处罚法第六十四条第（四）项）", "行政处罚法第六十四条第（四）项", "chair")]
    if chair and chair not in ctx.officers:
        return [Refusal("unknown_officer", f"{chair} 不是登记在册的人员", field="chair")]
    return []


@dataclass(frozen=True)
class HearingNotice(P.Numbered):
    on: date | None = P.day("通知日期", today=True)
    hearing_on: date | None = P.day("听证日期")
    place: str = P.text("听证地点")
    chair: str = P.text("听证主持人")
    public: bool = P.flag(default=True)


def _fold_hearing_notice(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_notice = p
    s.documents_issued["hearing_notice"] = p


@declare(ActionKind.GIVE_HEARING_NOTICE, "听证通知", stages=frozenset({Stage.HEARING}), roles=(Role.OFFICER,), handler_only=True,
         pre=_no_hearing_notice, payload=HearingNotice, fold=_fold_hearing_notice, issues=lambda p: "hearing_notice")
def _v_hearing_notice(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(HearingNotice, raw, ctx)
    on, hearing_on = f.day_read("on"), f.day_read("hearing_on")
    if on and hearing_on and hearing_on < hearing_notice_earliest(ctx, on):
        f.problems.append(
            Refusal(
                "hearing_notice_period",
                f"应当在举行听证的七个工作日前通知当事人（行政处罚法第六十四条第（二）项），"
                f"{on.isoformat()}通知的，听证最早于{hearing_notice_earliest(ctx, on).isoformat()}举行",
                "行政处罚法第六十四条第（二）项",
                "hearing_on",
            )
        )
    f.problems += _hearing_chair_refusals(state, ctx, f.out.get("chair", ""))
    return f.done()


def _hearing_due(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.hearing_notice is None or state.hearing_notice_served_on is None:
        return [Refusal("hearing_notice_not_served", "听证通知书尚未送达")]
    if state.hearing_held is not None or state.hearing_waived:
        return [Refusal("hearing_done", "听证已结束")]
    hearing_on = date.fromisoformat(state.hearing_notice["hearing_on"])
    earliest = hearing_notice_earliest(ctx, state.hearing_notice_served_on)
    if hearing_on < earliest:
        return [
            Refusal(
                "hearing_notice_period",
                f"听证通知书于{state.hearing_notice_served_on.isoformat()}送达，不足七个工作日，听证最早于{earliest.isoformat()}举行（行政处罚法第六十四条第（二）项）",
                "行政处罚法第六十四条第（二）项",
            )
        ]
    return []


@dataclass(frozen=True)
class Hearing(P.Payload):
    on: date | None = P.day("听证日期")
    chair: str = P.text("听证主持人")
    transcript: str = P.text("听证笔录", search=True)
    agents: tuple[str, ...] = P.ids("委托代理人", required=False)
    public: bool = P.flag(default=True)
    signatures: tuple[Mapping[str, Any], ...] = P.kept(())  # the party's on the transcript, or the refusal noted
    party_signed: bool = P.kept(False)  # records made before signatures were captured
    refusal_note: str = P.kept("")


def _fold_hearing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_held = {**p, "event": step.hash, "seq": step.seq}
    s.stage = Stage.DELIBERATION


@declare(ActionKind.HOLD_HEARING, "举行听证", stages=frozenset({Stage.HEARING}), roles=(Role.OFFICER, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER),
         pre=_hearing_due, payload=Hearing, fold=_fold_hearing, inbox=InboxTask(Role.LEGAL_REVIEWER))
def _v_hold_hearing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Hearing, raw, ctx)
    on, chair = f.day_read("on"), f.out.get("chair", "")
    if len(f.out["agents"]) > ctx.statute["hearing_max_agents"].value:
        f.problem("agents", "当事人可以委托一至二人代理（行政处罚法第六十四条第（五）项）")
    notice = state.hearing_notice or {}
    if on and notice.get("hearing_on") and on.isoformat() != notice["hearing_on"]:
        f.problem("on", f"听证应在通知的日期（{notice['hearing_on']}）举行")
    if chair and chair != notice.get("chair"):
        f.problem("chair", "听证主持人与听证通知书不一致")
    f.problems += _hearing_chair_refusals(state, ctx, chair)
    signatures_form(f, state, ActionKind.HOLD_HEARING, raw)
    return f.done()


@dataclass(frozen=True)
class HearingAbsence(P.Payload):
    on: date | None = P.day("听证日期")
    kind: str = P.choice("情形", ABSENCE_KINDS)
    details: str = P.text("情况说明")
    waiver: bool = P.kept(False)


def _fold_absence(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_waived = True
    s.stage = Stage.DELIBERATION


@declare(ActionKind.RECORD_HEARING_ABSENCE, "当事人无正当理由缺席听证", stages=frozenset({Stage.HEARING}),
         roles=(Role.OFFICER, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER), pre=_hearing_due, payload=HearingAbsence, fold=_fold_absence)
def _v_absence(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(HearingAbsence, raw, ctx)
    on = f.day_read("on")
    notice = state.hearing_notice or {}
    if on and notice.get("hearing_on") and on.isoformat() < notice["hearing_on"]:
        f.problem("on", "听证日期未到，不能认定缺席")
    f.keep("waiver", True)
    return f.done()


def _hearing_held(state: CaseState, ctx: Context) -> list[Refusal]:
    return [] if state.hearing_held is not None else [Refusal("no_hearing", "尚未举行听证")]


def _hearing_unreported(state: CaseState, ctx: Context) -> list[Refusal]:
    """One report per hearing held: once the hearing's report is recorded the step is done (what it says is put
    right by a correction; a later hearing asks for its own)."""
    refusals = _hearing_held(state, ctx)
    if refusals or ctx.replaying:
        return refusals
    report, held = state.hearing_report, state.hearing_held or {}
    if report is not None and int(report.get("seq", 0)) > int(held.get("seq", 0)):
        return [Refusal("hearing_reported", f"本次听证的听证报告已于{report.get('on', '')}记录；如需修改，请更正该记录")]
    return []


@dataclass(frozen=True)
class HearingReport(P.Payload):
    on: date | None = P.day("报告日期", today=True)
    content: str = P.text("听证报告", search=True)
    recommendation: str = P.text("处理意见")


def _fold_hearing_report(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_report = {**p, "seq": step.seq}


declare(ActionKind.RECORD_HEARING_REPORT, "听证报告", stages=frozenset({Stage.DELIBERATION, Stage.NOTICE}),
         roles=(Role.OFFICER, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER), pre=_hearing_unreported, payload=HearingReport, fold=_fold_hearing_report)(plain(HearingReport))
