"""What a case looks like in the case table: its :class:`~enforcement_app.store.cases.CaseRow`, made from its
state. The store writes the rows (:func:`enforcement_app.store.cases.write_case_rows`); recording a step and
importing a bundle both make them here, so both paths keep the table alike."""

from __future__ import annotations

from datetime import date

from ..domain.case import CaseState
from ..domain.procedure import Context, deadlines_of, search_text
from ..domain.review import major_reasons
from ..store.cases import CaseRow


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def case_row(state: CaseState, ctx: Context, updated_at: str) -> CaseRow:
    """The case's row as of ``ctx.today``: its next open agency deadline, review status, major-decision flag
    and the text the case list searches."""
    deadlines = deadlines_of(state, ctx)
    open_agency = sorted((d for d in deadlines if d.owner == "agency" and d.met_on is None), key=lambda d: d.due)
    officers = ctx.officers
    review = state.review
    return CaseRow(
        id=state.id,
        agency_id=state.agency_id,
        case_no=state.case_no,
        procedure=state.procedure.value,
        stage=state.stage.value,
        outcome=state.outcome.value if state.outcome else "",
        title=state.title,
        cause=state.cause,
        party_id=state.party_id,
        party_name=state.party_name,
        handlers=",".join(state.handlers),
        handler_names="、".join(officers[h].name for h in state.handlers if h in officers),
        received_on=_iso(state.lead_received_on) or _iso(state.filed_on) or "",
        filed_on=_iso(state.filed_on) or "",
        decided_on=_iso(state.decided_on) or "",
        closed_on=_iso(state.closed_on) or "",
        fine_fen=int((state.decision or state.report or {}).get("fine_fen", 0) or 0),
        next_due=open_agency[0].due.isoformat() if open_agency and state.open else "",
        next_due_rule=open_agency[0].name if open_agency and state.open else "",
        review_status="pending" if state.review_pending else (review or {}).get("outcome", ""),
        major=int(bool(major_reasons(state, ctx.policy))),
        search_text=search_text(state),
        pending_approvals=",".join(sorted(str(a.get("matter", "")) for a in state.approvals_pending.values())),
        updated_at=updated_at,
    )
