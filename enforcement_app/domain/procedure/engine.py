"""The engine of the procedure: what an action is, how it is judged, and how its event folds into a case.

Every action is one :class:`Action` declaration in the module of its stage (``filing``, ``investigation``,
``deliberation``, ``notice``, ``decision``, ``execution``, ``correction``, ``closing``): its kind, the
stages it may be taken in, its preconditions (each refusal names its article), its typed payload (whose
fields say how the form reads them), its fold step, its Chinese title, the roles that may take it and the
inbox task it makes. Permissions, inbox tasks, labels and forms are derived from these declarations or
checked against them by the tests. Nothing here touches a database or a window.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ..agency import Agency
from ..calendar import WorkCalendar
from ..case import STAGE_ZH, CaseState, Stage, Step
from ..deadlines import Deadline, DeadlineRule, evaluate_deadlines
from ..forms import Form
from ..handwriting import missing_signers, read_signatures
from ..officers import Officer, Role
from ..parties import Party
from ..permissions import Permissions
from ..policy import AgencyPolicy, Statute
from ..refusals import PermissionDenied, Refusal, RuleViolation
from ..signoff import OFFICER_KINDS
from .payload import Numbered, Payload, check_recorded, decode, read_form


class ActionKind(StrEnum):
    """Every procedural action; the value is the event kind recorded."""

    REGISTER_LEAD = "register_lead"
    RECORD_SIMPLE_DECISION = "record_simple_decision"
    REQUEST_FILING = "request_filing"
    APPROVE_FILING = "approve_filing"
    REFUSE_FILING = "refuse_filing"
    RECORD_INSPECTION = "record_inspection"
    RECORD_INQUIRY = "record_inquiry"
    RECORD_SAMPLING = "record_sampling"
    ADD_EVIDENCE = "add_evidence"
    REQUEST_APPROVAL = "request_approval"
    DECIDE_APPROVAL = "decide_approval"
    DECIDE_PRESERVATION_DISPOSAL = "decide_preservation_disposal"
    RECORD_PRESERVATION = "record_preservation"
    RECORD_RECUSAL = "record_recusal"
    SUSPEND_CASE = "suspend_case"
    RESUME_CASE = "resume_case"
    SUBMIT_INVESTIGATION_REPORT = "submit_investigation_report"
    SUBMIT_LEGAL_REVIEW = "submit_legal_review"
    RECORD_LEGAL_REVIEW = "record_legal_review"
    OBJECT_TO_REVIEW = "object_to_review"
    RECORD_COLLECTIVE_DISCUSSION = "record_collective_discussion"
    ISSUE_PRIOR_NOTICE = "issue_prior_notice"
    SERVE_DOCUMENT = "serve_document"
    RECORD_STATEMENT = "record_statement"
    RECORD_REEXAMINATION = "record_reexamination"
    WAIVE_RIGHTS = "waive_rights"
    REQUEST_HEARING = "request_hearing"
    GIVE_HEARING_NOTICE = "give_hearing_notice"
    HOLD_HEARING = "hold_hearing"
    RECORD_HEARING_ABSENCE = "record_hearing_absence"
    RECORD_HEARING_REPORT = "record_hearing_report"
    MAKE_DECISION = "make_decision"
    RECORD_PAYMENT = "record_payment"
    RECORD_REMEDY = "record_remedy"  # the party applied for 行政复议 or sued (行政诉讼)
    RECORD_REMEDY_OUTCOME = "record_remedy_outcome"  # the 复议决定 or judgment
    ISSUE_REMINDER = "issue_reminder"
    APPLY_COURT_ENFORCEMENT = "apply_court_enforcement"
    CLOSE_CASE = "close_case"  # retired: the officer's own closing, before closing needed the head's approval
    REQUEST_CLOSING = "request_closing"
    APPROVE_CLOSING = "approve_closing"
    RETURN_CLOSING = "return_closing"
    ARCHIVE_CASE = "archive_case"
    CORRECT_RECORD = "correct_record"


@dataclass(frozen=True)
class Context:
    """Everything an action is judged against besides the case itself."""

    actor: Officer
    today: date
    officers: Mapping[str, Officer]
    policy: AgencyPolicy
    statute: Statute
    calendar: WorkCalendar
    deadline_rules: tuple[DeadlineRule, ...]
    permissions: Permissions
    agency: Agency | None = None
    party: Party | None = None
    benchmarks: Any = None  # discretion.BenchmarkLibrary: shipped sets plus the agency's imported ones
    power_lists: Any = None  # every version of the agency's power list (Versioned[power_list.PowerList]); None: not checked
    # an event recorded on another device, judged as a bundle brings it: what a record must hold that an earlier
    # version did not ask of it (the facts' elements, the conditions of not penalising) is not asked again
    replaying: bool = False


Check = Callable[[CaseState, Context], list[Refusal]]
Validate = Callable[[CaseState, Context, Mapping[str, Any]], dict[str, Any]]
Fold = Callable[[CaseState, Step, Mapping[str, Any]], None]
Issues = Callable[[Mapping[str, Any]], str]  # the clean payload -> the document it issues (a key of numbering.DOCUMENT_ZH)


@dataclass(frozen=True)
class InboxTask:
    """The action waits in the inbox of users with ``role`` while the procedure allows it, dated by the
    deadline ``due_rule`` (none: the inbox dates it itself)."""

    role: Role
    due_rule: str | None = None


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    title: str  # the act's one Chinese name, everywhere (forms, inbox, documents, the record)
    stages: frozenset[Stage]  # empty: the action opens a new case
    roles: frozenset[Role]
    payload: type[Payload]
    validate: Validate
    fold: Fold | None
    preconditions: Check
    handler_only: bool = False  # only the case's handling officers may take it
    head_not_handler: bool = False  # an approval must not come from a handler of the case
    inbox: InboxTask | None = None
    signed: bool = False  # a sign-off: signed with the actor's personal key (see ..signoff)
    retired: str = ""  # why the action is no longer taken (its recorded events still fold); '' while in use
    issues: Issues | None = None  # the document the step issues under the agency's number (its payload is Numbered)

    @property
    def opens_case(self) -> bool:
        return not self.stages


ACTIONS: dict[str, Action] = {}
FOLDS: dict[str, Fold] = {}  # kind -> fold step, for the hot loop of folding every step of a case
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {}  # kind -> the payload fields the case list searches


def _no_preconditions(state: CaseState, ctx: Context) -> list[Refusal]:
    return []


def declare(kind: ActionKind, title: str, *, stages: frozenset[Stage], roles: tuple[Role, ...], payload: type[Payload],
            fold: Fold | None, pre: Check | None = None, handler_only: bool = False, head_not_handler: bool = False,
            inbox: InboxTask | None = None, signed: bool = False, retired: str = "",
            issues: Issues | None = None) -> Callable[[Validate], Validate]:
    """Declare one action; decorates its validator (which reads the form and adds the cross-field rules).

    ``issues``: the step issues a document the agency numbers (文号), named from its clean payload; the
    services allocate its number as they record it (see :mod:`..numbering`), so the payload is
    :class:`.payload.Numbered` and the validator never reads a number.

    ``retired``: the action is no longer taken, for the reason given (which names what replaced it). Its
    declaration stays, so that the events earlier versions recorded keep their title, their typed payload and
    their fold step, and a case replays exactly as before; a new one is refused with that reason, and the
    action is offered nowhere."""

    def register(validate: Validate) -> Validate:
        if kind in ACTIONS:
            raise ValueError(f"action {kind} declared twice")
        if issues is not None and not issubclass(payload, Numbered):
            raise ValueError(f"action {kind} issues a numbered document: its payload must be Numbered")
        ACTIONS[kind] = Action(kind, title, stages, frozenset(roles), payload, validate, fold, pre or _no_preconditions,
                               handler_only, head_not_handler, inbox, signed, retired, issues)
        if fold is not None:
            FOLDS[kind] = fold
        if payload.search_fields():
            SEARCH_FIELDS[kind] = payload.search_fields()
        return validate

    return register


def plain(payload: type[Payload]) -> Validate:
    """The validator of an action whose rules are all in its payload's field declarations."""

    def validate(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
        return read(payload, raw, ctx).done()

    return validate


def read(payload: type[Payload], raw: Mapping[str, Any], ctx: Context) -> Form:
    """The form of an action, with every declared input field read (dates default to ``ctx.today``)."""
    return read_form(payload, raw, ctx.today)


def payload_of(step: Step) -> Any:
    """The typed payload of a recorded step (its action's dataclass); ``None`` for an unknown kind."""
    act = ACTIONS.get(step.kind)
    return decode(act.payload, step.payload) if act is not None else None


# --- folding ---------------------------------------------------------------------------------------------


def apply(state: CaseState, step: Step) -> None:
    """Apply one recorded step to the state. Unknown kinds are kept in ``steps`` only (forward compatible)."""
    state.steps.append(step)
    fold_step = FOLDS.get(step.kind)
    if fold_step is not None:
        fold_step(state, step, step.payload)


def fold(case_id: str, steps) -> CaseState:
    state = CaseState(id=case_id)
    for step in steps:
        apply(state, step)
    return state


# --- shared rules ----------------------------------------------------------------------------------------


def signatures_form(f: Form, state: CaseState | None, kind: str, raw: Mapping[str, Any]) -> None:
    """Read the record's ``signatures`` (see :mod:`..handwriting`): every entry a drawn signature bound to this
    record's text, a scan among the case's evidence, or a refusal with its witness; and every signer the record
    needs (``resources/law/signers.json``) covered."""
    evidence = state.evidence if state is not None else []
    payload = {**raw, **f.out}
    entries, problems = read_signatures(raw.get("signatures"), kind=kind, payload=payload,
                                        evidence=[str(e.get("sha256", "")) for e in evidence],
                                        audiovisual=[str(e.get("sha256", "")) for e in evidence if e.get("kind") == "audiovisual"])
    for _where, message in problems:
        f.problem("signatures", message)
    f.keep("signatures", entries)
    missing = [] if problems else missing_signers(kind, payload, entries)
    if missing:
        f.problem("signatures", f"须记录{'、'.join(missing)}的签名：手写签名、签名纸的照片或扫描件，或者拒绝签名的情况及见证人（录音录像）")


OPEN_STAGES = frozenset(s for s in Stage if s not in (Stage.CLOSED, Stage.ARCHIVED))
INVESTIGATING = frozenset({Stage.INVESTIGATION, Stage.DELIBERATION, Stage.NOTICE, Stage.HEARING})
BEFORE_DECISION = frozenset(
    {Stage.FILING, Stage.INVESTIGATION, Stage.DELIBERATION, Stage.LEGAL_REVIEW, Stage.NOTICE, Stage.HEARING}
)


def officers_refusals(ctx: Context, officer_ids: list[str], day: date, minimum: int, field: str = "officers") -> list[Refusal]:
    """Art. 42 and 55: at least ``minimum`` officers, each with a certificate valid on ``day``."""
    refusals = []
    if len(officer_ids) < minimum:
        refusals.append(
            Refusal(
                "two_officers",
                f"执法人员不得少于{minimum}人（行政处罚法第四十二条），本次仅{len(officer_ids)}人",
                "行政处罚法第四十二条",
                field,
            )
        )
    for officer_id in officer_ids:
        officer = ctx.officers.get(officer_id)
        if officer is None or not officer.has_role(Role.OFFICER):
            refusals.append(Refusal("unknown_officer", f"{officer_id} 不是登记在册的执法人员", field=field))
        elif officer.certificate_on(day) is None:
            refusals.append(
                Refusal(
                    "certificate_invalid",
                    f"{officer.name}在{day.isoformat()}没有有效的行政执法证，不得从事执法活动（行政处罚法第四十二条）",
                    "行政处罚法第四十二条",
                    field,
                )
            )
    return refusals


def deadlines_of(state: CaseState, ctx: Context) -> list[Deadline]:
    return evaluate_deadlines(
        state.steps,
        procedure=state.procedure.value,
        rules=ctx.deadline_rules,
        policy=ctx.policy,
        calendar=ctx.calendar,
        today=ctx.today,
    )


def deadline(state: CaseState, ctx: Context, rule: str) -> Deadline | None:
    return next((d for d in deadlines_of(state, ctx) if d.rule == rule), None)


def not_suspended(state: CaseState, ctx: Context) -> list[Refusal]:
    return [Refusal("suspended", "案件已中止")] if state.suspended else []


def _stage_refusal(state: CaseState, act: Action) -> list[Refusal]:
    if state.stage == Stage.ARCHIVED:
        return [Refusal("archived", "案件已归档，只读，不能再作任何变更")]
    if act.stages and state.stage not in act.stages:
        return [Refusal("stage", f"案件处于“{STAGE_ZH[state.stage]}”阶段，不能办理“{act.title}”")]
    return []


def _separation_refusals(state: CaseState, ctx: Context, act: Action) -> list[Refusal]:
    """Who may not take this action on this case, whatever their roles (checked for the acting user, so
    that next actions and inboxes offer a task only to those who may do it)."""
    actor = ctx.actor
    if act.head_not_handler and actor.id in state.handlers:
        return [Refusal("approver_is_handler", f"{actor.name}是本案承办人员，不能审批本案（审批与承办分离）")]
    if act.kind == ActionKind.RECORD_LEGAL_REVIEW:
        refusals = []
        if not actor.legal_qualification:
            refusals.append(Refusal("legal_qualification", f"{actor.name}未取得法律职业资格，不能从事法制审核（行政处罚法第五十八条第二款）",
                                    "行政处罚法第五十八条第二款"))
        if actor.id in state.handlers or actor.id in state.investigators:
            refusals.append(Refusal("reviewer_is_handler", f"{actor.name}参与了本案办理，不能审核本案（办审分离）"))
        return refusals
    return []


# --- entry points ----------------------------------------------------------------------------------------


def availability(state: CaseState | None, ctx: Context, kind: str, *, include_role: bool = True) -> list[Refusal]:
    act = ACTIONS.get(kind)
    if act is None:
        return [Refusal("unknown_action", f"未知的操作：{kind}")]
    refusals: list[Refusal] = []
    if include_role:
        refusals += ctx.permissions.refusals(ctx.actor, kind, state.handlers if state else ())
    return refusals + _blocked(state, ctx, act, separation=include_role)


def _blocked(state: CaseState | None, ctx: Context, act: Action, *, separation: bool, replaying: bool = False) -> list[Refusal]:
    """What the case's stage, the separation of duties (``separation``) and the action's preconditions say
    against it; a stage that does not allow it says all. A retired action is refused, unless an event
    recorded elsewhere is being replayed (``replaying``): it is judged by the rules it was taken under."""
    if act.retired and not replaying:
        return [Refusal("retired", act.retired)]
    if state is None:
        return []
    refusals = _stage_refusal(state, act)
    if refusals:
        return refusals
    if separation:
        refusals += _separation_refusals(state, ctx, act)
    return refusals + act.preconditions(state, ctx)


def prepare(state: CaseState | None, ctx: Context, kind: str, payload: Mapping[str, Any], *,
            replaying: bool = False) -> dict[str, Any]:
    """Validate an action against the case and its form; returns the payload to record, or raises.
    ``replaying``: the event was recorded on another device and arrives in a bundle; an action retired
    since (see :func:`declare`) is then judged by its old rules instead of refused, so that a case closed
    before closing needed the head's approval still travels between devices."""
    act = ACTIONS.get(kind)
    if act is None:
        raise RuleViolation([Refusal("unknown_action", f"未知的操作：{kind}")])
    if (state is None) != act.opens_case:
        raise RuleViolation([Refusal("wrong_target", "该操作不能用于此案件")])
    permission = ctx.permissions.refusals(ctx.actor, kind, state.handlers if state else ())
    if permission:
        raise PermissionDenied(permission)
    if replaying and not ctx.replaying:  # before the preconditions too: a step done may not be offered again,
        ctx = dataclasses.replace(ctx, replaying=True)  # but one recorded elsewhere under rules without that check replays
    # what availability() says, but for the roles just checked: a bundle import judges every step it brings
    blocked = _blocked(state, ctx, act, separation=True, replaying=replaying)
    if blocked:
        raise RuleViolation(blocked)
    clean = act.validate(state or CaseState(id=""), ctx, payload)
    check_recorded(act.payload, clean)
    return clean


def draft(state: CaseState, ctx: Context, kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A record as it would read from a form not sent yet, for printing it before it is recorded (a 笔录 printed
    to be signed on paper): the declared fields read as the procedure reads them, the rest as given, without
    signatures. Only the permission is checked; what else the procedure would refuse is for when it is sent,
    and nothing is recorded."""
    act = ACTIONS.get(kind)
    if act is None or act.opens_case:
        raise RuleViolation([Refusal("wrong_target", "该操作不能用于此案件")])
    permission = ctx.permissions.refusals(ctx.actor, kind, state.handlers)
    if permission:
        raise PermissionDenied(permission)
    return {**{k: v for k, v in raw.items() if k != "signatures"}, **read(act.payload, raw, ctx).out}


@dataclass(frozen=True)
class NextAction:
    kind: str
    title: str
    allowed: bool
    reasons: tuple[Refusal, ...]  # why the procedure blocks it (empty when allowed)
    permitted: bool  # whether this user's roles allow it


def next_actions(state: CaseState, ctx: Context) -> list[NextAction]:
    """The actions of the current stage, each allowed or blocked with the procedure's reasons."""
    result = []
    for kind, act in ACTIONS.items():
        if act.retired or not act.stages or state.stage not in act.stages:
            continue
        reasons = availability(state, ctx, kind, include_role=False)
        permitted = not ctx.permissions.refusals(ctx.actor, kind, state.handlers) and not _separation_refusals(state, ctx, act)
        result.append(NextAction(kind, act.title, not reasons, tuple(reasons), permitted))
    return result


def search_text(state: CaseState, limit: int = 20000) -> str:
    """What the case list searches: the title, number, party and cause first (a one- or two-character
    search scans only this column), then the text of the records, field by field as their payloads
    declare (a list of question-and-answer pairs reads as its texts)."""
    parts: list[str] = [p for p in (state.title, state.case_no, state.party_name, state.cause) if p]
    append = parts.append
    for step in state.steps:  # every step of every case rebuilt: kept to plain lookups
        keys = SEARCH_FIELDS.get(step.kind)
        if keys is None:
            continue
        get = step.payload.get
        for key in keys:
            value = get(key)
            if not value:
                continue
            if type(value) is str:
                append(value)
            elif type(value) is list:
                for item in value:
                    if type(item) is dict:  # by key: a payload read back from the record has its keys sorted
                        append(" ".join(str(v) for _k, v in sorted(item.items())))
    return " ".join(dict.fromkeys(parts))[:limit]


def signed_kinds() -> frozenset[str]:
    """The event kinds signed with their actor's personal key: the sign-offs the actions declare, and the
    officer events (they grant roles and issue the keys the other signatures rest on)."""
    global _SIGNED
    if _SIGNED is None:
        _SIGNED = frozenset(k for k, a in ACTIONS.items() if a.signed) | OFFICER_KINDS
    return _SIGNED


_SIGNED: frozenset[str] | None = None


def title_of(kind: str) -> str:
    act = ACTIONS.get(kind)
    return act.title if act is not None else kind
