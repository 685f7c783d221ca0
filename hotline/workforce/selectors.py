"""Reads with rules: who is cleared for live seats, the staffing table, attrition, the roster grid."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hotline.workforce.models import OnboardingExam, Post, Roster, RosterEntry, Staff
from hotline.workforce.profiles import month_days


def staff_cleared_ids() -> set[int]:
    """People with an on-boarding exam that was passed and approved (the live-seat gate)."""
    rows = OnboardingExam.objects.filter(approved_at__isnull=False).values_list(
        "staff_id", "score", "pass_mark"
    )
    return {sid for sid, score, mark in rows if score >= mark}


def staff_list(*, q: str = "", post: str = "", include_left: bool = False) -> QuerySet[Staff]:
    qs = Staff.objects.select_related("post").order_by("employee_no")
    if not include_left:
        qs = qs.filter(Q(leave_date__isnull=True) | Q(leave_date__gt=timezone.localdate()))
    if q.strip():
        qs = qs.filter(Q(name__contains=q.strip()) | Q(employee_no__contains=q.strip()))
    if post:
        qs = qs.filter(post__code=post)
    return qs


@dataclass
class StaffingRow:
    post: Post
    contract: int
    actual: int
    cleared: int  # of those on live-seat posts: cleared for live seats

    @property
    def vacancy(self) -> int:
        return self.contract - self.actual

    @property
    def surplus(self) -> int:
        return max(0, self.actual - self.contract)


@dataclass
class StaffingTable:
    month: date
    rows: list[StaffingRow] = field(default_factory=list)
    required: int = 0  # contract head-count (the 172)
    actual: int = 0  # in contract posts on the last day of the month
    left_voluntary: int = 0  # left for their own reasons during the month
    left_total: int = 0

    @property
    def attrition(self) -> float:
        """The contract's monthly attrition: 1 − actual / required (target < 2 %)."""
        return max(0.0, 1 - self.actual / self.required) if self.required else 0.0

    @property
    def attrition_label(self) -> str:
        return f"{self.attrition:.2%}"

    @property
    def vacancy(self) -> int:
        return self.required - self.actual


def staffing_table(month: date) -> StaffingTable:
    """Post-by-post head-count against the contract at the end of ``month``."""
    days = month_days(month)
    first, last = days[0], days[-1]
    cleared = staff_cleared_ids()
    on_day = Staff.objects.filter(hire_date__lte=last).filter(
        Q(leave_date__isnull=True) | Q(leave_date__gt=last)
    )
    counts: dict[int, int] = defaultdict(int)
    cleared_counts: dict[int, int] = defaultdict(int)
    for sid, post_id in on_day.values_list("pk", "post_id"):
        counts[post_id] += 1
        if sid in cleared:
            cleared_counts[post_id] += 1
    table = StaffingTable(month=first)
    for post in Post.objects.order_by("sort", "code"):
        row = StaffingRow(post, post.contract_headcount, counts[post.pk], cleared_counts[post.pk])
        table.rows.append(row)
        if post.in_contract:
            table.required += row.contract
            table.actual += row.actual
    # leave_date is the first day no longer employed.
    leavers = Staff.objects.filter(
        leave_date__gt=first, leave_date__lte=last + timedelta(days=1), post__in_contract=True
    )
    table.left_total = leavers.count()
    table.left_voluntary = leavers.filter(voluntary_leave=True).count()
    return table


@dataclass
class RosterGrid:
    roster: Roster
    days: list[date]
    rows: list[tuple[Staff, list[RosterEntry | None]]]
    totals: dict[str, list[int]]  # shift name → people per day


def roster_grid(roster: Roster, *, post: str = "") -> RosterGrid:
    """The calendar: one row per person, one cell per day; and head-counts per shift per day."""
    days = month_days(roster.month)
    index = {d: i for i, d in enumerate(days)}
    entries = RosterEntry.objects.filter(roster=roster).select_related("shift", "staff__post")
    if post:
        entries = entries.filter(staff__post__code=post)
    rows: dict[int, tuple[Staff, list[RosterEntry | None]]] = {}
    totals: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for e in entries.order_by("staff__post__sort", "staff__employee_no", "day"):
        if e.staff_id not in rows:
            rows[e.staff_id] = (e.staff, [None] * len(days))
        rows[e.staff_id][1][index[e.day]] = e
        totals[e.shift.name][index[e.day]] += 1
    return RosterGrid(roster, days, list(rows.values()), dict(totals))


def rosters_recent(limit: int = 12) -> QuerySet[Roster]:
    return Roster.objects.annotate(n_entries=Count("entries")).order_by("-month", "-created_at")[:limit]


@dataclass
class Spread:
    pool: str
    people: int
    nights_min: int
    nights_max: int
    nights_sd: float
    rest_min: int
    rest_max: int
    rest_sd: float
    hours_min: float
    hours_max: float


def _sd(values: list[float]) -> float:
    if not values:
        return 0.0
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


def roster_fairness(roster: Roster) -> list[Spread]:
    """How evenly nights, rest-day shifts and hours are spread within each skill pool (people there all month)."""
    from hotline.core.calendar import get_calendar

    days = month_days(roster.month)
    cal = get_calendar()
    rest = {d for d in days if not cal.is_workday(d)}
    per: dict[int, list[int | float]] = defaultdict(lambda: [0, 0, 0.0, 0])
    pools: dict[int, str] = {}
    for sid, day, night, segs, queue, queues, hire, leave, night_ok in RosterEntry.objects.filter(
        roster=roster
    ).values_list(
        "staff_id",
        "day",
        "shift__night",
        "shift__segments",
        "queue",
        "staff__queues",
        "staff__hire_date",
        "staff__leave_date",
        "staff__night_ok",
    ):
        if not queue or hire > days[0] or (leave is not None and leave <= days[-1]):
            continue
        pools[sid] = "+".join(sorted(queues))
        row = per[sid]
        row[0] += int(night)
        row[1] += int(day in rest)
        row[2] += sum(int(b) - int(a) for a, b in segs) / 60
        row[3] = int(night_ok)
    by_pool: dict[str, list[list[int | float]]] = defaultdict(list)
    for sid, row in per.items():
        by_pool[pools[sid]].append(row)
    out = []
    for pool, rows in sorted(by_pool.items(), key=lambda kv: -len(kv[1])):
        nights = [float(r[0]) for r in rows if r[3]] or [0.0]  # only people who may work nights
        rests = [float(r[1]) for r in rows]
        hours = [float(r[2]) for r in rows]
        out.append(
            Spread(
                pool, len(rows), int(min(nights)), int(max(nights)), _sd(nights),
                int(min(rests)), int(max(rests)), _sd(rests), min(hours), max(hours),
            )
        )  # fmt: skip
    return out
