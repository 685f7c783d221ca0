"""Reads of the visit app: the desk's worklist and the coverage cross-check."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from hotline.metrics.indicators import Period
from hotline.tickets.models import Assignment, Ticket
from hotline.visits.models import VisitAttempt, VisitTask

T = VisitTask.Status


def visit_worklist(*, show: str = "", now: datetime | None = None) -> QuerySet[VisitTask]:
    """Open visits, overdue first, then by deadline; attempts and the department's reply prefetched."""
    now = now or timezone.now()
    qs = VisitTask.objects.filter(status__in=VisitTask.OPEN_STATUSES)
    if show == "overdue":
        qs = qs.filter(due_at__lt=now)
    elif show == "awaiting":
        qs = qs.filter(status=T.AWAITING)
    elif show == "confirm":
        qs = qs.exclude(online_result="")
    replies = Assignment.objects.filter(role=Assignment.Role.LEAD, replied_at__isnull=False).order_by(
        "-replied_at"
    )
    return (
        qs.select_related("ticket", "ticket__category", "ticket__completing_department")
        .prefetch_related(
            Prefetch("attempts", queryset=VisitAttempt.objects.select_related("by")),
            Prefetch("ticket__assignments", queryset=replies, to_attr="replies"),
        )
        .annotate(late=Case(When(due_at__lt=now, then=Value(0)), default=Value(1)))
        .order_by("late", "due_at", "id")
    )


def visit_counts(*, now: datetime | None = None) -> dict[str, int]:
    """Open, overdue, awaiting the citizen's online answer, and online answers to confirm (one query)."""
    now = now or timezone.now()
    return VisitTask.objects.filter(status__in=VisitTask.OPEN_STATUSES).aggregate(
        all=Count("id"),
        overdue=Count("id", filter=Q(due_at__lt=now)),
        awaiting=Count("id", filter=Q(status=T.AWAITING)),
        confirm=Count("id", filter=~Q(online_result="")),
    )


def visit_coverage(period: Period) -> tuple[int, int]:
    """回访覆盖率 from the visit tasks: (visited, due) over dispatched tickets closed in the period.

    The same definition as the KPI engine's (docs/kpi.md): a ticket counts by its final round's task;
    不需回访 is left out of the denominator; no phone number, or no task at all, is a miss.
    """
    closed = Ticket.objects.filter(
        status__in=(Ticket.Status.CLOSED, Ticket.Status.ARCHIVED),
        closed_at__gte=period.start,
        closed_at__lt=period.end,
        first_department__isnull=False,
    )
    final = VisitTask.objects.filter(ticket_id__in=closed.values("pk")).order_by("ticket_id", "-round")
    last: dict[int, VisitTask] = {}
    for task in final.only("ticket_id", "round", "status", "result"):
        last.setdefault(task.ticket_id, task)
    due = visited = 0
    for pk in closed.values_list("pk", flat=True):
        final_task = last.get(pk)
        if final_task is not None and final_task.status == T.NOT_NEEDED:
            continue
        due += 1
        visited += bool(final_task is not None and final_task.status == T.DONE and final_task.result)
    return visited, due
