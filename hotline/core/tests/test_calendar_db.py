"""The working-day calendar as stored in the database: seeding, admin entries, the cache and the status banner."""

from __future__ import annotations

from datetime import date, time

import pytest

from hotline.core.calendar import calendar_seed_from_package, calendar_status, get_calendar
from hotline.core.models import CalendarDay, CalendarRule, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _published_years():
    if CalendarYear.objects.filter(year__in=[2025, 2026]).count() != 2:
        calendar_seed_from_package([2025, 2026])


def test_migration_seeds_the_published_years_from_the_package():
    cal = get_calendar()
    assert cal.is_known_year(2025) and cal.is_known_year(2026)
    assert not cal.is_workday(date(2025, 10, 1))
    assert cal.is_workday(date(2025, 10, 11))  # Saturday, 调休
    assert CalendarDay.objects.get(date=date(2025, 10, 11)).kind == CalendarDay.Kind.WORKDAY
    assert "国庆" in CalendarDay.objects.get(date=date(2025, 10, 1)).name


def test_status_is_ok_when_this_year_and_next_are_published():
    status = calendar_status(today=date(2025, 6, 1))
    assert (status["status"], status["missing_years"], status["warning"]) == ("ok", [], "")
    assert {2025, 2026} <= set(status["known_years"])


def test_status_warns_in_chinese_about_next_year_before_it_is_published():
    status = calendar_status(today=date(2026, 6, 1))
    assert status["status"] == "ok"
    assert status["missing_years"] == [2027]
    assert status["warning"] == "2027 年节假日安排未录入，按周末双休计算工作日，请管理员录入调休安排。"


def test_status_reports_fallback_for_an_unpublished_current_year():
    status = calendar_status(today=date(2031, 1, 5))
    assert status["status"] == "fallback"
    assert status["missing_years"] == [2031, 2032]
    assert status["warning"].startswith("2031、2032 年节假日安排未录入")


def test_unpublished_year_counts_only_weekends_as_rest_days():
    cal = get_calendar()
    assert not cal.is_known_year(2031)
    assert cal.is_workday(date(2031, 1, 1))  # New Year's Day, but no schedule yet
    assert cal.is_workday(date(2031, 10, 1))
    assert not cal.is_workday(date(2031, 10, 4))  # Saturday
    assert cal.unknown_years(date(2030, 12, 1), date(2031, 1, 31)) == [2030, 2031]


def test_admin_entries_change_the_calendar_in_force_at_once():
    before = get_calendar()
    assert before.is_workday(date(2031, 10, 1))
    CalendarYear.objects.create(year=2031, source=CalendarYear.Source.ADMIN)
    CalendarDay.objects.create(date=date(2031, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    CalendarDay.objects.create(
        date=date(2031, 9, 28), kind=CalendarDay.Kind.WORKDAY, name="国庆节（调休上班）"
    )
    after = get_calendar()
    assert after is not before
    assert after.is_known_year(2031)
    assert not after.is_workday(date(2031, 10, 1))
    assert after.is_workday(date(2031, 9, 28))  # a Sunday
    CalendarDay.objects.filter(date=date(2031, 10, 1)).delete()
    assert get_calendar().is_workday(date(2031, 10, 1))


def test_calendar_is_cached_until_something_changes():
    first = get_calendar()
    assert get_calendar() is first
    rule = CalendarRule.objects.first() or CalendarRule()
    rule.deadline_time = time(17, 30)
    rule.save()
    assert get_calendar() is not first
    assert get_calendar().rule.deadline_time == time(17, 30)


def test_seeding_from_the_package_keeps_an_admins_own_year():
    CalendarYear.objects.filter(year=2026).update(source=CalendarYear.Source.ADMIN)
    CalendarDay.objects.create(date=date(2026, 3, 2), kind=CalendarDay.Kind.HOLIDAY, name="本市特别休假")
    loaded = calendar_seed_from_package([2025, 2026])
    assert loaded == [2025, 2026]
    assert CalendarDay.objects.filter(date=date(2026, 3, 2)).exists()
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.ADMIN
    assert not get_calendar().is_workday(date(2026, 3, 2))


def test_seeding_a_year_the_package_does_not_know_loads_nothing():
    assert calendar_seed_from_package([2031]) == []
    assert not CalendarYear.objects.filter(year=2031).exists()
