"""Chinese working-day calendar (工作日 with 调休) for hotline deadlines; pure Python, no Django.

Which days are working days
    A date in ``holidays`` is never a working day (the holiday list wins over everything);
    a date in ``extra_workdays`` (调休: a Saturday or Sunday worked to pay for a bridge day) is
    one; any other date is a working day when it falls Monday to Friday.  A year without a
    published State Council schedule (``known_years``) falls back to weekends only, so
    1 January of such a year counts as a working day; callers should warn using
    ``unknown_years()`` rather than silently trust such a deadline.

Day-based deadlines ("N 个工作日内办结，含第N个工作日")
    With ``CountingRule.count_intake_day`` False (the default) the intake day never counts:
    day 1 is the first working day strictly after the intake's local date, whatever the
    intake time, so intake on a Friday evening, a Saturday or during the Spring Festival all
    start from the next working day, and ``cutoff`` plays no part.  With ``count_intake_day``
    True, intake on a working day strictly before ``cutoff`` is day 1; intake at or after the
    cutoff, or on a rest day, makes the next working day day 1.  The deadline is
    ``deadline_time`` (local) on the Nth working day.  N must be >= 1.

Hour-based deadlines (urgent items, "N 个工作小时")
    The clock only runs inside ``work_windows`` on working days; a deadline that uses up a
    window exactly falls at that window's end (12:00, not 13:30).

Pauses (挂起 / 延期 while waiting for the citizen)
    A day-based deadline moves by the number of working days d with
    paused_date < d <= resumed_date, so a pause that starts and ends on the same date does
    not move it; the moved deadline sits at ``deadline_time``.  An hour-based deadline moves
    by the working seconds inside the pause.

Every datetime argument must be timezone-aware; results are aware datetimes in the
calendar's ``tz``.  Arithmetic runs on local wall-clock time because working hours are
wall-clock hours (Asia/Shanghai has no DST, so this is also exact elapsed time there).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

__all__ = [
    "SHANGHAI",
    "CountingRule",
    "WorkCalendar",
    "calendar_from_chinesecalendar",
    "holiday_names_from_chinesecalendar",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = timedelta(days=1)
UNITS = ("days", "hours")


def _span(start: time, end: time) -> timedelta:
    """Length of the wall-clock interval start..end within one day."""
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


@dataclass(frozen=True)
class CountingRule:
    """How a hotline counts working days and working hours."""

    count_intake_day: bool = False
    cutoff: time = time(17, 0)
    deadline_time: time = time(23, 59, 59)
    work_windows: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(13, 30), time(17, 30)),
    )

    def __post_init__(self) -> None:
        """Reject windows that would make hour arithmetic loop forever or double-count."""
        if not self.work_windows:
            raise ValueError("work_windows must contain at least one window")
        previous_end: time | None = None
        for start, end in self.work_windows:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("work_windows must use naive local times")
            if not start < end:
                raise ValueError(f"work window {start}-{end} is empty or reversed")
            if previous_end is not None and start < previous_end:
                raise ValueError("work_windows must be sorted and must not overlap")
            previous_end = end

    @property
    def day_capacity(self) -> timedelta:
        """Working time in one full working day."""
        return sum((_span(s, e) for s, e in self.work_windows), timedelta())


DEFAULT_RULE = CountingRule()


def _require_aware(*values: datetime) -> None:
    """Raise ValueError for naive datetimes: a deadline must not depend on the server's zone."""
    for value in values:
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"datetime {value!r} must be timezone-aware")


def _require_date(*values: date) -> None:
    """Raise TypeError for datetimes: their calendar date depends on a zone we cannot guess."""
    for value in values:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"expected a date, got {type(value).__name__}; use .astimezone(tz).date()")


class WorkCalendar:
    """Working-day calendar with holidays, 调休 workdays and a counting rule."""

    def __init__(
        self,
        *,
        holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        known_years: Iterable[int] = (),
        rule: CountingRule = DEFAULT_RULE,
        tz: tzinfo = SHANGHAI,
    ) -> None:
        self.holidays: frozenset[date] = frozenset(holidays)
        self.extra_workdays: frozenset[date] = frozenset(extra_workdays)
        self.known_years: frozenset[int] = frozenset(known_years)
        self.rule = rule
        self.tz = tz
        self._capacity = rule.day_capacity

    @classmethod
    def from_chinesecalendar(
        cls, years: Iterable[int], *, rule: CountingRule = DEFAULT_RULE, tz: tzinfo = SHANGHAI
    ) -> WorkCalendar:
        """Build a calendar from the `chinesecalendar` package's schedules for `years`."""
        holidays, extra, known = calendar_from_chinesecalendar(years)
        return cls(holidays=holidays, extra_workdays=extra, known_years=known, rule=rule, tz=tz)

    def __repr__(self) -> str:
        years = sorted(self.known_years)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return f"<WorkCalendar known_years={span} holidays={len(self.holidays)} tz={self.tz}>"

    # -- days ---------------------------------------------------------------------------

    def _is_workday(self, d: date) -> bool:
        if d in self.holidays:
            return False
        if d in self.extra_workdays:
            return True
        return d.weekday() < 5

    def _next_workday(self, d: date) -> date:
        d += ONE_DAY
        while not self._is_workday(d):
            d += ONE_DAY
        return d

    def is_workday(self, d: date) -> bool:
        """True if `d` is a working day: holiday list first, then 调休 days, then Mon–Fri."""
        _require_date(d)
        return self._is_workday(d)

    def is_known_year(self, year: int) -> bool:
        """False if `year` has no published schedule and the weekends-only fallback applies."""
        return year in self.known_years

    def unknown_years(self, start: date, end: date) -> list[int]:
        """Years touched by [start, end] that have no published schedule."""
        return [y for y in range(start.year, end.year + 1) if y not in self.known_years]

    def next_workday(self, d: date) -> date:
        """First working day strictly after `d`."""
        _require_date(d)
        return self._next_workday(d)

    def workdays_between(self, a: date, b: date) -> int:
        """Number of working days d with a < d <= b (0 if b <= a)."""
        _require_date(a, b)
        count = 0
        d = a + ONE_DAY
        while d <= b:
            count += self._is_workday(d)
            d += ONE_DAY
        return count

    def _advance_workdays(self, d: date, n: int) -> date:
        """The nth working day strictly after `d` (n >= 0; n == 0 returns `d`)."""
        for _ in range(n):
            d = self._next_workday(d)
        return d

    def add_workdays(self, start: datetime, n: int) -> datetime:
        """Deadline for "N working days" from intake at `start`, per the counting rule."""
        _require_aware(start)
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be an integer >= 1, got {n!r}")
        local = self._local(start)
        intake = local.date()
        counts_today = (
            self.rule.count_intake_day and self._is_workday(intake) and local.time() < self.rule.cutoff
        )
        day_one = intake if counts_today else self._next_workday(intake)
        return self._at_deadline_time(self._advance_workdays(day_one, n - 1))

    # -- hours --------------------------------------------------------------------------

    def add_work_hours(self, start: datetime, hours: float) -> datetime:
        """Deadline for "H working hours" from `start`; time runs only inside work windows."""
        _require_aware(start)
        if not math.isfinite(hours) or hours <= 0:
            raise ValueError(f"hours must be a finite number > 0, got {hours!r}")
        return self._aware(self._add_work(self._local(start), timedelta(hours=hours)))

    def _add_work(self, local: datetime, remaining: timedelta) -> datetime:
        """Naive local time reached after `remaining` working time from naive local `local`."""
        windows = self.rule.work_windows
        day = local.date()
        if self._is_workday(day):
            now = local.time()
            for ws, we in windows:
                seg_start = max(now, ws)
                if seg_start >= we:
                    continue
                available = _span(seg_start, we)
                if remaining <= available:
                    return datetime.combine(day, seg_start) + remaining
                remaining -= available
        # Whole working days are skipped in one step each, so 10,000 hours costs ~1,300 loops.
        day += ONE_DAY
        while not self._is_workday(day) or remaining > self._capacity:
            if self._is_workday(day):
                remaining -= self._capacity
            day += ONE_DAY
        for ws, we in windows:
            available = _span(ws, we)
            if remaining <= available:
                return datetime.combine(day, ws) + remaining
            remaining -= available
        raise AssertionError("unreachable: remaining exceeded one day's capacity")

    def _work_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time inside [a, b) for naive local datetimes."""
        total = timedelta()
        if b <= a:
            return total
        first, last = a.date(), b.date()
        day = first
        while day <= last:
            if self._is_workday(day):
                if first < day < last:
                    total += self._capacity
                else:
                    for ws, we in self.rule.work_windows:
                        lo = max(datetime.combine(day, ws), a)
                        hi = min(datetime.combine(day, we), b)
                        if hi > lo:
                            total += hi - lo
            day += ONE_DAY
        return total

    def work_seconds_between(self, a: datetime, b: datetime) -> float:
        """Working-hours seconds inside [a, b) (0 if b <= a)."""
        _require_aware(a, b)
        return self._work_between(self._local(a), self._local(b)).total_seconds()

    def elapsed_workdays(self, a: datetime, b: datetime) -> float:
        """Working time between a and b in working days (one day = one day's work windows)."""
        _require_aware(a, b)
        worked = self._work_between(self._local(a), self._local(b))
        return worked / self._capacity

    # -- pauses -------------------------------------------------------------------------

    def shift_for_pause(
        self, deadline: datetime, paused_at: datetime, resumed_at: datetime, *, unit: str
    ) -> datetime:
        """Deadline after a pause from `paused_at` to `resumed_at`, in working days or hours."""
        _require_aware(deadline, paused_at, resumed_at)
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
        if unit == "days":
            moved = self.workdays_between(self._local(paused_at).date(), self._local(resumed_at).date())
            if moved == 0:
                return deadline.astimezone(self.tz)
            new_day = self._advance_workdays(self._local(deadline).date(), moved)
            return self._at_deadline_time(new_day)
        paused = self._work_between(self._local(paused_at), self._local(resumed_at))
        if paused <= timedelta():
            return deadline.astimezone(self.tz)
        return self._aware(self._add_work(self._local(deadline), paused))

    # -- zone helpers -------------------------------------------------------------------

    def _local(self, value: datetime) -> datetime:
        """Naive wall-clock time of `value` in the calendar's zone."""
        return value.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.tz)

    def _at_deadline_time(self, d: date) -> datetime:
        return datetime.combine(d, self.rule.deadline_time, tzinfo=self.tz)


# -- chinesecalendar adapter ------------------------------------------------------------


def _year_dates(year: int) -> Iterable[date]:
    d = date(year, 1, 1)
    while d.year == year:
        yield d
        d += ONE_DAY


def _package_covers(year: int) -> bool:
    """True if chinesecalendar has a schedule for `year` (it raises NotImplementedError otherwise)."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def calendar_from_chinesecalendar(years: Iterable[int]) -> tuple[set[date], set[date], set[int]]:
    """(holidays on weekdays, 调休 workdays on weekends, years with data) from chinesecalendar."""
    import chinese_calendar

    holidays: set[date] = set()
    extra_workdays: set[date] = set()
    known_years: set[int] = set()
    for year in sorted(set(years)):
        if not _package_covers(year):
            continue
        known_years.add(year)
        for d in _year_dates(year):
            works = chinese_calendar.is_workday(d)
            if d.weekday() < 5 and not works:
                holidays.add(d)
            elif d.weekday() >= 5 and works:
                extra_workdays.add(d)
    return holidays, extra_workdays, known_years


def holiday_names_from_chinesecalendar(years: Iterable[int]) -> dict[date, str]:
    """Chinese names of holiday dates and 调休 workdays (e.g. "国庆节（调休上班）") from chinesecalendar."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    def chinese(name: str) -> str:
        # The package stores English enum values; unknown future names pass through unchanged.
        try:
            return str(Holiday(name).chinese)
        except ValueError:
            return name

    names: dict[date, str] = {}
    for year in sorted(set(years)):
        if not _package_covers(year):
            continue
        for d in _year_dates(year):
            is_rest, name = chinese_calendar.get_holiday_detail(d)
            if name:
                names[d] = chinese(name) if is_rest else f"{chinese(name)}（调休上班）"
    return names
