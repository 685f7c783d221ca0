"""The working-day calendar as stored in the database, fed to the pure engine in `core.workdays`."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from hotline.core.models import CalendarDay, CalendarRule, CalendarYear
from hotline.core.refcache import RefCache
from hotline.core.workdays import (
    CountingRule,
    WorkCalendar,
    calendar_from_chinesecalendar,
    holiday_names_from_chinesecalendar,
)


def _load() -> WorkCalendar:
    rule_row = CalendarRule.objects.first() or CalendarRule()
    rule = CountingRule(
        count_intake_day=rule_row.count_intake_day,
        cutoff=rule_row.cutoff,
        deadline_time=rule_row.deadline_time,
        work_windows=rule_row.parsed_windows(),
    )
    days = list(CalendarDay.objects.values_list("date", "kind"))
    return WorkCalendar(
        holidays=[d for d, k in days if k == CalendarDay.Kind.HOLIDAY],
        extra_workdays=[d for d, k in days if k == CalendarDay.Kind.WORKDAY],
        known_years=CalendarYear.objects.values_list("year", flat=True),
        rule=rule,
        tz=timezone.get_default_timezone(),
    )


_calendar: RefCache[WorkCalendar] = RefCache("calendar", _load)


def get_calendar() -> WorkCalendar:
    """The calendar in force (cached per process, refreshed on change; see core.refcache)."""
    return _calendar.get()


def calendar_invalidate() -> None:
    _calendar.invalidate()


def calendar_seed_from_package(years: range | list[int] | None = None) -> list[int]:
    """Load holidays and 调休 days for the given years from chinesecalendar; returns the years loaded."""
    if years is None:
        this_year = date.today().year
        years = range(2020, this_year + 2)
    holidays, workdays, known = calendar_from_chinesecalendar(years)
    names = holiday_names_from_chinesecalendar(years)
    with transaction.atomic():
        for y in sorted(known):
            # An admin's own entries for a year win over the package.
            if CalendarYear.objects.filter(year=y, source=CalendarYear.Source.ADMIN).exists():
                continue
            CalendarDay.objects.filter(date__year=y).delete()
            CalendarDay.objects.bulk_create(
                [
                    CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=names.get(d, ""))
                    for d in sorted(holidays)
                    if d.year == y
                ]
                + [
                    CalendarDay(date=d, kind=CalendarDay.Kind.WORKDAY, name=names.get(d, ""))
                    for d in sorted(workdays)
                    if d.year == y
                ]
            )
            CalendarYear.objects.update_or_create(year=y, defaults={"source": CalendarYear.Source.PACKAGE})
    calendar_invalidate()
    return sorted(known)


def calendar_status(today: date | None = None) -> dict[str, object]:
    """For /healthz and the admin banner: which of this year and next have a published schedule."""
    today = today or timezone.localdate()
    cal = get_calendar()
    years = [today.year, today.year + 1]
    missing = [y for y in years if not cal.is_known_year(y)]
    status = "ok" if today.year not in missing else "fallback"
    warning = ""
    if missing:
        warning = (
            "、".join(str(y) for y in missing)
            + " 年节假日安排未录入，按周末双休计算工作日，请管理员录入调休安排。"
        )
    return {
        "status": status,
        "known_years": sorted(y for y in range(today.year - 5, today.year + 3) if cal.is_known_year(y)),
        "missing_years": missing,
        "warning": warning,
    }
