"""Working-day arithmetic across real PRC holidays (Art. 85) and the unknown-year fallback."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from enforcement_app.domain.calendar import WorkCalendar, parse_year_schedule

CAL = WorkCalendar.default()


def test_2025_national_day_week_and_its_make_up_days():
    assert CAL.is_working_day(date(2025, 9, 28))  # Sunday, make-up working day
    assert CAL.is_working_day(date(2025, 10, 11))  # Saturday, make-up working day
    assert not any(CAL.is_working_day(date(2025, 10, d)) for d in range(1, 9))
    # five working days from Friday 26 Sep: 28, 29, 30 Sep, 9, 10 Oct
    assert CAL.add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    # seven working days from 30 Sep: 9, 10, 11(Sat, make-up), 13, 14, 15, 16 Oct
    assert CAL.add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 16)


def test_2025_spring_festival():
    # 28 Jan – 4 Feb 2025 off; Sunday 26 Jan and Saturday 8 Feb are working days
    assert CAL.add_working_days(date(2025, 1, 24), 2) == date(2025, 1, 27)
    assert CAL.add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert CAL.is_working_day(date(2025, 2, 8))


def test_every_calendar_period_ends_on_a_working_day():
    """期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期: 15 days from 16 Sep 2025 is 1 Oct
    (National Day week, off until 8 Oct): the period ends on 9 Oct."""
    assert CAL.add_calendar_days(date(2025, 9, 16), 15) == date(2025, 10, 9)
    assert CAL.add_calendar_days(date(2025, 9, 16), 14) == date(2025, 9, 30)  # a working day stays


def test_a_year_without_its_schedule_keeps_its_statutory_holidays_and_says_it_is_provisional():
    """全国年节及纪念日放假办法 (2024 revision): 元旦 1 day, 春节 4 days from 除夕, 清明, 劳动节 2 days, 端午, 中秋, 国庆
    3 days — computed for 2027 from the lunar calendar; bridging and make-up days stay unknown."""
    assert not CAL.knows(2027)
    assert not CAL.is_working_day(date(2027, 1, 1))  # a Friday
    assert CAL.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    # 春节 2027 falls on Saturday 6 Feb: 除夕 Friday 5 Feb to 初三 Monday 8 Feb
    assert [CAL.is_working_day(date(2027, 2, d)) for d in (4, 5, 8, 9)] == [True, False, False, True]
    assert CAL.add_working_days(date(2027, 2, 3), 5) == date(2027, 2, 12)
    assert not CAL.is_working_day(date(2027, 4, 5)) and not CAL.is_working_day(date(2027, 6, 9))  # 清明, 端午
    assert not CAL.is_working_day(date(2027, 9, 15)) and not CAL.is_working_day(date(2027, 10, 1))  # 中秋, 国庆
    assert CAL.unknown_years_between(date(2026, 12, 30), date(2027, 1, 5)) == [2027]  # provisional all the same
    # the State Council's notice, once loaded, decides (bridging days off, a Sunday worked)
    loaded = WorkCalendar.default([parse_year_schedule(2031, {"holidays": [f"2031-10-0{d}" for d in range(1, 8)], "workdays": ["2031-09-28"]})])
    assert CAL.add_working_days(date(2031, 9, 26), 5) == date(2031, 10, 8)  # computed: 1–3 Oct off
    assert loaded.add_working_days(date(2031, 9, 26), 5) == date(2031, 10, 9)


def test_the_computed_holidays_are_among_those_of_every_official_schedule_shipped():
    """Checked against the State Council's notices the program ships (2018–2026): every festival day the 放假办法
    in force gives is a day off in that year's notice."""
    from enforcement_app.domain.calendar import shipped_schedules, statutory_holidays

    years = [s for s in shipped_schedules() if s.year >= 2008]
    assert len(years) >= 8
    for schedule in years:
        computed = statutory_holidays(schedule.year)
        assert len(computed) >= (12 if schedule.year >= 2025 else 10), schedule.year  # 中秋 may fall on 国庆 (2020)
        assert computed <= schedule.holidays, (schedule.year, sorted(computed - schedule.holidays))


def test_the_decision_limit_and_the_lead_check_end_as_the_law_counts(world):
    """Art. 60's ninety days, filed on 3 July 2025, end on 1 October — National Day — so on 9 October; the lead
    check (15 working days) runs from the day the lead was received, not the day it was keyed in."""
    import steps

    world.clock.set("2025-07-03T09:00")
    case_id = steps.lead(world, world.company, act_date="2025-06-20", received_on="2025-06-30")
    check = next(d for d in world.as_(world.officer_a).view(case_id).deadlines if d.rule == "lead_check")
    assert check.start == date(2025, 6, 30) and check.due == CAL.add_working_days(date(2025, 6, 30), 15)
    steps.file(world, case_id, on="2025-07-03")
    limit = next(d for d in world.as_(world.officer_a).view(case_id).deadlines if d.rule == "decision_time_limit")
    assert date(2025, 7, 3) + timedelta(days=90) == date(2025, 10, 1)
    assert limit.due == date(2025, 10, 9)


@given(st.dates(date(2019, 1, 1), date(2026, 11, 30)), st.integers(1, 30))
def test_working_day_addition_counts_exactly_n_working_days(start, n):
    due = CAL.add_working_days(start, n)
    assert CAL.is_working_day(due)
    assert CAL.working_days_between(start, due) == n
    assert sum(CAL.is_working_day(start + timedelta(days=i)) for i in range(1, (due - start).days + 1)) == n


def test_provisional_deadline_is_flagged_in_case_views(world):
    import steps

    world.clock.set("2026-11-20T09:00")
    case_id = steps.lead(world, world.company, act_date="2026-11-01")
    steps.file(world, case_id)
    limit = next(d for d in world.as_(world.officer_a).view(case_id).deadlines if d.rule == "decision_time_limit")
    assert limit.due == date(2027, 2, 18)
    data = limit.as_dict(date(2026, 11, 20))
    assert data["provisional"] and "2027" in data["provisional_note"]


@given(start=st.dates(date(2027, 1, 1), date(2035, 12, 31)), n=st.integers(min_value=1, max_value=40))
def test_periods_in_future_years_never_end_on_a_computed_holiday(start, n):
    """Years whose notices are not out yet: a working-day period counts none of the festival days, and a
    calendar-day period ending on one moves to the next working day."""
    from enforcement_app.domain.calendar import statutory_holidays

    due = CAL.add_working_days(start, n)
    assert due.weekday() < 5 and due not in statutory_holidays(due.year)
    assert CAL.working_days_between(start, due) == n
    ends = CAL.add_calendar_days(start, n)
    assert ends >= start + timedelta(days=n) and ends.weekday() < 5 and ends not in statutory_holidays(ends.year)
    assert all(not CAL.is_working_day(start + timedelta(days=k)) for k in range(n, (ends - start).days))


def test_the_holiday_rules_are_data_checked_when_read(monkeypatch):
    """The 放假办法 revisions live in resources/calendars/holiday_rules.json; a malformed file is refused, naming it."""
    import pytest

    from enforcement_app.domain import calendar as cal

    shipped = cal.holiday_rules()
    assert [r.from_year for r in shipped] == [2008, 2014, 2025] and shipped[-1].spring_festival_days == 4
    cal.holiday_rules.cache_clear()
    monkeypatch.setattr(cal, "load_json", lambda *parts: {"format": "holiday-rules/1", "revisions": [
        {"from_year": 2025, "new_year_days": 0, "spring_festival_days": 4, "spring_festival_from_eve": True,
         "labour_day_days": 2, "national_day_days": 3}]})
    try:
        with pytest.raises(ValueError, match="holiday_rules.json"):
            cal.holiday_rules()
    finally:
        cal.holiday_rules.cache_clear()
