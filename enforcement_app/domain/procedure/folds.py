"""Fold steps shared by more than one action (kept apart so that no stage module imports another)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..case import CaseState, Outcome, Proposal, Stage, Step


def day_of(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def investigators_fold(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.investigators.update(p.get("officers", ()))


def decision_fold(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.decision = {**p, "event": step.hash}
    s.decided_on = step.day
    s.outcome = Outcome(p["outcome"])
    s.proposal = Proposal.from_payload(p)
    s.benchmark = p.get("benchmark") or s.benchmark
    s.amount_due_fen = int(p.get("fine_fen", 0)) + int(p.get("confiscation_fen", 0))
    s.documents_issued["decision"] = p
    s.stage = Stage.DECIDED
