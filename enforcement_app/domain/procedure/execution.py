"""Execution (执行): payment within the period, with the late-payment surcharge (Art. 67, 72), and the
application to the people's court (行政强制法 Art. 53–54)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..calendar import add_months
from ..case import CaseState, Procedure, Stage, Step
from ..discretion.numerals import from_int
from ..forms import Form
from ..labels import ON_SPOT_GROUND_ZH, PAYMENT_CHANNEL_ZH, REMEDY_KIND_ZH, REMEDY_OUTCOME_ZH
from ..money import format_yuan
from ..officers import Role
from ..refusals import Refusal
from . import payload as P
from .engine import ActionKind, Context, deadline, declare, read

PAYMENT_CHANNELS = tuple(PAYMENT_CHANNEL_ZH)
ON_SPOT_GROUNDS = tuple(ON_SPOT_GROUND_ZH)  # 行政处罚法第六十八条 (二 grounds), 第六十九条


def surcharge_fen(fine_fen: int, due: date, on: date, percent_per_day: int, paused_days: int = 0) -> int:
    """Art. 72(1): 3 % of the fine per day after the due day, never more than the fine itself; the days of a
    行政复议 or 行政诉讼 are not counted (Art. 73 ¶3). Rounded down to the fen, in the party's favour."""
    days_late = max(0, (on - due).days - paused_days)
    return min(fine_fen, fine_fen * percent_per_day * days_late // 100)


def remedy_days(state: CaseState, after: date, until: date) -> int:
    """Days after ``after`` up to ``until`` during which a 行政复议 or 行政诉讼 of the party was pending (from the
    day applied to the day decided), counted once where two overlap: 加处罚款的数额在行政复议或者行政诉讼期间
    不予计算 (行政处罚法第七十三条第三款)."""
    days: set[date] = set()
    for remedy in state.remedies:
        start = max(after + timedelta(days=1), date.fromisoformat(str(remedy["on"])[:10]))
        end = min(until, date.fromisoformat(str(remedy["decided_on"])[:10]) if remedy.get("decided_on") else until)
        days |= {start + timedelta(days=k) for k in range(max(0, (end - start).days + 1))}
    return len(days)


def remedy_pending(state: CaseState) -> dict[str, Any] | None:
    return next((r for r in reversed(state.remedies) if not r.get("outcome")), None)


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
    payment = deadline(state, ctx, "payment")
    if payment is None:
        return 0, max(0, state.amount_due_fen - state.paid_fen)
    rate = ctx.statute["late_payment_surcharge_percent_per_day"].value
    stop, paid = on, 0
    for made in state.payments:
        paid += int(made.get("amount_fen", 0))
        if paid >= state.amount_due_fen and made.get("on"):
            stop = min(on, date.fromisoformat(str(made["on"])[:10]))
            break
    surcharge = surcharge_fen(fine, payment.due, stop, rate, remedy_days(state, payment.due, stop))
    return surcharge, max(0, state.amount_due_fen + surcharge - state.paid_fen)


@dataclass(frozen=True)
class Payment(P.Payload):
    on: date | None = P.day("缴款日期", today=True)
    amount_fen: int = P.fen("缴款金额", required=True)
    channel: str = P.choice("缴款方式", PAYMENT_CHANNELS)
    receipt_no: str = P.text("缴款凭证号")
    # the receipt as a photo or scan: files registered as evidence of the case (records before had the number only)
    receipt_files: tuple[str, ...] = P.hashes("缴款凭证（照片或扫描件）")
    on_spot_ground: str = P.kept("")  # asked only for on-the-spot collection
    party_request: str = P.kept("")  # Art. 69: the party's own request, as they made it
    surcharge_fen: int = P.kept(0)
    settles: bool = P.kept(False)


def _fold_payment(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.payments.append(p)
    s.paid_fen += int(p.get("amount_fen", 0))


def _payment_open(state: CaseState, ctx: Context) -> list[Refusal]:
    """A payment is offered while something is still to pay: not after the amount decided (and any surcharge) is paid."""
    refusals = _payment_due(state, ctx)
    if refusals or ctx.replaying:
        return refusals
    if state.paid_fen > 0 and outstanding_fen(state, ctx, ctx.today)[1] <= 0:
        return [Refusal("paid_in_full", f"罚没款已缴清（已缴{format_yuan(state.paid_fen)}），无需再缴纳")]
    return []


@declare(ActionKind.RECORD_PAYMENT, "缴纳罚没款", stages=frozenset({Stage.EXECUTION, Stage.DECIDED}), roles=(Role.OFFICER,), handler_only=True,
         pre=_payment_open, payload=Payment, fold=_fold_payment)
def _v_payment(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Payment, raw, ctx)
    on = f.day_read("on")
    amount = f.out.get("amount_fen", 0)
    if amount <= 0:
        f.problem("amount_fen", "缴款金额应大于零")
    if f.out.get("channel") == "on_spot":
        _on_the_spot(f, state, ctx)
    registered = {str(e.get("sha256")) for e in state.evidence}
    if not ctx.replaying and any(sha not in registered for sha in f.out.get("receipt_files", ())):
        f.problem("receipt_files", "缴款凭证的照片或扫描件须先作为本案证据登记")
    if ctx.replaying:  # recorded elsewhere under the rules of its day: only the ground is read
        f.problems = [r for r in f.problems if r.rule != "collection_separated"]
    if on:
        surcharge, outstanding = outstanding_fen(state, ctx, on)
        if amount > outstanding:
            f.problem("amount_fen", f"缴款金额超过应缴金额（应缴{format_yuan(outstanding)}，含加处罚款{format_yuan(surcharge)}）")
        f.keep("surcharge_fen", surcharge)
        f.keep("settles", amount >= outstanding)
    return f.done()


COLLECTION_ARTICLE = "行政处罚法第六十七条"


def _on_the_spot(f: Form, state: CaseState, ctx: Context) -> None:
    """罚缴分离 (Art. 67): the agency collects no fine itself, except — Art. 68 — a decision made on the spot under
    Art. 51 that fines 一百元以下 (judged by the fine decided, not by the instalment) or could not be enforced
    afterwards; and — Art. 69 — in a remote, water-borne or ill-connected area, a decision under Art. 51 or Art. 57,
    when the party, for whom paying at a bank or electronically is truly difficult, asks for it."""
    ground = f.choice("on_spot_ground", "当场收缴情形", ON_SPOT_GROUNDS)
    on_the_spot = state.procedure == Procedure.SIMPLE  # decided under Art. 51
    if ground in ("small_fine", "hard_to_collect") and not on_the_spot:
        f.problems.append(Refusal("collection_separated", "依照行政处罚法第六十八条，只有依照第五十一条当场作出的行政处罚决定方可当场收缴罚款；"
                                  f"本案应由当事人到指定的银行或者通过电子支付系统缴纳（{COLLECTION_ARTICLE}：罚缴分离）",
                                  "行政处罚法第六十八条、第六十七条", "channel"))
    if ground == "small_fine" and on_the_spot:
        limit = ctx.statute["on_the_spot_collection_yuan"]
        fine = int((state.decision or {}).get("fine_fen", 0))
        if fine > limit.value * 100:
            f.problems.append(Refusal("collection_separated", f"依法给予{limit.value}元以下罚款的，方可当场收缴（行政处罚法{limit.article}）："
                                      f"本案罚款{format_yuan(fine)}，按罚款数额而非本次缴纳的数额判断", f"行政处罚法{limit.article}", "on_spot_ground"))
    if ground == "remote_area" and not f.text("party_request", "当事人提出当场缴纳的情况", required=False):
        f.problems.append(Refusal("collection_separated", "在边远、水上、交通不便地区当场收缴罚款，须经当事人提出：请写明当事人提出当场缴纳的情况"
                                  "（行政处罚法第六十九条）", "行政处罚法第六十九条", "party_request"))


def _enforceable(state: CaseState, ctx: Context) -> list[Refusal]:
    refusals = _payment_due(state, ctx)
    if refusals:
        return refusals
    pending = remedy_pending(state)
    if pending is not None:
        return [Refusal("remedy_pending", f"当事人已于{pending['on']}{REMEDY_KIND_ZH[pending['kind']]}，尚未审结：不停止执行，但不得申请人民法院"
                        f"强制执行（{ENFORCEMENT_WINDOW_ARTICLE}：当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行的，方可申请）",
                        ENFORCEMENT_WINDOW_ARTICLE)]
    payment = deadline(state, ctx, "payment")
    if payment is None or ctx.today <= payment.due:
        return [Refusal("payment_not_overdue", "缴款期限尚未届满，不能申请强制执行")]
    if payment.met_on is not None:
        return [Refusal("paid", "罚没款已缴清")]
    return []


@dataclass(frozen=True)
class Reminder(P.Numbered):
    """催告书 (行政强制法第三十五条、第五十四条): before the court is asked to enforce, the party is told in
    writing what to pay, by when and how, and that they may state their case."""

    on: date | None = P.day("催告日期", today=True)
    fine_fen: int = P.kept(0)  # the fine decided
    surcharge_fen: int = P.kept(0)  # 加处罚款 accrued by the day of the reminder (行政处罚法第七十二条第一款第（一）项)
    outstanding_fen: int = P.kept(0)  # what is still to pay, the surcharge included
    within_days: int = P.kept(0)  # 催告书送达十日后 (行政强制法第五十四条)
    payment_due: str = P.kept("")  # the payment deadline that passed


def _fold_reminder(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.documents_issued["reminder"] = {**p, "on": step.day.isoformat(), "event": step.hash}


@declare(ActionKind.ISSUE_REMINDER, "催告", stages=frozenset({Stage.EXECUTION}), roles=(Role.OFFICER,), handler_only=True,
         pre=_enforceable, payload=Reminder, fold=_fold_reminder, issues=lambda p: "reminder")
def _v_reminder(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Reminder, raw, ctx)
    on = f.day_read("on") or ctx.today
    if "reminder" in state.documents_issued:
        f.problem("on", "本案已制作催告书" + ("" if "reminder" in state.documents_served else "，尚待送达"))
    surcharge, outstanding = outstanding_fen(state, ctx, on)
    payment = deadline(state, ctx, "payment")
    f.keep("fine_fen", int((state.decision or {}).get("fine_fen", 0)))
    f.keep("surcharge_fen", surcharge)
    f.keep("outstanding_fen", outstanding)
    f.keep("within_days", ctx.statute["court_enforcement_after_reminder_days"].value)
    f.keep("payment_due", payment.due.isoformat() if payment else "")
    return f.done()


@dataclass(frozen=True)
class CourtEnforcement(P.Payload):
    on: date | None = P.day("申请日期", today=True)
    reminder_served_on: date | None = P.day("催告书送达日期")
    court: str = P.text("人民法院")


def _fold_court(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.court_enforcement = p


@declare(ActionKind.APPLY_COURT_ENFORCEMENT, "申请法院强制执行", stages=frozenset({Stage.EXECUTION}), roles=(Role.OFFICER,),
         handler_only=True, pre=_enforceable, payload=CourtEnforcement, fold=_fold_court)
def _v_court(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    """行政强制法第五十四条: 催告书送达十日后 (ten working days, 第六十九条) the party has still not paid; 第五十三条: the
    periods for 行政复议 and 行政诉讼 have ended without either, and three months have not passed since."""
    f = read(CourtEnforcement, {**raw, **_served_reminder(state)}, ctx)
    on = f.day_read("on") or ctx.today
    reminder = f.day_read("reminder_served_on")
    wait = ctx.statute["court_enforcement_after_reminder_days"]
    if "reminder" not in state.documents_served:
        f.problems.append(Refusal("reminder_required", f"申请人民法院强制执行前，应当催告当事人履行义务：须先制作并送达催告书（{wait.article}）",
                                  wait.article, "reminder_served_on"))
    elif reminder and not ctx.replaying and on <= ctx.calendar.add_working_days(reminder, wait.value):
        f.problems.append(Refusal("reminder_period", f"催告书送达{from_int(wait.value)}日（工作日，行政强制法第六十九条）后当事人仍未履行的，方可"
                                  f"申请人民法院强制执行（{wait.article}）：催告书于{reminder.isoformat()}送达，"
                                  f"{ctx.calendar.add_working_days(reminder, wait.value).isoformat()}后方可申请", wait.article, "on"))
    if not ctx.replaying:  # the windows of 第五十三条 judge what is asked here, not what another device recorded
        f.problems += _enforcement_window(state, ctx, on)
    return f.done()


ENFORCEMENT_WINDOW_ARTICLE = "行政强制法第五十三条"


def _enforcement_window(state: CaseState, ctx: Context, on: date) -> list[Refusal]:
    """行政强制法第五十三条: 当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行行政决定的，……可以自期限届满之日
    起三个月内……申请人民法院强制执行 — opened when the litigation period (six months from service) ends."""
    served = state.decision_served_on
    if served is None:
        return []
    opens, closes = enforcement_window(served, ctx, state)
    if on <= opens:
        return [Refusal("enforcement_window", f"申请行政复议、提起行政诉讼的期限至{opens.isoformat()}届满，届满后方可申请人民法院强制执行"
                        f"（{ENFORCEMENT_WINDOW_ARTICLE}）", ENFORCEMENT_WINDOW_ARTICLE, "on")]
    if on > closes:
        return [Refusal("enforcement_window", f"申请人民法院强制执行应自复议、诉讼期限届满之日起三个月内提出，已于{closes.isoformat()}届满"
                        f"（{ENFORCEMENT_WINDOW_ARTICLE}）", ENFORCEMENT_WINDOW_ARTICLE, "on")]
    return []


def enforcement_window(served: date, ctx: Context, state: CaseState | None = None) -> tuple[date, date]:
    """(the last day the party may still seek review, the last day to apply to the court). The periods run from
    service (行政复议法第二十条: 六十日; 行政诉讼法第四十六条: 六个月), after a 复议决定 the suit from its day
    (行政诉讼法第四十五条: 十五日); a period whose last day is a holiday ends on the next working day."""
    remedy_ends = remedy_periods(served, ctx)
    periods_end = max(remedy_ends.values())
    for remedy in (state.remedies if state is not None else ()):
        if remedy.get("decided_on"):
            decided = date.fromisoformat(str(remedy["decided_on"])[:10])
            after = decided + timedelta(days=ctx.statute["litigation_after_reconsideration_days"].value) \
                if remedy["kind"] == "reconsideration" else decided
            periods_end = max(periods_end, ctx.calendar.next_working_day(after))
    return periods_end, ctx.calendar.next_working_day(add_months(periods_end, ctx.statute["court_enforcement_window_months"].value))


def remedy_periods(served: date, ctx: Context) -> dict[str, date]:
    """The last day to apply for each remedy, from service, rolled to a working day."""
    statute = ctx.statute
    return {"reconsideration": ctx.calendar.next_working_day(served + timedelta(days=statute["reconsideration_days"].value)),
            "litigation": ctx.calendar.next_working_day(add_months(served, statute["litigation_months"].value))}


# --- 行政复议 and 行政诉讼 -----------------------------------------------------------------------------------

REMEDY_KINDS = tuple(REMEDY_KIND_ZH)
REMEDY_OUTCOMES = tuple(REMEDY_OUTCOME_ZH)


@dataclass(frozen=True)
class Remedy(P.Payload):
    """The party applied for 行政复议 (within sixty days of knowing the decision) or sued (within six months)."""

    kind: str = P.choice("救济途径", REMEDY_KINDS)
    on: date | None = P.day("申请（起诉）日期", today=True)
    body: str = P.text("复议机关或人民法院")
    reference: str = P.text("受理文号或案号", required=False)
    late_reason: str = P.kept("")  # an application after its period, admitted by the reviewing body: the reason given


def _fold_remedy(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.remedies.append({"kind": p.get("kind"), "on": step.day.isoformat(), "body": p.get("body", ""), "event": step.hash})


@declare(ActionKind.RECORD_REMEDY, "记录行政复议、行政诉讼", stages=frozenset({Stage.EXECUTION, Stage.DECIDED}), roles=(Role.OFFICER,),
         handler_only=True, payload=Remedy, fold=_fold_remedy)
def _v_remedy(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Within its period from the day the decision was served (行政复议法第二十条: 六十日; 行政诉讼法第四十六条: 六个月),
    one of each kind pending at a time. Execution does not stop (行政处罚法第七十三条第一款); the surcharge does."""
    f = read(Remedy, raw, ctx)
    on, kind = f.day_read("on"), f.out.get("kind")
    served = state.decision_served_on
    if served is None:
        f.problems.append(Refusal("decision_not_served", "处罚决定书尚未送达，当事人尚无从申请行政复议或者提起行政诉讼（行政处罚法第七十三条）",
                                  "行政处罚法第七十三条"))
    elif on and kind:
        statute = ctx.statute
        last = remedy_periods(served, ctx)[kind]
        article = statute["reconsideration_days" if kind == "reconsideration" else "litigation_months"].article
        if kind == "litigation" and (reviewed := [r for r in state.remedies if r["kind"] == "reconsideration" and r.get("decided_on")]):
            decided = date.fromisoformat(str(reviewed[-1]["decided_on"])[:10])  # 行政诉讼法第四十五条: fifteen days from the 复议决定
            last = ctx.calendar.next_working_day(decided + timedelta(days=statute["litigation_after_reconsideration_days"].value))
            article = statute["litigation_after_reconsideration_days"].article
        if on < served:
            f.problem("on", f"申请日期早于决定书送达日期（{served.isoformat()}）")
        elif on > last and not f.text("late_reason", "逾期申请的理由", required=False):
            # the reviewing body decides whether a late application is admitted (行政复议法第二十条第二款, 行政诉讼法第四十八条):
            # the agency records it with the reason given, never as if in time
            f.problems.append(Refusal("remedy_out_of_time", f"{REMEDY_KIND_ZH[kind]}的期限至{last.isoformat()}届满（{article}），"
                                      f"{on.isoformat()}已超过：复议机关或人民法院已受理的，请写明逾期申请的理由（正当理由）", article, "late_reason"))
    other = {"reconsideration": "litigation", "litigation": "reconsideration"}.get(str(kind))
    if other and any(r["kind"] == other and not r.get("outcome") for r in state.remedies):
        # 行政复议法第二十九条: 复议已受理的，复议期间不得起诉；诉讼已受理的，不得申请复议
        f.problems.append(Refusal("remedy_exclusive", f"当事人{REMEDY_KIND_ZH[other]}尚未审结，不能同时{REMEDY_KIND_ZH[str(kind)]}"
                                  "（行政复议法第二十九条）", "行政复议法第二十九条", "kind"))
    if kind and any(r["kind"] == kind and not r.get("outcome") for r in state.remedies):
        f.problem("kind", f"当事人{REMEDY_KIND_ZH[kind]}尚未审结，不能重复记录")
    return f.done()


@dataclass(frozen=True)
class RemedyOutcome(P.Payload):
    kind: str = P.choice("救济途径", REMEDY_KINDS)
    outcome: str = P.choice("结果", REMEDY_OUTCOMES)
    on: date | None = P.day("决定（判决）日期", today=True)
    reference: str = P.text("复议决定书或判决书文号")
    fine_fen: int = P.fen("变更后的罚款金额")  # for a decision changed
    remedy: str = P.kept("")  # the application this outcome ends


def _fold_remedy_outcome(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    for remedy in s.remedies:
        if remedy["event"] == p.get("remedy"):
            remedy.update({"outcome": p.get("outcome"), "decided_on": step.day.isoformat(), "reference": p.get("reference", "")})
    if p.get("outcome") == "revoked":  # the decision is gone: nothing is payable under it
        s.amount_due_fen = 0
    elif p.get("outcome") == "changed":
        s.amount_due_fen = int(p.get("fine_fen", 0)) + int((s.decision or {}).get("confiscation_fen", 0))
        if s.decision is not None:
            s.decision = {**s.decision, "fine_fen": int(p.get("fine_fen", 0)), "changed_by": step.hash}


def _remedy_pending(state: CaseState, ctx: Context) -> list[Refusal]:
    """An outcome ends an application still pending: none pending, none to record (every one recorded has its
    outcome, or none was made)."""
    if ctx.replaying or remedy_pending(state) is not None:
        return []
    if state.remedies:
        return [Refusal("no_remedy_pending", "本案记录的行政复议、行政诉讼均已记录结果")]
    return [Refusal("no_remedy_pending", "本案没有记录行政复议或者行政诉讼，无结果可记录")]


@declare(ActionKind.RECORD_REMEDY_OUTCOME, "记录复议决定、判决结果", stages=frozenset({Stage.EXECUTION, Stage.DECIDED}), roles=(Role.OFFICER,),
         handler_only=True, pre=_remedy_pending, payload=RemedyOutcome, fold=_fold_remedy_outcome)
def _v_remedy_outcome(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The 复议决定 or judgment: 维持, 变更 (with the fine as changed), 撤销 or 确认违法 (the decision stands)."""
    f = read(RemedyOutcome, raw, ctx)
    kind, on = f.out.get("kind"), f.day_read("on")
    pending = next((r for r in reversed(state.remedies) if r["kind"] == kind and not r.get("outcome")), None)
    if kind and pending is None:
        f.problem("kind", f"本案没有尚未审结的{REMEDY_KIND_ZH[kind]}")
    elif pending is not None:
        f.keep("remedy", pending["event"])
        if on and on < date.fromisoformat(pending["on"]):
            f.problem("on", f"决定（判决）日期早于申请日期（{pending['on']}）")
    if f.out.get("outcome") == "changed" and f.out.get("fine_fen", 0) <= 0:
        f.problem("fine_fen", "变更处罚决定的，须写明变更后的罚款金额")
    if f.out.get("outcome") != "changed" and f.out.get("fine_fen"):
        f.problem("fine_fen", "只有变更处罚决定时才写变更后的罚款金额")
    return f.done()


def _served_reminder(state: CaseState) -> dict[str, str]:
    """The day the 催告书 was served, as the record says (not as typed)."""
    served = state.documents_served.get("reminder")
    return {"reminder_served_on": str(served.get("on", ""))[:10]} if served else {}

