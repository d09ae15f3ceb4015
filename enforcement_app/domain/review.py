"""Major decisions (重大执法决定) and whether the legal review (法制审核, Art. 58) is satisfied.

The catalogue is agency policy (:class:`~.policy.MajorDecisionCatalogue`), versioned; this module
says which catalogue items make a case major and whether the latest review still covers the penalty,
facts and law now proposed. A later change to any of them voids an approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .case import CaseState, Outcome, Proposal
from .money import format_yuan
from .officers import Officer
from .penalties import PENALTY_KIND_ZH, PartyKind, PenaltyKind
from .policy import AgencyPolicy
from .refusals import Refusal


@dataclass(frozen=True)
class MajorReason:
    item: str
    message: str


def major_reasons(state: CaseState, policy: AgencyPolicy, proposal: Proposal | None = None) -> list[MajorReason]:
    proposal = proposal or state.proposal
    catalogue = policy.major_decision
    reasons: list[MajorReason] = []
    if proposal is not None:
        kind = PartyKind(state.party_kind) if state.party_kind else PartyKind.PERSON
        threshold = catalogue.fine.for_party(kind)
        if proposal.fine_fen and proposal.fine_fen >= threshold:
            who = "公民" if kind == PartyKind.PERSON else "法人或其他组织"
            reasons.append(
                MajorReason("fine", f"对{who}罚款{format_yuan(proposal.fine_fen)}，达到重大执法决定标准（{format_yuan(threshold)}以上）")
            )
        for k in proposal.penalty_kinds:
            if PenaltyKind(k) in catalogue.penalty_kinds:
                reasons.append(MajorReason(f"kind:{k}", f"拟{PENALTY_KIND_ZH[PenaltyKind(k)]}，属重大执法决定目录事项"))
        if catalogue.benchmark_deviation and proposal.benchmark_deviation:
            reasons.append(MajorReason("benchmark_deviation", "未按裁量基准推荐阶次处罚（偏离或减轻），须法制审核"))
        if catalogue.transfer and proposal.outcome == Outcome.TRANSFER:
            reasons.append(MajorReason("transfer", "拟移送司法机关"))
    if catalogue.after_hearing and state.hearing_held is not None:
        reasons.append(MajorReason("after_hearing", "经过听证程序的案件"))
    if catalogue.flagged_complex and state.complex_case:
        reasons.append(MajorReason("complex", "承办人员认定案情复杂或涉及多个法律关系"))
    return reasons


def review_refusals(state: CaseState, policy: AgencyPolicy, proposal: Proposal | None = None) -> list[Refusal]:
    """Why a decision cannot yet be made as far as Art. 58 is concerned (empty when it may)."""
    proposal = proposal or state.proposal
    reasons = major_reasons(state, policy, proposal)
    if not reasons:
        return []
    because = "；".join(r.message for r in reasons)
    art = "行政处罚法第五十八条"
    if state.review_pending:
        return [Refusal("legal_review_pending", f"法制审核尚未完成（{because}）", art)]
    review = state.review
    if review is None:
        return [Refusal("legal_review_required", f"重大执法决定须经法制审核通过后方可作出（{because}）", art)]
    if review.get("outcome") != "approve":
        label = {"return": "退回补正", "disapprove": "不同意"}.get(str(review.get("outcome")), "未通过")
        return [Refusal("legal_review_not_passed", f"法制审核意见为“{label}”，审核未通过不得作出决定", art)]
    if hearing_after_review(state, policy):
        return [
            Refusal(
                "legal_review_after_hearing",
                "法制审核通过后举行了听证：须将听证笔录、听证报告连同案件重新提交法制审核",
                art,
            )
        ]
    if proposal is not None and review.get("digest") != proposal.digest:
        reviewed = (state.review_rounds[-1].get("submission") or {}).get("materials") or {} if state.review_rounds else {}
        changed = proposal_changes(reviewed, proposal)
        return [
            Refusal(
                "legal_review_void",
                "法制审核通过后处罚内容、认定事实或适用法律已变更，原审核意见失效，须重新提交审核"
                + (f"（{'；'.join(changed)}）" if changed else ""),
                art,
            )
        ]
    return []


def proposal_changes(reviewed: Mapping[str, Any], proposal: Proposal) -> list[str]:
    """What differs between the proposal a reviewer signed off (the submission's materials) and the one now
    on the case, in the words of the decision: each changed element with its old and new value."""
    def kinds(values: Any) -> str:
        names = [PENALTY_KIND_ZH.get(PenaltyKind(k), k) if k in set(PenaltyKind) else str(k) for k in sorted(values or [])]
        return "、".join(names) or "无"

    out = []
    if not reviewed:
        return out
    if str(reviewed.get("outcome", "")) != proposal.outcome:
        out.append(f"处理意见由“{reviewed.get('outcome')}”改为“{proposal.outcome}”")
    if sorted(reviewed.get("penalty_kinds") or []) != sorted(proposal.penalty_kinds):
        out.append(f"处罚种类由{kinds(reviewed.get('penalty_kinds'))}改为{kinds(proposal.penalty_kinds)}")
    for key, label in (("fine_fen", "罚款"), ("confiscation_fen", "没收违法所得")):
        before, after = int(reviewed.get(key) or 0), getattr(proposal, key)
        if before != after:
            out.append(f"{label}由{format_yuan(before)}改为{format_yuan(after)}")
    for key, label in (("facts", "认定的违法事实"), ("basis", "适用的法律依据")):
        if str(reviewed.get(key, "")).strip() != getattr(proposal, key).strip():
            out.append(f"{label}已改动（审核时：“{_short(str(reviewed.get(key, '')))}”，现为：“{_short(getattr(proposal, key))}”）")
    return out


def _short(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def hearing_after_review(state: CaseState, policy: AgencyPolicy) -> bool:
    """A hearing held, or its report written, after the latest review: the reviewer has not seen them
    (the catalogue's 'cases decided after a hearing' item asks that the reviewer does)."""
    review = state.review
    if not policy.major_decision.after_hearing or review is None or state.hearing_held is None:
        return False
    latest = max(int(state.hearing_held.get("seq", 0)), int((state.hearing_report or {}).get("seq", 0)))
    return latest > int(review.get("seq", 0))  # the transcript or the hearing report came after the review


def discussion_refusals(state: CaseState, policy: AgencyPolicy | None = None, proposal: Proposal | None = None) -> list[Refusal]:
    """Art. 57: complex or serious cases, and a disagreement with the reviewer, go to collective discussion; so
    does a 减轻处罚 where the agency's policy says so (``mitigation_collective_discussion``, default on)."""
    needed = []
    if state.complex_case:
        needed.append("情节复杂或重大违法行为")
    if policy is not None and policy.mitigation_collective_discussion and proposal is not None and proposal.mitigated:
        needed.append("减轻处罚（低于法定最低限），依本机关政策须经集体讨论")
    if state.review_objection:
        needed.append("承办机构与法制审核意见不一致")
    if not needed:
        return []
    report_seq = int((state.report or {}).get("seq", 0))
    held_after_report = any(int(d.get("seq", 0)) > report_seq for d in state.discussions)
    if state.review_objection or not held_after_report:
        return [
            Refusal(
                "collective_discussion_required",
                f"须经行政机关负责人集体讨论决定（{'；'.join(needed)}）",
                "行政处罚法第五十七条第二款",
            )
        ]
    return []


def review_materials(state: CaseState, officers: Mapping[str, Officer], day: date) -> dict[str, Any]:
    """What goes to the legal reviewer with a submission, assembled from the case as recorded: the
    proposal (facts, law applied, penalty), how the discretion benchmark was used, the handling officers
    with their certificate numbers on the day, the evidence list, and the hearing transcript and report
    when a hearing was held. Kept in the submission event, so the record shows what the reviewer saw."""
    proposal = state.proposal
    handlers = []
    for officer_id in state.handlers:
        officer = officers.get(officer_id)
        certificate = officer.certificate_on(day) if officer else None
        handlers.append({"id": officer_id, "name": officer.name if officer else officer_id,
                         "certificate_no": certificate.certificate_no if certificate else ""})
    benchmark = state.benchmark or {}
    materials: dict[str, Any] = {
        "facts": proposal.facts if proposal else "",
        "basis": proposal.basis if proposal else "",
        "outcome": proposal.outcome if proposal else "",
        "penalty_kinds": list(proposal.penalty_kinds) if proposal else [],
        "fine_fen": proposal.fine_fen if proposal else 0,
        "confiscation_fen": proposal.confiscation_fen if proposal else 0,
        "benchmark": {k: benchmark[k] for k in ("entry", "set", "grade", "statutory_range_fen", "recommended_range_fen",
                                               "deviation", "messages") if k in benchmark},
        "benchmark_deviation": bool(proposal and proposal.benchmark_deviation),
        "deviation_reason": proposal.deviation_reason if proposal else "",
        "officers": handlers,
        "evidence": [{"sha256": e.get("sha256", ""), "kind": e.get("kind", ""), "description": e.get("description", "")}
                     for e in state.evidence],
    }
    if state.hearing_held is not None:
        materials["hearing"] = {
            "on": state.hearing_held.get("on", ""),
            "transcript": state.hearing_held.get("transcript", ""),
            "report": (state.hearing_report or {}).get("content", ""),
            "recommendation": (state.hearing_report or {}).get("recommendation", ""),
        }
    return materials
