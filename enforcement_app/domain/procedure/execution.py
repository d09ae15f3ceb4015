"""Execution (执行): payment within the period, with the late-payment surcharge (Art. 67, 72), and the
application to the people's court (行政强制法 Art. 53–54)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..case import CaseState, Procedure, Stage, Step
from ..discretion.numerals import from_int
from ..forms import Form
from ..labels import ON_SPOT_GROUND_ZH, PAYMENT_CHANNEL_ZH
from ..money import format_yuan
from ..officers import Role
from ..refusals import Refusal
from . import payload as P
from .engine import ActionKind, Context, deadline, declare, read

PAYMENT_CHANNELS = tuple(PAYMENT_CHANNEL_ZH)
ON_SPOT_GROUNDS = tuple(ON_SPOT_GROUND_ZH)  # 行政处罚法第六十八条 (二 grounds), 第六十九条


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
    surcharge = surcharge_fen(fine, payment.due, stop, rate)
    return surcharge, max(0, state.amount_due_fen + surcharge - state.paid_fen)


@dataclass(frozen=True)
class Payment(P.Payload):
    on: date | None = P.day("缴款日期", today=True)
    amount_fen: int = P.fen("缴款金额", required=True)
    channel: str = P.choice("缴款方式", PAYMENT_CHANNELS)
    receipt_no: str = P.text("缴款凭证号")
    on_spot_ground: str = P.kept("")  # asked only for on-the-spot collection
    party_request: str = P.kept("")  # Art. 69: the party's own request, as they made it
    surcharge_fen: int = P.kept(0)
    settles: bool = P.kept(False)


def _fold_payment(s: CaseState, step: Step, p: Mapping[str, Any]) -> None:
    s.payments.append(p)
    s.paid_fen += int(p.get("amount_fen", 0))


@declare(ActionKind.RECORD_PAYMENT, "缴纳罚没款", stages=frozenset({Stage.EXECUTION, Stage.DECIDED}), roles=(Role.OFFICER,), handler_only=True,
         pre=_payment_due, payload=Payment, fold=_fold_payment)
def _v_payment(state: CaseState, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
    f = read(Payment, raw, ctx)
    on = f.day_read("on")
    amount = f.out.get("amount_fen", 0)
    if amount <= 0:
        f.problem("amount_fen", "缴款金额应大于零")
    if f.out.get("channel") == "on_spot":
        _on_the_spot(f, state, ctx)
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
    f = read(CourtEnforcement, {**raw, **_served_reminder(state)}, ctx)
    on = f.day_read("on")
    reminder = f.day_read("reminder_served_on")
    wait = ctx.statute["court_enforcement_after_reminder_days"]
    if "reminder" not in state.documents_served:
        f.problem("reminder_served_on", f"申请人民法院强制执行前，应当催告当事人履行义务：须先制作并送达催告书（{wait.article}）")
    if on and reminder and (on - reminder).days < wait.value:
        f.problem("on", f"催告书送达{from_int(wait.value)}日后当事人仍未履行的，方可申请人民法院强制执行（{wait.article}）")
    return f.done()


def _served_reminder(state: CaseState) -> dict[str, str]:
    """The day the 催告书 was served, as the record says (not as typed)."""
    served = state.documents_served.get("reminder")
    return {"reminder_served_on": str(served.get("on", ""))[:10]} if served else {}

