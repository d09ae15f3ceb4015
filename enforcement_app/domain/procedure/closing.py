"""Closing and archiving (结案、归档): a case closes when its decision is served and executed; an archived
case is read-only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..case import CaseState, Outcome, Procedure, Stage, Step
from ..labels import RETENTION_ZH
from ..money import format_yuan
from ..officers import Role
from ..refusals import Refusal
from . import payload as P
from .engine import ActionKind, Context, declare, plain, read
from .execution import outstanding_fen

RETENTION_PERIODS = tuple(RETENTION_ZH)


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
    return refusals


@dataclass(frozen=True)
class Closing(P.Payload):
    on: date | None = P.day("结案日期", today=True)
    summary: str = P.text("结案报告", search=True)


def _fold_close(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.CLOSED
    s.closed_on = step.day


declare(ActionKind.CLOSE_CASE, "结案", stages=frozenset({Stage.DECIDED, Stage.EXECUTION}), roles=(Role.OFFICER,), handler_only=True,
         pre=_closable, payload=Closing, fold=_fold_close)(plain(Closing))


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
