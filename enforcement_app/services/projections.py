"""What a case looks like in the case table: its :class:`~enforcement_app.store.cases.CaseRow`, made from its
state. The store writes the rows (:func:`enforcement_app.store.cases.write_case_rows`); recording a step and
importing a bundle both make them here, so both paths keep the table alike."""

from __future__ import annotations

from datetime import date

from ..domain.case import CaseState
from ..domain.procedure import Context, deadlines_of, search_text
from ..domain.review import major_reasons
from ..store.cases import FACT_COLUMNS, CaseRow


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# raised whenever what a case row holds for the same events changes; a database whose rows were written by an
# earlier version is re-projected when it is opened (see ``core.ServicesCore``)
CASE_PROJECTION_VERSION = "2"

def case_facts(state: CaseState) -> tuple:
    """The values of :data:`FACT_COLUMNS` for this state."""
    review = state.review
    return (
        state.agency_id,
        state.case_no,
        state.procedure.value,
        state.stage.value,
        state.outcome.value if state.outcome else "",
        state.title,
        state.cause,
        state.party_id,
        state.party_name,
        ",".join(state.handlers),
        _iso(state.lead_received_on) or _iso(state.filed_on) or "",
        _iso(state.filed_on) or "",
        _iso(state.decided_on) or "",
        _iso(state.closed_on) or "",
        int((state.decision or state.report or {}).get("fine_fen", 0) or 0),
        "pending" if state.review_pending else (review or {}).get("outcome", ""),
        search_text(state),
        # a closing report waiting for the head is an approval pending too, so that the head's inbox finds it by SQL
        ",".join(sorted([str(a.get("matter", "")) for a in state.approvals_pending.values()]
                        + (["closing"] if state.closing_request is not None else []))),
    )


def case_row(state: CaseState, ctx: Context, updated_at: str) -> CaseRow:
    """The case's row as of ``ctx.today``: its next open agency deadline, review status, major-decision flag
    and the text the case list searches."""
    deadlines = deadlines_of(state, ctx)
    open_agency = sorted((d for d in deadlines if d.owner == "agency" and d.met_on is None), key=lambda d: d.due)
    facts = dict(zip(FACT_COLUMNS, case_facts(state), strict=True))
    officers = ctx.officers
    return CaseRow(
        id=state.id,
        **facts,
        handler_names="、".join(officers[h].name for h in state.handlers if h in officers),
        next_due=open_agency[0].due.isoformat() if open_agency and state.open else "",
        next_due_rule=open_agency[0].name if open_agency and state.open else "",
        major=int(bool(major_reasons(state, ctx.policy))),
        updated_at=updated_at,
    )
