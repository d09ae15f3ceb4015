"""The procedure of the Administrative Penalty Law as an explicit state machine of declared actions.

:mod:`.engine` says what an action is and how it is judged (:func:`prepare`, :func:`availability`,
:func:`next_actions`) and folded (:func:`fold`); one module per stage declares its actions. Importing
this package declares them all, in the order of the procedure.
"""

from . import filing, investigation, deliberation, notice, decision, execution, closing, correction  # noqa: F401, I001 - the order of the procedure
from .decision import ART59, fixed_texts, heavier_refusals, window_refusals
from .deliberation import REVIEW_CHECKLIST, REVIEW_OUTCOMES
from .engine import (
    signed_kinds,
    ACTIONS,
    BEFORE_DECISION,
    INVESTIGATING,
    OPEN_STAGES,
    Action,
    ActionKind,
    Context,
    InboxTask,
    NextAction,
    apply,
    availability,
    deadline,
    deadlines_of,
    draft,
    fold,
    next_actions,
    officers_refusals,
    payload_of,
    prepare,
    search_text,
    title_of,
)
from .execution import PAYMENT_CHANNELS, outstanding_fen, surcharge_fen
from .filing import CASE_SOURCES
from .investigation import APPROVAL_MATTERS, EVIDENCE_KINDS
from .notice import SERVED_DOCUMENTS, SERVICE_METHODS, hearing_notice_earliest
from .proposal import hearing_right, proposal_form

__all__ = [
    "signed_kinds",
    "ACTIONS", "APPROVAL_MATTERS", "ART59", "BEFORE_DECISION", "EVIDENCE_KINDS", "INVESTIGATING", "OPEN_STAGES",
    "PAYMENT_CHANNELS", "REVIEW_CHECKLIST", "REVIEW_OUTCOMES", "SERVED_DOCUMENTS", "SERVICE_METHODS", "CASE_SOURCES",
    "Action", "ActionKind", "Context", "InboxTask", "NextAction", "apply", "availability", "deadline", "deadlines_of",
    "draft", "fixed_texts", "fold", "heavier_refusals", "hearing_notice_earliest", "hearing_right", "next_actions", "officers_refusals",
    "outstanding_fen", "payload_of", "prepare", "proposal_form", "search_text", "surcharge_fen", "title_of", "window_refusals",
]
