"""Case files: what the case-file PDF is made of, and their evaluation (案卷评查).

An evaluation is a stream of its own (``evaluation/<case id>``): the case's own record stays untouched,
as an archived case is read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..domain.agency import Agency
from ..domain.case import STAGE_ZH, CaseState, Stage, Step, step_day
from ..domain.discretion.model import FactElement
from ..domain.evaluation import (
    Mark,
    Sheet,
    apply_decisions,
    decisions_of,
    pre_score,
    record_payload,
    standard_on,
)
from ..domain.officers import Officer
from ..domain.parties import Party
from ..domain.power_list import describe_for_record, findings_of, issuing_body
from ..domain.procedure import Context, draft, fold
from ..domain.procedure.proposal import proposal_entry
from ..domain.record import RecordedEvent
from ..domain.refusals import Refusal, RuleViolation
from ..store import events as event_store
from .agency_certificates import AgencySigner, signer
from .cases import context_of
from .core import SYSTEM_ACTOR, SessionCore
from .signatures import SignOff, case_sign_offs

DRAFT = "draft"
"""The hash a step not recorded yet goes by in a draft's data (no event hash is a word)."""


@dataclass(frozen=True)
class CaseFileData:
    """Everything the case-file PDF is made of, read in one go (the PDF layer touches no database)."""

    state: CaseState
    events: list[RecordedEvent]
    heads: tuple[str, ...]
    officers: Mapping[str, Officer]
    party: Party | None
    agency: Agency | None
    evidence_files: Mapping[str, Path]  # sha256 -> file in the evidence store
    evaluation: Sheet | None  # the stored evaluation sheet, if the file has been evaluated
    actor_names: Mapping[str, str]
    sign_offs: Mapping[str, SignOff] = field(default_factory=dict)  # event hash -> the sign-off's signature, checked
    signer: AgencySigner | None = None  # the agency's key and certificate on this device; None: the file goes unsigned
    draft: str = ""  # the hash given to a step not recorded yet, printed as a draft (see draft_case_file_data); "" for none
    powers: Mapping[str, str] = field(default_factory=dict)  # step hash -> its 职权来源 line (filing, decisions)
    # the facts elements the case's benchmark entry declares, in its order: the names its records' elements print under
    facts_elements: tuple[FactElement, ...] = ()
    paper_seal: bool = False  # printed to be stamped on paper: "（印章）" even where the agency has an electronic seal
    # the body the documents are issued in the name of when it is not the agency: the delegating body of a delegated
    # power (行政处罚法第二十条第四款); "" for the agency's own powers
    issuer: str = ""


def _case_and_context(session: SessionCore, case_ref: str) -> tuple[str, CaseState, Context]:
    case_id = session.services.resolve_case(case_ref)
    state = session.services.current_state(case_id)
    return case_id, state, context_of(session, state)


def evaluation_sheet(session: SessionCore, case_ref: str) -> Sheet:
    session.require("view_cases")
    case_id, state, ctx = _case_and_context(session, case_ref)
    return _sheet(session, case_id, state, ctx)


def _sheet(session: SessionCore, case_id: str, state: CaseState, ctx: Context) -> Sheet:
    """The sheet as the record suggests it, with the evaluator's decisions as last recorded."""
    sheet = pre_score(state, ctx, standard_on(state.closed_on or ctx.today))
    stored = event_store.events_of(session.services.db, f"evaluation/{case_id}")
    if stored:
        last = stored[-1]
        names = session.services.officers()
        evaluator = names[last.actor].name if last.actor in names else last.actor
        sheet = _recorded(replace(sheet, evaluator=evaluator, on=last.at.date().isoformat()), decisions_of(last.payload),
                          bool(last.payload.get("final")))
    return sheet


def _recorded(sheet: Sheet, decisions: Mapping[str, Mapping[str, Any]], final: bool) -> Sheet:
    """The sheet with recorded decisions read back as they were recorded (they were checked then; an item
    the standard no longer has is left out, never refused)."""
    lines = []
    for line in sheet.lines:
        raw = decisions.get(line.item.id)
        mark = None
        if raw is not None:
            mark = Mark(veto=bool(raw["veto"])) if "veto" in raw else Mark(score=int(raw["score"])) if "score" in raw else None
        lines.append(replace(line, decision=mark, comment=str(raw.get("comment", "")) if raw else ""))
    return replace(sheet, lines=tuple(lines), final=final and all(line.decision is not None for line in lines))


def record_evaluation(session: SessionCore, case_ref: str, decisions: Mapping[str, Any], final: bool = False) -> Sheet:
    """Record the evaluator's decisions: a draft (items may stay open) or, with ``final``, the evaluation's
    conclusion, refused while any item is open. One event; it keeps the suggestion shown beside each decision."""
    session.require("evaluate_case_file")
    case_id, state, ctx = _case_and_context(session, case_ref)
    if state.stage not in (Stage.CLOSED, Stage.ARCHIVED):
        raise RuleViolation([Refusal("not_closed", f"案件尚未结案（{STAGE_ZH[state.stage]}），案卷评查针对已结案件")])
    sheet = apply_decisions(pre_score(state, ctx, standard_on(state.closed_on or ctx.today)), decisions, final=final)
    with session.services.transaction():
        session.record(f"evaluation/{case_id}", "evaluate_case_file", {"case": case_id, **record_payload(sheet)})
    return _sheet(session, case_id, state, ctx)


def case_file_data(session: SessionCore, case_ref: str) -> CaseFileData:
    session.require("export_case_file")
    services = session.services
    case_id, state, ctx = _case_and_context(session, case_ref)
    events = event_store.events_of(services.db, case_id)
    evaluated = bool(event_store.stream_heads(services.db, f"evaluation/{case_id}"))
    officers = services.officers()
    files = {e["sha256"]: services.evidence.path_for(e["sha256"]) for e in state.evidence if e.get("sha256")}
    return CaseFileData(
        state=state,
        events=events,
        heads=event_store.stream_heads(services.db, case_id),
        officers=officers,
        party=ctx.party,
        agency=ctx.agency,
        evidence_files=files,
        evaluation=_sheet(session, case_id, state, ctx) if evaluated else None,
        actor_names={**{k: o.name for k, o in officers.items()}, SYSTEM_ACTOR.id: SYSTEM_ACTOR.name},
        sign_offs=case_sign_offs(services.db, services.reference.signing_keys(), events),
        signer=signer(services),
        **_powers(session, state),
        facts_elements=case_elements(state, ctx),
    )


def _powers(session: SessionCore, state: CaseState) -> dict[str, Any]:
    """The 职权来源 each filing and decision step prints: the power the agency's list in force that day gives
    it under the case's benchmark entry or the provisions cited (see :mod:`..domain.power_list`); and the
    body the documents are issued in the name of, by the latest of those steps that found a power."""
    services = session.services
    found = findings_of(state, services.power_list_versions(), services.benchmarks())
    latest = [f for s in state.steps if (f := found.get(s.hash)) is not None and f.within]
    return {"powers": {step_hash: describe_for_record(finding) for step_hash, finding in found.items()},
            "issuer": issuing_body(latest[-1]) if latest else ""}


def case_elements(state: CaseState, ctx: Context) -> tuple[FactElement, ...]:
    """The facts elements of the benchmark entry the case's proposals were judged by (none without one)."""
    entry = proposal_entry(ctx.benchmarks, state.benchmark, state.cause_entry, state.act_date)
    return entry.facts_elements if entry is not None else ()


def draft_case_file_data(session: SessionCore, case_ref: str, kind: str, payload: Mapping[str, Any]) -> CaseFileData:
    """The case-file data with the step ``kind`` that ``payload`` (a form not sent yet) would record added as a
    draft under the hash :data:`DRAFT` (``draft`` set): its document prints as the builder would print the
    record, marked as a draft, with lines to sign on. Nothing is checked but the permission, nothing recorded."""
    data = case_file_data(session, case_ref)
    state = data.state
    clean = draft(state, context_of(session, state), kind, payload)
    at = session.services.clock()
    step = Step(len(state.steps) + 1, DRAFT, kind, session.actor.id, at, step_day(clean, at), clean)
    drafted = fold(state.id, [*state.steps, step])
    return replace(data, state=drafted, draft=DRAFT, **_powers(session, drafted))
