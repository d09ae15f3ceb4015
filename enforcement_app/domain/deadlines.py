"""Deadlines as data (``resources/law/deadlines.json``) evaluated against a case's steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, Protocol

from ..resources import load_json
from .calendar import WorkCalendar, add_months
from .policy import AgencyPolicy, Period
from .versioning import Versioned, parse_date, version_in_force


@dataclass(frozen=True)
class StepMatch:
    kind: str
    where: Mapping[str, Any]

    def matches(self, kind: str, payload: Mapping[str, Any]) -> bool:
        return kind == self.kind and all(payload.get(k) == v for k, v in self.where.items())


@dataclass(frozen=True)
class DeadlineRule:
    id: str
    name: str
    basis: str
    start: tuple[StepMatch, ...]
    met_by: tuple[StepMatch, ...]
    owner: str  # "agency" or "party"
    procedure: str  # "general", "simple" or "any"
    days: int | None = None
    day_type: str | None = None
    policy: str | None = None  # name of an AgencyPolicy period used instead of days/day_type
    # the payload key holding the day the period runs from when it is not the step's own day (a lead is checked
    # from the day it was received, not the day it was keyed in)
    start_from: str = ""
    months: tuple[int, ...] = ()  # a period in months, added one after another (6 then 3: 行政强制法第五十三条)
    extended_by: StepMatch | None = None
    pauses_on_suspension: bool = False

    def period(self, policy: AgencyPolicy) -> Period:
        if self.policy:
            return getattr(policy, self.policy)
        return Period(int(self.days or 0), str(self.day_type))


def _match(data: Mapping[str, Any], where: str) -> StepMatch:
    if "kind" not in data:
        raise ValueError(f"{where}: 缺少 kind")
    return StepMatch(str(data["kind"]), dict(data.get("where", {})))


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def parse_rules(document: Mapping[str, Any], where: str = "deadlines") -> list[Versioned[tuple[DeadlineRule, ...]]]:
    versions = []
    for i, version in enumerate(document["versions"]):
        rules = []
        for j, item in enumerate(version["rules"]):
            at = f"{where}.versions[{i}].rules[{j}]"
            months = item.get("months") or []
            if not isinstance(months, list) or not all(isinstance(m, int) and not isinstance(m, bool) and 0 < m <= 120 for m in months):
                raise ValueError(f"{at}.months: 应为月数的列表")
            if not item.get("policy") and not months and (not item.get("days") or item.get("day_type") not in ("working", "calendar")):
                raise ValueError(f"{at}: 须给出 days 与 day_type（working/calendar）、months，或 policy")
            rules.append(
                DeadlineRule(
                    id=item["id"],
                    name=item["name"],
                    basis=item["basis"],
                    start=tuple(_match(m, f"{at}.start") for m in (item["start"] if isinstance(item["start"], list) else [item["start"]])),
                    met_by=tuple(_match(m, f"{at}.met_by") for m in item["met_by"]),
                    owner=item.get("owner", "agency"),
                    procedure=item.get("procedure", "general"),
                    days=item.get("days"),
                    day_type=item.get("day_type"),
                    policy=item.get("policy"),
                    start_from=str(item.get("start_from") or ""),
                    months=tuple(months),
                    extended_by=_match(item["extended_by"], f"{at}.extended_by") if item.get("extended_by") else None,
                    pauses_on_suspension=bool(item.get("pauses_on_suspension", False)),
                )
            )
        versions.append(
            Versioned(
                str(version["version"]),
                parse_date(version["effective_from"], f"{where}.effective_from"),  # type: ignore[arg-type]
                parse_date(version.get("effective_to"), f"{where}.effective_to"),
                tuple(rules),
            )
        )
    return versions


@cache
def _shipped_rules() -> tuple[Versioned[tuple[DeadlineRule, ...]], ...]:
    return tuple(parse_rules(load_json("law", "deadlines.json")))


def rules_on(day: date) -> tuple[DeadlineRule, ...]:
    return version_in_force(_shipped_rules(), day).value


class StepView(Protocol):
    """What deadline evaluation needs of a recorded step (a case's :class:`~.case.Step` has it)."""

    @property
    def kind(self) -> str: ...

    @property
    def day(self) -> date: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Deadline:
    rule: str
    name: str
    basis: str
    owner: str
    day_type: str
    days: int
    start: date
    due: date
    met_on: date | None
    extended_days: int
    paused_days: int
    provisional_years: tuple[int, ...]  # years whose holiday schedule is unknown

    def status(self, today: date) -> str:
        """``met``, ``late`` (met after the due day), ``open``, ``overdue`` (agency) or ``closed`` (party)."""
        if self.met_on is not None:
            return "met" if self.met_on <= self.due else "late"
        if today <= self.due:
            return "open"
        return "overdue" if self.owner == "agency" else "closed"

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def as_dict(self, today: date) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "basis": self.basis,
            "owner": self.owner,
            "day_type": self.day_type,
            "days": self.days,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "status": self.status(today),
            "days_left": self.days_left(today),
            "extended_days": self.extended_days,
            "paused_days": self.paused_days,
            "provisional": bool(self.provisional_years),
            "provisional_note": (
                f"{'、'.join(map(str, self.provisional_years))}年国务院节假日安排未载入，按法定节日和周一至周五计算工作日（调休未计）"
                if self.provisional_years
                else ""
            ),
        }


def _suspended_days(steps: Sequence[StepView], start: date, until: date) -> int:
    """Calendar days of suspension (中止) between ``start`` and ``until``."""
    total = 0
    opened: date | None = None
    for step in steps:
        if step.kind == "suspend_case" and opened is None:
            opened = step.day
        elif step.kind == "resume_case" and opened is not None:
            total += max(0, (min(step.day, until) - max(opened, start)).days)
            opened = None
    if opened is not None:
        total += max(0, (until - max(opened, start)).days)
    return total


def evaluate_deadlines(
    steps: Sequence[StepView],
    *,
    procedure: str,
    rules: Sequence[DeadlineRule],
    policy: AgencyPolicy,
    calendar: WorkCalendar,
    today: date,
) -> list[Deadline]:
    """Every deadline that has started for these steps (in recorded order), with its due day."""
    by_kind: dict[str, list[int]] = {}  # a long case has hundreds of steps and each rule names few kinds
    for i, step in enumerate(steps):
        by_kind.setdefault(step.kind, []).append(i)

    def positions(matches: Sequence[StepMatch], after: int = -1) -> list[int]:
        found = (i for m in matches for i in by_kind.get(m.kind, ()) if i > after and m.matches(steps[i].kind, steps[i].payload))
        return sorted(set(found))

    result = []
    for rule in rules:
        if rule.procedure not in ("any", procedure):
            continue
        starts = positions(rule.start)
        if not starts:
            continue
        start_index = starts[-1]
        start = (_day(steps[start_index].payload.get(rule.start_from)) if rule.start_from else None) or steps[start_index].day
        met_at = positions(rule.met_by, start_index)
        met = steps[met_at[0]].day if met_at else None
        if rule.months:
            due = start
            for months in rule.months:
                due = add_months(due, months)
            due = calendar.next_working_day(due)
            result.append(Deadline(rule=rule.id, name=rule.name, basis=rule.basis, owner=rule.owner, day_type="months",
                                   days=sum(rule.months), start=start, due=due, met_on=met, extended_days=0, paused_days=0,
                                   provisional_years=tuple(calendar.unknown_years_between(start, due))))
            continue
        period = rule.period(policy)
        extended = 0
        if rule.extended_by is not None:
            extended = sum(int(steps[i].payload.get("days", 0)) for i in positions((rule.extended_by,), start_index))
        paused = _suspended_days(steps, start, met or today) if rule.pauses_on_suspension else 0
        if period.day_type == "working":
            due = calendar.add_working_days(start, period.days + extended) + timedelta(days=paused)
        else:
            due = start + timedelta(days=period.days + extended + paused)
        # a period whose last day is a rest day or a statutory holiday ends on the next working day (the rule of
        # periods of 民事诉讼法第八十五条 and 行政诉讼法第五十一条, applied to every period here: the 90 days of
        # 行政处罚法第六十条 as much as the payment's fifteen)
        due = calendar.next_working_day(due)
        result.append(
            Deadline(
                rule=rule.id,
                name=rule.name,
                basis=rule.basis,
                owner=rule.owner,
                day_type=period.day_type,
                days=period.days,
                start=start,
                due=due,
                met_on=met,
                extended_days=extended,
                paused_days=paused,
                provisional_years=tuple(calendar.unknown_years_between(start, due)),
            )
        )
    return result
