"""The procedure of the Administrative Penalty Law as an explicit state machine.

Each action (= event kind) declares the stages it may be taken in, its preconditions on the case as
recorded (each refusal names the rule in plain Chinese), and how its form is validated. The services
call :func:`prepare` before recording an event and :func:`next_actions` to show what may happen next
and why the rest is blocked. Nothing here touches a database or a window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .agency import Agency
from .calendar import WorkCalendar
from .case import STAGE_ZH, CaseState, Outcome, Procedure, Proposal, Stage, apply, fold
from .deadlines import Deadline, DeadlineRule, evaluate_deadlines
from .discretion.engine import CaseFacts, assess, check_penalty
from .discretion.grades import Grade
from .discretion.model import BaseKind
from .forms import Form
from .identity import InvalidIdentityNumber, validate_id_number
from .money import format_yuan
from .officers import Officer, Role
from .parties import Party
from .penalties import SEVERITY, PartyKind, PenaltyKind
from .permissions import Permissions
from .policy import AgencyPolicy, Statute
from .refusals import InvalidInput, NotFound, PermissionDenied, Refusal, RuleViolation
from .review import (
    discussion_refusals,
    hearing_after_review,
    major_reasons,
    review_materials,
    review_refusals,
)

__all__ = ["Context", "NextAction", "apply", "availability", "deadlines_of", "fold", "next_actions", "prepare"]


@dataclass(frozen=True)
class Context:
    """Everything an action is judged against besides the case itself."""

    actor: Officer
    today: date
    officers: Mapping[str, Officer]
    policy: AgencyPolicy
    statute: Statute
    calendar: WorkCalendar
    deadline_rules: tuple[DeadlineRule, ...]
    permissions: Permissions
    agency: Agency | None = None
    party: Party | None = None
    benchmarks: Any = None  # discretion.BenchmarkLibrary: shipped sets plus the agency's imported ones
    extra: Mapping[str, Any] = field(default_factory=dict)


Check = Callable[[CaseState, Context], list[Refusal]]
Validate = Callable[[CaseState, Context, Mapping[str, Any]], dict[str, Any]]

OPEN_STAGES = frozenset(s for s in Stage if s not in (Stage.CLOSED, Stage.ARCHIVED))
INVESTIGATING = frozenset({Stage.INVESTIGATION, Stage.DELIBERATION, Stage.NOTICE, Stage.HEARING})
BEFORE_DECISION = frozenset(
    {Stage.FILING, Stage.INVESTIGATION, Stage.DELIBERATION, Stage.LEGAL_REVIEW, Stage.NOTICE, Stage.HEARING}
)

SOURCES = ("complaint", "inspection", "referral", "report", "assigned", "other")
EVIDENCE_KINDS = (
    "documentary",
    "physical",
    "audiovisual",
    "electronic_data",
    "witness_testimony",
    "party_statement",
    "expert_opinion",
    "inspection_record",
)
SERVICE_METHODS = ("direct", "left_at_address", "post", "electronic", "entrusted", "forwarded", "public_notice")
SERVED_DOCUMENTS = ("prior_notice", "hearing_notice", "decision", "transfer_letter")
REVIEW_CHECKLIST = (
    "agency_competence",
    "officer_qualification",
    "procedure",
    "facts_and_evidence",
    "law_applied",
    "discretion_benchmark",
    "within_powers",
    "documents",
    "suspected_crime",
)
APPROVAL_MATTERS = ("extension", "evidence_preservation", "payment_deferral", "instalments")


@dataclass(frozen=True)
class Action:
    kind: str
    stages: frozenset[Stage]  # empty: the action opens a new case
    preconditions: Check
    validate: Validate
    head_not_handler: bool = False  # an approval must not come from a handler of the case


ACTIONS: dict[str, Action] = {}


def action(kind: str, stages: frozenset[Stage], *, head_not_handler: bool = False, pre: Check | None = None):
    def register(validate: Validate) -> Validate:
        ACTIONS[kind] = Action(kind, stages, pre or (lambda s, c: []), validate, head_not_handler)
        return validate

    return register


# --- shared rules --------------------------------------------------------------------------------------


def officers_refusals(ctx: Context, officer_ids: list[str], day: date, minimum: int, field: str = "officers") -> list[Refusal]:
    """Art. 42 and 55: at least ``minimum`` officers, each with a certificate valid on ``day``."""
    refusals = []
    if len(officer_ids) < minimum:
        refusals.append(
            Refusal(
                "two_officers",
                f"执法人员不得少于{minimum}人（行政处罚法第四十二条），本次仅{len(officer_ids)}人",
                "行政处罚法第四十二条",
                field,
            )
        )
    for officer_id in officer_ids:
        officer = ctx.officers.get(officer_id)
        if officer is None or not officer.has_role(Role.OFFICER):
            refusals.append(Refusal("unknown_officer", f"{officer_id} 不是登记在册的执法人员", field=field))
        elif officer.certificate_on(day) is None:
            refusals.append(
                Refusal(
                    "certificate_invalid",
                    f"{officer.name}在{day.isoformat()}没有有效的行政执法证，不得从事执法活动（行政处罚法第四十二条）",
                    "行政处罚法第四十二条",
                    field,
                )
            )
    return refusals


def _stage_refusal(state: CaseState, act: Action, titles: Permissions) -> list[Refusal]:
    if state.stage == Stage.ARCHIVED:
        return [Refusal("archived", "案件已归档，只读，不能再作任何变更")]
    if act.stages and state.stage not in act.stages:
        return [
            Refusal(
                "stage",
                f"案件处于“{STAGE_ZH[state.stage]}”阶段，不能办理“{titles.title(act.kind)}”",
            )
        ]
    return []


def _separation_refusals(state: CaseState, ctx: Context, act: Action) -> list[Refusal]:
    """Who may not take this action on this case, whatever their roles (checked for the acting user, so
    that next actions and inboxes offer a task only to those who may do it)."""
    actor = ctx.actor
    if act.head_not_handler and actor.id in state.handlers:
        return [Refusal("approver_is_handler", f"{actor.name}是本案承办人员，不能审批本案（审批与承办分离）")]
    if act.kind == "record_legal_review":
        refusals = []
        if not actor.legal_qualification:
            refusals.append(Refusal("legal_qualification", f"{actor.name}未取得法律职业资格，不能从事法制审核（行政处罚法第五十八条第二款）",
                                    "行政处罚法第五十八条第二款"))
        if actor.id in state.handlers or actor.id in state.investigators:
            refusals.append(Refusal("reviewer_is_handler", f"{actor.name}参与了本案办理，不能审核本案（办审分离）"))
        return refusals
    return []


def deadlines_of(state: CaseState, ctx: Context) -> list[Deadline]:
    return evaluate_deadlines(
        state.steps,
        procedure=state.procedure.value,
        rules=ctx.deadline_rules,
        policy=ctx.policy,
        calendar=ctx.calendar,
        today=ctx.today,
    )


def _deadline(state: CaseState, ctx: Context, rule: str) -> Deadline | None:
    return next((d for d in deadlines_of(state, ctx) if d.rule == rule), None)


def hearing_right(ctx: Context, party_kind: str, proposal: Proposal) -> list[str]:
    """Why the proposed penalty carries a hearing right (Art. 63; thresholds from agency policy)."""
    kind = PartyKind(party_kind) if party_kind else PartyKind.PERSON
    rule = ctx.policy.hearing
    reasons = []
    if proposal.fine_fen and proposal.fine_fen >= rule.fine.for_party(kind):
        reasons.append(f"罚款{format_yuan(proposal.fine_fen)}达到较大数额（{format_yuan(rule.fine.for_party(kind))}以上）")
    if proposal.confiscation_fen and proposal.confiscation_fen >= rule.confiscation.for_party(kind):
        reasons.append(f"没收{format_yuan(proposal.confiscation_fen)}达到较大数额")
    reasons += [f"拟{k}" for k in proposal.penalty_kinds if PenaltyKind(k) in rule.penalty_kinds]
    return reasons


# --- opening a case ------------------------------------------------------------------------------------


def _party_header(form: Form, ctx: Context) -> None:
    if ctx.party is None:
        form.problem("party_id", "须先登记当事人")
        return
    form.keep("party_id", ctx.party.id)
    form.keep("party_kind", ctx.party.kind.value)
    form.keep("party_name", ctx.party.name)
    form.keep("party_address", ctx.party.address)
    if ctx.agency is not None:
        form.keep("agency_id", ctx.agency.id)


@action("register_lead", frozenset())
def _v_register_lead(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.choice("source", "案件来源", SOURCES)
    received = f.day("received_on", "案源登记日期", default=ctx.today)
    act_date = f.day("act_date", "违法行为发生日期", required=False)
    f.text("cause", "案由")
    f.text("cause_entry", "裁量基准条目", required=False)
    f.text("summary", "案源简要情况")
    f.flag("life_health_finance")
    handlers = f.ids("handlers", "承办人员")
    _party_header(f, ctx)
    if received and received > ctx.today:
        f.problem("received_on", "案源登记日期不能晚于今天")
    if act_date and received and act_date > received:
        f.problem("act_date", "违法行为发生日期不能晚于案源登记日期")
    if received:
        f.problems += officers_refusals(ctx, handlers, received, ctx.statute["min_officers"].value, "handlers")
    return f.done()


@action("record_simple_decision", frozenset())
def _v_simple(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    at = f.moment("at", "处罚时间")
    f.text("place", "处罚地点")
    f.text("cause", "违法行为")
    f.text("cause_entry", "裁量基准条目", required=False)
    f.text("facts", "违法事实")
    f.text("basis", "处罚依据")
    f.text("form_no", "预定格式决定书编号")
    kinds = f.choices("penalty_kinds", "处罚种类", [k.value for k in PenaltyKind], required=True)
    fine = f.fen("fine_fen", "罚款金额")
    officers = f.ids("officers", "执法人员")
    shown = f.flag("certificates_shown")
    f.flag("party_signed")
    f.text("refusal_note", "当事人拒绝签收情况", required=False)
    f.text("compliance", "履行方式和期限")
    f.text("remedies", "申请行政复议、提起行政诉讼的途径和期限")
    f.passthrough("case_no", "year", "serial")
    _party_header(f, ctx)
    if not shown:
        f.problem("certificates_shown", "执法人员当场作出处罚决定应当出示执法证件（行政处罚法第五十二条）")
    if not raw.get("party_signed") and not str(raw.get("refusal_note", "")).strip():
        f.problem("party_signed", "当事人拒绝签收的，应当在决定书上注明（行政处罚法第五十二条）")
    extra = sorted(set(kinds) - {PenaltyKind.WARNING.value, PenaltyKind.FINE.value})
    if extra:
        f.problem("penalty_kinds", "简易程序只能给予警告或者罚款（行政处罚法第五十一条）")
    if PenaltyKind.FINE.value in kinds and fine <= 0:
        f.problem("fine_fen", "罚款金额应大于零")
    if PenaltyKind.FINE.value not in kinds and fine:
        f.problem("fine_fen", "未选择罚款却填写了罚款金额")
    if ctx.party is not None and fine:
        limit = ctx.statute.simple_procedure_limit(ctx.party.kind)
        if fine > limit.value * 100:
            who = "公民" if ctx.party.kind == PartyKind.PERSON else "法人或者其他组织"
            f.problems.append(
                Refusal(
                    "simple_procedure_limit",
                    f"简易程序对{who}罚款不得超过{limit.value}元（行政处罚法{limit.article}），"
                    f"本案拟罚{format_yuan(fine)}，应适用普通程序",
                    f"行政处罚法{limit.article}",
                    "fine_fen",
                )
            )
    if at:
        f.problems += officers_refusals(ctx, officers, at.date(), ctx.policy.simple_procedure_min_officers)
    f.keep("on", at.date().isoformat() if at else None)
    f.keep("handlers", officers)
    f.keep("payable", fine > 0)
    return f.done()


# --- filing --------------------------------------------------------------------------------------------


@action("request_filing", frozenset({Stage.LEAD}))
def _v_request_filing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "提请日期", default=ctx.today)
    f.text("facts", "简要案情")
    f.text("reason", "立案理由")
    f.text("opinion", "承办人意见", required=False)
    return f.done()


def _limitation_refusals(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.act_date is None:
        return [Refusal("act_date_missing", "立案前须填写违法行为发生（或终了）日期，以核查处罚时效（行政处罚法第三十六条）", "行政处罚法第三十六条", "act_date")]
    key = "limitation_years_life_health_finance" if state.life_health_finance else "limitation_years"
    years = ctx.statute[key]
    discovered = state.lead_received_on or ctx.today
    try:
        limit = state.act_date.replace(year=state.act_date.year + years.value)
    except ValueError:  # 29 February
        limit = state.act_date.replace(year=state.act_date.year + years.value, day=28)
    if discovered > limit:
        return [
            Refusal(
                "limitation_period",
                f"违法行为于{state.act_date.isoformat()}发生，{years.value}年内未被发现（{discovered.isoformat()}登记），"
                f"不再给予行政处罚（行政处罚法{years.article}），应不予立案",
                f"行政处罚法{years.article}",
            )
        ]
    return []


@action("approve_filing", frozenset({Stage.FILING}), head_not_handler=True, pre=_limitation_refusals)
def _v_approve_filing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "立案日期", default=ctx.today)
    f.text("opinion", "负责人意见", required=False)
    f.passthrough("case_no", "year", "serial")
    if on and state.lead_received_on and on < state.lead_received_on:
        f.problem("on", "立案日期不能早于案源登记日期")
    if not raw.get("case_no"):
        f.problem("case_no", "立案须编定案件编号")
    return f.done()


@action("refuse_filing", frozenset({Stage.FILING}), head_not_handler=True)
def _v_refuse_filing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "决定日期", default=ctx.today)
    f.text("reason", "不予立案理由")
    return f.done()


# --- investigation -------------------------------------------------------------------------------------


def _investigative_form(ctx: Context, raw: Mapping[str, Any], label: str) -> tuple[Form, date | None]:
    f = Form(raw)
    start = f.moment("started_at", f"{label}开始时间")
    end = f.moment("ended_at", f"{label}结束时间")
    f.text("place", f"{label}地点")
    officers = f.ids("officers", "执法人员")
    shown = f.flag("certificates_shown")
    f.hashes("av_records", "音像记录", required=False)
    if start and end and end < start:
        f.problem("ended_at", "结束时间早于开始时间")
    if not shown:
        f.problems.append(
            Refusal("certificates_not_shown", "执法人员应当主动出示执法证件（行政处罚法第五十五条）", "行政处罚法第五十五条", "certificates_shown")
        )
    day = start.date() if start else None
    if day:
        if day > ctx.today:
            f.problem("started_at", f"{label}时间不能晚于今天")
        f.problems += officers_refusals(ctx, officers, day, ctx.statute["min_officers"].value)
    return f, day


def _filed_before(state: CaseState, day: date | None, f: Form, field: str) -> None:
    if day and state.filed_on and day < state.filed_on:
        f.problems.append(Refusal("before_filing", f"调查取证不得早于立案日期（{state.filed_on.isoformat()}）", field=field))


@action("record_inspection", INVESTIGATING, pre=lambda state, ctx: _not_suspended(state, ctx))
def _v_inspection(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f, day = _investigative_form(ctx, raw, "检查")
    f.text("findings", "检查情况")
    f.text("present", "在场人", required=False)
    f.flag("party_signed")
    _filed_before(state, day, f, "started_at")
    return f.done()


@action("record_inquiry", INVESTIGATING, pre=lambda state, ctx: _not_suspended(state, ctx))
def _v_inquiry(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f, day = _investigative_form(ctx, raw, "询问")
    person = raw.get("person") or {}
    if not isinstance(person, Mapping) or not str(person.get("name", "")).strip():
        f.problem("person", "被询问人姓名不能为空")
        person = {}
    else:
        person = {k: str(v).strip() for k, v in person.items() if v not in (None, "")}
        if person.get("id_number"):
            try:
                person["id_number"] = validate_id_number(person["id_number"])
            except InvalidIdentityNumber as exc:
                f.problem("person.id_number", f"被询问人{exc.message}")
    f.keep("person", person)
    f.text("recorder", "记录人")
    rights = f.flag("rights_notified")
    if not rights:
        f.problem("rights_notified", "询问前应告知被询问人申辩和申请回避的权利")
    qa = raw.get("qa") or []
    if not isinstance(qa, list) or not qa or not all(isinstance(x, Mapping) and str(x.get("q", "")).strip() for x in qa):
        f.problem("qa", "询问笔录须有问答内容")
    else:
        f.keep("qa", [{"q": str(x["q"]).strip(), "a": str(x.get("a", "")).strip()} for x in qa])
    f.flag("confirmed")
    _filed_before(state, day, f, "started_at")
    return f.done()


@action("record_sampling", INVESTIGATING, pre=lambda state, ctx: _not_suspended(state, ctx))
def _v_sampling(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f, day = _investigative_form(ctx, raw, "抽样")
    f.text("items", "抽样物品")
    f.text("quantity", "抽样数量", required=False)
    _filed_before(state, day, f, "started_at")
    return f.done()


@action("add_evidence", OPEN_STAGES - {Stage.CLOSED})
def _v_evidence(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.digest("sha256", "文件摘要")
    f.fen("size", "文件大小")
    f.text("media_type", "文件类型")
    f.text("original_name", "原文件名")
    f.choice("kind", "证据种类（行政处罚法第四十六条）", EVIDENCE_KINDS)
    f.text("description", "证据说明")
    f.text("source", "证据来源")
    f.ids("collected_by", "收集人")
    f.moment("collected_at", "收集时间")
    f.text("place", "收集地点", required=False)
    return f.done()


@action("request_approval", OPEN_STAGES - {Stage.LEAD})
def _v_request_approval(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    matter = f.choice("matter", "审批事项", APPROVAL_MATTERS)
    f.day("on", "提请日期", default=ctx.today)
    f.text("reason", "提请理由")
    if matter == "extension":
        if state.decision is not None or state.filed_on is None:
            f.problem("matter", "延长办案期限只能在立案后、作出决定前提请")
        days = f.fen("days", "延长天数") or ctx.policy.decision_extension.days
        f.keep("days", days)
    elif matter == "evidence_preservation":
        if state.stage not in INVESTIGATING:
            f.problem("matter", "先行登记保存只能在调查取证中提请（行政处罚法第五十六条）")
        f.text("items", "拟先行登记保存的物品")
    elif matter in ("payment_deferral", "instalments"):
        if state.stage != Stage.EXECUTION or state.amount_due_fen <= 0:
            f.problem("matter", "延期或分期缴纳罚款只能在处罚决定送达后、执行中提请（行政处罚法第六十六条）")
        f.fen("days", "延期天数", required=matter == "payment_deferral")
        f.text("plan", "分期方案", required=matter == "instalments")
    return f.done()


def _pending_approvals(state: CaseState, ctx: Context) -> list[Refusal]:
    return [] if state.approvals_pending else [Refusal("nothing_to_approve", "没有待审批的事项")]


@action("decide_approval", OPEN_STAGES - {Stage.LEAD}, head_not_handler=True, pre=_pending_approvals)
def _v_decide_approval(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    request = f.text("request", "审批事项编号")
    pending = state.approvals_pending.get(request)
    if pending is None and request:
        f.problem("request", "该审批事项不存在或已审批")
    approved = f.flag("approved")
    f.day("on", "审批日期", default=ctx.today)
    f.text("opinion", "审批意见", required=not approved)
    if pending is not None:
        f.keep("matter", pending.get("matter"))
        if pending.get("days"):
            f.keep("days", pending["days"])
        if pending.get("requested_by") == ctx.actor.id:
            f.problem("request", "提请人不能审批自己提请的事项")
    return f.done()


def _preservation_open(state: CaseState, ctx: Context) -> list[Refusal]:
    return [] if state.preservation_open else [Refusal("no_preservation", "没有经批准的先行登记保存")]


@action("decide_preservation_disposal", OPEN_STAGES, pre=_preservation_open)
def _v_disposal(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "处理决定日期", default=ctx.today)
    f.choice("disposal", "处理方式", ("release", "technical_inspection", "seize", "confiscate", "transfer"))
    f.text("details", "处理情况")
    return f.done()


@action("record_recusal", OPEN_STAGES - {Stage.LEAD}, head_not_handler=True)
def _v_recusal(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "决定日期", default=ctx.today)
    f.text("officer", "申请回避的人员")
    f.text("applicant", "申请人")
    f.text("grounds", "回避理由")
    f.choice("decision", "回避决定", ("granted", "refused"))
    replacement = f.text("replacement", "更换的承办人员", required=raw.get("decision") == "granted")
    if replacement:
        f.problems += [r for r in officers_refusals(ctx, [replacement], ctx.today, 1, "replacement") if r.rule != "two_officers"]
    return f.done()


def _not_suspended(state: CaseState, ctx: Context) -> list[Refusal]:
    return [Refusal("suspended", "案件已中止")] if state.suspended else []


def _is_suspended(state: CaseState, ctx: Context) -> list[Refusal]:
    return [] if state.suspended else [Refusal("not_suspended", "案件未中止")]


def _dated_reason(raw: Mapping[str, Any], ctx: Context, label: str) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "日期", default=ctx.today)
    f.text("reason", label)
    return f.done()


@action("suspend_case", BEFORE_DECISION, head_not_handler=True, pre=_not_suspended)
def _v_suspend(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    return _dated_reason(raw, ctx, "中止理由")


@action("resume_case", BEFORE_DECISION, head_not_handler=True, pre=_is_suspended)
def _v_resume(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    return _dated_reason(raw, ctx, "恢复理由")


# --- report, review, discussion ------------------------------------------------------------------------


def _has_investigation(state: CaseState, ctx: Context) -> list[Refusal]:
    if any(s.kind in ("record_inspection", "record_inquiry", "add_evidence", "record_sampling") for s in state.steps if state.filed_on and s.day >= state.filed_on):
        return _not_suspended(state, ctx)
    return [Refusal("no_investigation", "尚无立案后的调查取证记录，不能提交调查终结报告")]


def proposal_form(f: Form, state: CaseState, ctx: Context, *, on: date | None, penalty_required: bool) -> None:
    outcome = f.choice("outcome", "处理意见", [o.value for o in Outcome if o != Outcome.NOT_FILED])
    kinds = f.choices("penalty_kinds", "处罚种类", [k.value for k in PenaltyKind])
    fine = f.fen("fine_fen", "罚款金额")
    f.fen("confiscation_fen", "没收金额")
    f.text("facts", "认定的违法事实")
    f.text("basis", "法律依据", required=outcome == Outcome.PENALTY.value)
    declared = f.flag("benchmark_deviation")
    reason = f.text("deviation_reason", "偏离裁量基准的书面理由", required=declared)
    f.text("discretion", "裁量基准适用说明", required=outcome == Outcome.PENALTY.value and penalty_required)
    if outcome in (Outcome.PENALTY.value, Outcome.NO_PENALTY.value):
        _apply_benchmark(f, state, ctx, on=on, outcome=outcome, fine=fine if PenaltyKind.FINE.value in kinds else None,
                         reason=reason, declared=declared)
    if outcome == Outcome.PENALTY.value:
        if not kinds:
            f.problem("penalty_kinds", "给予处罚的，须写明处罚种类")
        if PenaltyKind.FINE.value in kinds and fine <= 0:
            f.problem("fine_fen", "罚款金额应大于零")
        if PenaltyKind.FINE.value not in kinds and fine:
            f.problem("fine_fen", "未选择罚款却填写了罚款金额")
    elif kinds or fine:
        f.problem("penalty_kinds", "不予处罚、撤销案件或移送的，不能写处罚种类或罚款")


def _benchmark_input(f: Form, state: CaseState) -> dict[str, Any] | None:
    """The discretion facts of this proposal: given with it, or those of the case's last proposal."""
    given = f.raw.get("benchmark")
    if given in (None, ""):
        return dict(state.benchmark["input"]) if state.benchmark else None
    if not isinstance(given, Mapping):
        f.problem("benchmark", "裁量基准数据应为对象：{entry, bases, circumstances}")
        return None
    entry = str(given.get("entry") or state.cause_entry or "").strip()
    if not entry:
        f.problem("benchmark.entry", "未指明适用的裁量基准条目")
    bases: dict[str, int] = {}
    raw_bases = given.get("bases") or {}
    if not isinstance(raw_bases, Mapping):
        f.problem("benchmark.bases", "基数事实应为 {名称: 金额(元)}")
        raw_bases = {}
    for name, value in raw_bases.items():
        try:
            base = BaseKind(str(name))
        except ValueError:
            f.problem(f"benchmark.bases.{name}", f"未知的基数：{name}（可用：{'、'.join(b.value for b in BaseKind)}）")
            continue
        sub = Form({"amount_yuan": str(value)})  # base amounts are yuan, as numbers or as text
        amount = sub.fen("amount_fen", base.zh, required=True)
        if sub.problems or amount < 0:
            f.problem(f"benchmark.bases.{name}", f"{base.zh}应为非负金额（元），实际为 {value!r}")
            continue
        bases[base.value] = amount
    circumstances = given.get("circumstances") or []
    if not isinstance(circumstances, list) or not all(isinstance(c, str) and c.strip() for c in circumstances):
        f.problem("benchmark.circumstances", "情节应为情节编号或名称的列表")
        circumstances = []
    return {"entry": entry, "bases": bases, "circumstances": sorted({c.strip() for c in circumstances})}


def _statutory_ceiling(f: Form, state: CaseState, ctx: Context, on: date | None, fine: int) -> None:
    """The case names its benchmark entry but the proposal gives no facts for it: when the entry's range
    needs no base amount, a fine above the statutory maximum is still refused (Art. 4: within the law)."""
    try:
        party_kind = PartyKind(state.party_kind or PartyKind.ORGANISATION.value)
        act = state.act_date or on or ctx.today
        assessment = assess(ctx.benchmarks, state.cause_entry, CaseFacts(party_kind, act, max(on or ctx.today, act)), ctx.policy)
    except (InvalidInput, RuleViolation, NotFound):
        return  # the range depends on facts not given (e.g. goods value): the benchmark panel asks for them
    if fine > assessment.statutory_range.high:
        f.problems.append(Refusal(
            "fine_above_statutory_maximum",
            f"罚款 {format_yuan(fine)} 超过法定最高限额 {format_yuan(assessment.statutory_range.high)}（{assessment.penalty_basis}），不得作出",
            assessment.penalty_basis, "fine_fen"))


def _apply_benchmark(
    f: Form, state: CaseState, ctx: Context, *, on: date | None, outcome: str, fine: int | None, reason: str, declared: bool
) -> None:
    """Run the discretion benchmark on the proposal (State Council opinion 2022; Art. 34): the statutory
    range is a hard limit, leaving the recommended range needs a written reason, and the deviation flag
    (which the agency's catalogue may make a major decision) is computed, not typed."""
    inputs = _benchmark_input(f, state)
    if inputs is None and not f.problems and ctx.benchmarks is not None and state.cause_entry and fine:
        _statutory_ceiling(f, state, ctx, on, fine)  # no benchmark facts given: the statutory maximum still holds
        return
    if inputs is None or f.problems or ctx.benchmarks is None:
        return
    try:
        party_kind = PartyKind(state.party_kind or (ctx.party.kind.value if ctx.party else PartyKind.ORGANISATION.value))
        act = state.act_date or on or ctx.today
        facts = CaseFacts(party_kind, act, max(on or ctx.today, act),
                          {BaseKind(k): v for k, v in inputs["bases"].items()}, tuple(inputs["circumstances"]))
        assessment = assess(ctx.benchmarks, inputs["entry"], facts, ctx.policy)
    except (InvalidInput, RuleViolation) as exc:
        f.problems += [Refusal(r.rule, r.message, r.article, f"benchmark.{r.field}" if r.field else "benchmark") for r in exc.refusals]
        return
    except NotFound as exc:
        f.problem("benchmark.entry", str(exc))
        return
    if outcome == Outcome.NO_PENALTY.value:
        deviation = assessment.grade is not Grade.NO_PENALTY
        messages = [f"裁量基准建议{assessment.grade.zh}，拟不予处罚，偏离裁量基准"] if deviation else ["裁量基准建议不予处罚"]
        if deviation and not reason:
            f.problem("deviation_reason", "偏离裁量基准（含减轻处罚）须书面说明理由，并报法制审核")
    else:
        check = check_penalty(assessment, fine, reason)
        deviation, messages = check.deviation, list(check.messages)
        for refusal in check.refusals:
            if refusal.rule == "benchmark_deviation_reason" and declared:
                continue  # already asked for by the declared flag
            field_name = "deviation_reason" if refusal.rule == "benchmark_deviation_reason" else "fine_fen"
            f.problems.append(Refusal(refusal.rule, refusal.message, refusal.article, field_name))
    f.keep("benchmark", {
        "input": inputs,
        "entry": assessment.entry,
        "set": f"{assessment.benchmark_id} {assessment.benchmark_version}",
        "set_title": next((b.title for b in ctx.benchmarks.sets
                           if (b.id, b.version) == (assessment.benchmark_id, assessment.benchmark_version)), ""),
        "penalty_basis": assessment.penalty_basis,
        "grade": assessment.grade.value,
        "statutory_range_fen": [assessment.statutory_range.low, assessment.statutory_range.high],
        "recommended_range_fen": (
            [assessment.recommended_range.low, assessment.recommended_range.high] if assessment.recommended_range else None
        ),
        "deviation": deviation,
        "messages": messages,
        "explanation": list(assessment.explanation),
    })
    f.keep("benchmark_deviation", declared or deviation)


@action("submit_investigation_report", frozenset({Stage.INVESTIGATION, Stage.DELIBERATION}), pre=_has_investigation)
def _v_report(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "报告日期", default=ctx.today)
    proposal_form(f, state, ctx, on=on, penalty_required=True)
    f.hashes("evidence", "证据", required=False)
    f.flag("complex")
    f.flag("serious")
    f.text("opinion", "承办人意见", required=False)
    return f.done()


def _review_submittable(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.report is None:
        return [Refusal("no_report", "须先提交调查终结报告")]
    if state.review_pending:
        return [Refusal("review_pending", "已提交法制审核，尚待审核意见")]
    review = state.review
    if (review and review.get("outcome") == "approve" and state.proposal and review.get("digest") == state.proposal.digest
            and not hearing_after_review(state, ctx.policy)):
        return [Refusal("review_approved", "法制审核已通过，处罚内容未变更，无需重新提交")]
    return []


@action("submit_legal_review", frozenset({Stage.DELIBERATION, Stage.NOTICE}), pre=_review_submittable)
def _v_submit_review(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "送审日期", default=ctx.today)
    f.text("summary", "案件情况说明（事实、证据、法律适用、裁量基准适用、执法人员及证号）")
    f.text("draft_decision", "处理决定代拟稿")
    f.hashes("evidence", "证据材料", required=False)
    f.text("corrections_made", "按审核意见补正情况", required=(state.review or {}).get("outcome") == "return")
    if state.proposal is not None:
        f.keep("digest", state.proposal.digest)
    f.keep("major_reasons", [r.message for r in major_reasons(state, ctx.policy)])
    f.keep("round", len(state.review_rounds) + 1)
    f.keep("materials", review_materials(state, ctx.officers, on or ctx.today))
    return f.done()


@action("record_legal_review", frozenset({Stage.LEGAL_REVIEW}))
def _v_review(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "审核日期", default=ctx.today)
    outcome = f.choice("outcome", "审核结论", ("approve", "return", "disapprove"))
    checklist = raw.get("checklist") or {}
    items: dict[str, dict[str, str]] = {}
    for item in REVIEW_CHECKLIST:
        entry = checklist.get(item) if isinstance(checklist, Mapping) else None
        finding = str((entry or {}).get("finding", "")).strip()
        if finding not in ("pass", "issue"):
            f.problem(f"checklist.{item}", "审核要点须逐项给出结论（符合 pass / 存在问题 issue）")
            continue
        items[item] = {"finding": finding, "comment": str((entry or {}).get("comment", "")).strip()}
        if finding == "issue" and not items[item]["comment"]:
            f.problem(f"checklist.{item}", "存在问题的审核要点须写明意见")
    f.keep("checklist", items)
    if outcome == "approve" and any(v["finding"] == "issue" for v in items.values()):
        f.problem("outcome", "审核要点存在问题的，不能作出“同意”结论")
    f.text("corrections", "需补正的事项", required=outcome == "return")
    f.text("opinion", "审核意见")
    submission = state.review_rounds[-1]["submission"] if state.review_rounds else {}
    f.keep("digest", submission.get("digest", ""))
    f.keep("round", len(state.review_rounds))
    return f.done()


def _review_refused(state: CaseState, ctx: Context) -> list[Refusal]:
    review = state.review
    if review is None or review.get("outcome") == "approve" or state.review_pending:
        return [Refusal("no_refused_review", "没有可提出异议的审核意见（仅对“退回”或“不同意”可提出异议）")]
    return []


@action("object_to_review", frozenset({Stage.DELIBERATION, Stage.NOTICE}), pre=_review_refused)
def _v_object(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "日期", default=ctx.today)
    f.text("reason", "异议理由")
    return f.done()


@action("record_collective_discussion", frozenset({Stage.DELIBERATION, Stage.NOTICE, Stage.HEARING}))
def _v_discussion(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "讨论日期", default=ctx.today)
    participants = f.ids("participants", "参加讨论的负责人")
    f.text("opinions", "讨论意见")
    f.text("conclusion", "讨论结论")
    f.flag("resolves_objection")
    heads = [p for p in participants if (o := ctx.officers.get(p)) is not None and o.has_role(Role.AGENCY_HEAD)]
    if len(heads) < 2:
        f.problem("participants", "集体讨论须有两名以上行政机关负责人参加")
    return f.done()


# --- notice, statement, hearing ------------------------------------------------------------------------


def _notice_possible(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.report is None:
        return [Refusal("no_report", "须先提交调查终结报告")]
    if state.proposal is None or state.proposal.outcome != Outcome.PENALTY:
        return [Refusal("no_penalty_proposed", "调查终结报告未提出处罚意见，无需告知")]
    if state.review_pending:
        return [Refusal("legal_review_pending", "法制审核尚未完成")]
    return _not_suspended(state, ctx)


@action("issue_prior_notice", frozenset({Stage.DELIBERATION, Stage.NOTICE}), pre=_notice_possible)
def _v_notice(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form({"outcome": Outcome.PENALTY.value, **raw})
    on = f.day("on", "告知日期", default=ctx.today)
    f.text("document_no", "告知书文号")
    proposal_form(f, state, ctx, on=on, penalty_required=False)
    proposal = Proposal.from_payload(f.out)
    reasons = hearing_right(ctx, state.party_kind, proposal)
    declared = raw.get("hearing_right")
    if declared is False and reasons:
        f.problems.append(
            Refusal("hearing_right", f"拟作出的处罚应当告知当事人有要求听证的权利（行政处罚法第六十三条：{'；'.join(reasons)}）", "行政处罚法第六十三条", "hearing_right")
        )
    f.keep("hearing_right", bool(reasons) or bool(declared))
    f.keep("hearing_reasons", reasons)
    f.keep("statement_days", ctx.policy.statement_window.days)
    return f.done()


def _document_pending(state: CaseState, ctx: Context) -> list[Refusal]:
    pending = [d for d in state.documents_issued if d not in state.documents_served]
    return [] if pending else [Refusal("nothing_to_serve", "没有待送达的文书")]


@action("serve_document", OPEN_STAGES - {Stage.LEAD, Stage.FILING}, pre=_document_pending)
def _v_serve(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    document = f.choice("document", "送达文书", SERVED_DOCUMENTS)
    on = f.day("on", "送达日期", default=ctx.today)
    method = f.choice("method", "送达方式", SERVICE_METHODS)
    f.text("recipient", "受送达人")
    f.flag("receipt_signed")
    f.text("witness", "见证人", required=method == "left_at_address")
    if method == "electronic" and not raw.get("consent"):
        f.problem("consent", "电子送达须经当事人同意并签订确认书（行政处罚法第六十一条第二款）")
    f.flag("consent")
    if document and document not in state.documents_issued:
        f.problem("document", "该文书尚未制作，不能送达")
    elif document in state.documents_served:
        f.problem("document", "该文书已送达")
    issued = state.documents_issued.get(document, {})
    issued_on = issued.get("on")
    if on and issued_on and on.isoformat() < str(issued_on):
        f.problem("on", "送达日期不能早于文书制作日期")
    if on and on > ctx.today:
        f.problem("on", "送达日期不能晚于今天")
    if document == "prior_notice":
        f.keep("hearing_right", bool(issued.get("hearing_right")))
    if document == "decision":
        f.keep("payable", state.amount_due_fen > 0)
    return f.done()


def _notice_served(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.notice is None or state.notice_served_on is None:
        return [Refusal("notice_not_served", "行政处罚告知书尚未送达")]
    return []


@action("record_statement", frozenset({Stage.NOTICE, Stage.HEARING, Stage.DELIBERATION}), pre=_notice_served)
def _v_statement(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "陈述申辩日期", default=ctx.today)
    f.choice("form", "陈述申辩方式", ("written", "oral"))
    f.text("by", "陈述申辩人")
    f.text("content", "陈述申辩内容")
    return f.done()


def _statement_unexamined(state: CaseState, ctx: Context) -> list[Refusal]:
    if not state.statements:
        return [Refusal("no_statement", "当事人尚未陈述申辩")]
    if state.reexamined:
        return [Refusal("already_reexamined", "已对陈述申辩进行复核")]
    return []


@action("record_reexamination", frozenset({Stage.NOTICE, Stage.HEARING, Stage.DELIBERATION}), pre=_statement_unexamined)
def _v_reexamination(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "复核日期", default=ctx.today)
    f.flag("adopted")
    f.text("conclusion", "复核意见")
    return f.done()


@action("waive_rights", frozenset({Stage.NOTICE}), pre=_notice_served)
def _v_waive(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "日期", default=ctx.today)
    if not f.flag("written"):
        f.problem("written", "当事人放弃陈述、申辩和听证权利须有书面明确表示")
    f.text("statement", "当事人书面表示内容")
    return f.done()


def _hearing_requestable(state: CaseState, ctx: Context) -> list[Refusal]:
    refusals = _notice_served(state, ctx)
    if refusals:
        return refusals
    if not (state.notice or {}).get("hearing_right"):
        return [Refusal("no_hearing_right", "拟作出的处罚不属于听证范围（行政处罚法第六十三条）", "行政处罚法第六十三条")]
    if state.rights_waived_on:
        return [Refusal("rights_waived", "当事人已书面放弃听证权利")]
    return []


@action("request_hearing", frozenset({Stage.NOTICE}), pre=_hearing_requestable)
def _v_request_hearing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "听证申请日期", default=ctx.today)
    f.choice("form", "申请方式", ("written", "oral"))
    window = _deadline(state, ctx, "hearing_request")
    if on and window and on > window.due:
        f.problems.append(
            Refusal(
                "hearing_request_late",
                f"当事人应在告知书送达后五个工作日内要求听证（行政处罚法第六十四条第（一）项），期限已于{window.due.isoformat()}届满",
                "行政处罚法第六十四条第（一）项",
                "on",
            )
        )
    if on and state.notice_served_on and on < state.notice_served_on:
        f.problem("on", "听证申请日期早于告知书送达日期")
    return f.done()


def hearing_notice_earliest(ctx: Context, served_on: date) -> date:
    """Art. 64(2): the notice reaches the party at least 7 working days before the hearing, i.e. the
    hearing is held no earlier than the 7th working day after the notice is served."""
    return ctx.calendar.add_working_days(served_on, 7)


def _no_hearing_notice(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.hearing_requested_on is None:
        return [Refusal("no_hearing_request", "当事人未要求听证")]
    return []


@action("give_hearing_notice", frozenset({Stage.HEARING}), pre=_no_hearing_notice)
def _v_hearing_notice(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "通知日期", default=ctx.today)
    hearing_on = f.day("hearing_on", "听证日期")
    f.text("place", "听证地点")
    f.text("document_no", "听证通知书文号")
    chair = f.text("chair", "听证主持人")
    f.flag("public", default=True)
    if on and hearing_on and hearing_on < hearing_notice_earliest(ctx, on):
        f.problems.append(
            Refusal(
                "hearing_notice_period",
                f"应当在举行听证的七个工作日前通知当事人（行政处罚法第六十四条第（二）项），"
                f"{on.isoformat()}通知的，听证最早于{hearing_notice_earliest(ctx, on).isoformat()}举行",
                "行政处罚法第六十四条第（二）项",
                "hearing_on",
            )
        )
    f.problems += _chair_refusals(state, ctx, chair)
    return f.done()


def _chair_refusals(state: CaseState, ctx: Context, chair: str) -> list[Refusal]:
    if chair and (chair in state.handlers or chair in state.investigators):
        name = ctx.officers[chair].name if chair in ctx.officers else chair
        return [Refusal("chair_is_investigator", f"{name}是本案调查人员，不能主持听证（行政处罚法第六十四条第（四）项）", "行政处罚法第六十四条第（四）项", "chair")]
    if chair and chair not in ctx.officers:
        return [Refusal("unknown_officer", f"{chair} 不是登记在册的人员", field="chair")]
    return []


def _hearing_due(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.hearing_notice is None or state.hearing_notice_served_on is None:
        return [Refusal("hearing_notice_not_served", "听证通知书尚未送达")]
    if state.hearing_held is not None or state.hearing_waived:
        return [Refusal("hearing_done", "听证已结束")]
    hearing_on = date.fromisoformat(state.hearing_notice["hearing_on"])
    earliest = hearing_notice_earliest(ctx, state.hearing_notice_served_on)
    if hearing_on < earliest:
        return [
            Refusal(
                "hearing_notice_period",
                f"听证通知书于{state.hearing_notice_served_on.isoformat()}送达，不足七个工作日，听证最早于{earliest.isoformat()}举行（行政处罚法第六十四条第（二）项）",
                "行政处罚法第六十四条第（二）项",
            )
        ]
    return []


@action("hold_hearing", frozenset({Stage.HEARING}), pre=_hearing_due)
def _v_hold_hearing(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "听证日期")
    chair = f.text("chair", "听证主持人")
    f.text("transcript", "听证笔录")
    agents = f.ids("agents", "委托代理人", required=False)
    f.flag("public", default=True)
    signed = f.flag("party_signed")
    f.text("refusal_note", "当事人拒绝签字情况", required=not signed)
    if len(agents) > ctx.statute["hearing_max_agents"].value:
        f.problem("agents", "当事人可以委托一至二人代理（行政处罚法第六十四条第（五）项）")
    notice = state.hearing_notice or {}
    if on and notice.get("hearing_on") and on.isoformat() != notice["hearing_on"]:
        f.problem("on", f"听证应在通知的日期（{notice['hearing_on']}）举行")
    if chair and chair != notice.get("chair"):
        f.problem("chair", "听证主持人与听证通知书不一致")
    f.problems += _chair_refusals(state, ctx, chair)
    return f.done()


@action("record_hearing_absence", frozenset({Stage.HEARING}), pre=_hearing_due)
def _v_absence(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "听证日期")
    f.choice("kind", "情形", ("absent_without_reason", "left_without_permission"))
    f.text("details", "情况说明")
    notice = state.hearing_notice or {}
    if on and notice.get("hearing_on") and on.isoformat() < notice["hearing_on"]:
        f.problem("on", "听证日期未到，不能认定缺席")
    f.keep("waiver", True)
    return f.done()


def _hearing_held(state: CaseState, ctx: Context) -> list[Refusal]:
    return [] if state.hearing_held is not None else [Refusal("no_hearing", "尚未举行听证")]


@action("record_hearing_report", frozenset({Stage.DELIBERATION, Stage.NOTICE}), pre=_hearing_held)
def _v_hearing_report(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "报告日期", default=ctx.today)
    f.text("content", "听证报告")
    f.text("recommendation", "处理意见")
    return f.done()


# --- decision ------------------------------------------------------------------------------------------


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
    statement = _deadline(state, ctx, "statement_window")
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
        window = _deadline(state, ctx, "hearing_request")
        if window is not None and day <= window.due:
            refusals.append(
                Refusal(
                    "hearing_window_open",
                    f"听证申请期间尚未届满（{window.due.isoformat()}），不得作出决定（行政处罚法第六十四条）",
                    "行政处罚法第六十四条",
                )
            )
    return refusals


def heavier_refusals(state: CaseState, proposal: Proposal) -> list[Refusal]:
    """Art. 45: the decision may not be heavier than the penalty notified."""
    notice = state.notice
    if notice is None:
        return []
    notified = Proposal.from_payload(notice)
    top_notified = max((SEVERITY[PenaltyKind(k)] for k in notified.penalty_kinds), default=0)
    heavier = []
    for k in proposal.penalty_kinds:
        if k not in notified.penalty_kinds and SEVERITY[PenaltyKind(k)] >= top_notified:
            heavier.append(f"增加了告知书未载明的处罚种类（{k}）")
    if proposal.fine_fen > notified.fine_fen:
        heavier.append(f"罚款{format_yuan(proposal.fine_fen)}高于告知的{format_yuan(notified.fine_fen)}")
    if proposal.confiscation_fen > notified.confiscation_fen:
        heavier.append(f"没收{format_yuan(proposal.confiscation_fen)}高于告知的{format_yuan(notified.confiscation_fen)}")
    if not heavier:
        return []
    return [
        Refusal(
            "heavier_than_notified",
            f"处罚决定不得重于告知的处罚（行政处罚法第四十五条）：{'；'.join(heavier)}。如有新的事实，应重新告知",
            "行政处罚法第四十五条",
        )
    ]


def _decision_possible(state: CaseState, ctx: Context) -> list[Refusal]:
    """What blocks a penalty decision today (shown among the blocked actions)."""
    refusals = _not_suspended(state, ctx)
    if state.report is None:
        return refusals + [Refusal("no_report", "调查终结报告尚未提交（行政处罚法第五十七条）", "行政处罚法第五十七条")]
    proposal = state.proposal
    if proposal is not None and proposal.outcome == Outcome.PENALTY:
        refusals += window_refusals(state, ctx, ctx.today)
    refusals += review_refusals(state, ctx.policy)
    refusals += discussion_refusals(state)
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


@action("make_decision", frozenset({Stage.INVESTIGATION, Stage.DELIBERATION, Stage.NOTICE, Stage.HEARING}), head_not_handler=True, pre=_decision_possible)
def _v_decision(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    defaults = {
        "party_name": state.party_name,
        "party_address": (ctx.party.address if ctx.party else ""),
        "agency_name": ctx.agency.name if ctx.agency else "",
    }
    f = Form({**defaults, **{k: v for k, v in raw.items() if v not in (None, "")}})
    on = f.day("on", "决定日期", default=ctx.today)
    proposal_form(f, state, ctx, on=on, penalty_required=True)
    outcome = f.out.get("outcome")
    f.text("document_no", "决定书文号")
    f.text("reasons", "理由（采纳或不采纳陈述申辩意见的理由）", required=False)
    f.hashes("evidence", "证据", required=outcome == Outcome.PENALTY.value)
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
            f.problems += heavier_refusals(state, proposal)
        f.problems += review_refusals(state, ctx.policy, proposal)
        f.problems += discussion_refusals(state)
        if state.hearing_held is not None and not f.raw.get("based_on_transcript"):
            f.problem("based_on_transcript", "举行听证的，应当根据听证笔录作出决定（行政处罚法第六十五条）")
    f.flag("based_on_transcript")
    f.problems += _not_suspended(state, ctx)
    return f.done()


# --- execution, closing, archiving ---------------------------------------------------------------------


def surcharge_fen(fine_fen: int, due: date, on: date, percent_per_day: int) -> int:
    """Art. 72(1): 3 % of the fine per day after the due day, never more than the fine itself.
    Rounded down to the fen, in the party's favour."""
    days_late = max(0, (on - due).days)
    return min(fine_fen, fine_fen * percent_per_day * days_late // 100)


def _payment_due(state: CaseState, ctx: Context) -> list[Refusal]:
    if state.amount_due_fen <= 0:
        return [Refusal("nothing_payable", "本案没有需要缴纳的罚没款")]
    if state.decision_served_on is None and state.procedure == Procedure.GENERAL:
        return [Refusal("decision_not_served", "处罚决定书尚未送达")]
    return []


def outstanding_fen(state: CaseState, ctx: Context, on: date) -> tuple[int, int]:
    """(surcharge accrued by ``on``, amount still to pay including it). The surcharge runs on the fine
    from the day after the payment deadline until the day the amount decided is paid in full; what
    accrued until then stays due (Art. 72(1))."""
    fine = int((state.decision or {}).get("fine_fen", 0))
    deadline = _deadline(state, ctx, "payment")
    if deadline is None:
        return 0, max(0, state.amount_due_fen - state.paid_fen)
    rate = ctx.statute["late_payment_surcharge_percent_per_day"].value
    stop, paid = on, 0
    for payment in state.payments:
        paid += int(payment.get("amount_fen", 0))
        if paid >= state.amount_due_fen and payment.get("on"):
            stop = min(on, date.fromisoformat(str(payment["on"])[:10]))
            break
    surcharge = surcharge_fen(fine, deadline.due, stop, rate)
    return surcharge, max(0, state.amount_due_fen + surcharge - state.paid_fen)


@action("record_payment", frozenset({Stage.EXECUTION, Stage.DECIDED}), pre=_payment_due)
def _v_payment(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "缴款日期", default=ctx.today)
    amount = f.fen("amount_fen", "缴款金额", required=True)
    channel = f.choice("channel", "缴款方式", ("bank", "electronic", "on_spot"))
    f.text("receipt_no", "缴款凭证号")
    if amount <= 0:
        f.problem("amount_fen", "缴款金额应大于零")
    if channel == "on_spot":
        limit = ctx.statute["on_the_spot_collection_yuan"]
        ground = f.choice("on_spot_ground", "当场收缴情形", ("small_fine", "hard_to_collect", "remote_area"))
        if ground == "small_fine" and amount > limit.value * 100:
            f.problem("amount_fen", f"依法给予{limit.value}元以下罚款的，方可当场收缴（行政处罚法{limit.article}）")
    if on:
        surcharge, outstanding = outstanding_fen(state, ctx, on)
        if amount > outstanding:
            f.problem("amount_fen", f"缴款金额超过应缴金额（应缴{format_yuan(outstanding)}，含加处罚款{format_yuan(surcharge)}）")
        f.keep("surcharge_fen", surcharge)
        f.keep("settles", amount >= outstanding)
    return f.done()


def _enforceable(state: CaseState, ctx: Context) -> list[Refusal]:
    refusals = _payment_due(state, ctx)
    if refusals:
        return refusals
    deadline = _deadline(state, ctx, "payment")
    if deadline is None or ctx.today <= deadline.due:
        return [Refusal("payment_not_overdue", "缴款期限尚未届满，不能申请强制执行")]
    if deadline.met_on is not None:
        return [Refusal("paid", "罚没款已缴清")]
    return []


@action("apply_court_enforcement", frozenset({Stage.EXECUTION}), pre=_enforceable)
def _v_court(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    on = f.day("on", "申请日期", default=ctx.today)
    reminder = f.day("reminder_served_on", "催告书送达日期")
    f.text("court", "人民法院")
    if on and reminder and (on - reminder).days < 10:
        f.problem("on", "催告书送达十日后当事人仍未履行的，方可申请人民法院强制执行（行政强制法第五十四条）")
    return f.done()


def _closable(state: CaseState, ctx: Context) -> list[Refusal]:
    refusals = []
    if state.decision is None:
        refusals.append(Refusal("no_decision", "尚未作出处理决定，不能结案"))
        return refusals
    if state.outcome in (Outcome.PENALTY, Outcome.NO_PENALTY) and state.decision_served_on is None and state.procedure == Procedure.GENERAL:
        refusals.append(Refusal("decision_not_served", "处理决定书尚未送达，不能结案"))
    if state.amount_due_fen > 0 and state.court_enforcement is None:
        _, outstanding = outstanding_fen(state, ctx, ctx.today)
        if outstanding > 0:
            refusals.append(Refusal("not_paid", f"罚没款尚未缴清（尚欠{format_yuan(outstanding)}），也未申请法院强制执行，不能结案"))
    if state.preservation_open:
        refusals.append(Refusal("preservation_open", "先行登记保存的物品尚未作出处理决定"))
    if state.approvals_pending:
        refusals.append(Refusal("approval_pending", "尚有待审批事项"))
    return refusals


@action("close_case", frozenset({Stage.DECIDED, Stage.EXECUTION}), pre=_closable)
def _v_close(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "结案日期", default=ctx.today)
    f.text("summary", "结案报告")
    return f.done()


@action("archive_case", frozenset({Stage.CLOSED}))
def _v_archive(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    f.day("on", "归档日期", default=ctx.today)
    archive_no = f.text("archive_no", "档号")
    f.choice("retention", "保管期限", ("permanent", "30_years"))
    if archive_no and not (len(archive_no) == 8 and archive_no.isdigit()):
        f.problem("archive_no", "档号应为8位数字（年度4位 + 结案顺序号4位）")
    return f.done()


@action("correct_record", OPEN_STAGES)
def _v_correct(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = Form(raw)
    target = f.text("corrects", "被更正的记录")
    f.text("reason", "更正理由")
    changes = raw.get("changes")
    if not isinstance(changes, Mapping) or not changes:
        f.problem("changes", "须写明更正的内容")
    else:
        f.keep("changes", dict(changes))
    step = next((s for s in state.steps if s.hash == target), None)
    if target and step is None:
        f.problem("corrects", "本案没有该记录")
    elif step is not None:
        if step.kind in ("approve_filing", "make_decision", "record_legal_review", "decide_approval", "record_simple_decision"):
            f.problem("corrects", "审批、审核和决定不能更正，应重新办理相应程序")
        unknown = sorted(set(changes or {}) - set(step.payload)) if isinstance(changes, Mapping) else []
        if unknown:
            f.problem("changes", f"被更正的记录没有这些项目：{'、'.join(unknown)}")
        if ctx.actor.id not in state.handlers and ctx.actor.id != step.actor:
            f.problem("corrects", "只有本案承办人员或原记录人可以更正")
        f.keep("old", {k: step.payload.get(k) for k in (changes or {})})
    return f.done()


# --- entry points --------------------------------------------------------------------------------------


def availability(state: CaseState | None, ctx: Context, kind: str, *, include_role: bool = True) -> list[Refusal]:
    act = ACTIONS.get(kind)
    if act is None:
        return [Refusal("unknown_action", f"未知的操作：{kind}")]
    refusals: list[Refusal] = []
    if include_role:
        refusals += ctx.permissions.refusals(ctx.actor, kind, state.handlers if state else ())
    if state is None:
        return refusals
    refusals += _stage_refusal(state, act, ctx.permissions)
    if refusals and refusals[-1].rule in ("archived", "stage"):
        return refusals
    if include_role:
        refusals += _separation_refusals(state, ctx, act)
    return refusals + act.preconditions(state, ctx)


def prepare(state: CaseState | None, ctx: Context, kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Validate an action against the case and its form; returns the payload to record, or raises."""
    act = ACTIONS.get(kind)
    if act is None:
        raise RuleViolation([Refusal("unknown_action", f"未知的操作：{kind}")])
    if (state is None) != (not act.stages):
        raise RuleViolation([Refusal("wrong_target", "该操作不能用于此案件")])
    permission = ctx.permissions.refusals(ctx.actor, kind, state.handlers if state else ())
    if permission:
        raise PermissionDenied(permission)
    blocked = availability(state, ctx, kind)
    if blocked:
        raise RuleViolation(blocked)
    return act.validate(state or CaseState(id=""), ctx, payload)


@dataclass(frozen=True)
class NextAction:
    kind: str
    title: str
    allowed: bool
    reasons: tuple[Refusal, ...]  # why the procedure blocks it (empty when allowed)
    permitted: bool  # whether this user's roles allow it


def next_actions(state: CaseState, ctx: Context) -> list[NextAction]:
    """The actions of the current stage, each allowed or blocked with the procedure's reasons."""
    result = []
    for kind, act in ACTIONS.items():
        if not act.stages or state.stage not in act.stages:
            continue
        reasons = availability(state, ctx, kind, include_role=False)
        permitted = not ctx.permissions.refusals(ctx.actor, kind, state.handlers) and not _separation_refusals(state, ctx, act)
        result.append(NextAction(kind, ctx.permissions.title(kind), not reasons, tuple(reasons), permitted))
    return result
