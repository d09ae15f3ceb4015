"""Deliberation (审查决定): the investigation report (Art. 57), legal review of major decisions (Art. 58) and
the heads' collective discussion (Art. 57¶2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..case import CaseState, Proposal, Stage, Step
from ..discretion.numerals import from_int
from ..labels import REVIEW_CHECKLIST_ZH, REVIEW_OUTCOME_ZH
from ..officers import Role
from ..refusals import Refusal
from ..review import hearing_after_review, major_reasons, review_materials
from . import payload as P
from .engine import ActionKind, Context, InboxTask, declare, not_suspended, plain, read
from .proposal import ProposalFields, proposal_form
from .signed_content import changes_since

REVIEW_CHECKLIST = tuple(REVIEW_CHECKLIST_ZH)
REVIEW_OUTCOMES = tuple(REVIEW_OUTCOME_ZH)
INVESTIGATIVE_KINDS = (ActionKind.RECORD_INSPECTION, ActionKind.RECORD_INQUIRY, ActionKind.ADD_EVIDENCE, ActionKind.RECORD_SAMPLING)


def _has_investigation(state: CaseState, ctx: Context) -> list[Refusal]:
    if any(s.kind in INVESTIGATIVE_KINDS for s in state.steps if state.filed_on and s.day >= state.filed_on):
        return not_suspended(state, ctx)
    return [Refusal("no_investigation", "尚无立案后的调查取证记录，不能提交调查终结报告")]


@dataclass(frozen=True)
class InvestigationReport(ProposalFields):
    on: date | None = P.day("报告日期", today=True)
    evidence: tuple[str, ...] = P.hashes("证据")
    complex: bool = P.flag()
    serious: bool = P.flag()
    opinion: str = P.text("承办人意见", required=False, search=True)


def _fold_report(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.report = {**p, "seq": step.seq}
    s.proposal = Proposal.from_payload(p)
    s.benchmark = p.get("benchmark") or s.benchmark
    s.complex_case = bool(p.get("complex", False)) or bool(p.get("serious", False))
    s.stage = Stage.DELIBERATION


@declare(ActionKind.SUBMIT_INVESTIGATION_REPORT, "调查终结报告", stages=frozenset({Stage.INVESTIGATION, Stage.DELIBERATION}),
         roles=(Role.OFFICER,), handler_only=True, pre=_has_investigation, payload=InvestigationReport, fold=_fold_report)
def _v_report(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(InvestigationReport, raw, ctx)
    on = f.day_read("on")
    proposal_form(f, state, ctx, on=on, penalty_required=True)
    return f.done()


# --- legal review ----------------------------------------------------------------------------------------


def _review_submittable(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.report is None:
        return [Refusal("no_report", "须先提交调查终结报告")]
    if state.review_pending:
        return [Refusal("review_pending", "已提交法制审核，尚待审核意见")]
    review = state.review
    if (review and review.get("outcome") == "approve" and state.proposal and review.get("digest") == state.proposal.digest
            and not hearing_after_review(state, ctx.policy) and not _corrected_since(state, review)):
        return [Refusal("review_approved", "法制审核已通过，处罚内容未变更，审核的记录也未更正，无需重新提交")]
    return []


def _corrected_since(state: CaseState, review: Mapping[str, Any]) -> bool:
    """Whether a correction since the review changed a record it covered (see :mod:`.signed_content`)."""
    step = next((s for s in reversed(state.steps) if s.hash == review.get("event")), None)
    return step is not None and bool(changes_since(state, step))


@dataclass(frozen=True)
class ReviewSubmission(P.Payload):
    on: date | None = P.day("送审日期", today=True)
    summary: str = P.text("案件情况说明（事实、证据、法律适用、裁量基准适用、执法人员及证号）", search=True)
    draft_decision: str = P.text("处理决定代拟稿")
    evidence: tuple[str, ...] = P.hashes("证据材料")
    corrections_made: str = P.kept("")  # required after a return
    digest: str = P.kept("")  # of the proposal submitted
    major_reasons: tuple[str, ...] = P.kept(())
    round: int = P.kept(0)
    materials: Mapping[str, Any] | None = P.kept()  # what the reviewer examines, assembled from the case


def _fold_submit_review(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.review_rounds.append({"submission": {**p, "on": step.day.isoformat(), "event": step.hash}})
    s.stage = Stage.LEGAL_REVIEW


@declare(ActionKind.SUBMIT_LEGAL_REVIEW, "提交法制审核", stages=frozenset({Stage.DELIBERATION, Stage.NOTICE}), roles=(Role.OFFICER,),
         handler_only=True, pre=_review_submittable, payload=ReviewSubmission, fold=_fold_submit_review)
def _v_submit_review(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(ReviewSubmission, raw, ctx)
    on = f.day_read("on")
    f.text("corrections_made", "按审核意见补正情况", required=(state.review or {}).get("outcome") == "return")
    if state.proposal is not None:
        f.keep("digest", state.proposal.digest)
    f.keep("major_reasons", [r.message for r in major_reasons(state, ctx.policy)])
    f.keep("round", len(state.review_rounds) + 1)
    f.keep("materials", review_materials(state, ctx.officers, on or ctx.today))
    return f.done()


@dataclass(frozen=True)
class LegalReview(P.Payload):
    on: date | None = P.day("审核日期", today=True)
    outcome: str = P.choice("审核结论", REVIEW_OUTCOMES)
    checklist: Mapping[str, Any] | None = P.kept()  # item -> {finding: pass|issue, comment}
    corrections: str = P.text("需补正的事项", required=lambda read_so_far: read_so_far.get("outcome") == "return")
    opinion: str = P.text("审核意见", search=True)
    digest: str = P.kept("")
    round: int = P.kept(0)


def _fold_review(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    if s.review_rounds:
        s.review_rounds[-1]["review"] = {**p, "reviewer": step.actor, "on": step.day.isoformat(), "event": step.hash, "seq": step.seq}
    s.review_objection = False
    s.stage = Stage.NOTICE if s.notice is not None else Stage.DELIBERATION


@declare(ActionKind.RECORD_LEGAL_REVIEW, "法制审核", stages=frozenset({Stage.LEGAL_REVIEW}), roles=(Role.LEGAL_REVIEWER,),
         payload=LegalReview, fold=_fold_review, inbox=InboxTask(Role.LEGAL_REVIEWER, "legal_review"), signed=True)
def _v_review(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(LegalReview, raw, ctx)
    outcome = f.out.get("outcome", "")
    checklist = raw.get("checklist") or {}
    items: dict[str, dict[str, str]] = {}
    for item in REVIEW_CHECKLIST:
        entry = checklist.get(item) if isinstance(checklist, Mapping) else None
        entry = entry if isinstance(entry, Mapping) else {}
        finding = str(entry.get("finding", "")).strip()
        if finding not in ("pass", "issue"):
            f.problem(f"checklist.{item}", "审核要点须逐项给出结论（符合 pass / 存在问题 issue）")
            continue
        items[item] = {"finding": finding, "comment": str(entry.get("comment", "")).strip()}
        if finding == "issue" and not items[item]["comment"]:
            f.problem(f"checklist.{item}", "存在问题的审核要点须写明意见")
    f.keep("checklist", items)
    if outcome == "approve" and any(v["finding"] == "issue" for v in items.values()):
        f.problem("outcome", "审核要点存在问题的，不能作出“同意”结论")
    submission = state.review_rounds[-1]["submission"] if state.review_rounds else {}
    f.keep("digest", submission.get("digest", ""))
    f.keep("round", len(state.review_rounds))
    return f.done()


def _review_refused(state: CaseState, ctx: Context) -> list[Refusal]:
    review = state.review
    if review is None or review.get("outcome") == "approve" or state.review_pending:
        return [Refusal("no_refused_review", "没有可提出异议的审核意见（仅对“退回”或“不同意”可提出异议）")]
    return []


@dataclass(frozen=True)
class Objection(P.Payload):
    on: date | None = P.day("日期", today=True)
    reason: str = P.text("异议理由", search=True)


def _fold_objection(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.review_objection = True


declare(ActionKind.OBJECT_TO_REVIEW, "对审核意见提出异议", stages=frozenset({Stage.DELIBERATION, Stage.NOTICE}), roles=(Role.OFFICER,),
         handler_only=True, pre=_review_refused, payload=Objection, fold=_fold_objection)(plain(Objection))


# --- collective discussion ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectiveDiscussion(P.Payload):
    on: date | None = P.day("讨论日期", today=True)
    participants: tuple[str, ...] = P.ids("参加讨论的负责人")
    opinions: str = P.text("讨论意见")
    conclusion: str = P.text("讨论结论", search=True)
    resolves_objection: bool = P.flag()


def _fold_discussion(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.discussions.append({**p, "event": step.hash, "seq": step.seq, "on": step.day.isoformat()})
    if p.get("resolves_objection"):
        s.review_objection = False


@declare(ActionKind.RECORD_COLLECTIVE_DISCUSSION, "集体讨论", stages=frozenset({Stage.DELIBERATION, Stage.NOTICE, Stage.HEARING}),
         roles=(Role.AGENCY_HEAD,), payload=CollectiveDiscussion, fold=_fold_discussion,
         inbox=InboxTask(Role.AGENCY_HEAD, "decision_time_limit"), signed=True)
def _v_discussion(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(CollectiveDiscussion, raw, ctx)
    minimum = ctx.policy.collective_discussion_min_heads
    heads = [p for p in f.out["participants"] if (o := ctx.officers.get(p)) is not None and o.has_role(Role.AGENCY_HEAD)]
    if len(heads) < minimum:
        f.problem("participants", f"集体讨论须有{'两' if minimum == 2 else from_int(minimum)}名以上行政机关负责人参加")
    return f.done()

