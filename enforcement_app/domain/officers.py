"""Officers (users) with roles and enforcement certificates (行政执法证)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    LEGAL_REVIEWER = "legal_reviewer"
    AGENCY_HEAD = "agency_head"
    EVALUATOR = "evaluator"
    ADMIN = "admin"


ROLE_ZH = {
    Role.OFFICER: "执法人员",
    Role.LEGAL_REVIEWER: "法制审核人员",
    Role.AGENCY_HEAD: "行政机关负责人",
    Role.EVALUATOR: "案卷评查人员",
    Role.ADMIN: "系统管理员",
}


class CertificateStatus(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Certificate:
    certificate_no: str
    area: str
    valid_from: date
    valid_to: date
    status: CertificateStatus = CertificateStatus.VALID
    source_of_power: str = ""
    status_from: date | None = None  # the day a suspension or revocation took effect

    def __post_init__(self) -> None:
        if not self.certificate_no.strip():
            raise ValueError("执法证号不能为空")
        if self.valid_to < self.valid_from:
            raise ValueError("执法证有效期截止日早于起始日")

    def valid_on(self, day: date) -> bool:
        """Valid on ``day``: within its dates, and not yet suspended or revoked then (a revocation does not
        reach back: steps taken before it stay lawful)."""
        if not self.valid_from <= day <= self.valid_to:
            return False
        if self.status == CertificateStatus.VALID:
            return True
        return self.status_from is not None and day < self.status_from


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    login: str
    roles: frozenset[Role]
    unit: str = ""
    legal_qualification: bool = False
    certificates: tuple[Certificate, ...] = ()
    active: bool = True
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def has_role(self, role: Role) -> bool:
        return self.active and role in self.roles

    def certificate_on(self, day: date) -> Certificate | None:
        """The certificate valid on ``day`` (the one expiring last when several are)."""
        valid = [c for c in self.certificates if c.valid_on(day)]
        return max(valid, key=lambda c: c.valid_to) if valid else None
