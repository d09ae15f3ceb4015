"""Officers (users) with roles and enforcement certificates (行政执法证), and the checks of the forms that
register and change them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from .forms import Form
from .refusals import InvalidInput, Refusal


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


# --- the forms that register and change officers ---------------------------------------------------------


def _certificate(data: Any, status: Any) -> Certificate:
    """Raises KeyError or ValueError when a field is missing or invalid."""
    if not isinstance(data, Mapping):
        raise ValueError(f"应为 JSON 对象，实际为 {type(data).__name__}")
    texts = {}
    for key in ("certificate_no", "area", "source_of_power", "valid_from", "valid_to"):
        if key in ("certificate_no", "valid_from", "valid_to") and key not in data:
            raise KeyError(key)
        value = data.get(key, "")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"{key} 应为文字")
        texts[key] = str(value)
    return Certificate(texts["certificate_no"].strip(), texts["area"], date.fromisoformat(texts["valid_from"]),
                       date.fromisoformat(texts["valid_to"]), CertificateStatus(str(status)), texts["source_of_power"])


def _roles(values: Any) -> list[Role]:
    if not isinstance(values, list | tuple | frozenset | set) or not all(isinstance(r, str) for r in values):
        raise InvalidInput.at("roles", f"角色应为角色名称的列表（{'、'.join(r.value for r in Role)}）")
    try:
        return sorted({Role(r) for r in values})
    except ValueError as exc:
        raise InvalidInput.at("roles", f"未知角色：{exc}") from None


def certificate_record(c: Certificate) -> dict[str, Any]:
    """A certificate as events carry it."""
    return {**c.__dict__, "valid_from": c.valid_from.isoformat(), "valid_to": c.valid_to.isoformat(), "status": c.status.value,
            "status_from": c.status_from.isoformat() if c.status_from else ""}


def build_officer(officer_id: str, data: Mapping[str, Any], *, login_taken: Callable[[str], bool],
                  more: Iterable[Refusal] = ()) -> Officer:
    """The officer a registration form describes (name, login, unit, roles, legal qualification,
    certificates). Every problem is collected, followed by ``more`` (those found outside the domain, such as
    a password too short), and raised together as :class:`InvalidInput`, so the form can mark each field
    at once."""
    if not isinstance(data, Mapping):
        raise InvalidInput.at("name", "人员信息应为 JSON 对象")
    form = Form(data)
    name = form.text("name", "姓名", required=False, max_len=100)
    login = form.text("login", "登录名", required=False, max_len=64)
    unit = form.text("unit", "所属单位", required=False, max_len=200)
    legal_qualification = form.flag("legal_qualification")
    problems = form.problems
    if not name and not any(r.field == "name" for r in problems):
        problems.append(Refusal("invalid_input", "姓名不能为空", field="name"))
    login_refused = any(r.field == "login" for r in problems)
    if not login_refused and (not login or " " in login):
        problems.append(Refusal("invalid_input", "登录名不能为空且不能含空格", field="login"))
    elif not login_refused and login_taken(login):
        problems.append(Refusal("invalid_input", f"登录名已存在：{login}", field="login"))
    try:
        roles = _roles(data.get("roles", []))
    except InvalidInput as exc:
        problems.extend(exc.refusals)
        roles = None
    if roles == []:
        problems.append(Refusal("invalid_input", "至少需要一个角色", field="roles"))
    certificates = []
    given = data.get("certificates") or []
    if not isinstance(given, list):
        problems.append(Refusal("invalid_input", "执法证应为列表", field="certificates"))
        given = []
    for c in given:
        try:
            certificates.append(_certificate(c, c.get("status", "valid") if isinstance(c, Mapping) else ""))
        except (KeyError, ValueError) as exc:
            problems.append(Refusal("invalid_input", f"执法证信息无效：{exc}", field="certificates"))
    problems.extend(more)
    if problems:
        raise InvalidInput(problems)
    return Officer(id=officer_id, name=name, login=login, unit=unit, roles=frozenset(roles or ()),
                   legal_qualification=legal_qualification, certificates=tuple(certificates))


def officer_record(officer: Officer) -> dict[str, Any]:
    """A new officer as the ``register_officer`` event carries it."""
    return {
        "id": officer.id,
        "name": officer.name,
        "login": officer.login,
        "unit": officer.unit,
        "roles": [r.value for r in sorted(officer.roles)],
        "legal_qualification": officer.legal_qualification,
        "certificates": [certificate_record(c) for c in officer.certificates],
    }


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def officer_update(officer: Officer, changes: Mapping[str, Any], *, by: str, today: date,
                   certificate_registered: Callable[[str], bool]) -> dict[str, Any]:
    """The ``update_officer`` record of a change form: roles, legal qualification, the active flag, a new
    certificate, or a certificate's new status (on ``changes["certificate_status"]["on"]``, else
    ``today``). ``by``: the officer making the change (nobody may deactivate themselves). Every problem
    is raised together as :class:`InvalidInput`; an unknown role is refused on its own."""
    record: dict[str, Any] = {"id": officer.id}
    problems: list[Refusal] = []
    if "roles" in changes:
        roles = _roles(changes["roles"])
        if not roles:
            problems.append(Refusal("invalid_input", "至少需要一个角色", field="roles"))
        record["roles"] = [r.value for r in roles]
    for key in ("legal_qualification", "active"):
        if key in changes:
            record[key] = bool(changes[key])
    if officer.id == by and record.get("active") is False:
        problems.append(Refusal("invalid_input", "不能停用自己的账户", field="active"))
    add = changes.get("add_certificate")
    if add:
        try:
            cert = _certificate(add, CertificateStatus.VALID)
        except (KeyError, ValueError) as exc:
            problems.append(Refusal("invalid_input", f"执法证信息无效：{exc}", field="certificate_no"))
        else:
            if certificate_registered(cert.certificate_no):
                problems.append(Refusal("invalid_input", f"执法证号已登记：{cert.certificate_no}", field="certificate_no"))
            record["add_certificate"] = certificate_record(cert)
    status = changes.get("certificate_status")
    if status and not isinstance(status, Mapping):
        problems.append(Refusal("invalid_input", "执法证状态的变更应为 JSON 对象", field="certificate_status"))
    elif status:
        no, value = str(status.get("certificate_no", "")), str(status.get("status", ""))
        on = _day(status.get("on")) or today
        if value not in {s.value for s in CertificateStatus} or not any(c.certificate_no == no for c in officer.certificates):
            problems.append(Refusal("invalid_input", f"该人员没有执法证 {no}，或状态 {value} 无效", field="certificate_status"))
        record["certificate_status"] = {"certificate_no": no, "status": value, "on": on.isoformat()}
    if len(record) == 1 and not problems:
        problems.append(Refusal("invalid_input", "没有要变更的内容"))
    if problems:
        raise InvalidInput(problems)
    return record
