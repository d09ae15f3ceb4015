"""Case files: what the case-file PDF is made of, and their evaluation (案卷评查).

An evaluation is a stream of its own (``evaluation/<case id>``): the case's own record stays untouched,
as an archived case is read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.agency import Agency
from ..domain.case import STAGE_ZH, CaseState, Stage
from ..domain.evaluation import Sheet, apply_scores, pre_score, standard_on
from ..domain.officers import Officer
from ..domain.parties import Party
from ..domain.procedure import Context
from ..domain.record import RecordedEvent
from ..domain.refusals import InvalidInput, Refusal, RuleViolation
from ..store import events as event_store
from .agency_certificates import AgencySigner, signer
from .cases import context_of
from .core import SYSTEM_ACTOR, SessionCore
from .signatures import SignOff, case_sign_offs


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


def _case_and_context(session: SessionCore, case_ref: str) -> tuple[str, CaseState, Context]:
    case_id = session.services.resolve_case(case_ref)
    state = session.services.current_state(case_id)
    return case_id, state, context_of(session, state)


def evaluation_sheet(session: SessionCore, case_ref: str) -> Sheet:
    session.require("view_cases")
    case_id, state, ctx = _case_and_context(session, case_ref)
    return _sheet(session, case_id, state, ctx)


def _sheet(session: SessionCore, case_id: str, state: CaseState, ctx: Context) -> Sheet:
    standard = standard_on(state.closed_on or ctx.today)
    sheet = pre_score(state, ctx, standard)
    stored = event_store.events_of(session.services.db, f"evaluation/{case_id}")
    if stored:
        last = stored[-1]
        names = session.services.officers()
        evaluator = names[last.actor].name if last.actor in names else last.actor
        sheet = apply_scores(sheet, last.payload.get("scores", {}), evaluator, last.at.date().isoformat())
    return sheet


def record_evaluation(session: SessionCore, case_ref: str, scores: Mapping[str, Any]) -> Sheet:
    session.require("evaluate_case_file")
    case_id, state, ctx = _case_and_context(session, case_ref)
    if state.stage not in (Stage.CLOSED, Stage.ARCHIVED):
        raise RuleViolation([Refusal("not_closed", f"案件尚未结案（{STAGE_ZH[state.stage]}），案卷评查针对已结案件")])
    sheet = apply_scores(pre_score(state, ctx, standard_on(state.closed_on or ctx.today)), scores)
    if not sheet.complete:
        missing = [line.item.id for line in sheet.lines if (line.passed is None if line.item.group == "veto" else line.score is None)]
        raise InvalidInput.at("scores", "以下评查项目尚未评定：" + "、".join(missing))
    with session.services.transaction():
        session.record(f"evaluation/{case_id}", "evaluate_case_file", {
            "case": case_id, "standard": sheet.standard.id, "version": sheet.standard.version,
            "scores": {k: dict(v) if isinstance(v, Mapping) else {"score": v} for k, v in scores.items()},
            "total": sheet.total, "vetoed": sheet.vetoed})
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
        sign_offs=case_sign_offs(services.db, services.device_id, events),
        signer=signer(services),
    )
