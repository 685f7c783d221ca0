"""The centre's ticket indicators: a few aggregate queries per period, never a loop over tickets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from hotline.core.calendar import get_calendar
from hotline.core.workdays import WorkCalendar
from hotline.metrics.db import without_jit
from hotline.metrics.indicators import (
    CENTRE,
    INDICATORS,
    Figure,
    Filters,
    Period,
    Target,
    figure,
    targets,
)
from hotline.tickets.models import CLOCK_STATUSES, Ticket

S = Ticket.Status
# A ticket finished after its visit (or review when no visit is wanted); archiving keeps it finished.
CLOSED = (S.CLOSED, S.ARCHIVED)
RATED = ("satisfied", "basically_satisfied", "unsatisfied")
SATISFIED = ("satisfied", "basically_satisfied")


def tickets_filtered(filters: Filters) -> QuerySet[Ticket]:
    """Tickets narrowed by hotline, department subtree (lead or completing), category subtree and district."""
    qs = Ticket.objects.all()
    if filters.hotline:
        qs = qs.filter(hotline=filters.hotline)
    if filters.department_path:
        p = filters.department_path
        qs = qs.filter(Q(lead_department__path__startswith=p) | Q(completing_department__path__startswith=p))
    if filters.category_id:
        c = filters.category_id
        qs = qs.filter(Q(category_id=c) | Q(category__parent_id=c) | Q(category__parent__parent_id=c))
    if filters.district_id:
        qs = qs.filter(district_id=filters.district_id)
    return qs


def replied_in(period: Period) -> Q:
    """Replied (submitted for review) inside the period, on a ticket that had a deadline."""
    return Q(replied_at__gte=period.start, replied_at__lt=period.end, due_at__isnull=False)


def overdue_open(period: Period, now: datetime) -> Q:
    """Held by a department and unreplied, with the deadline inside the period and already past.

    A held ticket whose clock is paused (a pending return or extension request) is left out: its
    deadline moves when the request is decided.
    """
    return Q(
        replied_at__isnull=True,
        status__in=list(CLOCK_STATUSES),
        paused_since__isnull=True,
        due_at__gte=period.start,
        due_at__lt=min(period.end, now),
    )


def ontime_population(period: Period, now: datetime) -> Q:
    """按时办结率's denominator: replied in the period, or due in it and still held unreplied at its end."""
    return replied_in(period) | overdue_open(period, now)


ONTIME = Q(replied_at__isnull=False, replied_at__lte=F("due_at"))


def closed_in(period: Period) -> Q:
    """Finished (closed or archived after closing) with the closing moment inside the period."""
    return Q(status__in=CLOSED, closed_at__gte=period.start, closed_at__lt=period.end)


DISPATCHED = Q(first_department__isnull=False)


@dataclass
class _Parts:
    num: float
    den: float


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _replied_groups(qs: QuerySet[Ticket], period: Period) -> list[dict[str, Any]]:
    """Replies of the period grouped by (type, intake day, reply day): the one pass over the month's
    replies that both 按时办结率 (replies with a deadline, and those by it) and 平均处理时长 need."""
    tz = timezone.get_current_timezone()
    due = Q(due_at__isnull=False)
    return list(
        qs.filter(replied_at__gte=period.start, replied_at__lt=period.end)
        .annotate(d0=TruncDate("created_at", tzinfo=tz), d1=TruncDate("replied_at", tzinfo=tz))
        .values("type", "d0", "d1")
        .annotate(all=Count("id"), n=Count("id", filter=due), ok=Count("id", filter=due & ONTIME))
        .order_by()
    )


def _replied_days(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replies (on tickets with a deadline) per reply day: how many, and how many by their deadline."""
    days: dict[date, dict[str, Any]] = {}
    for g in groups:
        d = _as_date(g["d1"])
        row = days.setdefault(d, {"d": d, "n": 0, "ok": 0})
        row["n"] += g["n"]
        row["ok"] += g["ok"]
    return [r for r in days.values() if r["n"]]


CLOSED_COUNTS = {
    "dispatched": Count("id"),
    "rated": Count("id", filter=Q(visit_result__in=RATED)),
    "satisfied": Count("id", filter=Q(visit_result__in=SATISFIED)),
    "accurate": Count("id", filter=Q(first_department=F("completing_department"))),
    "completed": Count("id", filter=Q(completing_department__isnull=False)),
    "visit_due": Count("id", filter=Q(no_callback=False)),
    "visited": Count("id", filter=Q(no_callback=False) & ~Q(visit_result="")),
    "reopened": Count("id", filter=Q(reopen_count__gt=0)),
}


def _closed_days(qs: QuerySet[Ticket], period: Period) -> list[dict[str, Any]]:
    """Dispatched tickets closed in the period, per closing day: every count the closed-ticket indicators need."""
    return list(
        qs.filter(closed_in(period), DISPATCHED)
        .annotate(d=_day("closed_at"))
        .values("d")
        .annotate(**CLOSED_COUNTS)
        .order_by()
    )


def _closed_parts(rows: list[dict[str, Any]]) -> dict[str, _Parts]:
    """Satisfaction, dispatch accuracy, visit coverage and reopen rate from the per-day counts."""
    t = {k: sum(r[k] for r in rows) for k in CLOSED_COUNTS}
    return {
        "satisfaction": _Parts(t["satisfied"], t["rated"]),
        "dispatch_accuracy": _Parts(t["accurate"], t["completed"]),
        "visit_coverage": _Parts(t["visited"], t["visit_due"]),
        "reopen_rate": _Parts(t["reopened"], t["dispatched"]),
    }


def finished_parts(period: Period) -> tuple[Q, Q]:
    """The two disjoint ways handling finishes in the period: replied (submitted for review), or answered at first contact."""
    replied = Q(replied_at__gte=period.start, replied_at__lt=period.end)
    answered = Q(
        replied_at__isnull=True,
        first_department__isnull=True,
        status__in=(S.ANSWERED, S.ARCHIVED),
        closed_at__gte=period.start,
        closed_at__lt=period.end,
    )
    return replied, answered


def finished_in(period: Period) -> Q:
    """Handling finished: submitted for review (replied) in the period, or answered at first contact in it."""
    replied, answered = finished_parts(period)
    return replied | answered


def _workdays(cal: WorkCalendar, pairs: Iterable[tuple[date, date, int]]) -> tuple[float, int]:
    """Σ working days and count over (created day, finished day, tickets) groups."""
    total = 0.0
    count = 0
    cache: dict[tuple[date, date], int] = {}
    for created, finished, n in pairs:
        key = (created, finished)
        if key not in cache:
            cache[key] = cal.workdays_between(created, finished)
        total += cache[key] * n
        count += n
    return total, count


def _handling(qs: QuerySet[Ticket], period: Period, replied: list[dict[str, Any]]) -> dict[str, _Parts]:
    """平均处理时长 in working days: grouped by (consultation?, intake day, finish day), so Python sees days, not tickets.

    Working days elapsed follow the deadline rule: the intake day does not count, each working day
    after it up to and including the finishing day counts one (answered the same day = 0).
    `replied` are `_replied_groups` (handling finished by the reply); the answered-at-first-contact
    tickets are read here — a separate range on `closed_at`: as one OR with the replies,
    PostgreSQL combined its IS NULL conditions into bitmaps over the whole table.
    """
    tz = timezone.get_current_timezone()
    _replied, answered = finished_parts(period)
    rows = (
        qs.filter(answered)
        .annotate(d0=TruncDate("created_at", tzinfo=tz), d1=TruncDate("closed_at", tzinfo=tz))
        .values("type", "d0", "d1")
        .annotate(all=Count("id"))
        .order_by()
    )
    cal = get_calendar()
    groups: dict[bool, list[tuple[date, date, int]]] = {True: [], False: []}
    for r in [*replied, *rows]:
        groups[r["type"] == Ticket.Type.CONSULTATION].append((_as_date(r["d0"]), _as_date(r["d1"]), r["all"]))
    out = {}
    for consult, key in ((True, "handling_days_consultation"), (False, "handling_days_other")):
        total, count = _workdays(cal, groups[consult])
        out[key] = _Parts(total, count)
    return out


def _as_date(value: date | datetime | str) -> date:
    # SQLite returns TruncDate as a string in some aggregate paths.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _created_days(qs: QuerySet[Ticket], period: Period) -> list[dict[str, Any]]:
    """Tickets created in the period per day, and how many cite 热线百科 (knowledge's 引用率 definition)."""
    from hotline.knowledge.models import Citation

    return list(
        qs.filter(created_at__gte=period.start, created_at__lt=period.end)
        .annotate(d=_day("created_at"))
        .values("d")
        .annotate(
            total=Count("id"),
            cited=Count("id", filter=Exists(Citation.objects.filter(ticket_id=OuterRef("pk")))),
        )
        .order_by()
    )


@dataclass
class Board:
    """What the KPI board shows for one question: the figures and the daily trend, from the same queries."""

    figures: list[Figure]
    trend: dict[str, list[Any]]


@without_jit
def board_figures(period: Period, filters: Filters | None = None, *, now: datetime | None = None) -> Board:
    """Every centre indicator for the period, in the seed table's order, and its trend by day.

    Each population is read once, grouped by day: the period's figure is the sum of its days.
    """
    from hotline.metrics.calls import call_days, call_parts, staff_parts
    from hotline.metrics.quality_figures import quality_parts

    filters = filters or Filters()
    now = now or timezone.now()
    tg: dict[str, Target] = targets()
    qs = tickets_filtered(filters)
    groups = _replied_groups(qs, period)
    replied = _replied_days(groups)
    overdue = qs.filter(overdue_open(period, now)).count()
    closed = _closed_days(qs, period)
    created = _created_days(qs, period)
    calls = call_days(period, filters)
    parts: dict[str, _Parts] = {
        "ontime_rate": _Parts(sum(r["ok"] for r in replied), sum(r["n"] for r in replied) + overdue),
        "citation_rate": _Parts(sum(r["cited"] for r in created), sum(r["total"] for r in created)),
    }
    parts.update(_closed_parts(closed))
    parts.update(_handling(qs, period, groups))
    for key, (num, den) in call_parts(period, filters, now=now, days=calls).items():
        parts[key] = _Parts(num, den)
    for key, (num, den) in staff_parts(period).items():
        parts[key] = _Parts(num, den)
    for key, (num, den) in quality_parts(period).items():
        parts[key] = _Parts(num, den)
    figures = [
        figure(ind, parts[ind.key].num, parts[ind.key].den, tg[ind.key], note=filters.ignored_by(ind))
        for ind in CENTRE
    ]
    return Board(figures, _trend(period, replied, closed, created, calls))


def centre_figures(
    period: Period, filters: Filters | None = None, *, now: datetime | None = None
) -> list[Figure]:
    """Every centre indicator of the seed table for the period, in the table's order."""
    return board_figures(period, filters, now=now).figures


def daily_trend(
    period: Period, filters: Filters | None = None, *, now: datetime | None = None
) -> dict[str, list[Any]]:
    """Per day of the period: intake, 按时办结率 of the day's replies, 综合满意率 of the day's closings, 接通率."""
    return board_figures(period, filters, now=now).trend


def _trend(
    period: Period,
    replied: list[dict[str, Any]],
    closed: list[dict[str, Any]],
    created: list[dict[str, Any]],
    calls: list[dict[str, Any]],
) -> dict[str, list[Any]]:
    def by_day(rows: list[dict[str, Any]]) -> dict[date, dict[str, Any]]:
        return {_as_date(r["d"]): r for r in rows}

    def rate(row: dict[str, Any] | None, ok: str, n: str) -> float | None:
        return round(row[ok] / row[n] * 100, 2) if row and row[n] else None

    rd, cd, nd, kd = by_day(replied), by_day(closed), by_day(created), by_day(calls)
    return {
        "days": [d.strftime("%m-%d") for d in period.days],
        "intake": [nd[d]["total"] if d in nd else 0 for d in period.days],
        "ontime": [rate(rd.get(d), "ok", "n") for d in period.days],
        "satisfaction": [rate(cd.get(d), "satisfied", "rated") for d in period.days],
        "answer": [rate(kd.get(d), "answered", "base") for d in period.days],
    }


__all__ = ["INDICATORS", "board_figures", "centre_figures", "daily_trend", "tickets_filtered"]
