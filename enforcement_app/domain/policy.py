"""Agency policy: the locally variable thresholds and time limits, versioned with effective dates.

Defaults ship in ``resources/agency/policy.json``; an agency's own versions are stored in the database
and take precedence from their effective date. Statutory numbers (Art. 42, 51, 72, 36 …) are in
``resources/law/administrative_penalty_law.json`` and are read through :class:`Statute`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from ..resources import load_json
from .money import MAX_FEN, Fen, yuan
from .numbering import DocumentNumbering, parse_document_numbering, shipped_document_numbering
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
    # 减轻处罚 (below the statutory minimum, as Art. 30 or 32 allows) goes to the heads' collective discussion: the
    # law does not say so, published local rules mostly do (e.g. 市场监督管理行政处罚裁量权适用指导意见): policy, default on
    mitigation_collective_discussion: bool = True
    archive_no_pattern: str = r"\d{8}"  # 档号: year (4 digits) + closing serial (4 digits)
    document_numbers: DocumentNumbering = field(default_factory=shipped_document_numbering)  # 文号 prefixes per document
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def named(self) -> str:
        """The version as a person names it (its ``version`` is the program's key): 本机关政策（2021-07-15起施行）."""
        since = str(self.raw.get("effective_from") or "")
        return f"本机关政策（{since}起施行）" if since else "本机关政策"


MAX_DAYS = 3650  # no period, horizon or warning of the policy runs past ten years
MAX_COUNT = 99  # officers on the spot, heads at a discussion


def _mapping(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data[key]
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}.{key}: 应为 JSON 对象，实际为 {type(value).__name__}")
    return value


def _amount(data: Mapping[str, Any], key: str, where: str) -> Fen:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{where}.{key}: 金额应写成数字或字符串（元），实际为 {type(value).__name__}")
    try:
        fen = yuan(value)
    except ValueError as exc:
        raise ValueError(f"{where}.{key}: {exc}") from None
    if not 0 <= fen <= MAX_FEN:
        raise ValueError(f"{where}.{key}: 金额应在 0 至 {MAX_FEN // 100} 元之间，实际为 {value}")
    return fen


def _threshold(data: Mapping[str, Any], stem: str, where: str) -> AmountThreshold:
    try:
        return AmountThreshold(
            person=_amount(data, f"{stem}_person_yuan", where), organisation=_amount(data, f"{stem}_organisation_yuan", where)
        )
    except KeyError as exc:
        raise ValueError(f"{where}: 缺少字段 {exc.args[0]}") from exc


def _kinds(values: Any, where: str) -> frozenset[PenaltyKind]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{where}: 应为处罚种类的列表")
    try:
        return frozenset(PenaltyKind(v) for v in values)
    except ValueError as exc:
        raise ValueError(f"{where}: 未知的处罚种类 {exc}") from exc


def _whole(data: Mapping[str, Any], key: str, default: int, where: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``: an integer, or written as one (``"10"``, ``10.0``), as the
    versions recorded before these checks may hold it; never a flag, a fraction or anything else."""
    value = data.get(key, default)
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer() or isinstance(value, str) and value.strip().isdecimal() and value.strip().isascii() and len(value.strip()) <= 6:
        number = int(value)
    if number is None or not low <= number <= high:
        raise ValueError(f"{where}.{key}: 应为 {low} 至 {high} 之间的整数，实际为 {str(value)[:40]!r}")
    return number


def _flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = data.get(key, True)
    if not isinstance(value, bool | int) or value not in (0, 1):
        raise ValueError(f"{where}.{key}: 应为 true 或 false")
    return bool(value)


def _text(data: Mapping[str, Any], key: str, default: str, where: str) -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError(f"{where}.{key}: 应为文字")
    return value


def _period(data: Mapping[str, Any], key: str, where: str) -> Period:
    at = f"{where}.{key}"
    try:
        period = _mapping(data, key, where)
        _text(period, "source", "", at)
        return Period(_whole(period, "days", 0, at, 1, MAX_DAYS), _text(period, "day_type", "", at))
    except KeyError as exc:
        raise ValueError(f"{at}: 缺少字段 {exc.args[0]}") from exc


def _pattern(data: Mapping[str, Any], where: str) -> str:
    pattern = _text(data, "archive_no_pattern", r"\d{8}", where)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{where}.archive_no_pattern: 不是有效的正则表达式（{exc}）") from None
    return pattern


def parse_policy(data: Mapping[str, Any], where: str = "policy") -> AgencyPolicy:
    """Validate one policy version; errors (ValueError) name the field."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: 应为 JSON 对象")
    try:
        hearing = _mapping(data, "hearing", where)
        major = _mapping(data, "major_decision", where)
        version = data["version"]
        if isinstance(version, bool) or not isinstance(version, str | int) or not str(version).strip():
            raise ValueError(f"{where}.version: 版本应为非空文字")
        return AgencyPolicy(
            version=str(version),
            hearing=HearingRule(
                fine=_threshold(hearing, "fine", f"{where}.hearing"),
                confiscation=_threshold(hearing, "confiscation", f"{where}.hearing"),
                penalty_kinds=_kinds(hearing.get("penalty_kinds", []), f"{where}.hearing.penalty_kinds"),
                source=_text(hearing, "source", "", f"{where}.hearing"),
            ),
            major_decision=MajorDecisionCatalogue(
                fine=_threshold(major, "fine", f"{where}.major_decision"),
                penalty_kinds=_kinds(major.get("penalty_kinds", []), f"{where}.major_decision.penalty_kinds"),
                after_hearing=_flag(major, "after_hearing", f"{where}.major_decision"),
                benchmark_deviation=_flag(major, "benchmark_deviation", f"{where}.major_decision"),
                flagged_complex=_flag(major, "flagged_complex", f"{where}.major_decision"),
                transfer=_flag(major, "transfer", f"{where}.major_decision"),
                source=_text(major, "source", "", f"{where}.major_decision"),
            ),
            legal_review=_period(data, "legal_review", where),
            statement_window=_period(data, "statement_window", where),
            decision_extension=_period(data, "decision_extension", where),
            lead_check=_period(data, "lead_check", where),
            simple_procedure_min_officers=_whole(data, "simple_procedure_min_officers", 2, where, 1, MAX_COUNT),
            certificate_expiry_warning_days=_whole(data, "certificate_expiry_warning_days", 60, where, 0, MAX_DAYS),
            inbox_deadline_horizon_days=_whole(data, "inbox_deadline_horizon_days", 5, where, 0, MAX_DAYS),
            approval_answer_days=_whole(data, "approval_answer_days", 3, where, 0, MAX_DAYS),
            collective_discussion_min_heads=_whole(data, "collective_discussion_min_heads", 2, where, 1, MAX_COUNT),
            mitigation_collective_discussion=_flag(data, "mitigation_collective_discussion", where),
            archive_no_pattern=_pattern(data, where),
            document_numbers=parse_document_numbering(data.get("document_numbers"), where, shipped_document_numbering()),
            raw=dict(data),
        )
    except KeyError as exc:
        raise ValueError(f"{where}: 缺少字段 {exc.args[0]}") from exc


def parse_policy_versions(document: Mapping[str, Any], where: str = "policy") -> list[Versioned[AgencyPolicy]]:
    if not isinstance(document, Mapping) or document.get("format") != "agency-policy/1":
        raise ValueError(f"{where}: format 应为 agency-policy/1")
    items = document.get("versions", [])
    if not isinstance(items, list):
        raise ValueError(f"{where}.versions: 应为列表")
    versions = []
    for i, item in enumerate(items):
        at = f"{where}.versions[{i}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{at}: 应为 JSON 对象")
        start = parse_date(item.get("effective_from"), f"{at}.effective_from")
        if start is None:
            raise ValueError(f"{at}: 缺少 effective_from")
        end = parse_date(item.get("effective_to"), f"{at}.effective_to")
        if end is not None and end < start:
            raise ValueError(f"{at}.effective_to: 早于 effective_from")
        versions.append(
            Versioned(
                version=str(item.get("version", i)),
                effective_from=start,
                effective_to=end,
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
