"""Deadline policy and the handling clock (working days, or working hours for urgent tickets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.core.calendar import get_calendar
from hotline.core.refcache import RefCache
from hotline.core.workdays import WorkCalendar
from hotline.tickets.models import ClockPause, DeadlinePolicy, Ticket

# The seed's defaults: consultations 2 working days, everything else 4; urgent work in working hours.
DEFAULT_DAYS: dict[str, int] = {Ticket.Type.CONSULTATION: 2}
DEFAULT_OTHER_DAYS = 4
DEFAULT_URGENT_HOURS: dict[str, int] = {Ticket.Urgency.URGENT: 8, Ticket.Urgency.CRITICAL: 2}
DEFAULT_ACK_HOURS: dict[str, int] = {
    Ticket.Urgency.NORMAL: 4,
    Ticket.Urgency.URGENT: 1,
    Ticket.Urgency.CRITICAL: 1,
}


@dataclass(frozen=True)
class Policy:
    budget: int
    unit: str
    ack_hours: int
    warn_ratio: float


def _policies() -> list[DeadlinePolicy]:
    return list(DeadlinePolicy.objects.all())


# The policy table is small and read on every dispatch; tickets.signals drops it on change.
policies: RefCache[list[DeadlinePolicy]] = RefCache("deadline-policies", _policies)


def policy_for(ticket: Ticket) -> Policy:
    """The most specific admin policy for the ticket's type, urgency and category, else the seed's defaults."""
    best = None
    best_score = -1
    for p in policies.get():
        if p.type not in ("", ticket.type) or p.urgency not in ("", ticket.urgency):
            continue
        if p.category_id is not None and p.category_id != ticket.category_id:
            continue
        score = (4 if p.category_id else 0) + (2 if p.urgency else 0) + (1 if p.type else 0)
        if score > best_score:
            best, best_score = p, score
    if best is not None:
        return Policy(best.budget, best.unit, best.ack_hours, best.warn_ratio)
    if ticket.urgency in DEFAULT_URGENT_HOURS:
        return Policy(DEFAULT_URGENT_HOURS[ticket.urgency], "hours", DEFAULT_ACK_HOURS[ticket.urgency], 0.8)
    days = DEFAULT_DAYS.get(ticket.type, DEFAULT_OTHER_DAYS)
    return Policy(days, "days", DEFAULT_ACK_HOURS[Ticket.Urgency.NORMAL], 0.8)


def compute_due(
    *,
    started_at: datetime,
    budget: int,
    unit: str,
    pauses: list[tuple[datetime, datetime]],
    calendar: WorkCalendar,
) -> datetime:
    """Deadline from clock start, budget (policy plus approved extensions) and closed pauses, deterministically."""
    if unit == "hours":
        due = calendar.add_work_hours(started_at, budget)
    else:
        due = calendar.add_workdays(started_at, budget)
    for paused_at, resumed_at in sorted(pauses):
        due = calendar.shift_for_pause(due, paused_at, resumed_at, unit=unit)
    return due


def closed_pauses(ticket: Ticket) -> list[tuple[datetime, datetime]]:
    if ticket.clock_started_at is None:
        return []
    return [
        (p.started_at, p.ended_at)
        for p in ClockPause.objects.filter(
            ticket=ticket, started_at__gte=ticket.clock_started_at, ended_at__isnull=False
        )
        if p.ended_at is not None
    ]


def clock_recompute(
    ticket: Ticket, policy: Policy | None = None, *, pauses: list[tuple[datetime, datetime]] | None = None
) -> list[str]:
    """Recompute due_at and warn_at from the stored clock; returns the changed field names."""
    if ticket.clock_started_at is None:
        return []
    cal = get_calendar()
    ticket.due_at = compute_due(
        started_at=ticket.clock_started_at,
        budget=ticket.budget,
        unit=ticket.budget_unit,
        pauses=closed_pauses(ticket) if pauses is None else pauses,
        calendar=cal,
    )
    total = cal.work_seconds_between(ticket.clock_started_at, ticket.due_at)
    ratio = (policy or policy_for(ticket)).warn_ratio
    warn = (
        cal.add_work_hours(ticket.clock_started_at, max(total * ratio, 60.0) / 3600)
        if total > 0
        else ticket.due_at
    )
    ticket.warn_at = min(warn, ticket.due_at)
    return ["due_at", "warn_at"]


def clock_start(ticket: Ticket, at: datetime, policy: Policy | None = None) -> list[str]:
    """(Re)start the handling clock at dispatch, redispatch or reopen."""
    policy = policy or policy_for(ticket)
    ticket.clock_started_at = at
    ticket.budget = policy.budget
    ticket.budget_unit = policy.unit
    ticket.warned_at = None
    ticket.overdue_at = None
    ticket.paused_since = None
    return [
        "clock_started_at",
        "budget",
        "budget_unit",
        "warned_at",
        "overdue_at",
        "paused_since",
        # A clock that starts now has no closed pauses after its start.
        *clock_recompute(ticket, policy, pauses=[]),
    ]


def clock_pause(ticket: Ticket, at: datetime, reason: str) -> list[str]:
    ClockPause.objects.create(ticket=ticket, started_at=at, reason=reason)
    ticket.paused_since = at
    return ["paused_since"]


def clock_resume(ticket: Ticket, at: datetime) -> list[str]:
    ClockPause.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=at)
    ticket.paused_since = None
    fields = ["paused_since", *clock_recompute(ticket)]
    # A deadline pushed back into the future is no longer overdue.
    if ticket.due_at and ticket.due_at > at:
        ticket.overdue_at = None
        fields.append("overdue_at")
    return fields


def ack_due(ticket: Ticket, at: datetime, policy: Policy | None = None) -> datetime:
    return get_calendar().add_work_hours(at, (policy or policy_for(ticket)).ack_hours)
