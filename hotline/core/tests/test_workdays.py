"""Working-day engine against the real State Council schedules shipped in chinesecalendar."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.core.workdays import (
    SHANGHAI,
    CountingRule,
    WorkCalendar,
    calendar_from_chinesecalendar,
    holiday_names_from_chinesecalendar,
)

YEARS = range(2024, 2032)


@cache
def _package_data() -> tuple[set[date], set[date], set[int]]:
    return calendar_from_chinesecalendar(YEARS)


def make_calendar(**rule: object) -> WorkCalendar:
    holidays, extra, known = _package_data()
    return WorkCalendar(
        holidays=holidays,
        extra_workdays=extra,
        known_years=known,
        rule=CountingRule(**rule),  # type: ignore[arg-type]
    )


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def end_of(y: int, m: int, d: int) -> datetime:
    return at(y, m, d, 23, 59, 59)


CAL = make_calendar()


# -- the package data itself --------------------------------------------------------------


def test_package_has_2025_national_day_schedule():
    holidays, extra, _ = _package_data()
    # Oct 1-8 2025: the weekday ones are holidays; Sun Sep 28 and Sat Oct 11 were worked (调休).
    assert {date(2025, 10, d) for d in (1, 2, 3, 6, 7, 8)} <= holidays
    assert {date(2025, 9, 28), date(2025, 10, 11)} <= extra
    assert all(not CAL.is_workday(date(2025, 10, d)) for d in range(1, 9))
    assert CAL.is_workday(date(2025, 10, 9))


def test_package_years_without_data_are_not_known():
    _, _, known = _package_data()
    # chinesecalendar 1.11.0 ships 2004-2026 and raises NotImplementedError for later years.
    assert known == {2024, 2025, 2026}


def test_holiday_names_are_chinese_and_mark_make_up_days():
    names = holiday_names_from_chinesecalendar([2025, 2031])
    assert names[date(2025, 10, 1)] == "国庆节"
    assert names[date(2025, 10, 6)] == "中秋"
    assert names[date(2025, 9, 28)] == "国庆节（调休上班）"
    assert date(2025, 10, 15) not in names
    assert not any(d.year == 2031 for d in names)


# -- is_workday / next_workday / workdays_between ---------------------------------------


def test_holiday_list_wins_over_extra_workday():
    cal = WorkCalendar(holidays=[date(2025, 9, 27)], extra_workdays=[date(2025, 9, 27)])
    assert not cal.is_workday(date(2025, 9, 27))


def test_make_up_saturday_is_a_workday():
    assert date(2025, 10, 11).weekday() == 5
    assert CAL.is_workday(date(2025, 10, 11))
    assert not CAL.is_workday(date(2025, 10, 18))


def test_next_workday_skips_national_day_but_not_make_up_sunday():
    assert CAL.next_workday(date(2025, 9, 27)) == date(2025, 9, 28)
    assert CAL.next_workday(date(2025, 9, 30)) == date(2025, 10, 9)


def test_workdays_between_counts_right_end_only():
    assert CAL.workdays_between(date(2025, 9, 30), date(2025, 10, 11)) == 3  # Oct 9, 10, 11
    assert CAL.workdays_between(date(2025, 9, 15), date(2025, 9, 15)) == 0
    assert CAL.workdays_between(date(2025, 9, 20), date(2025, 9, 15)) == 0
    assert CAL.workdays_between(date(2025, 9, 14), date(2025, 9, 21)) == 5


def test_date_apis_reject_datetimes():
    with pytest.raises(TypeError):
        CAL.is_workday(at(2025, 9, 15, 10))


# -- unknown years --------------------------------------------------------------------------


def test_year_without_schedule_falls_back_to_weekends_only():
    assert not CAL.is_known_year(2031)
    assert CAL.is_known_year(2025)
    # 1 Jan 2031 is a Wednesday; without a schedule it is (wrongly but predictably) a workday.
    assert CAL.is_workday(date(2031, 1, 1))
    assert not CAL.is_workday(date(2031, 1, 4))
    assert CAL.add_workdays(at(2030, 12, 31, 10), 1) == end_of(2031, 1, 1)


def test_unknown_years_reports_years_touched():
    assert CAL.unknown_years(date(2026, 12, 20), date(2027, 1, 10)) == [2027]
    assert CAL.unknown_years(date(2025, 1, 1), date(2026, 12, 31)) == []
    assert CAL.unknown_years(date(2030, 6, 1), date(2031, 6, 1)) == [2030, 2031]


# -- add_workdays ------------------------------------------------------------------------------


def test_deadline_runs_over_national_day_onto_make_up_saturday():
    # Day 1 = Thu Oct 9, day 2 = Fri Oct 10, day 3 = Sat Oct 11 (调休).
    assert CAL.add_workdays(at(2025, 9, 30, 10), 3) == end_of(2025, 10, 11)


def test_intake_on_saturday_counts_from_make_up_sunday():
    assert CAL.add_workdays(at(2025, 9, 27, 15), 1) == end_of(2025, 9, 28)


def test_intake_during_holiday_starts_from_next_workday():
    assert CAL.add_workdays(at(2025, 10, 3, 9), 1) == end_of(2025, 10, 9)


def test_spring_festival_2026():
    # Fri Feb 13 evening: day 1 is the 调休 Saturday Feb 14, then Feb 15-23 are holidays.
    assert CAL.add_workdays(at(2026, 2, 13, 18), 1) == end_of(2026, 2, 14)
    assert CAL.add_workdays(at(2026, 2, 13, 18), 2) == end_of(2026, 2, 24)
    # Intake on the first day of the new year: Feb 24-27, then the 调休 Saturday Feb 28.
    assert CAL.add_workdays(at(2026, 2, 17, 11), 5) == end_of(2026, 2, 28)


def test_deadline_crosses_year_end():
    # Dec 31 (day 1), Jan 1-3 New Year, Sun Jan 4 (调休, day 2), Mon Jan 5, Tue Jan 6.
    assert CAL.add_workdays(at(2025, 12, 30, 10), 4) == end_of(2026, 1, 6)


def test_friday_evening_intake_starts_monday():
    assert CAL.add_workdays(at(2025, 9, 19, 20), 1) == end_of(2025, 9, 22)


def test_intake_day_not_counted_by_default_even_in_the_morning():
    assert CAL.add_workdays(at(2025, 9, 15, 9), 1) == end_of(2025, 9, 16)


def test_count_intake_day_before_cutoff():
    cal = make_calendar(count_intake_day=True)
    assert cal.add_workdays(at(2025, 9, 15, 9), 1) == end_of(2025, 9, 15)
    assert cal.add_workdays(at(2025, 9, 15, 16, 59, 59), 3) == end_of(2025, 9, 17)


def test_count_intake_day_at_or_after_cutoff_starts_next_workday():
    cal = make_calendar(count_intake_day=True)
    assert cal.add_workdays(at(2025, 9, 15, 17), 1) == end_of(2025, 9, 16)
    assert cal.add_workdays(at(2025, 9, 19, 18), 1) == end_of(2025, 9, 22)


def test_count_intake_day_ignores_rest_days():
    cal = make_calendar(count_intake_day=True)
    assert cal.add_workdays(at(2025, 10, 1, 9), 1) == end_of(2025, 10, 9)
    assert cal.add_workdays(at(2025, 10, 11, 9), 1) == end_of(2025, 10, 11)


def test_deadline_time_and_zone_follow_the_rule():
    cal = make_calendar(deadline_time=time(17, 30))
    result = cal.add_workdays(datetime(2025, 9, 15, 1, tzinfo=UTC), 2)
    assert result == at(2025, 9, 17, 17, 30)
    assert result.tzinfo is SHANGHAI


def test_utc_input_uses_local_date():
    # 2025-09-19 17:00 UTC is Saturday 01:00 in Shanghai, so day 1 is Monday.
    assert CAL.add_workdays(datetime(2025, 9, 19, 17, tzinfo=UTC), 1) == end_of(2025, 9, 22)


def test_add_workdays_rejects_bad_input():
    with pytest.raises(ValueError):
        CAL.add_workdays(at(2025, 9, 15), 0)
    with pytest.raises(ValueError):
        CAL.add_workdays(datetime(2025, 9, 15, 9), 1)


# -- add_work_hours / work_seconds_between ----------------------------------------------------


def test_work_hours_skip_lunch_break():
    assert CAL.add_work_hours(at(2025, 9, 15, 11), 2) == at(2025, 9, 15, 14, 30)


def test_work_hours_ending_exactly_at_noon_stay_at_noon():
    assert CAL.add_work_hours(at(2025, 9, 15, 11), 1) == at(2025, 9, 15, 12)


def test_work_hours_skip_evening():
    assert CAL.add_work_hours(at(2025, 9, 16, 17), 1) == at(2025, 9, 17, 9)


def test_work_hours_skip_weekend():
    assert CAL.add_work_hours(at(2025, 9, 19, 17), 1) == at(2025, 9, 22, 9)


def test_work_hours_skip_holiday():
    assert CAL.add_work_hours(at(2025, 9, 30, 16, 30), 2) == at(2025, 10, 9, 9, 30)


def test_work_hours_run_on_make_up_sunday():
    assert CAL.add_work_hours(at(2025, 9, 27, 10), 1) == at(2025, 9, 28, 9, 30)


def test_work_hours_started_before_opening():
    assert CAL.add_work_hours(at(2025, 9, 15, 6), 0.5) == at(2025, 9, 15, 9)


def test_large_work_hours_are_consistent():
    start = at(2025, 1, 2, 10)
    result = CAL.add_work_hours(start, 5000)
    assert math.isclose(CAL.work_seconds_between(start, result), 5000 * 3600)
    assert CAL.is_workday(result.date())


def test_add_work_hours_rejects_bad_input():
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            CAL.add_work_hours(at(2025, 9, 15, 9), bad)
    with pytest.raises(ValueError):
        CAL.add_work_hours(datetime(2025, 9, 15, 9), 1)


def test_work_seconds_between_over_weekend():
    assert CAL.work_seconds_between(at(2025, 9, 19, 16), at(2025, 9, 22, 9)) == 2 * 3600
    assert CAL.work_seconds_between(at(2025, 9, 22, 9), at(2025, 9, 19, 16)) == 0
    assert CAL.work_seconds_between(at(2025, 9, 15, 12), at(2025, 9, 15, 13, 30)) == 0


def test_work_seconds_between_full_days():
    # Mon-Fri of a normal week, 7.5 working hours a day.
    assert CAL.work_seconds_between(at(2025, 9, 15), at(2025, 9, 20)) == 5 * 7.5 * 3600


# -- shift_for_pause ----------------------------------------------------------------------------


def test_day_pause_over_national_day_moves_deadline_by_working_days():
    deadline = end_of(2025, 10, 11)
    # Pause Sep 30 -> Oct 9: only Oct 9 is a working day inside (Sep 30, Oct 9].
    moved = CAL.shift_for_pause(deadline, at(2025, 9, 30, 10), at(2025, 10, 9, 10), unit="days")
    assert moved == end_of(2025, 10, 13)


def test_same_day_pause_does_not_move_day_deadline():
    deadline = end_of(2025, 9, 19)
    moved = CAL.shift_for_pause(deadline, at(2025, 9, 15, 9), at(2025, 9, 15, 16), unit="days")
    assert moved == deadline


def test_day_pause_over_weekend_counts_monday_only():
    deadline = end_of(2025, 9, 24)
    moved = CAL.shift_for_pause(deadline, at(2025, 9, 19, 16), at(2025, 9, 22, 9), unit="days")
    assert moved == end_of(2025, 9, 25)


def test_hour_pause_moves_by_working_time():
    deadline = at(2025, 9, 23, 10)
    moved = CAL.shift_for_pause(deadline, at(2025, 9, 19, 16), at(2025, 9, 22, 9), unit="hours")
    assert moved == at(2025, 9, 23, 12)  # 2 working hours: 10:00-12:00


def test_hour_pause_outside_working_hours_does_not_move():
    deadline = at(2025, 9, 23, 10)
    moved = CAL.shift_for_pause(deadline, at(2025, 9, 22, 18), at(2025, 9, 22, 22), unit="hours")
    assert moved == deadline


def test_same_day_hour_pause_moves_deadline():
    deadline = at(2025, 9, 15, 16)
    moved = CAL.shift_for_pause(deadline, at(2025, 9, 15, 9), at(2025, 9, 15, 10), unit="hours")
    assert moved == at(2025, 9, 15, 17)


def test_shift_for_pause_rejects_unknown_unit():
    with pytest.raises(ValueError):
        CAL.shift_for_pause(end_of(2025, 9, 19), at(2025, 9, 15), at(2025, 9, 16), unit="weeks")


# -- elapsed_workdays -----------------------------------------------------------------------------


def test_elapsed_workdays():
    assert CAL.elapsed_workdays(at(2025, 9, 15, 8, 30), at(2025, 9, 16, 8, 30)) == 1.0
    assert CAL.elapsed_workdays(at(2025, 9, 19, 8, 30), at(2025, 9, 22, 12)) == pytest.approx(1 + 3.5 / 7.5)
    # Ten calendar days over National Day hold two working days' worth (Sep 30, Oct 9).
    assert CAL.elapsed_workdays(at(2025, 9, 30), at(2025, 10, 10)) == 2.0
    assert CAL.elapsed_workdays(at(2025, 9, 16), at(2025, 9, 15)) == 0.0


# -- CountingRule validation ------------------------------------------------------------------


def test_rule_rejects_bad_windows():
    with pytest.raises(ValueError):
        CountingRule(work_windows=())
    with pytest.raises(ValueError):
        CountingRule(work_windows=((time(12), time(9)),))
    with pytest.raises(ValueError):
        CountingRule(work_windows=((time(9), time(12)), (time(11), time(17))))


# -- properties ------------------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2031, 6, 30), timezones=st.just(SHANGHAI)
)


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=30))
def test_add_workdays_lands_on_the_nth_workday(start: datetime, n: int):
    result = CAL.add_workdays(start, n)
    assert result.tzinfo is SHANGHAI
    assert result.time() == time(23, 59, 59)
    assert CAL.is_workday(result.date())
    assert CAL.workdays_between(start.date(), result.date()) == n


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=30))
def test_counting_intake_day_shortens_deadline_by_at_most_one_workday(start: datetime, n: int):
    counted = make_calendar(count_intake_day=True).add_workdays(start, n)
    uncounted = CAL.add_workdays(start, n)
    counts_today = CAL.is_workday(start.date()) and start.time() < time(17)
    assert CAL.workdays_between(counted.date(), uncounted.date()) == (1 if counts_today else 0)


@settings(max_examples=300, deadline=None)
@given(start=starts, hours=st.floats(min_value=0.01, max_value=400, allow_nan=False))
def test_add_work_hours_round_trips_through_work_seconds(start: datetime, hours: float):
    result = CAL.add_work_hours(start, hours)
    assert result > start
    assert math.isclose(CAL.work_seconds_between(start, result), hours * 3600, abs_tol=1e-3)
