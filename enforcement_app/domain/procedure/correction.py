"""Correcting the record (更正): a correction is a new event naming the step it corrects; approvals, reviews
and decisions are never corrected, their procedure is taken again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..case import CaseState, Step
from ..officers import Role
from . import payload as P
from .engine import ACTIONS, OPEN_STAGES, ActionKind, Context, declare, read

NOT_CORRECTABLE = (ActionKind.APPROVE_FILING, ActionKind.MAKE_DECISION, ActionKind.RECORD_LEGAL_REVIEW,
                   ActionKind.DECIDE_APPROVAL, ActionKind.RECORD_SIMPLE_DECISION)
ALLOCATED = ("document_no", "numbering")  # a document's number is the register's, never typed (see ..numbering)


@dataclass(frozen=True)
class Correction(P.Payload):
    corrects: str = P.text("被更正的记录")
    reason: str = P.text("更正理由", search=True)
    changes: Mapping[str, Any] | None = P.kept()  # field -> corrected value
    old: Mapping[str, Any] | None = P.kept()  # field -> value as first recorded


def correctable(step: Step) -> tuple[tuple[str, str], ...]:
    """The items of a recorded step a correction may change, as (key, name): those it holds as text and its payload
    declares by a name (检查情况, 询问地点 …), never the number a register gave it; none of a step never corrected."""
    act = ACTIONS.get(step.kind)
    if act is None or step.kind in NOT_CORRECTABLE:
        return ()
    return tuple((key, act.payload.label_of(key)) for key, value in step.payload.items()
                 if isinstance(value, str) and key not in ALLOCATED and act.payload.label_of(key))


def _fold_correction(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.corrections.setdefault(p.get("corrects", ""), []).append({**p, "event": step.hash, "by": step.actor})


@declare(ActionKind.CORRECT_RECORD, "更正记录", stages=OPEN_STAGES, roles=(Role.OFFICER, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD),
         payload=Correction, fold=_fold_correction)
def _v_correct(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Correction, raw, ctx)
    target = f.out.get("corrects", "")
    changes = raw.get("changes")
    if not isinstance(changes, Mapping) or not changes:
        f.problem("changes", "须写明更正的内容")
        changes = {}
    else:
        f.keep("changes", dict(changes))
    step = next((s for s in state.steps if s.hash == target), None)
    if target and step is None:
        f.problem("corrects", "本案没有该记录")
    elif step is not None:
        if step.kind in NOT_CORRECTABLE:
            f.problem("corrects", "审批、审核和决定不能更正，应重新办理相应程序")
        unknown = sorted(set(changes) - set(step.payload))
        if unknown:
            f.problem("changes", f"被更正的记录没有这些项目：{'、'.join(map(str, unknown))}")
        elif set(changes) & set(ALLOCATED):
            f.problem("changes", "文号由系统按本机关的文号序列编定，不能更正；文书有误的，应重新制作（另编文号）")
        if ctx.actor.id not in state.handlers and ctx.actor.id != step.actor:
            f.problem("corrects", "只有本案承办人员或原记录人可以更正")
        f.keep("old", {k: step.payload.get(k) for k in changes})
    return f.done()
