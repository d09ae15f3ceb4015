"""Penalty kinds of Art. 9 of the Administrative Penalty Law, with the glossary's identifiers."""

from __future__ import annotations

from enum import StrEnum


class PenaltyKind(StrEnum):
    WARNING = "warning"
    PUBLIC_CRITICISM = "public_criticism"
    FINE = "fine"
    CONFISCATE_ILLEGAL_INCOME = "confiscate_illegal_income"
    CONFISCATE_ILLEGAL_PROPERTY = "confiscate_illegal_property"
    SUSPEND_PERMIT = "suspend_permit"
    LOWER_QUALIFICATION = "lower_qualification"
    REVOKE_PERMIT = "revoke_permit"
    RESTRICT_BUSINESS = "restrict_business"
    ORDER_SUSPENSION = "order_suspension"
    ORDER_CLOSURE = "order_closure"
    RESTRICT_EMPLOYMENT = "restrict_employment"
    DETENTION = "detention"


PENALTY_KIND_ZH: dict[PenaltyKind, str] = {
    PenaltyKind.WARNING: "警告",
    PenaltyKind.PUBLIC_CRITICISM: "通报批评",
    PenaltyKind.FINE: "罚款",
    PenaltyKind.CONFISCATE_ILLEGAL_INCOME: "没收违法所得",
    PenaltyKind.CONFISCATE_ILLEGAL_PROPERTY: "没收非法财物",
    PenaltyKind.SUSPEND_PERMIT: "暂扣许可证件",
    PenaltyKind.LOWER_QUALIFICATION: "降低资质等级",
    PenaltyKind.REVOKE_PERMIT: "吊销许可证件",
    PenaltyKind.RESTRICT_BUSINESS: "限制开展生产经营活动",
    PenaltyKind.ORDER_SUSPENSION: "责令停产停业",
    PenaltyKind.ORDER_CLOSURE: "责令关闭",
    PenaltyKind.RESTRICT_EMPLOYMENT: "限制从业",
    PenaltyKind.DETENTION: "行政拘留",
}

# Heaviness order used by Art. 45 (no heavier penalty after defence): a kind never seen in the notice
# that ranks above every notified kind makes the decision heavier.
SEVERITY: dict[PenaltyKind, int] = {
    PenaltyKind.WARNING: 1,
    PenaltyKind.PUBLIC_CRITICISM: 2,
    PenaltyKind.FINE: 3,
    PenaltyKind.CONFISCATE_ILLEGAL_INCOME: 3,
    PenaltyKind.CONFISCATE_ILLEGAL_PROPERTY: 3,
    PenaltyKind.SUSPEND_PERMIT: 4,
    PenaltyKind.RESTRICT_BUSINESS: 4,
    PenaltyKind.LOWER_QUALIFICATION: 5,
    PenaltyKind.RESTRICT_EMPLOYMENT: 5,
    PenaltyKind.ORDER_SUSPENSION: 6,
    PenaltyKind.REVOKE_PERMIT: 7,
    PenaltyKind.ORDER_CLOSURE: 7,
    PenaltyKind.DETENTION: 8,
}


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
