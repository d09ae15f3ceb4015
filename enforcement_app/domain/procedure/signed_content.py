"""Whether what a sign-off approved still reads as it did when it was signed.

A sign-off (an action declared ``signed=True``: approving the filing, the legal review, the collective
discussion, the decision …) is signed over its event's hash, whose parents chain to every step recorded
before it, so it covers the whole record as the signer saw it. A record is never rewritten: a mistake is put
right by a correction (:mod:`.correction`), a new event naming the step it corrects and the new value of each
field. A correction recorded after a sign-off, of a step recorded before it, changes content the signer
approved; this module says which sign-offs that has happened to and what the difference is (the record, the
field, the value the signer saw and the value now), so the procedure can ask for the sign-off again before a
step relies on it, and the sign-off dialog can show the difference to the one who signs again.

A field corrected and then corrected back reads as the signer saw it: no difference, nothing to sign again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..case import CaseState, Step
from ..money import format_yuan
from ..refusals import Refusal
from .engine import ACTIONS, ActionKind, title_of

PROPOSAL_FIELDS = ("outcome", "penalty_kinds", "fine_fen", "confiscation_fen", "facts", "basis")
"""What a legal review approves of a proposal (those its digest covers, see ``Proposal.digest``)."""


@dataclass(frozen=True)
class ContentChange:
    """One field of one record that reads differently now than when the sign-off was made."""

    record: str  # hash of the corrected step
    record_kind: str
    field: str  # the payload key
    label: str  # its Chinese label (the key where it has none)
    before: Any  # as the signer saw it
    after: Any  # as the record reads now, with every correction
    correction: str  # hash of the correction that gave the value now
    reason: str  # that correction's stated reason

    @property
    def record_title(self) -> str:
        return title_of(self.record_kind)

    def describe(self) -> str:
        """One line: 现场检查的“检查情况”由“…”改为“…”."""
        return (f"{self.record_title}的“{self.label}”由“{_short(shown(self.before, self.field))}”"
                f"改为“{_short(shown(self.after, self.field))}”")


@dataclass(frozen=True)
class SignOffContent:
    """A sign-off of the case and what has changed, by later corrections, in the content it covers."""

    step: Step
    changes: tuple[ContentChange, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def shown(value: Any, field: str = "") -> str:
    """A field's value as a person reads it in a list of differences (an amount in fen as yuan)."""
    if field.endswith("_fen") and type(value) is int:
        return format_yuan(value)
    if value is None:
        return "（无）"
    if isinstance(value, list | tuple):
        return "；".join(shown(v) for v in value)
    if isinstance(value, Mapping):
        return "，".join(f"{k}：{shown(v)}" for k, v in value.items())
    return str(value)


def _short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def field_label(kind: str, field: str) -> str:
    """A field of a step of ``kind`` as its form names it (the key itself when it has no label)."""
    act = ACTIONS.get(kind)
    return (act.payload.label_of(field) if act is not None else "") or field


def changes_since(state: CaseState, sign_off: Step) -> tuple[ContentChange, ...]:
    """What reads differently now, in the steps recorded before ``sign_off``, than it did when it was signed:
    each field whose value with every correction differs from its value with the corrections recorded
    before the sign-off. In the order of the records, then of the corrections."""
    records = {s.hash: s for s in state.steps if s.seq < sign_off.seq}
    seen: dict[str, dict[str, Any]] = {}  # record -> field -> value when signed
    now: dict[str, dict[str, tuple[Any, str, str]]] = {}  # record -> field -> (value, correction, reason)
    for step in state.steps:
        if step.kind != ActionKind.CORRECT_RECORD or step.payload.get("corrects") not in records:
            continue
        target = step.payload["corrects"]
        for field, value in (step.payload.get("changes") or {}).items():
            if step.seq < sign_off.seq:
                seen.setdefault(target, {})[field] = value
            now.setdefault(target, {})[field] = (value, step.hash, str(step.payload.get("reason", "")))
    out = []
    for target in sorted(now, key=lambda h: records[h].seq):
        record = records[target]
        for field, (value, correction, reason) in now[target].items():
            before = seen.get(target, {}).get(field, record.payload.get(field))
            if value != before:
                out.append(ContentChange(target, record.kind, field, field_label(record.kind, field), before, value, correction, reason))
    return tuple(out)


def sign_off_contents(state: CaseState, kinds: Iterable[str] | None = None) -> list[SignOffContent]:
    """Every sign-off of the case (of ``kinds``, when given), in the order recorded, with its changes."""
    wanted = set(kinds) if kinds is not None else {k for k, a in ACTIONS.items() if a.signed}
    return [SignOffContent(s, changes_since(state, s)) for s in state.steps if s.kind in wanted]


def latest(state: CaseState, kind: str) -> Step | None:
    """The latest sign-off of ``kind`` in the case."""
    return next((s for s in reversed(state.steps) if s.kind == kind), None)


def stale_refusal(state: CaseState, sign_off: Step | None, rule: str, what: str, again: str, article: str) -> list[Refusal]:
    """A refusal naming what changed in the content ``sign_off`` (a ``what``) covered, asking for ``again``;
    none when nothing did."""
    if sign_off is None:
        return []
    changes = changes_since(state, sign_off)
    if not changes:
        return []
    return [Refusal(rule, f"{what}之后，其所依据的记录已被更正（{describe(changes)}），原{what}与现有记录不符，须{again}", article)]


def resubmitted_since(state: CaseState, review: Step) -> tuple[ContentChange, ...]:
    """How the proposal now on the case differs from the one ``review`` (a legal review) was submitted with:
    a report submitted again after the review, each element the review's digest covers. The procedure
    already voids the review for them (``legal_review_void``); this is what the reviewer is shown."""
    proposal, report = state.proposal, latest(state, ActionKind.SUBMIT_INVESTIGATION_REPORT)
    round_ = next((r for r in state.review_rounds if (r.get("review") or {}).get("event") == review.hash), None)
    reviewed = ((round_ or {}).get("submission") or {}).get("materials") or {}
    if proposal is None or report is None or not reviewed or report.seq < review.seq:
        return ()
    now = {"outcome": proposal.outcome, "penalty_kinds": sorted(proposal.penalty_kinds), "fine_fen": proposal.fine_fen,
           "confiscation_fen": proposal.confiscation_fen, "facts": proposal.facts.strip(), "basis": proposal.basis.strip()}
    out = []
    for field in PROPOSAL_FIELDS:
        before = reviewed.get(field)
        before = sorted(before or []) if field == "penalty_kinds" else str(before or "").strip() if field in ("facts", "basis") else before
        if before != now[field]:
            out.append(ContentChange(report.hash, report.kind, field, field_label(report.kind, field), before, now[field], report.hash,
                                     "调查终结报告重新提交"))
    return tuple(out)


def to_sign_again(state: CaseState, kind: str) -> tuple[ContentChange, ...]:
    """What differs, for one signing ``kind`` now, from what the last sign-off of that kind approved: the
    corrections since of the records it covered and, for a legal review, the proposal as submitted again."""
    previous = latest(state, kind)
    if previous is None:
        return ()
    resubmitted = resubmitted_since(state, previous) if kind == ActionKind.RECORD_LEGAL_REVIEW else ()
    return changes_since(state, previous) + resubmitted


def describe(changes: Sequence[ContentChange]) -> str:
    return "；".join(c.describe() for c in changes)
