"""A case's state is a fold over its events: nothing about a case is stored that the record cannot rebuild.

:func:`~.procedure.fold` replays events in recorded order into a :class:`CaseState`, each through the fold
step its action declares. The procedure decides what may happen next; this module only says what has
happened.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    violation: str = ""
    facts_elements: tuple[tuple[str, str], ...] = ()  # (element, what was found), as the facts' elements
    mitigated: bool = False  # 减轻处罚 as Art. 30 or 32 allows (below the statutory minimum; not a deviation)

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
            violation=str(payload.get("violation", "")),
            mitigated=bool((payload.get("benchmark") or {}).get("mitigated", False)) if isinstance(payload.get("benchmark"), Mapping) else False,
            facts_elements=tuple(sorted((str(k), str(v)) for k, v in (payload.get("facts_elements") or {}).items()))
            if isinstance(payload.get("facts_elements"), Mapping) else (),
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
                    # the provision broken, since it is recorded apart from the penalty basis (older digests stay as they were)
                    **({"violation": self.violation.strip()} if self.violation.strip() else {}),
                    # and the facts' elements, since they are recorded (older digests stay as they were)
                    **({"facts_elements": dict(self.facts_elements)} if self.facts_elements else {}),
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
    suspected_violation: str = ""  # the provision the filing request says the party is suspected of breaking
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
    # the party's 行政复议 and 行政诉讼 against the decision, each {kind, on, body, event, outcome?, decided_on?}
    remedies: list[dict[str, Any]] = field(default_factory=list)
    approvals_pending: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    approvals_decided: list[Mapping[str, Any]] = field(default_factory=list)
    suspended: bool = False
    evidence: list[Mapping[str, Any]] = field(default_factory=list)
    preservation_open: bool = False
    preservation_recorded: bool = False  # the approved preservation's 先行登记保存证据清单 is recorded
    closing_request: Mapping[str, Any] | None = None  # the 结案审批 asked of the head and not yet answered
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


def step_day(payload: Mapping[str, Any], fallback: datetime) -> date:
    """The day a step took place: its ``on`` date, the start of ``started_at``/``at``, or when recorded."""
    for key in ("on", "started_at", "at"):
        value = payload.get(key)
        if value:
            return date.fromisoformat(str(value)[:10])
    return fallback.date()


def stage_reached(state: CaseState, stage: Stage) -> bool:
    """Whether the case went through ``stage`` (a step of that stage was recorded), as opposed to passing it
    by: no legal review needed, no hearing asked for, paid at once. What the stepper ticks."""
    reached = {
        Stage.LEAD: state.lead_received_on is not None,
        Stage.FILING: state.filed_on is not None or any(s.kind in ("request_filing", "refuse_filing") for s in state.steps),
        Stage.INVESTIGATION: state.filed_on is not None,
        Stage.DELIBERATION: state.report is not None,
        Stage.LEGAL_REVIEW: bool(state.review_rounds),
        Stage.NOTICE: state.notice is not None,
        Stage.HEARING: state.hearing_requested_on is not None or state.hearing_held is not None,
        Stage.DECIDED: state.decided_on is not None,
        Stage.EXECUTION: bool(state.payments) or state.court_enforcement is not None or state.stage == Stage.EXECUTION,
        Stage.CLOSED: state.closed_on is not None,
        Stage.ARCHIVED: bool(state.archive_no),
    }
    return reached.get(stage, state.stage == stage)

