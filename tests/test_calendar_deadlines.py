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


def test_calendar_periods_roll_forward_only_when_asked():
    # 15 days from 16 Sep 2025 is 1 Oct (holiday): the payment period ends on 9 Oct
    assert CAL.add_calendar_days(date(2025, 9, 16), 15) == date(2025, 10, 1)
    assert CAL.add_calendar_days(date(2025, 9, 16), 15, roll_forward=True) == date(2025, 10, 9)


def test_unknown_year_falls_back_to_weekdays_and_says_so():
    assert not CAL.knows(2031)
    assert CAL.add_working_days(date(2031, 9, 26), 5) == date(2031, 10, 3)  # Fri + 5 weekdays
    assert CAL.unknown_years_between(date(2030, 12, 30), date(2031, 1, 5)) == [2030, 2031]
    loaded = WorkCalendar.default([parse_year_schedule(2031, {"holidays": ["2031-10-01", "2031-10-02", "2031-10-03"], "workdays": []})])
    assert loaded.add_working_days(date(2031, 9, 26), 5) == date(2031, 10, 8)


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
