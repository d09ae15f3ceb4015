"""Investigation (调查取证): inspections, inquiries, sampling and evidence by two certified officers after
filing (Art. 42, 46, 54–56), approvals asked of the head, recusal, suspension and resumption."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..case import CaseState, Stage, Step
from ..evidence_media import AV_RECORDED_KINDS, is_recording
from ..forms import Form
from ..identity import InvalidIdentityNumber, age_on, birth_date, validate_id_number
from ..labels import (
    APPROVAL_MATTER_ZH,
    EVIDENCE_KIND_ZH,
    ID_TYPE_ZH,
    PRESERVATION_DISPOSAL_ZH,
    RECUSAL_DECISION_ZH,
    SEX_ZH,
)
from ..officers import Role
from ..refusals import Refusal
from . import payload as P
from .engine import (
    BEFORE_DECISION,
    INVESTIGATING,
    OPEN_STAGES,
    ActionKind,
    Context,
    InboxTask,
    declare,
    not_suspended,
    officers_refusals,
    plain,
    read,
    signatures_form,
    title_of,
)
from .folds import investigators_fold

EVIDENCE_KINDS = tuple(EVIDENCE_KIND_ZH)
APPROVAL_MATTERS = tuple(APPROVAL_MATTER_ZH)
PRESERVATION_DISPOSALS = tuple(PRESERVATION_DISPOSAL_ZH)
RECUSAL_DECISIONS = tuple(RECUSAL_DECISION_ZH)


def _investigative(label: str) -> type[P.Payload]:
    """The head every investigative record shares: when, where, which officers, certificates shown."""

    @dataclass(frozen=True)
    class Investigative(P.Payload):
        started_at: datetime | None = P.moment(f"{label}开始时间")
        ended_at: datetime | None = P.moment(f"{label}结束时间")
        place: str = P.text(f"{label}地点")
        officers: tuple[str, ...] = P.ids("执法人员")
        certificates_shown: bool = P.flag()
        av_records: tuple[str, ...] = P.hashes("音像记录")

    return Investigative


def _investigative_checks(state: CaseState, ctx: Context, f: Form, label: str) -> None:
    start = f.moment_read("started_at")
    end = f.moment_read("ended_at")
    if start and end and end < start:
        f.problem("ended_at", "结束时间早于开始时间")
    if not f.out["certificates_shown"]:
        f.problems.append(
            Refusal("certificates_not_shown", "执法人员应当主动出示执法证件（行政处罚法第五十五条）", "行政处罚法第五十五条", "certificates_shown")
        )
    day = start.date() if start else None
    if day:
        if day > ctx.today:
            f.problem("started_at", f"{label}时间不能晚于今天")
        f.problems += officers_refusals(ctx, f.out["officers"], day, ctx.statute["min_officers"].value)
    if day and state.filed_on and day < state.filed_on:
        f.problems.append(Refusal("before_filing", f"调查取证不得早于立案日期（{state.filed_on.isoformat()}）", field="started_at"))


@dataclass(frozen=True)
class Inspection(_investigative("检查")):
    findings: str = P.text("检查情况", search=True)
    present: str = P.text("在场人", required=False)
    signatures: tuple[Mapping[str, Any], ...] = P.kept(())  # see ..handwriting
    party_signed: bool = P.kept(False)  # records made before signatures were captured


@declare(ActionKind.RECORD_INSPECTION, "现场检查", stages=INVESTIGATING, roles=(Role.OFFICER,), handler_only=True,
         pre=not_suspended, payload=Inspection, fold=investigators_fold)
def _v_inspection(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Inspection, raw, ctx)
    _investigative_checks(state, ctx, f, "检查")
    signatures_form(f, state, ActionKind.RECORD_INSPECTION, raw)
    return f.done()


@dataclass(frozen=True)
class Inquiry(_investigative("询问")):
    # the person questioned: name, id_type (ID_TYPE_ZH; a number without it is a 居民身份证's), id_number, sex (SEX_ZH),
    # age (周岁, as digits), phone, address, relation (to the case) — all but the name optional, as records before had them
    person: Mapping[str, Any] = P.kept(label="被询问人")
    recorder: str = P.text("记录人")
    rights_notified: bool = P.flag()
    qa: tuple[Mapping[str, Any], ...] = P.kept((), search=True, label="问答内容")  # [{q, a}]
    signatures: tuple[Mapping[str, Any], ...] = P.kept(())  # the interviewee's (over the confirmation) and both officers'
    confirmed: bool = P.kept(False)  # set from the interviewee's signature (a flag in records made before)


@declare(ActionKind.RECORD_INQUIRY, "询问调查", stages=INVESTIGATING, roles=(Role.OFFICER,), handler_only=True,
         pre=not_suspended, payload=Inquiry, fold=investigators_fold)
def _v_inquiry(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Inquiry, raw, ctx)
    start = f.moment_read("started_at")
    f.keep("person", _person_questioned(f, raw.get("person") or {}, start.date() if start else ctx.today))
    if not f.out["rights_notified"]:
        f.problem("rights_notified", "询问前应告知被询问人申辩和申请回避的权利")
    qa = raw.get("qa") or []
    if not isinstance(qa, list) or not qa or not all(isinstance(x, Mapping) and str(x.get("q", "")).strip() for x in qa):
        f.problem("qa", "询问笔录须有问答内容")
    else:
        f.keep("qa", [{"q": str(x["q"]).strip(), "a": str(x.get("a", "")).strip()} for x in qa])
    _investigative_checks(state, ctx, f, "询问")
    signatures_form(f, state, ActionKind.RECORD_INQUIRY, raw)
    f.keep("confirmed", any(e["signer"] == "interviewee" and e["how"] != "refused" for e in f.out["signatures"]))
    return f.done()


_PHONE = re.compile(r"\+?[0-9]{5,20}")
_OTHER_ID = re.compile(r"[0-9A-Z()（）-]{3,30}")


def _person_questioned(f: Form, given: Any, day: date) -> dict[str, str]:
    """The particulars of the person questioned, each refused at its own line (``person.<key>``): a 居民身份证's number
    by its check digit, with the sex and the age (周岁 on the day of the inquiry) it carries agreeing with those
    written; a telephone number of digits. Keys another program wrote are kept as text."""
    if not isinstance(given, Mapping) or not str(given.get("name", "")).strip():
        f.problem("person.name", "被询问人姓名不能为空")
        return {}
    person = {str(k): str(v).strip() for k, v in given.items() if v not in (None, "") and str(v).strip()}
    id_type, number = person.get("id_type", ""), person.get("id_number", "")
    if id_type and id_type not in ID_TYPE_ZH:
        f.problem("person.id_type", f"身份证件种类应为：{'、'.join(ID_TYPE_ZH.values())}")
    elif number and id_type in ("", "resident_id"):
        try:
            person["id_number"] = number = validate_id_number(number, today=day)
        except InvalidIdentityNumber as exc:
            f.problem("person.id_number", f"被询问人{exc.message}")
            number = ""
        if number:
            _agrees_with_the_id_number(f, person, number, day)
    elif number:
        person["id_number"] = number = number.replace(" ", "").upper()
        if not _OTHER_ID.fullmatch(number):
            f.problem("person.id_number", f"{ID_TYPE_ZH[id_type]}号码应为3至30位字母、数字")
    elif id_type:
        f.problem("person.id_number", f"请填写{ID_TYPE_ZH[id_type]}号码")
    if person.get("sex") and person["sex"] not in SEX_ZH:
        f.problem("person.sex", "性别应为男或女")
    if person.get("age") and not (person["age"].isdigit() and int(person["age"]) <= 150):
        f.problem("person.age", "年龄应为0至150的整数（周岁）")
    phone = person.get("phone", "")
    if phone and not _PHONE.fullmatch(re.sub(r"[\s()（）-]", "", phone)):
        f.problem("person.phone", "联系电话应为5至20位数字（可含区号、分机号的连接符）")
    return person


def _agrees_with_the_id_number(f: Form, person: Mapping[str, str], number: str, day: date) -> None:
    """A 居民身份证 number carries its holder's birth date and sex (GB 11643: the 17th digit odd for a man): those
    written must be the same."""
    sex = "male" if int(number[16]) % 2 else "female"
    if person.get("sex") in SEX_ZH and person["sex"] != sex:
        f.problem("person.sex", f"性别与身份证号码不符：号码第17位表示“{SEX_ZH[sex]}”")
    born = birth_date(number)
    if born is not None and person.get("age", "").isdigit() and int(person["age"]) != age_on(born, day):
        f.problem("person.age", f"年龄与身份证号码不符：{born.isoformat()}出生，询问之日为{age_on(born, day)}周岁")


@dataclass(frozen=True)
class Sampling(_investigative("抽样")):
    items: str = P.text("抽样物品")
    quantity: str = P.text("抽样数量", required=False)
    signatures: tuple[Mapping[str, Any], ...] = P.kept(())


@declare(ActionKind.RECORD_SAMPLING, "抽样取证", stages=INVESTIGATING, roles=(Role.OFFICER,), handler_only=True,
         pre=not_suspended, payload=Sampling, fold=investigators_fold)
def _v_sampling(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Sampling, raw, ctx)
    _investigative_checks(state, ctx, f, "抽样")
    signatures_form(f, state, ActionKind.RECORD_SAMPLING, raw)
    return f.done()


@dataclass(frozen=True)
class Evidence(P.Payload):
    sha256: str = P.digest("文件摘要")
    size: int = P.fen("文件大小")
    media_type: str = P.text("文件类型")
    original_name: str = P.text("原文件名")
    kind: str = P.choice("证据种类（行政处罚法第四十六条）", EVIDENCE_KINDS)
    description: str = P.text("证据说明", search=True)
    source: str = P.text("证据来源")
    collected_by: tuple[str, ...] = P.ids("收集人")
    collected_at: datetime | None = P.moment("收集时间")
    place: str = P.text("收集地点", required=False)
    # a photo's particulars, printed beside it (records before them have none: they print as not recorded)
    taken_at: datetime | None = P.moment("拍摄时间", required=lambda read_so_far: read_so_far.get("kind") == "photo")
    taken_place: str = P.text("拍摄地点", required=lambda read_so_far: read_so_far.get("kind") == "photo")
    taken_by: str = P.text("拍摄人", required=lambda read_so_far: read_so_far.get("kind") == "photo")
    witness: str = P.text("见证人", required=False)
    proves: str = P.text("证明对象（证明内容）", required=lambda read_so_far: read_so_far.get("kind") == "photo", search=True)
    # the party's identity card or business licence: which document it is and its number
    identity_document: str = P.text("证件名称", required=lambda read_so_far: read_so_far.get("kind") == "identity")
    identity_no: str = P.text("证件号码", required=lambda read_so_far: read_so_far.get("kind") == "identity")
    # a recording: the steps of the case it is the audio or video record of (音像记录); a key added later, so
    # records before it have none (see ARCHITECTURE.md: payload keys are the record's format)
    av_record_of: tuple[str, ...] = P.hashes("音像记录所记录的执法环节")


def _fold_evidence(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.evidence.append({**p, "event": step.hash})


PICTURED = ("photo", "identity")  # the kinds printed as pictures: their file must be an image


@declare(ActionKind.ADD_EVIDENCE, "登记证据", stages=OPEN_STAGES - {Stage.CLOSED}, roles=(Role.OFFICER,), handler_only=True,
         payload=Evidence, fold=_fold_evidence)
def _v_evidence(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Evidence, raw, ctx)
    kind = f.out.get("kind", "")
    if kind in PICTURED and not str(f.out.get("media_type", "")).startswith("image/"):
        f.problem("kind", f"{EVIDENCE_KIND_ZH[kind]}须为图片文件（JPEG、PNG），案卷按原样印出")
    if kind == "photo":
        taken, collected = f.moment_read("taken_at"), f.moment_read("collected_at")
        if taken and taken.date() > ctx.today:
            f.problem("taken_at", "拍摄时间不能晚于今天")
        if taken and collected and taken > collected:
            f.problem("taken_at", "拍摄时间不能晚于证据的收集时间")
    if kind == "identity":
        _identity_of_the_party(f, ctx)
    _recorded_steps(f, state)
    return f.done()


def _recorded_steps(f: Form, state: CaseState) -> None:
    """A recording names the steps it records: steps of this case already recorded, each one taken in the
    presence of the party or others (``AV_RECORDED_KINDS``); only a sound or video file records a step. An item
    that records no step is written without the key, as every item was before it existed."""
    named = f.out.get("av_record_of") or []
    if not named:
        f.out.pop("av_record_of", None)
        return
    if not is_recording(str(f.out.get("media_type", ""))):
        f.problem("av_record_of", "只有录音、录像文件可以作为执法环节的音像记录")
    steps = {s.hash: s for s in state.steps}
    for step_hash in named:
        step = steps.get(step_hash)
        if step is None:
            f.problem("av_record_of", f"{step_hash[:12]}… 不是本案已记录的执法环节")
        elif step.kind not in AV_RECORDED_KINDS:
            f.problem("av_record_of", f"“{title_of(step.kind)}”不是现场执法或询问、听证、送达等环节，不以音像记录")
    if len(set(named)) != len(named):
        f.keep("av_record_of", list(dict.fromkeys(named)))


def _identity_of_the_party(f: Form, ctx: Context) -> None:
    """The copy proves who the party is only if it is the party's: its number is the one the party is
    registered with (公民身份号码 or 统一社会信用代码)."""
    number = str(f.out.get("identity_no", "")).replace(" ", "").upper()
    if not number:
        return
    f.keep("identity_no", number)
    if not f.out.get("proves"):
        f.keep("proves", "当事人的主体资格（身份）")
    party = ctx.party
    if party is None:
        f.problem("identity_no", "须先登记当事人")
    elif number != party.identity_no:
        label = "公民身份号码" if party.kind.value == "person" else "统一社会信用代码"
        f.problems.append(Refusal("identity_not_the_party", f"证件号码{number}与本案当事人{party.name}登记的{label}{party.identity_no}不一致："
                                                           "当事人身份证明应为本案当事人的证件", field="identity_no"))


# --- approvals asked of the head -----------------------------------------------------------------------


@dataclass(frozen=True)
class RequestApproval(P.Payload):
    matter: str = P.choice("审批事项", APPROVAL_MATTERS)
    on: date | None = P.day("提请日期", today=True)
    reason: str = P.text("提请理由", search=True)
    days: int = P.kept(0)  # extension or deferral, in days
    items: str = P.kept("")  # what is to be preserved
    plan: str = P.kept("")  # the instalment plan


def _fold_request_approval(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.approvals_pending[step.hash] = {**p, "requested_by": step.actor, "on": step.day.isoformat()}


@declare(ActionKind.REQUEST_APPROVAL, "提请审批", stages=OPEN_STAGES - {Stage.LEAD}, roles=(Role.OFFICER,), handler_only=True,
         payload=RequestApproval, fold=_fold_request_approval)
def _v_request_approval(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(RequestApproval, raw, ctx)
    matter = f.out.get("matter", "")
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


@dataclass(frozen=True)
class DecideApproval(P.Payload):
    request: str = P.text("审批事项编号")
    approved: bool = P.flag()
    on: date | None = P.day("审批日期", today=True)
    opinion: str = P.text("审批意见", required=lambda read_so_far: not read_so_far["approved"], search=True)
    matter: str = P.kept("")
    days: int = P.kept(0)


def _fold_decide_approval(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    request = s.approvals_pending.pop(p.get("request", ""), None)
    s.approvals_decided.append({**(request or {}), **p, "approver": step.actor, "decided_on": step.day.isoformat()})
    if p.get("approved") and p.get("matter") == "evidence_preservation":
        s.preservation_open = True


@declare(ActionKind.DECIDE_APPROVAL, "审批", stages=OPEN_STAGES - {Stage.LEAD}, roles=(Role.AGENCY_HEAD,), head_not_handler=True,
         pre=_pending_approvals, payload=DecideApproval, fold=_fold_decide_approval, inbox=InboxTask(Role.AGENCY_HEAD), signed=True)
def _v_decide_approval(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(DecideApproval, raw, ctx)
    request = f.out.get("request", "")
    pending = state.approvals_pending.get(request)
    if pending is None and request:
        f.problem("request", "该审批事项不存在或已审批")
    if pending is not None:
        f.keep("matter", pending.get("matter"))
        if pending.get("days"):
            f.keep("days", pending["days"])
        if pending.get("requested_by") == ctx.actor.id:
            f.problem("request", "提请人不能审批自己提请的事项")
    return f.done()


def _preservation_open(state: CaseState, ctx: Context) -> list[Refusal]:
    return [] if state.preservation_open else [Refusal("no_preservation", "没有经批准的先行登记保存")]


@dataclass(frozen=True)
class PreservationDisposal(P.Payload):
    on: date | None = P.day("处理决定日期", today=True)
    disposal: str = P.choice("处理方式", PRESERVATION_DISPOSALS)
    details: str = P.text("处理情况")


def _fold_disposal(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.preservation_open = False
    s.preservation_recorded = False


declare(ActionKind.DECIDE_PRESERVATION_DISPOSAL, "先行登记保存处理决定", stages=OPEN_STAGES, roles=(Role.OFFICER,), handler_only=True,
         pre=_preservation_open, payload=PreservationDisposal, fold=_fold_disposal)(plain(PreservationDisposal))


def _preservation_to_record(state: CaseState, ctx: Context) -> list[Refusal]:
    refusals = _preservation_open(state, ctx)
    if not refusals and state.preservation_recorded:
        refusals.append(Refusal("preservation_recorded", "经批准的先行登记保存已记录清单"))
    return refusals or not_suspended(state, ctx)


@dataclass(frozen=True)
class Preservation(_investigative("先行登记保存")):
    items: str = P.text("先行登记保存的证据（名称、规格、数量）", search=True)
    kept_at: str = P.text("保存地点")
    signatures: tuple[Mapping[str, Any], ...] = P.kept(())  # the party's (or the person present's) and both officers'


def _fold_preservation(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    investigators_fold(s, step, p)
    s.preservation_recorded = True


@declare(ActionKind.RECORD_PRESERVATION, "先行登记保存证据", stages=INVESTIGATING, roles=(Role.OFFICER,), handler_only=True,
         pre=_preservation_to_record, payload=Preservation, fold=_fold_preservation)
def _v_preservation(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    """先行登记保存 (行政处罚法第五十六条): after the head's approval, the evidence is listed where it is kept, before
    two certified officers, and the list signed by the party (or the person present) and both officers."""
    f = read(Preservation, raw, ctx)
    _investigative_checks(state, ctx, f, "先行登记保存")
    signatures_form(f, state, ActionKind.RECORD_PRESERVATION, raw)
    return f.done()


@dataclass(frozen=True)
class Recusal(P.Payload):
    on: date | None = P.day("决定日期", today=True)
    officer: str = P.text("申请回避的人员")
    applicant: str = P.text("申请人")
    grounds: str = P.text("回避理由")
    decision: str = P.choice("回避决定", RECUSAL_DECISIONS)
    replacement: str = P.text("更换的承办人员", required=lambda read_so_far: read_so_far.get("decision") == "granted")


def _fold_recusal(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    if p.get("decision") == "granted" and p.get("replacement"):
        s.handlers = tuple(p["replacement"] if h == p.get("officer") else h for h in s.handlers)


@declare(ActionKind.RECORD_RECUSAL, "回避决定", stages=OPEN_STAGES - {Stage.LEAD}, roles=(Role.AGENCY_HEAD,), head_not_handler=True,
         payload=Recusal, fold=_fold_recusal)
def _v_recusal(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Recusal, raw, ctx)
    replacement = f.out.get("replacement")
    if replacement:
        f.problems += [r for r in officers_refusals(ctx, [replacement], ctx.today, 1, "replacement") if r.rule != "two_officers"]
    return f.done()


# --- suspension --------------------------------------------------------------------------------------------


def _is_suspended(state: CaseState, ctx: Context) -> list[Refusal]:
    return [] if state.suspended else [Refusal("not_suspended", "案件未中止")]


@dataclass(frozen=True)
class Suspension(P.Payload):
    on: date | None = P.day("日期", today=True)
    reason: str = P.text("中止理由", search=True)


@dataclass(frozen=True)
class Resumption(P.Payload):
    on: date | None = P.day("日期", today=True)
    reason: str = P.text("恢复理由", search=True)


def _fold_suspend(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.suspended = True


def _fold_resume(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.suspended = False


declare(ActionKind.SUSPEND_CASE, "案件中止", stages=BEFORE_DECISION, roles=(Role.AGENCY_HEAD,), head_not_handler=True,
         pre=not_suspended, payload=Suspension, fold=_fold_suspend)(plain(Suspension))


declare(ActionKind.RESUME_CASE, "恢复办理", stages=BEFORE_DECISION, roles=(Role.AGENCY_HEAD,), head_not_handler=True,
         pre=_is_suspended, payload=Resumption, fold=_fold_resume)(plain(Resumption))
