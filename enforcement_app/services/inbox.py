"""Inboxes: what waits for this user, with due dates and overdue warnings.

A legal reviewer sees the cases submitted for review that they may review (never their own, 办审分离)
with the review time limit of the agency's policy; an agency head sees filing requests, approval
requests, collective discussions due and decisions ready to be made; a hearing chair sees the hearings
they chair; an officer sees their own open cases whose next deadline is near or past. Each task is one
the procedure would allow this user now, so the inbox never offers what the services would refuse.

Candidates come from the case table by stage (an indexed query), and only those are judged by the procedure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from ..domain.case import STAGE_ZH, CaseState, Stage
from ..domain.deadlines import Deadline
from ..domain.labels import APPROVAL_MATTER_ZH
from ..domain.officers import Role
from ..domain.procedure import ACTIONS, availability, deadlines_of
from ..domain.review import discussion_refusals
from ..store import cases as case_store
from .core import SessionCore

# task -> (role, stages in which to look, the deadline that dates it), from the actions' declarations. A
# pending approval (a closing report among them) is found by the pending_approvals column; a hearing waits for
# its chair, whatever their role.
TASKS: dict[str, tuple[Role, tuple[Stage, ...], str | None]] = {
    kind: (act.inbox.role, tuple(s for s in Stage if s in act.stages), act.inbox.due_rule)
    for kind, act in ACTIONS.items() if act.inbox is not None
}
_BY_PENDING_APPROVALS = frozenset({"decide_approval", "approve_closing"})


@dataclass(frozen=True)
class InboxItem:
    case_id: str
    case_no: str
    title: str
    party_name: str
    stage: str
    task: str
    task_title: str
    due: date | None
    due_rule: str
    overdue: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due else None
        data["stage_name"] = STAGE_ZH[Stage(self.stage)]
        return data


def _due(deadlines: list[Deadline], rule: str | None) -> Deadline | None:
    return next((d for d in deadlines if d.rule == rule and d.met_on is None), None) if rule else None


def inbox(session: SessionCore) -> list[InboxItem]:
    session.require("view_cases")
    services = session.services
    db = services.db
    actor = session.actor
    today = services.today()
    items: list[InboxItem] = []
    candidates: dict[str, set[str]] = {}
    for task, (role, stages, _rule) in TASKS.items():
        if task == "hold_hearing":
            found = case_store.case_ids_in_stages(db, [Stage.HEARING])
        elif task in _BY_PENDING_APPROVALS:
            found = case_store.case_ids_awaiting_approval(db) if actor.has_role(role) else []
        else:
            found = case_store.case_ids_in_stages(db, stages) if actor.has_role(role) else []
        for case_id in found:
            candidates.setdefault(case_id, set()).add(task)

    for case_id, tasks in candidates.items():
        state = services.current_state(case_id)
        party = services.party(state.party_id) if state.party_id else None
        ctx = services.context(actor, party=party, today=today)
        deadlines = deadlines_of(state, ctx)
        for task in sorted(tasks):
            if task == "hold_hearing" and (state.hearing_notice or {}).get("chair") != actor.id:
                continue
            if availability(state, ctx, task):
                continue
            if task == "record_collective_discussion" and not discussion_refusals(state):
                continue  # a head may convene one at any time, but it waits for them only when the law asks
            rule = TASKS[task][2]
            deadline = _due(deadlines, rule)
            due = deadline.due if deadline else None
            detail = ""
            if task == "decide_approval":
                detail = "、".join(APPROVAL_MATTER_ZH.get(str(a.get("matter")), str(a.get("matter"))) for a in state.approvals_pending.values())
                due = min((date.fromisoformat(str(a.get("on"))[:10]) for a in state.approvals_pending.values() if a.get("on")), default=None)
                due = due + timedelta(days=ctx.policy.approval_answer_days) if due else None  # agency practice, not law
            if task == "approve_closing" and state.closing_request is not None:
                detail = f"结案审批：{state.closing_request.get('summary', '')}"
                asked = date.fromisoformat(str(state.closing_request.get("on"))[:10])
                due = asked + timedelta(days=ctx.policy.approval_answer_days)  # agency practice, as for other approvals
            if task == "hold_hearing":
                due = date.fromisoformat(str(state.hearing_notice.get("hearing_on"))) if state.hearing_notice else None
            items.append(_item(state, task, ctx.permissions.title(task), due, deadline.name if deadline else "", today, detail))

    if actor.has_role(Role.OFFICER):
        horizon = today + timedelta(days=services.policy_on(today).inbox_deadline_horizon_days)
        for case_id, next_due, rule_name in case_store.deadlines_due_by(db, actor.id, horizon):
            state = services.current_state(case_id)
            items.append(_item(state, "deadline", "办理期限", date.fromisoformat(next_due), rule_name, today, rule_name))
    items.sort(key=lambda i: (not i.overdue, i.due or date.max, i.case_no or i.case_id))
    return items


def _item(state: CaseState, task: str, title: str, due: date | None, rule: str, today: date, detail: str) -> InboxItem:
    return InboxItem(
        case_id=state.id,
        case_no=state.case_no,
        title=state.title,
        party_name=state.party_name,
        stage=state.stage.value,
        task=task,
        task_title=title,
        due=due,
        due_rule=rule,
        overdue=bool(due and due < today),
        detail=detail,
    )
