"""PRC working-day arithmetic (Art. 85: the 2/3/5/7-day periods of the law are working days).

A year's official schedule lists statutory holidays (with bridging days off) and make-up working days
(调休上班, often a Saturday or Sunday). For a year the calendar does not know, the statutory holidays are
computed from the 全国年节及纪念日放假办法 in force that year (:func:`statutory_holidays`: the lunar festivals
and 清明 from the lunar calendar), so that 2027-01-01 is never a working day; the bridging days and make-up
working days stay unknown, weekdays otherwise count as working days, and the calendar says so through
:meth:`WorkCalendar.unknown_years_between`: the result is provisional until an administrator loads that
year's official schedule (the State Council's notice).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from ..resources import load_json
from .refusals import InvalidInput

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""

    def __post_init__(self) -> None:
        wrong = [d for d in self.holidays | self.workdays if d.year != self.year]
        if wrong:
            raise ValueError(f"{self.year}年安排中出现其他年份的日期：{wrong[0].isoformat()}")
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"{min(both).isoformat()} 同时被列为节假日和调休工作日")


FIRST_YEAR, LAST_YEAR = 1949, 2200  # the years a schedule can be for


def parse_year_schedule(year: int | str, data: Mapping[str, Any], source: str = "") -> YearSchedule:
    """Validate one year's schedule: ``{"holidays": [...], "workdays": [...]}`` with ISO dates. Anything
    else is refused with :class:`InvalidInput` naming the field (``year``, ``holidays``, ``workdays``)."""
    y: int | None = None
    if isinstance(year, int) and not isinstance(year, bool):
        y = year
    elif isinstance(year, str) and year.strip().isdecimal() and year.strip().isascii() and len(year.strip()) == 4:
        y = int(year)
    if y is None or not FIRST_YEAR <= y <= LAST_YEAR:
        raise InvalidInput.at("year", f"年份应为 {FIRST_YEAR}–{LAST_YEAR} 之间的整数，实际为 {str(year)[:20]!r}")
    if not isinstance(data, Mapping):
        raise InvalidInput.at("holidays", f"{y}年的安排应为 JSON 对象")
    days: dict[str, frozenset[date]] = {}
    for key in ("holidays", "workdays"):
        values = data.get(key)
        if not isinstance(values, list):
            raise InvalidInput.at(key, f"{y}年：{key} 应为日期列表")
        bad = [v for v in values if not isinstance(v, str) or not _ISO_DAY.fullmatch(v)]
        try:
            if bad:
                raise ValueError(str(bad[0])[:20])
            days[key] = frozenset(date.fromisoformat(v) for v in values)
        except ValueError as exc:
            raise InvalidInput.at(key, f"{y}年 {key}：日期格式应为 YYYY-MM-DD（{exc}）") from None
    try:
        return YearSchedule(y, days["holidays"], days["workdays"], source)
    except ValueError as exc:
        raise InvalidInput.at("holidays", str(exc)) from None


@cache
def shipped_schedules() -> tuple[YearSchedule, ...]:
    document = load_json("calendars", "prc_holidays.json")
    return tuple(parse_year_schedule(y, data, document.get("source", "")) for y, data in document["years"].items())


@dataclass(frozen=True)
class HolidayRule:
    """One revision of the 全国年节及纪念日放假办法, in force from ``from_year`` (``resources/calendars/holiday_rules.json``)."""

    from_year: int
    new_year_days: int
    spring_festival_days: int
    spring_festival_from_eve: bool
    labour_day_days: int
    national_day_days: int
    source: str = ""


@cache
def holiday_rules() -> tuple[HolidayRule, ...]:
    document = load_json("calendars", "holiday_rules.json")
    where = "resources/calendars/holiday_rules.json"
    if not isinstance(document, Mapping) or document.get("format") != "holiday-rules/1":
        raise ValueError(f"{where}: format 应为 holiday-rules/1")
    rules = []
    for i, item in enumerate(document.get("revisions") or []):
        try:
            rule = HolidayRule(**item)
        except TypeError as exc:
            raise ValueError(f"{where}.revisions[{i}]: {exc}") from None
        days = (rule.new_year_days, rule.spring_festival_days, rule.labour_day_days, rule.national_day_days)
        if not all(isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 10 for d in days) or \
                not isinstance(rule.spring_festival_from_eve, bool) or not FIRST_YEAR <= rule.from_year <= LAST_YEAR:
            raise ValueError(f"{where}.revisions[{i}]: 天数应为 1–10 的整数，from_year 应为年份")
        rules.append(rule)
    if not rules or [r.from_year for r in rules] != sorted({r.from_year for r in rules}):
        raise ValueError(f"{where}: 至少一个版本，from_year 递增且不重复")
    return tuple(rules)


@cache
def statutory_holidays(year: int) -> frozenset[date]:
    """The statutory holidays of ``year`` as the 放假办法 then in force fixes them (the festivals themselves, not
    the bridging days an annual notice adds); empty before the first revision in ``holiday_rules.json``."""
    rule = next((r for r in reversed(holiday_rules()) if year >= r.from_year), None)
    if rule is None or year > LAST_YEAR:
        return frozenset()
    from lunar_python import Lunar  # the lunar calendar: 春节、端午、中秋, and the solar term 清明

    def solar(lunar_month: int, lunar_day: int) -> date:
        s = Lunar.fromYmd(year, lunar_month, lunar_day).getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    festival = solar(1, 1)
    first = festival - timedelta(days=1) if rule.spring_festival_from_eve else festival
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    days = {date(year, 1, 1) + timedelta(days=i) for i in range(rule.new_year_days)}
    days |= {first + timedelta(days=i) for i in range(rule.spring_festival_days)}
    days.add(date(qingming.getYear(), qingming.getMonth(), qingming.getDay()))
    days |= {date(year, 5, 1) + timedelta(days=i) for i in range(rule.labour_day_days)}
    days |= {solar(5, 5), solar(8, 15)}
    days |= {date(year, 10, 1) + timedelta(days=i) for i in range(rule.national_day_days)}
    return frozenset(d for d in days if d.year == year)  # a 除夕 in the year before stays with that year


def add_months(start: date, months: int) -> date:
    """The last day of a period of ``months`` months from ``start`` (民法典第二百零二条: 到期月的对应日为期间的最后一日；
    没有对应日的，月末日为期间的最后一日)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    for day in range(start.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(start.day, 28))


class WorkCalendar:
    def __init__(self, schedules: Iterable[YearSchedule] = ()):
        self._years: dict[int, YearSchedule] = {s.year: s for s in schedules}
        # the calendar never changes once made, and the same periods start on the same days across
        # cases: every deadline of every case rebuilt asks this
        self._added: dict[tuple[date, int], date] = {}

    @classmethod
    def default(cls, extra: Iterable[YearSchedule] = ()) -> WorkCalendar:
        """The shipped schedules, overridden year by year by ``extra`` (an administrator's imports)."""
        return cls([*shipped_schedules(), *extra])

    def knows(self, year: int) -> bool:
        return year in self._years

    @property
    def known_years(self) -> list[int]:
        return sorted(self._years)

    def is_working_day(self, day: date) -> bool:
        schedule = self._years.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            if day in schedule.holidays:
                return False
            return day.weekday() < 5
        return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start``; the start day itself is not counted."""
        if days < 0:
            raise ValueError("天数不能为负")
        found = self._added.get((start, days))
        if found is not None:
            return found
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        self._added[(start, days)] = current
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if ``end <= start``)."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def add_calendar_days(self, start: date, days: int) -> date:
        """``start + days``, a last day that is not a working day moved to the next working day (期间届满的最后
        一日是法定休假日的，以法定休假日后的第一日为期间届满的日期)."""
        return self.next_working_day(start + timedelta(days=days))

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def unknown_years_between(self, start: date, end: date) -> list[int]:
        return [y for y in range(min(start, end).year, max(start, end).year + 1) if y not in self._years]
