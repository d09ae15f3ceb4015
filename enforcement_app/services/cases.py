"""Cases: opening one, taking a procedural step, registering its party and its evidence, viewing and listing.

Each step is checked by the procedure (:func:`~enforcement_app.domain.procedure.prepare`), recorded as one
event on the case's stream, applied to the cached state and projected into the case table, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..domain.case import STAGE_ZH, CaseState, Step, step_day
from ..domain.deadlines import Deadline
from ..domain.evidence_media import media_type_of
from ..domain.parties import Party, build_party
from ..domain.procedure import (
    ActionKind,
    Context,
    NextAction,
    apply,
    deadlines_of,
    fixed_texts,
    fold,
    next_actions,
    prepare,
)
from ..domain.procedure.signed_content import SignOffContent, sign_off_contents
from ..domain.record import RecordedEvent
from ..domain.refusals import InvalidInput, NotFound, Refusal, RuleViolation
from ..domain.review import major_reasons
from ..store import cases as case_store
from ..store import events as event_store
from ..store import reference as reference_store
from . import numbering
from .clock import given_or_new_id, new_id
from .core import SessionCore


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class CaseView:
    """Everything the client and ``show`` display about one case, as of ``today``."""

    state: CaseState
    deadlines: list[Deadline]
    actions: list[NextAction]
    major: list[str]
    events: list[RecordedEvent]
    heads: tuple[str, ...]
    today: date
    sign_offs: tuple[SignOffContent, ...] = ()  # every sign-off, with what corrections changed since in what it covered

    def as_dict(self) -> dict[str, Any]:
        s = self.state
        blocked = [a for a in self.actions if not a.allowed]
        return {
            "id": s.id,
            "case_no": s.case_no,
            "title": s.title,
            "procedure": s.procedure.value,
            "stage": s.stage.value,
            "stage_name": STAGE_ZH[s.stage],
            "outcome": s.outcome.value if s.outcome else None,
            "cause": s.cause,
            "party": {"id": s.party_id, "name": s.party_name, "kind": s.party_kind},
            "handlers": list(s.handlers),
            "received_on": _iso(s.lead_received_on),
            "filed_on": _iso(s.filed_on),
            "decided_on": _iso(s.decided_on),
            "closed_on": _iso(s.closed_on),
            "major_decision": self.major,
            "proposal": None if s.proposal is None else {
                "outcome": s.proposal.outcome, "penalty_kinds": list(s.proposal.penalty_kinds),
                "fine_fen": s.proposal.fine_fen, "confiscation_fen": s.proposal.confiscation_fen,
                "benchmark_deviation": s.proposal.benchmark_deviation,
            },
            "benchmark": s.benchmark,
            "legal_review": (s.review or {}).get("outcome"),
            "deadlines": [d.as_dict(self.today) for d in self.deadlines],
            "allowed_actions": [{"action": a.kind, "title": a.title, "permitted": a.permitted} for a in self.actions if a.allowed],
            "blocked_actions": [
                {"action": a.kind, "title": a.title, "reasons": [r.as_dict() for r in a.reasons]} for a in blocked
            ],
            "events": [
                {"seq": e.seq, "hash": e.hash, "kind": e.kind, "actor": e.actor, "at": e.at.isoformat(), "parents": list(e.parents)}
                for e in self.events
            ],
            "heads": list(self.heads),
            "fork": len(self.heads) > 1,
            "sign_offs_changed": [
                {"sign_off": c.step.hash, "kind": c.step.kind, "changes": [
                    {"record": x.record, "field": x.field, "label": x.label, "before": x.before, "after": x.after,
                     "correction": x.correction} for x in c.changes]}
                for c in self.sign_offs if c.changed
            ],
        }


def context_of(session: SessionCore, state: CaseState, today: date | None = None) -> Context:
    """The context in which ``session``'s officer acts on the case (with its party, if it has one)."""
    services = session.services
    party = services.party(state.party_id) if state.party_id else None
    return services.context(session.actor, party=party, today=today)


# --- parties and new cases -------------------------------------------------------------------------------


def register_party(session: SessionCore, data: Mapping[str, Any]) -> Party:
    session.require("register_party")
    party_id, problems = given_or_new_id(data)
    party = build_party(party_id, data, problems)
    with session.services.transaction():
        session.record(f"party/{party.id}", "register_party", party.as_dict())
        reference_store.project_party(session.services.db, party.as_dict())
    return party


def create_case(session: SessionCore, kind: str, payload: Mapping[str, Any]) -> str:
    """The first step of a case: ``register_lead`` or ``record_simple_decision``; returns the new case's id."""
    services = session.services
    party_id = payload.get("party_id")
    try:
        party = services.party(party_id) if isinstance(party_id, str) and party_id else None
    except NotFound:
        party = None  # the procedure refuses a lead without a registered party, by field with the rest
    ctx = services.context(session.actor, party=party)
    case_id = new_id()
    with services.transaction():
        data = dict(payload)
        if kind == "record_simple_decision":
            data.update(fixed_texts(ctx, kind, data))
            # made where the officer stands, on a pre-printed numbered form: a device that does not hold the
            # agency's numbering records it without a case number rather than refuse it (see .numbering)
            if ctx.agency is None or numbering.holds_numbering(services, ctx.agency):
                data.update(_allocate_number(session, case_id, ctx, _day(payload.get("at")) or ctx.today))
        clean = prepare(None, ctx, kind, data)
        _seq, digest, at = session.record(case_id, kind, clean)
        state = fold(case_id, [Step(1, digest, kind, session.actor.id, at, step_day(clean, at), clean)])
        case_store.write_case_rows(services.db, [session.case_row(state, ctx)])
    services.keep_state(case_id, state)
    return case_id


def register_party_and_case(session: SessionCore, party_data: Mapping[str, Any], case_payload: Mapping[str, Any], *,
                             simple: bool = False) -> str:
    """Register a party and open its case as one act, in one transaction: a refused case leaves no party behind."""
    with session.services.transaction():
        party = register_party(session, party_data)
        kind = "record_simple_decision" if simple else "register_lead"
        return create_case(session, kind, {**case_payload, "party_id": party.id})


def _allocate_number(session: SessionCore, case_id: str, ctx: Context, day: date) -> dict[str, Any]:
    agency = ctx.agency
    if agency is None:
        raise RuleViolation([Refusal("no_agency", "尚未设置执法主体，不能编定案件编号")])
    serial, case_no = case_store.allocate_case_number(session.services.db, agency, case_id, day.year)
    return {"case_no": case_no, "year": day.year, "serial": serial}


# --- steps ------------------------------------------------------------------------------------------------


def perform(session: SessionCore, case_ref: str, kind: str, payload: Mapping[str, Any] | None = None) -> str:
    """Take one procedural action on a case; returns the hash of the recorded event. Evidence is added by
    the hash of a file the evidence store holds (:func:`add_evidence` stores one); any other is refused."""
    return _perform(session, case_ref, kind, payload)


def _perform(session: SessionCore, case_ref: str, kind: str, payload: Mapping[str, Any] | None,
             accepted: Callable[[], None] | None = None) -> str:
    """:func:`perform`; ``accepted()`` is called once the procedure has accepted the step, before it is
    recorded (:func:`add_evidence` stores its file then, and not before)."""
    services = session.services
    case_id = services.resolve_case(case_ref)
    with services.transaction():
        state = services.working_state(case_id)
        ctx = context_of(session, state)
        data = dict(payload or {})
        data.update(fixed_texts(ctx, kind, data))
        if kind == "approve_filing":
            # a number is reserved only when everything else about the approval holds
            prepare(state, ctx, kind, {**data, "case_no": "pending"})
            if ctx.agency is not None:
                numbering.require_numbering(services, ctx.agency, kind)
            data.update(_allocate_number(session, case_id, ctx, _day(data.get("on")) or ctx.today))
        clean = prepare(state, ctx, kind, data)
        numbering.refuse_typed(kind, data)
        clean = {**clean, **numbering.number_document(session, case_id, ctx, kind, clean)}
        if accepted is not None:
            accepted()
        if kind == ActionKind.ADD_EVIDENCE:
            _check_held(session, clean)
        _seq, digest, at = session.record(case_id, kind, clean)
        # the new event lists every head as a parent, so it comes last in causal order
        apply(state, Step(len(state.steps) + 1, digest, kind, session.actor.id, at, step_day(clean, at), clean))
        case_store.write_case_rows(services.db, [session.case_row(state, ctx)])
    services.keep_state(case_id, state)
    return digest


def _check_held(session: SessionCore, clean: Mapping[str, Any]) -> None:
    """An evidence step names a file of the evidence store, registered with the same size: a hash the
    store does not hold would leave the record failing verification for good."""
    services = session.services
    sha, size = clean["sha256"], clean["size"]
    registered = case_store.evidence_size(services.db, sha)
    if registered is None or not services.evidence.has(sha):
        raise InvalidInput.at("sha256", f"证据库中没有 SHA-256 为 {sha[:12]}… 的文件：证据文件须先存入证据库（命令行：evidence add 案件 文件）")
    if registered != size:
        raise InvalidInput.at("size", f"文件大小 {size} 字节与证据库中登记的 {registered} 字节不符")


def add_evidence(session: SessionCore, case_ref: str, file_path: str | Path, details: Mapping[str, Any]) -> str:
    """Store a file in the evidence store and record it on the case; returns its SHA-256.

    The file is read and hashed into a temporary beside the store first and enters the store only once
    the procedure has accepted the step; should the recording fail after that, a file this call put there
    and nothing has registered is taken out again. A refused addition leaves no file behind."""
    services = session.services
    case_id = services.resolve_case(case_ref)
    path = Path(file_path)
    if not path.is_file():
        raise InvalidInput.at("file", f"证据文件不存在或不是文件：{path}")
    with open(path, "rb") as fh:
        sha, size, staged = services.evidence.stage(fh)
    media_type = media_type_of(path.name)
    placed = False

    def store() -> None:
        nonlocal placed
        placed = not services.evidence.has(sha)
        services.evidence.commit(staged, sha)

    try:
        with services.transaction():
            case_store.register_evidence(services.db, sha, size, media_type, path.name, services.clock().isoformat())
            _perform(
                session,
                case_id,
                "add_evidence",
                {"collected_at": services.clock().isoformat(timespec="minutes"), **details,
                 "sha256": sha, "size": size, "media_type": media_type, "original_name": path.name},
                accepted=store,
            )
    except BaseException:
        services.evidence.discard(staged)
        if placed and case_store.evidence_size(services.db, sha) is None:
            services.evidence.remove(sha)
        raise
    return sha


# --- reading ----------------------------------------------------------------------------------------------


def view(session: SessionCore, case_ref: str) -> CaseView:
    session.require("view_cases")
    services = session.services
    case_id = services.resolve_case(case_ref)
    state, events = services.case_state(case_id)
    ctx = context_of(session, state)
    return CaseView(
        state=state,
        deadlines=deadlines_of(state, ctx),
        actions=next_actions(state, ctx),
        major=[r.message for r in major_reasons(state, ctx.policy)],
        events=events,
        heads=event_store.stream_heads(services.db, case_id),
        today=ctx.today,
        sign_offs=tuple(sign_off_contents(state)),
    )


def list_cases(session: SessionCore, *, stage: str | None = None, officer: str | None = None, overdue: bool = False,
               query: str | None = None, year: int | None = None, limit: int | None = None,
               order: str = "received_on DESC, id DESC") -> list[dict[str, Any]]:
    session.require("view_cases")
    return case_store.list_cases(session.services.db, today=session.services.today(), stage=stage, officer=officer,
                                 overdue=overdue, query=query, year=year, limit=limit, order=order)
