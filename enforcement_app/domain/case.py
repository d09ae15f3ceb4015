"""A case's state is a fold over its events: nothing about a case is stored that the record cannot rebuild.

:func:`fold` replays events in recorded order into a :class:`CaseState`. The procedure module decides
what may happen next; this module only says what has happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from .record import canonical_json


class Procedure(StrEnum):
    SIMPLE = "simple"
    GENERAL = "general"


class Stage(StrEnum):
    LEAD = "lead"
    FILING = "filing"  # filing requested, awaiting the head's approval
    INVESTIGATION = "investigation"
    DELIBERATION = "deliberation"  # investigation report submitted: review, discussion, notice
    LEGAL_REVIEW = "legal_review"
    NOTICE = "notice"  # prior notice issued: statement, defence, hearing request
    HEARING = "hearing"
    DECIDED = "decided"
    EXECUTION = "execution"
    CLOSED = "closed"
    ARCHIVED = "archived"


STAGE_ZH = {
    Stage.LEAD: "案源登记",
    Stage.FILING: "立案审批",
    Stage.INVESTIGATION: "调查取证",
    Stage.DELIBERATION: "审查决定",
    Stage.LEGAL_REVIEW: "法制审核",
    Stage.NOTICE: "告知",
    Stage.HEARING: "听证",
    Stage.DECIDED: "已决定",
    Stage.EXECUTION: "执行",
    Stage.CLOSED: "已结案",
    Stage.ARCHIVED: "已归档",
}

STAGE_ORDER = list(Stage)


class Outcome(StrEnum):
    PENALTY = "penalty"
    NO_PENALTY = "no_penalty"
    DISMISSAL = "dismissal"  # 违法事实不能成立 / 撤销立案
    TRANSFER = "transfer"  # to judicial organs
    NOT_FILED = "not_filed"


OUTCOME_ZH = {
    Outcome.PENALTY: "给予行政处罚",
    Outcome.NO_PENALTY: "不予行政处罚",
    Outcome.DISMISSAL: "违法事实不成立，撤销案件",
    Outcome.TRANSFER: "移送司法机关",
    Outcome.NOT_FILED: "不予立案",
}


class Step(NamedTuple):
    """One recorded step of a case, numbered by its position in the case's causal order. A named tuple,
    not a dataclass: a case is folded from every one of its steps each time it is rebuilt (20,000 of
    them in a bundle of 1,000 cases), and a tuple is made four times faster."""

    seq: int
    hash: str
    kind: str
    actor: str
    at: datetime
    day: date  # the day the step took place (from the payload), not when it was keyed in
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Proposal:
    """The penalty as currently proposed (investigation report, then notice, then decision)."""

    outcome: str
    penalty_kinds: tuple[str, ...]
    fine_fen: int
    confiscation_fen: int
    facts: str
    basis: str
    benchmark_deviation: bool = False
    deviation_reason: str = ""

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Proposal:
        return cls(
            outcome=str(payload.get("outcome", Outcome.PENALTY)),
            penalty_kinds=tuple(sorted(payload.get("penalty_kinds", []))),
            fine_fen=int(payload.get("fine_fen", 0)),
            confiscation_fen=int(payload.get("confiscation_fen", 0)),
            facts=str(payload.get("facts", "")),
            basis=str(payload.get("basis", "")),
            benchmark_deviation=bool(payload.get("benchmark_deviation", False)),
            deviation_reason=str(payload.get("deviation_reason", "")),
        )

    @property
    def digest(self) -> str:
        """What a legal-review approval covers: penalty, facts and law applied (not the wording of reasons)."""
        import hashlib

        return hashlib.sha256(
            canonical_json(
                {
                    "outcome": self.outcome,
                    "kinds": list(self.penalty_kinds),
                    "fine": self.fine_fen,
                    "confiscation": self.confiscation_fen,
                    "facts": self.facts.strip(),
                    "basis": self.basis.strip(),
                }
            )
        ).hexdigest()


@dataclass
class CaseState:
    id: str
    procedure: Procedure = Procedure.GENERAL
    stage: Stage = Stage.LEAD
    outcome: Outcome | None = None
    agency_id: str = ""
    case_no: str = ""
    year: int = 0
    serial: int = 0
    party_id: str = ""
    party_kind: str = ""
    party_name: str = ""
    cause: str = ""
    cause_entry: str = ""
    act_date: date | None = None
    life_health_finance: bool = False
    handlers: tuple[str, ...] = ()
    lead_received_on: date | None = None
    filed_on: date | None = None
    steps: list[Step] = field(default_factory=list)
    investigators: set[str] = field(default_factory=set)
    report: Mapping[str, Any] | None = None
    proposal: Proposal | None = None
    benchmark: Mapping[str, Any] | None = None  # the discretion assessment of the latest proposal
    complex_case: bool = False
    review_rounds: list[dict[str, Any]] = field(default_factory=list)  # each: submission + review
    review_objection: bool = False
    discussions: list[Mapping[str, Any]] = field(default_factory=list)
    notice: Mapping[str, Any] | None = None
    notice_served_on: date | None = None
    statements: list[Mapping[str, Any]] = field(default_factory=list)
    reexamined: bool = False
    rights_waived_on: date | None = None
    hearing_requested_on: date | None = None
    hearing_notice: Mapping[str, Any] | None = None
    hearing_notice_served_on: date | None = None
    hearing_held: Mapping[str, Any] | None = None
    hearing_waived: bool = False
    hearing_report: Mapping[str, Any] | None = None
    decision: Mapping[str, Any] | None = None
    decided_on: date | None = None
    decision_served_on: date | None = None
    documents_issued: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    documents_served: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    amount_due_fen: int = 0
    paid_fen: int = 0
    payments: list[Mapping[str, Any]] = field(default_factory=list)
    court_enforcement: Mapping[str, Any] | None = None
    approvals_pending: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    approvals_decided: list[Mapping[str, Any]] = field(default_factory=list)
    suspended: bool = False
    evidence: list[Mapping[str, Any]] = field(default_factory=list)
    preservation_open: bool = False
    closed_on: date | None = None
    archive_no: str = ""
    corrections: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    title: str = ""

    @property
    def open(self) -> bool:
        return self.stage not in (Stage.CLOSED, Stage.ARCHIVED)

    @property
    def review(self) -> Mapping[str, Any] | None:
        """The latest legal-review outcome, if any round has one."""
        for round_ in reversed(self.review_rounds):
            if "review" in round_:
                return round_["review"]
        return None

    @property
    def review_pending(self) -> bool:
        return bool(self.review_rounds) and "review" not in self.review_rounds[-1]

    def steps_of(self, kind: str) -> list[Step]:
        return [s for s in self.steps if s.kind == kind]


def step_day(payload: Mapping[str, Any], fallback: datetime) -> date:
    """The day a step took place: its ``on`` date, the start of ``started_at``/``at``, or when recorded."""
    for key in ("on", "started_at", "at"):
        value = payload.get(key)
        if value:
            return date.fromisoformat(str(value)[:10])
    return fallback.date()


def _d(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def apply(state: CaseState, step: Step) -> None:
    """Apply one recorded step to the state. Unknown kinds are kept in ``steps`` only (forward compatible)."""
    p = step.payload
    state.steps.append(step)
    handler = _APPLY.get(step.kind)
    if handler is not None:
        handler(state, step, p)


def fold(case_id: str, steps: Iterable[Step]) -> CaseState:
    state = CaseState(id=case_id)
    for step in steps:
        apply(state, step)
    return state


# --- how each step changes the state -------------------------------------------------------------------


def _register_lead(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.procedure = Procedure.GENERAL
    s.stage = Stage.LEAD
    _case_header(s, p)
    s.lead_received_on = _d(p.get("received_on")) or step.day


def _case_header(s: CaseState, p: Mapping[str, Any]) -> None:
    s.agency_id = p.get("agency_id", "")
    s.party_id = p.get("party_id", "")
    s.party_kind = p.get("party_kind", "")
    s.party_name = p.get("party_name", "")
    s.cause = p.get("cause", "")
    s.cause_entry = p.get("cause_entry", "")
    s.act_date = _d(p.get("act_date"))
    s.life_health_finance = bool(p.get("life_health_finance", False))
    s.handlers = tuple(p.get("handlers", ()))
    s.title = f"{s.party_name}{s.cause}案"


def _request_filing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.FILING


def _approve_filing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.INVESTIGATION
    s.filed_on = step.day
    s.case_no = p.get("case_no", "")
    s.year = int(p.get("year", 0))
    s.serial = int(p.get("serial", 0))


def _refuse_filing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.CLOSED
    s.outcome = Outcome.NOT_FILED
    s.closed_on = step.day


def _investigative(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.investigators.update(p.get("officers", ()))


def _add_evidence(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.evidence.append({**p, "event": step.hash})


def _report(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.report = {**p, "seq": step.seq}
    s.proposal = Proposal.from_payload(p)
    s.benchmark = p.get("benchmark") or s.benchmark
    s.complex_case = bool(p.get("complex", False)) or bool(p.get("serious", False))
    s.stage = Stage.DELIBERATION


def _submit_review(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.review_rounds.append({"submission": {**p, "on": step.day.isoformat(), "event": step.hash}})
    s.stage = Stage.LEGAL_REVIEW


def _record_review(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    if s.review_rounds:
        s.review_rounds[-1]["review"] = {**p, "reviewer": step.actor, "on": step.day.isoformat(), "event": step.hash, "seq": step.seq}
    s.review_objection = False
    s.stage = Stage.NOTICE if s.notice is not None else Stage.DELIBERATION


def _object_review(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.review_objection = True


def _discussion(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.discussions.append({**p, "event": step.hash, "seq": step.seq, "on": step.day.isoformat()})
    if p.get("resolves_objection"):
        s.review_objection = False


def _prior_notice(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.notice = {**p, "event": step.hash}
    s.notice_served_on = None
    s.proposal = Proposal.from_payload({**(s.report or {}), **p})
    s.benchmark = p.get("benchmark") or s.benchmark
    s.statements = []
    s.reexamined = False
    s.rights_waived_on = None
    s.documents_issued["prior_notice"] = p
    s.stage = Stage.NOTICE


def _serve(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
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


def _statement(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.statements.append(p)
    s.reexamined = False


def _reexamination(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.reexamined = True


def _waive(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.rights_waived_on = step.day


def _request_hearing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_requested_on = step.day
    s.stage = Stage.HEARING


def _hearing_notice(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_notice = p
    s.documents_issued["hearing_notice"] = p


def _hold_hearing(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_held = {**p, "event": step.hash, "seq": step.seq}
    s.stage = Stage.DELIBERATION


def _hearing_absence(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_waived = True
    s.stage = Stage.DELIBERATION


def _hearing_report(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.hearing_report = {**p, "seq": step.seq}


def _decision(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.decision = {**p, "event": step.hash}
    s.decided_on = step.day
    s.outcome = Outcome(p["outcome"])
    s.proposal = Proposal.from_payload(p)
    s.benchmark = p.get("benchmark") or s.benchmark
    s.amount_due_fen = int(p.get("fine_fen", 0)) + int(p.get("confiscation_fen", 0))
    s.documents_issued["decision"] = p
    s.stage = Stage.DECIDED


def _simple_decision(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.procedure = Procedure.SIMPLE
    _case_header(s, p)
    s.case_no = p.get("case_no", "")
    s.year = int(p.get("year", 0))
    s.serial = int(p.get("serial", 0))
    s.filed_on = step.day
    _investigative(s, step, p)
    _decision(s, step, {**p, "outcome": Outcome.PENALTY})
    # the on-the-spot form is handed to the party at once (Art. 52)
    s.decision_served_on = step.day
    s.stage = Stage.EXECUTION


def _payment(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.payments.append(p)
    s.paid_fen += int(p.get("amount_fen", 0))


def _court(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.court_enforcement = p


def _request_approval(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.approvals_pending[step.hash] = {**p, "requested_by": step.actor, "on": step.day.isoformat()}


def _decide_approval(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    request = s.approvals_pending.pop(p.get("request", ""), None)
    s.approvals_decided.append({**(request or {}), **p, "approver": step.actor, "decided_on": step.day.isoformat()})
    if p.get("approved") and p.get("matter") == "evidence_preservation":
        s.preservation_open = True


def _preservation_disposal(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.preservation_open = False


def _recusal(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    if p.get("decision") == "granted" and p.get("replacement"):
        s.handlers = tuple(p["replacement"] if h == p.get("officer") else h for h in s.handlers)


def _suspend(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.suspended = True


def _resume(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.suspended = False


def _close(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.CLOSED
    s.closed_on = step.day


def _archive(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.stage = Stage.ARCHIVED
    s.archive_no = p.get("archive_no", "")


def _correct(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.corrections.setdefault(p.get("corrects", ""), []).append({**p, "event": step.hash, "by": step.actor})


_APPLY = {
    "register_lead": _register_lead,
    "request_filing": _request_filing,
    "approve_filing": _approve_filing,
    "refuse_filing": _refuse_filing,
    "record_inspection": _investigative,
    "record_inquiry": _investigative,
    "record_sampling": _investigative,
    "add_evidence": _add_evidence,
    "submit_investigation_report": _report,
    "submit_legal_review": _submit_review,
    "record_legal_review": _record_review,
    "object_to_review": _object_review,
    "record_collective_discussion": _discussion,
    "issue_prior_notice": _prior_notice,
    "serve_document": _serve,
    "record_statement": _statement,
    "record_reexamination": _reexamination,
    "waive_rights": _waive,
    "request_hearing": _request_hearing,
    "give_hearing_notice": _hearing_notice,
    "hold_hearing": _hold_hearing,
    "record_hearing_absence": _hearing_absence,
    "record_hearing_report": _hearing_report,
    "make_decision": _decision,
    "record_simple_decision": _simple_decision,
    "record_payment": _payment,
    "apply_court_enforcement": _court,
    "request_approval": _request_approval,
    "decide_approval": _decide_approval,
    "decide_preservation_disposal": _preservation_disposal,
    "record_recusal": _recusal,
    "suspend_case": _suspend,
    "resume_case": _resume,
    "close_case": _close,
    "archive_case": _archive,
    "correct_record": _correct,
}
