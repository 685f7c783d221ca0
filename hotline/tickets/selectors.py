"""Reads with rules: scoped lists, the department inbox, a caller's history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from hotline.accounts.models import Department, User
from hotline.core.errors import NotFound
from hotline.tickets.models import CLOCK_STATUSES, OPEN_STATUSES, Assignment, Ticket
from hotline.tickets.permissions import tickets_visible_to


def ticket_get(*, user: User, number: str) -> Ticket:
    """One ticket by number, within the user's scope (outside it, the ticket does not exist)."""
    ticket = (
        tickets_visible_to(user)
        .select_related(
            "category",
            "district",
            "street",
            "lead_department",
            "first_department",
            "completing_department",
            "parent",
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound(f"工单 {number} 不存在或不在您的权限范围内。")
    return ticket


def ticket_list(
    *,
    user: User,
    status: list[str] | None = None,
    department: Department | None = None,
    overdue: bool | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    text: str = "",
) -> QuerySet[Ticket]:
    """Tickets the user may see, filtered; newest first."""
    qs = tickets_visible_to(user).select_related("category", "lead_department")
    if status:
        qs = qs.filter(status__in=status)
    if department is not None:
        qs = qs.filter(assignments__department_path__startswith=department.path).distinct()
    now = timezone.now()
    if overdue is True:
        qs = qs.filter(status__in=CLOCK_STATUSES, due_at__lt=now)
    elif overdue is False:
        qs = qs.exclude(status__in=CLOCK_STATUSES, due_at__lt=now)
    tz = timezone.get_current_timezone()
    if created_from:
        qs = qs.filter(created_at__gte=datetime.combine(created_from, time.min, tzinfo=tz))
    if created_to:
        qs = qs.filter(created_at__lt=datetime.combine(created_to + timedelta(days=1), time.min, tzinfo=tz))
    text = text.strip()[:100]
    if text:
        qs = qs.filter(
            Q(number=text)
            | Q(title__icontains=text)
            | Q(content__icontains=text)
            | Q(address__icontains=text)
        )
    return qs.order_by("-created_at", "-id")


def department_inbox(*, department: Department) -> QuerySet[Assignment]:
    """Open work held by a department subtree, soonest deadline first (the department desk's list)."""
    return (
        Assignment.objects.filter(
            active=True,
            department_path__startswith=department.path,
            ticket__status__in=OPEN_STATUSES,
        )
        .select_related("ticket", "department", "ticket__category")
        .order_by("ticket__due_at", "ticket_id")
    )


def tickets_of_caller(*, user: User, phone: str, days: int = 365) -> QuerySet[Ticket]:
    """A caller's earlier tickets (for the agent's screen pop), newest first."""
    since = timezone.now() - timedelta(days=days)
    return tickets_visible_to(user).filter(citizen_phone=phone, created_at__gte=since).order_by("-created_at")
