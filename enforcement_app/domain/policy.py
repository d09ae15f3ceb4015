"""Agency policy: the locally variable thresholds and time limits, versioned with effective dates.

Defaults ship in ``resources/agency/policy.json``; an agency's own versions are stored in the database
and take precedence from their effective date. Statutory numbers (Art. 42, 51, 72, 36 …) are in
``resources/law/administrative_penalty_law.json`` and are read through :class:`Statute`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from ..resources import load_json
from .money import Fen, yuan
from .penalties import PartyKind, PenaltyKind
from .versioning import Versioned, parse_date, version_in_force


@dataclass(frozen=True)
class Period:
    days: int
    day_type: str  # "working" or "calendar"

    def __post_init__(self) -> None:
        if self.day_type not in ("working", "calendar"):
            raise ValueError(f"day_type 应为 working 或 calendar，实际为 {self.day_type!r}")
        if self.days <= 0:
            raise ValueError(f"期限天数必须为正数，实际为 {self.days}")


@dataclass(frozen=True)
class AmountThreshold:
    """``≥`` thresholds in fen, by party kind."""

    person: Fen
    organisation: Fen

    def for_party(self, kind: PartyKind) -> Fen:
        return self.person if kind == PartyKind.PERSON else self.organisation


@dataclass(frozen=True)
class HearingRule:
    fine: AmountThreshold
    confiscation: AmountThreshold
    penalty_kinds: frozenset[PenaltyKind]
    source: str = ""


@dataclass(frozen=True)
class MajorDecisionCatalogue:
    fine: AmountThreshold
    penalty_kinds: frozenset[PenaltyKind]
    after_hearing: bool
    benchmark_deviation: bool
    flagged_complex: bool
    transfer: bool
    source: str = ""


@dataclass(frozen=True)
class AgencyPolicy:
    version: str
    hearing: HearingRule
    major_decision: MajorDecisionCatalogue
    legal_review: Period
    statement_window: Period
    decision_extension: Period
    lead_check: Period
    simple_procedure_min_officers: int
    certificate_expiry_warning_days: int
    inbox_deadline_horizon_days: int = 5  # an officer's inbox lists their deadlines due within this many days
    approval_answer_days: int = 3  # the due date an approval request shows in a head's inbox
    collective_discussion_min_heads: int = 2  # Art. 57¶2 asks the heads to discuss; how many must sit is practice
    archive_no_pattern: str = r"\d{8}"  # 档号: year (4 digits) + closing serial (4 digits)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _threshold(data: Mapping[str, Any], stem: str, where: str) -> AmountThreshold:
    try:
        return AmountThreshold(
            person=yuan(data[f"{stem}_person_yuan"]), organisation=yuan(data[f"{stem}_organisation_yuan"])
        )
    except KeyError as exc:
        raise ValueError(f"{where}: 缺少字段 {exc.args[0]}") from exc


def _kinds(values: Any, where: str) -> frozenset[PenaltyKind]:
    try:
        return frozenset(PenaltyKind(v) for v in values)
    except ValueError as exc:
        raise ValueError(f"{where}: 未知的处罚种类 {exc}") from exc


def _period(data: Mapping[str, Any], where: str) -> Period:
    try:
        return Period(int(data["days"]), str(data["day_type"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: 期限设置无效（{exc}）") from exc


def parse_policy(data: Mapping[str, Any], where: str = "policy") -> AgencyPolicy:
    """Validate one policy version; errors name the field."""
    try:
        hearing = data["hearing"]
        major = data["major_decision"]
        return AgencyPolicy(
            version=str(data["version"]),
            hearing=HearingRule(
                fine=_threshold(hearing, "fine", f"{where}.hearing"),
                confiscation=_threshold(hearing, "confiscation", f"{where}.hearing"),
                penalty_kinds=_kinds(hearing.get("penalty_kinds", []), f"{where}.hearing.penalty_kinds"),
                source=str(hearing.get("source", "")),
            ),
            major_decision=MajorDecisionCatalogue(
                fine=_threshold(major, "fine", f"{where}.major_decision"),
                penalty_kinds=_kinds(major.get("penalty_kinds", []), f"{where}.major_decision.penalty_kinds"),
                after_hearing=bool(major.get("after_hearing", True)),
                benchmark_deviation=bool(major.get("benchmark_deviation", True)),
                flagged_complex=bool(major.get("flagged_complex", True)),
                transfer=bool(major.get("transfer", True)),
                source=str(major.get("source", "")),
            ),
            legal_review=_period(data["legal_review"], f"{where}.legal_review"),
            statement_window=_period(data["statement_window"], f"{where}.statement_window"),
            decision_extension=_period(data["decision_extension"], f"{where}.decision_extension"),
            lead_check=_period(data["lead_check"], f"{where}.lead_check"),
            simple_procedure_min_officers=int(data.get("simple_procedure_min_officers", 2)),
            certificate_expiry_warning_days=int(data.get("certificate_expiry_warning_days", 60)),
            inbox_deadline_horizon_days=int(data.get("inbox_deadline_horizon_days", 5)),
            approval_answer_days=int(data.get("approval_answer_days", 3)),
            collective_discussion_min_heads=int(data.get("collective_discussion_min_heads", 2)),
            archive_no_pattern=str(data.get("archive_no_pattern", r"\d{8}")),
            raw=dict(data),
        )
    except KeyError as exc:
        raise ValueError(f"{where}: 缺少字段 {exc.args[0]}") from exc


def parse_policy_versions(document: Mapping[str, Any], where: str = "policy") -> list[Versioned[AgencyPolicy]]:
    if document.get("format") != "agency-policy/1":
        raise ValueError(f"{where}: format 应为 agency-policy/1")
    versions = []
    for i, item in enumerate(document.get("versions", [])):
        at = f"{where}.versions[{i}]"
        start = parse_date(item.get("effective_from"), f"{at}.effective_from")
        if start is None:
            raise ValueError(f"{at}: 缺少 effective_from")
        versions.append(
            Versioned(
                version=str(item.get("version", i)),
                effective_from=start,
                effective_to=parse_date(item.get("effective_to"), f"{at}.effective_to"),
                value=parse_policy(item, at),
            )
        )
    if not versions:
        raise ValueError(f"{where}: 没有任何版本")
    return versions


@cache
def _shipped_policy_versions() -> tuple[Versioned[AgencyPolicy], ...]:
    return tuple(parse_policy_versions(load_json("agency", "policy.json"), "resources/agency/policy.json"))


def default_policy_versions() -> list[Versioned[AgencyPolicy]]:
    return list(_shipped_policy_versions())


def policy_on(day: date, versions: list[Versioned[AgencyPolicy]] | None = None) -> AgencyPolicy:
    return version_in_force(versions or default_policy_versions(), day).value


@dataclass(frozen=True)
class StatuteValue:
    value: int
    article: str


@cache
def _statute_versions() -> tuple[Versioned[Mapping[str, Any]], ...]:
    document = load_json("law", "administrative_penalty_law.json")
    return tuple(
        Versioned(
            str(v["version"]),
            parse_date(v["effective_from"], "effective_from"),  # type: ignore[arg-type]
            parse_date(v.get("effective_to"), "effective_to"),
            v,
        )
        for v in document["versions"]
    )


class Statute:
    """Numbers of the Administrative Penalty Law in force on a date, each with its article."""

    def __init__(self, day: date):
        self._data = version_in_force(_statute_versions(), day).value
        self.law = load_json("law", "administrative_penalty_law.json")["law"]

    def __getitem__(self, key: str) -> StatuteValue:
        item = self._data[key]
        return StatuteValue(int(item["value"]), str(item["article"]))

    def simple_procedure_limit(self, kind: PartyKind) -> StatuteValue:
        key = "person" if kind == PartyKind.PERSON else "organisation"
        return self[f"simple_procedure_fine_{key}_yuan"]
