"""The decision (处理决定): only after the notice, the statement and hearing windows, legal review and
collective discussion where the law asks for them (Art. 44, 45, 57–59, 62–65)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...resources import load_json
from ..case import CaseState, Outcome, Procedure, Proposal, Stage
from ..discretion.model import MeasureKind
from ..discretion.numerals import from_int
from ..forms import Form
from ..money import format_yuan, parse_yuan
from ..numbering import DECISION_DOCUMENT
from ..officers import Role
from ..penalties import PENALTY_KIND_ZH, PenaltyKind
from ..refusals import Refusal
from ..review import discussion_refusals, major_reasons, review_refusals
from . import payload as P
from .engine import ActionKind, Context, InboxTask, deadline, declare, not_suspended, read
from .filing import decision_within_powers
from .folds import decision_fold
from .proposal import ProposalFields, dated_between, proposal_form
from .signed_content import latest, stale_refusal


def window_refusals(state: CaseState, ctx: Context, day: date) -> list[Refusal]:
    """Art. 44, 45, 62, 64: notice served, statement heard and re-examined, hearing window closed."""
    if state.notice is None:
        return [Refusal("notice_required", "作出行政处罚决定前，应当告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利（行政处罚法第四十四条）", "行政处罚法第四十四条")]
    if state.notice_served_on is None:
        return [Refusal("notice_not_served", "行政处罚告知书尚未送达当事人（行政处罚法第四十四条、第六十二条）", "行政处罚法第六十二条")]
    refusals = []
    waived = state.rights_waived_on is not None
    if state.statements and not state.reexamined:
        refusals.append(Refusal("reexamination_required", "对当事人的陈述、申辩应当进行复核（行政处罚法第四十五条）", "行政处罚法第四十五条"))
    statement = deadline(state, ctx, "statement_window")
    if not waived and not state.statements and statement is not None and day <= statement.due:
        refusals.append(
            Refusal(
                "statement_window_open",
                f"陈述、申辩期间尚未届满（{statement.due.isoformat()}），当事人未放弃的，不得作出决定（行政处罚法第四十五条、第六十二条）",
                "行政处罚法第六十二条",
            )
        )
    if state.hearing_requested_on is not None:
        if state.hearing_held is None and not state.hearing_waived:
            refusals.append(Refusal("hearing_pending", "当事人已要求听证，听证结束前不得作出决定（行政处罚法第六十五条）", "行政处罚法第六十五条"))
    elif not waived and (state.notice or {}).get("hearing_right"):
        window = deadline(state, ctx, "hearing_request")
        if window is not None and day <= window.due:
            refusals.append(
                Refusal(
                    "hearing_window_open",
                    f"听证申请期间尚未届满（{window.due.isoformat()}），不得作出决定（行政处罚法第六十四条）",
                    "行政处罚法第六十四条",
                )
            )
    return refusals


EVIDENCE_ARTICLE = "行政处罚法第四十六条"


def unregistered_evidence(state: CaseState, cited: list[str]) -> list[Refusal]:
    """Art. 46: 证据必须经查证属实，方可作为认定案件事实的根据 — a decision cites only the evidence registered on the
    case (its evidence materials and its records: 笔录, transcripts), never a file the case does not hold."""
    known = {str(e.get("sha256")) for e in state.evidence} | {s.hash for s in state.steps}
    unknown = [h for h in cited if h not in known]
    if not unknown:
        return []
    return [Refusal("evidence_unregistered", f"决定所列证据 {unknown[0][:12]}…{'等' + str(len(unknown)) + '项' if len(unknown) > 1 else ''}"
                    f"不是本案登记的证据材料或笔录（{EVIDENCE_ARTICLE}：证据必须经查证属实，方可作为认定案件事实的根据）",
                    EVIDENCE_ARTICLE, "evidence")]


NOTICE_ARTICLES = "行政处罚法第四十四条、第六十二条"
NO_HEAVIER_ARTICLE = "行政处罚法第四十五条第二款"


def heavier_refusals(state: CaseState, proposal: Proposal) -> list[Refusal]:
    """Art. 44 and 62: the decision is bound to the prior notice — it may contain no penalty kind and no amount
    the notice did not state (拟作出的行政处罚内容), however light; anything new needs a new notice and a new
    window. Art. 45 ¶2 (不得因当事人陈述、申辩而给予更重的处罚) is cited too when the party spoke."""
    notice = state.notice
    if notice is None:
        return []
    notified = Proposal.from_payload(notice)
    unnotified = [f"告知书未载明的处罚种类“{PENALTY_KIND_ZH.get(PenaltyKind(k), k)}”" for k in proposal.penalty_kinds
                  if k not in notified.penalty_kinds]
    if proposal.fine_fen > notified.fine_fen:
        unnotified.append(f"罚款{format_yuan(proposal.fine_fen)}高于告知的{format_yuan(notified.fine_fen)}")
    if proposal.confiscation_fen > notified.confiscation_fen:
        unnotified.append(f"没收{format_yuan(proposal.confiscation_fen)}高于告知的{format_yuan(notified.confiscation_fen)}")
    if not unnotified:
        return []
    noticed_at = max((s.seq for s in state.steps if s.kind == "issue_prior_notice"), default=0)
    spoke = any(s.kind in ("record_statement", "hold_hearing") and s.seq > noticed_at for s in state.steps)
    message = (f"处罚决定不得包含行政处罚告知书未告知的处罚内容（{NOTICE_ARTICLES}：作出行政处罚决定之前，应当告知当事人拟作出的"
               f"行政处罚内容及事实、理由、依据，未告知的不得作出行政处罚决定）：{'；'.join(unnotified)}。如需增加，应重新告知，"
               "并重新给予陈述、申辩（听证）的期间")
    if spoke:
        message += f"；当事人已陈述、申辩，行政机关不得因当事人陈述、申辩而给予更重的处罚（{NO_HEAVIER_ARTICLE}）"
    return [Refusal("heavier_than_notified", message, NOTICE_ARTICLES + ("、第四十五条第二款" if spoke else ""))]


def _decision_possible(state: CaseState, ctx: Context) -> list[Refusal]:
    """What blocks a penalty decision today (shown among the blocked actions)."""
    refusals = not_suspended(state, ctx)
    if state.report is None:
        return refusals + [Refusal("no_report", "调查终结报告尚未提交（行政处罚法第五十七条）", "行政处罚法第五十七条")]
    proposal = state.proposal
    if proposal is not None and proposal.outcome == Outcome.PENALTY:
        refusals += window_refusals(state, ctx, ctx.today)
    refusals += review_refusals(state, ctx.policy)
    refusals += discussion_refusals(state)
    refusals += stale_sign_off_refusals(state, ctx)
    return refusals


def stale_sign_off_refusals(state: CaseState, ctx: Context) -> list[Refusal]:
    """The sign-offs the decision rests on (the legal review a major decision needs, the collective discussion a
    complex case or a disagreement with the reviewer needs) whose content a correction has changed since they
    were signed: the decision waits for them to be signed again over the record as it now reads. Only a
    review that passed is asked about (one that did not is refused for that already), and not while the case
    is back with the reviewer."""
    refusals = []
    if major_reasons(state, ctx.policy) and (state.review or {}).get("outcome") == "approve" and not state.review_pending:
        refusals += stale_refusal(state, latest(state, ActionKind.RECORD_LEGAL_REVIEW), "legal_review_stale", "法制审核",
                                  "重新提交法制审核，由审核人员对更正后的记录重新审核签署", "行政处罚法第五十八条")
    discussion = latest(state, ActionKind.RECORD_COLLECTIVE_DISCUSSION)
    if discussion is not None and (state.complex_case or discussion.payload.get("resolves_objection")):
        refusals += stale_refusal(state, discussion, "collective_discussion_stale", "集体讨论",
                                  "由行政机关负责人对更正后的记录重新集体讨论并签署", "行政处罚法第五十七条第二款")
    return refusals


ART59 = {
    "party_name": "当事人的姓名或者名称",
    "party_address": "当事人的地址",
    "facts": "违反法律、法规、规章的事实和证据",
    "basis": "行政处罚的种类和依据",
    "compliance": "行政处罚的履行方式和期限",
    "remedies": "申请行政复议、提起行政诉讼的途径和期限",
    "agency_name": "作出行政处罚决定的行政机关名称",
}


@dataclass(frozen=True)
class Decision(ProposalFields, P.Numbered):
    on: date | None = P.day("决定日期", today=True)
    reasons: str = P.text("理由（采纳或不采纳陈述申辩意见的理由）", required=False)
    evidence: tuple[str, ...] = P.kept(())  # required for a penalty
    party_name: str = P.kept("")
    party_address: str = P.kept("")
    compliance: str = P.kept("")
    remedies: str = P.kept("")
    agency_name: str = P.kept("")
    based_on_transcript: bool = P.flag()
    # a transfer (行政处罚法第二十七条第一款) is a letter to the organ that takes the case: the 移送书 is addressed to it
    transfer_to: str = P.text("接受移送的机关", required=False)  # required for a transfer (see _v_decision)
    orders: str = P.text("责令改正的内容和期限", required=False)  # Art. 28 ¶1; required for a penalty
    measures: tuple[str, ...] = P.kept(())  # the benchmark entry's mandatory orders, stated by the decision
    # a decision not to penalise records the education given the party (行政处罚法第三十三条第三款)
    education: str = P.kept("", label="教育的内容")
    educated_on: date | None = P.kept(None, label="教育日期")
    education_form: str = P.kept("", label="教育的方式")


# Words of a draft or of the app's own notes that a decision as issued may not carry (a decision states what
# the agency decided, not what it proposes or what a default benchmark suggests).
def _draft_wording() -> tuple[str, ...]:
    data = load_json("casefile", "draft_wording.json")
    phrases = data.get("phrases") if isinstance(data, dict) else None
    if not isinstance(phrases, list) or not phrases or not all(isinstance(w, str) and w.strip() for w in phrases):
        raise ValueError("resources/casefile/draft_wording.json: phrases 应为非空文字的列表")
    return tuple(w.strip() for w in phrases)


DRAFT_WORDING = _draft_wording()  # resources/casefile/draft_wording.json
WORDED_FIELDS = {"facts": "认定的违法事实", "violation": "违反的法律规定", "basis": "法律依据", "discretion": "裁量基准适用说明",
                 "reasons": "理由", "orders": "责令改正的内容和期限", "compliance": "履行方式和期限"}
ORDER_KINDS = tuple(m.value for m in MeasureKind if m.penalty_kind is None)  # orders, not penalties (Art. 9)
CORRECTION_ARTICLE = "行政处罚法第二十八条第一款"
EDUCATION_ARTICLE = "行政处罚法第三十三条第三款"


def draft_wording(out: Mapping[str, Any]) -> list[Refusal]:
    """Draft or internal wording in the texts a decision prints, one refusal per field."""
    refusals = []
    for key, label in WORDED_FIELDS.items():
        found = [w for w in DRAFT_WORDING if w in str(out.get(key) or "")]
        if found:
            refusals.append(Refusal("draft_wording", f"决定书的“{label}”含有草稿或内部用语“{'”“'.join(found)}”，应写本机关的认定和决定", "", key))
    return refusals


def measure_refusals(out: Mapping[str, Any]) -> tuple[list[str], list[Refusal]]:
    """The benchmark entry's mandatory measures in a penalty decision: each order (责令改正、停止发布广告、限期拆除)
    is stated, each mandatory confiscation is among the penalties unless its base (违法所得, 货值) was found to be
    nil. Returns the orders to state and the refusals."""
    benchmark = out.get("benchmark") or {}
    measures = [m for m in benchmark.get("measures") or [] if m.get("mandatory")]
    orders = [str(m["text"]) for m in measures if m.get("kind") in ORDER_KINDS]
    bases = (benchmark.get("input") or {}).get("bases") or {}
    kinds = set(out.get("penalty_kinds") or ())
    refusals = []
    for m in measures:
        kind = m.get("kind")
        if kind in ORDER_KINDS or kind in kinds:
            continue
        base = m.get("base")
        if base and base in bases and int(bases[base]) == 0:
            continue  # nothing to confiscate: the facts recorded a nil base
        refusals.append(Refusal(
            "mandatory_measure_missing",
            f"依据{benchmark.get('penalty_basis') or '所适用的罚则'}，应当{m.get('text')}，决定未包含该处罚"
            + ("（如确无可没收的，应在裁量事实中记录其数额为零）" if base else ""),
            str(benchmark.get("penalty_basis") or ""), "penalty_kinds"))
    return orders, refusals


@declare(ActionKind.MAKE_DECISION, "作出处理决定", stages=frozenset({Stage.INVESTIGATION, Stage.DELIBERATION, Stage.NOTICE, Stage.HEARING}),
         roles=(Role.AGENCY_HEAD,), head_not_handler=True, pre=_decision_possible, payload=Decision, fold=decision_fold,
         inbox=InboxTask(Role.AGENCY_HEAD, "decision_time_limit"), signed=True,
         issues=lambda p: DECISION_DOCUMENT[str(p.get("outcome"))])
def _v_decision(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    defaults = {
        "party_name": state.party_name,
        "party_address": (ctx.party.address if ctx.party else ""),
        "agency_name": ctx.agency.name if ctx.agency else "",
    }
    f = read(Decision, {**defaults, **{k: v for k, v in raw.items() if v not in (None, "")}}, ctx)
    on = f.day_read("on")
    proposal_form(f, state, ctx, on=on, penalty_required=True)
    outcome = f.out.get("outcome")
    cited = f.hashes("evidence", "证据", required=outcome == Outcome.PENALTY.value)
    if not ctx.replaying:
        f.problems += unregistered_evidence(state, cited)
    missing = []
    for key, label in ART59.items():
        required = outcome == Outcome.PENALTY.value or key in ("party_name", "facts", "agency_name")
        value = f.text(key, label, required=False)
        if required and not value:
            missing.append(label)
    if missing:
        f.problems.append(
            Refusal("decision_contents", f"处罚决定书缺少行政处罚法第五十九条规定的内容：{'、'.join(missing)}", "行政处罚法第五十九条")
        )
    if outcome == Outcome.PENALTY.value:
        if not f.out.get("orders"):
            f.problems.append(Refusal("correction_order", f"实施行政处罚时，应当责令当事人改正或者限期改正违法行为（{CORRECTION_ARTICLE}）：请写明责令改正的内容和期限",
                                      CORRECTION_ARTICLE, "orders"))
        orders, refusals = measure_refusals(f.out)
        f.keep("measures", tuple(orders))
        f.problems += refusals
    # the agency decides in its power (not so a transfer or dismissal); naming no entry, only a penalty cites a clause to check
    if outcome == Outcome.PENALTY.value or (outcome == Outcome.NO_PENALTY.value and state.cause_entry):
        decision_within_powers(f, state.cause_entry, on or ctx.today, ctx, default_name=defaults["agency_name"])
    if outcome == Outcome.NO_PENALTY.value:
        _no_penalty_decision(f, state, on, required=not ctx.replaying)
    if outcome == Outcome.TRANSFER.value and not f.out.get("transfer_to") and not ctx.replaying:
        f.problem("transfer_to", "移送涉嫌犯罪案件，须写明接受移送的机关（行政处罚法第二十七条第一款：移送司法机关）")
    f.problems += draft_wording(f.out)
    if outcome == Outcome.PENALTY.value and not f.raw.get("evidence"):
        f.problems.append(Refusal("decision_contents", "处罚决定书须载明认定事实所依据的证据（行政处罚法第五十九条）", "行政处罚法第五十九条", "evidence"))
    if outcome == Outcome.PENALTY.value and state.procedure == Procedure.GENERAL and state.report is None:
        f.problems.append(Refusal("no_report", "调查终结报告尚未提交"))
    if outcome and not f.problems:
        proposal = Proposal.from_payload(f.out)
        if on and on > ctx.today:
            f.problem("on", "决定日期不能晚于今天")
        if outcome == Outcome.PENALTY.value and on:
            f.problems += window_refusals(state, ctx, on)
            f.problems += heavier_refusals(state, proposal) if not ctx.replaying else []
        f.problems += review_refusals(state, ctx.policy, proposal)
        f.problems += discussion_refusals(state, None if ctx.replaying else ctx.policy, proposal)
        if state.hearing_held is not None and not f.out["based_on_transcript"]:
            f.problem("based_on_transcript", "举行听证的，应当根据听证笔录作出决定（行政处罚法第六十五条）")
    f.problems += not_suspended(state, ctx)
    return f.done()


def _no_penalty_decision(f: Form, state: CaseState, on: date | None, *, required: bool = True) -> None:
    """A decision not to penalise still orders the violation corrected and states the entry's orders, and records the
    education given the party: what, when and how (Art. 33 ¶3: 对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行教育).
    Not ``required``: a decision from before these were asked for (a bundle's), read as far as it gives them."""
    if not f.out.get("orders") and required:
        f.problems.append(Refusal("correction_order", "不予行政处罚的，仍应责令当事人改正违法行为（行政处罚法第二十八条第一款）：请写明责令改正的内容和期限",
                                  CORRECTION_ARTICLE, "orders"))
    orders, _confiscations = measure_refusals(f.out)  # nothing is confiscated from a party not penalised
    f.keep("measures", tuple(orders))
    for key, label in (("education", "教育的内容"), ("education_form", "教育的方式")):
        if not f.text(key, label, required=False) and required:
            f.problems.append(Refusal("education_missing", f"对当事人依法不予行政处罚的，应当对当事人进行教育（{EDUCATION_ARTICLE}）：请写明{label}",
                                      EDUCATION_ARTICLE, key))
    dated_between(f, "educated_on", "教育日期", required=required,
                  missing=Refusal("education_missing", f"请写明对当事人进行教育的日期（{EDUCATION_ARTICLE}）", EDUCATION_ARTICLE, "educated_on"),
                  latest=(on, "决定日期", "决定书记录已经进行的教育"), earliest=(state.filed_on, "立案日期"))


def fixed_texts(ctx: Context, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The decision's texts the law fixes, so officers need not type them: the routes of reconsideration and
    litigation with their periods (Art. 59(5)) and how to pay (Art. 59(4), 67, 72). Every number comes from
    the statute values and the deadline rules in ``resources/law/``; given texts are kept."""
    if kind not in (ActionKind.MAKE_DECISION, ActionKind.RECORD_SIMPLE_DECISION) or ctx.agency is None:
        return {}
    statute = ctx.statute
    out: dict[str, Any] = {}
    if not data.get("remedies"):
        out["remedies"] = (
            f"当事人如不服本决定，可以在收到本决定书之日起{from_int(statute['reconsideration_days'].value)}日内向"
            f"{ctx.agency.reconsideration_body or '本机关的上一级主管部门或者本级人民政府'}申请行政复议，"
            f"也可以在{from_int(statute['litigation_months'].value)}个月内依法向{ctx.agency.litigation_court or '有管辖权的人民法院'}提起行政诉讼。"
        )
    fine = data.get("fine_fen")
    if fine in (None, "") and isinstance(data.get("fine_yuan"), str | int | float) and data.get("fine_yuan") != "":
        try:
            fine = parse_yuan(str(data["fine_yuan"]))
        except ValueError:
            fine = 0  # the form reports the bad amount
    kinds = data.get("penalty_kinds")
    if not data.get("compliance") and type(fine) is int and fine > 0:
        payment = next(r for r in ctx.deadline_rules if r.id == "payment")
        surcharge = statute["late_payment_surcharge_percent_per_day"]
        out["compliance"] = (
            f"当事人应当自收到本决定书之日起{from_int(payment.period(ctx.policy).days)}日内，到指定银行或者通过电子支付系统缴纳罚款"
            f"（《中华人民共和国行政处罚法》{payment.basis.removeprefix('行政处罚法')}）。到期不缴纳罚款的，本机关可以每日按罚款数额的"
            f"百分之{from_int(surcharge.value)}加处罚款，加处罚款的数额不得超出罚款的数额，并可以依法申请人民法院强制执行"
            f"（《中华人民共和国行政处罚法》{surcharge.article}、第（四）项）。当事人申请行政复议或者提起行政诉讼的，"
            "行政处罚不停止执行，法律另有规定的除外（《中华人民共和国行政处罚法》第七十三条第一款）。"
        )
    elif not data.get("compliance") and isinstance(kinds, list) and kinds == ["warning"]:
        out["compliance"] = "警告自本决定书送达之日起生效，无需另行履行。"
    return out
