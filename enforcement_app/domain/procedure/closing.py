"""Closing and archiving (结案、归档): a case closes when its decision is served and executed, on the head's
approval of the handling officer's closing report (结案审批表); an archived case is read-only.

Closing was once one officer's act (``close_case``). It is now a request (``request_closing``: the handling
result, the execution and the report, as the record states them) that an agency head who did not handle the
case approves under their personal signature (``approve_closing``) or returns with reasons
(``return_closing``); only the approval closes the case. ``close_case`` stays declared, retired: the events of
that kind already recorded keep their fold, so those cases replay and verify exactly as before (the kind is
not a sign-off and is not made one, which would make every stored officer's ``close_case`` fail the
signature check); a new one is refused with the reason and the way to the request. The approval is a kind of
its own rather than ``close_case`` signed for the same reason."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..case import OUTCOME_ZH, CaseState, Outcome, Procedure, Stage, Step
from ..labels import PAYMENT_CHANNEL_ZH, REMEDY_KIND_ZH, RETENTION_ZH
from ..money import format_yuan
from ..officers import Role
from ..penalties import PENALTY_KIND_ZH, PenaltyKind
from ..refusals import Refusal
from . import payload as P
from .engine import ActionKind, Context, InboxTask, declare, plain, read
from .execution import outstanding_fen, remedy_pending

RETENTION_PERIODS = tuple(RETENTION_ZH)
CLOSABLE = frozenset({Stage.DECIDED, Stage.EXECUTION})


def _closable(state: CaseState, ctx: Context) -> list[Refusal]:
    refusals = []
    if state.decision is None:
        refusals.append(Refusal("no_decision", "尚未作出处理决定，不能结案"))
        return refusals
    if state.outcome in (Outcome.PENALTY, Outcome.NO_PENALTY) and state.decision_served_on is None and state.procedure == Procedure.GENERAL:
        refusals.append(Refusal("decision_not_served", "处理决定书尚未送达，不能结案"))
    if state.amount_due_fen > 0 and state.court_enforcement is None:
        _, outstanding = outstanding_fen(state, ctx, ctx.today)
        if outstanding > 0:
            refusals.append(Refusal("not_paid", f"罚没款尚未缴清（尚欠{format_yuan(outstanding)}），也未申请法院强制执行，不能结案"))
    if state.preservation_open:
        refusals.append(Refusal("preservation_open", "先行登记保存的物品尚未作出处理决定"))
    if state.approvals_pending:
        refusals.append(Refusal("approval_pending", "尚有待审批事项"))
    pending = remedy_pending(state)
    if pending is not None and not ctx.replaying:  # its outcome may change or revoke the decision: the case stays open for it
        refusals.append(Refusal("remedy_pending", f"当事人{REMEDY_KIND_ZH[pending['kind']]}（{pending['on']}）尚未审结，不能结案"
                                "（行政处罚法第七十三条：复议、诉讼的结果决定处罚决定是否维持）", "行政处罚法第七十三条"))
    return refusals


# --- the retired officer's closing --------------------------------------------------------------------


@dataclass(frozen=True)
class Closing(P.Payload):
    on: date | None = P.day("结案日期", today=True)
    summary: str = P.text("结案报告", search=True)


def _fold_close(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.CLOSED
    s.closed_on = step.day


declare(ActionKind.CLOSE_CASE, "结案", stages=CLOSABLE, roles=(Role.OFFICER,), handler_only=True,
        pre=_closable, payload=Closing, fold=_fold_close,
        retired="结案须经行政机关负责人批准：请由承办人员“提请结案审批”（结案审批表），负责人批准后案件方结案")(plain(Closing))


# --- the request ---------------------------------------------------------------------------------------


def _zh_day(value: Any) -> str:
    """A day as the forms write it (2025年3月18日); the text is kept in the record and printed as it is."""
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.year}年{d.month}月{d.day}日"


def decision_result(state: CaseState) -> str:
    """处理结果 as the record states it: the decision, its number and what it imposes."""
    decision = state.decision
    if decision is None:
        return ""
    outcome = str(decision.get("outcome", ""))
    number = str(decision.get("document_no", "") or decision.get("form_no", ""))
    head = f"{_zh_day(state.decided_on) if state.decided_on else ''}作出决定{'（' + number + '）' if number else ''}"
    if outcome != Outcome.PENALTY.value:
        return f"{head}：{OUTCOME_ZH.get(Outcome(outcome), outcome) if outcome in set(Outcome) else outcome}"
    parts = []
    for kind in decision.get("penalty_kinds", []):
        zh = PENALTY_KIND_ZH.get(PenaltyKind(kind), kind) if kind in set(PenaltyKind) else kind
        if kind == PenaltyKind.FINE.value:
            parts.append(f"{zh}{format_yuan(int(decision.get('fine_fen', 0)))}")
        elif kind in ("confiscate_illegal_income", "confiscate_illegal_property") and decision.get("confiscation_fen"):
            parts.append(f"{zh}{format_yuan(int(decision['confiscation_fen']))}")
        else:
            parts.append(zh)
    return f"{head}：给予行政处罚，{'、'.join(parts) or '—'}"


def execution_text(state: CaseState) -> str:
    """执行情况 as the record states it: what was due, what was paid when and against which receipt, or the
    court asked to enforce."""
    if state.amount_due_fen <= 0:
        served = f"，决定书已于{_zh_day(state.decision_served_on)}送达" if state.decision_served_on else ""
        return f"无罚没款{served}"
    lines = [f"应缴罚没款{format_yuan(state.amount_due_fen)}，已缴{format_yuan(state.paid_fen)}"]
    for paid in state.payments:
        channel = PAYMENT_CHANNEL_ZH.get(str(paid.get("channel", "")), str(paid.get("channel", "")))
        lines.append(f"{_zh_day(paid.get('on', ''))}{channel}{format_yuan(int(paid.get('amount_fen', 0)))}"
                     f"（缴款凭证{paid.get('receipt_no', '')}）")
    if state.court_enforcement:
        court = state.court_enforcement
        lines.append(f"{_zh_day(court.get('on', ''))}已申请{court.get('court', '人民法院')}强制执行")
    return "；".join(lines)


def closing_ground(state: CaseState) -> str:
    """The ground of closing (结案理由) the record shows, a key of ``CLOSING_GROUND_ZH``."""
    if state.outcome in (Outcome.NO_PENALTY, Outcome.DISMISSAL, Outcome.TRANSFER):
        return state.outcome.value
    if state.amount_due_fen > 0 and state.paid_fen < state.amount_due_fen and state.court_enforcement is not None:
        return "court_enforcement"
    return "executed"


def _no_request_pending(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.closing_request is not None:
        return [Refusal("closing_requested", f"已于{_zh_day(state.closing_request.get('on', ''))}提请结案审批，待负责人审批")]
    return _closable(state, ctx)


@dataclass(frozen=True)
class RequestClosing(P.Payload):
    on: date | None = P.day("提请日期", today=True)
    proposed_on: date | None = P.day("拟结案日期", today=True)
    summary: str = P.text("结案报告（办理情况及结案意见）", search=True)
    result: str = P.kept("")  # 处理结果, from the decision as recorded
    execution: str = P.kept("")  # 执行情况, from the payments and the court application as recorded
    ground: str = P.kept("")  # 结案理由, a key of CLOSING_GROUND_ZH


def _fold_request_closing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.closing_request = {**p, "event": step.hash, "requested_by": step.actor, "on": step.day.isoformat()}


@declare(ActionKind.REQUEST_CLOSING, "提请结案审批", stages=CLOSABLE, roles=(Role.OFFICER,), handler_only=True,
         pre=_no_request_pending, payload=RequestClosing, fold=_fold_request_closing)
def _v_request_closing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(RequestClosing, raw, ctx)
    on, proposed = f.day_read("on"), f.day_read("proposed_on")
    if on and on > ctx.today:
        f.problem("on", "提请日期不能晚于今天")
    if on and proposed and proposed < on:
        f.problem("proposed_on", "拟结案日期不能早于提请日期：案件在负责人批准之日结案")
    last = max((d for d in (state.decided_on, state.decision_served_on,
                            *(date.fromisoformat(str(p["on"])[:10]) for p in state.payments if p.get("on"))) if d), default=None)
    if on and last and on < last:
        f.problem("on", f"提请日期不能早于本案最后的决定、送达或缴款日期（{last.isoformat()}）")
    f.keep("result", decision_result(state))
    f.keep("execution", execution_text(state))
    f.keep("ground", closing_ground(state))
    return f.done()


# --- the head's answer ---------------------------------------------------------------------------------


def _request_pending(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.closing_request is None:
        return [Refusal("no_closing_request", "没有待审批的结案申请：须由承办人员先提请结案审批")]
    return []


def _approvable(state: CaseState, ctx: Context) -> list[Refusal]:
    # what made the case closable when it was asked must still hold on the day it is approved
    return _request_pending(state, ctx) or _closable(state, ctx)


def _answer_checks(f, state: CaseState, ctx: Context) -> None:
    on = f.day_read("on")
    request = state.closing_request or {}
    if on and on > ctx.today:
        f.problem("on", "审批日期不能晚于今天")
    if on and request.get("on") and on.isoformat() < str(request["on"]):
        f.problem("on", f"审批日期不能早于提请日期（{request['on']}）")
    if request.get("requested_by") == ctx.actor.id:
        f.problem("on", "提请人不能审批自己提请的结案")
    f.keep("request", str(request.get("event", "")))


@dataclass(frozen=True)
class ApproveClosing(P.Payload):
    on: date | None = P.day("批准日期（结案日期）", today=True)
    opinion: str = P.text("负责人审批意见", required=False, search=True)
    request: str = P.kept("")  # the request_closing event approved


def _fold_approve_closing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.closing_request = None
    s.stage = Stage.CLOSED
    s.closed_on = step.day


@declare(ActionKind.APPROVE_CLOSING, "批准结案", stages=CLOSABLE, roles=(Role.AGENCY_HEAD,), head_not_handler=True,
         pre=_approvable, payload=ApproveClosing, fold=_fold_approve_closing, inbox=InboxTask(Role.AGENCY_HEAD), signed=True)
def _v_approve_closing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(ApproveClosing, raw, ctx)
    _answer_checks(f, state, ctx)
    return f.done()


@dataclass(frozen=True)
class ReturnClosing(P.Payload):
    on: date | None = P.day("退回日期", today=True)
    reason: str = P.text("退回理由", search=True)
    request: str = P.kept("")  # the request_closing event returned


def _fold_return_closing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.closing_request = None


@declare(ActionKind.RETURN_CLOSING, "退回结案申请", stages=CLOSABLE, roles=(Role.AGENCY_HEAD,), head_not_handler=True,
         pre=_request_pending, payload=ReturnClosing, fold=_fold_return_closing, signed=True)
def _v_return_closing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(ReturnClosing, raw, ctx)
    _answer_checks(f, state, ctx)
    return f.done()


# --- archiving -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archiving(P.Payload):
    on: date | None = P.day("归档日期", today=True)
    archive_no: str = P.text("档号")
    retention: str = P.choice("保管期限", RETENTION_PERIODS)


def _fold_archive(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.ARCHIVED
    s.archive_no = p.get("archive_no", "")


@declare(ActionKind.ARCHIVE_CASE, "归档", stages=frozenset({Stage.CLOSED}), roles=(Role.OFFICER, Role.ADMIN),
         payload=Archiving, fold=_fold_archive)
def _v_archive(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Archiving, raw, ctx)
    archive_no = f.out.get("archive_no", "")
    if archive_no and not re.fullmatch(ctx.policy.archive_no_pattern, archive_no):
        f.problem("archive_no", "档号应为8位数字（年度4位 + 结案顺序号4位）")
    return f.done()
