"""Periodic, idempotent scans: deadline warnings, overdue marking with automatic urge, archiving."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from hotline.core.errors import ServiceError
from hotline.tickets.models import CLOCK_STATUSES, Assignment, Ticket
from hotline.tickets.services._base import ticket_event, ticket_lock, ticket_save
from hotline.tickets.services.lifecycle import ticket_archive, ticket_urge

log = logging.getLogger(__name__)
ARCHIVE_AFTER_DAYS = 30


def tickets_scan_deadlines(*, now: datetime | None = None, limit: int = 5000) -> dict[str, int]:
    """Warn tickets past their warning point and mark and urge overdue ones; running twice changes nothing."""
    now = now or timezone.now()
    counts = {"warned": 0, "overdue": 0, "ack_overdue": 0}
    running = Ticket.objects.filter(status__in=CLOCK_STATUSES, paused_since__isnull=True)
    for pk in running.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gte=now).values_list(
        "pk", flat=True
    )[:limit]:
        with transaction.atomic():
            t = ticket_lock(pk)
            if (
                t.warned_at
                or t.paused_since
                or t.status not in CLOCK_STATUSES
                or not t.warn_at
                or t.warn_at > now
            ):
                continue
            t.warned_at = now
            ticket_save(t, ["warned_at"])
            ticket_event(
                t,
                action="warning",
                by=None,
                from_status=t.status,
                data={"due_at": t.due_at.isoformat() if t.due_at else None},
            )
            counts["warned"] += 1
    # Overdue means past the deadline (due_at < now), as in Ticket.is_overdue and the lists.
    for pk in running.filter(overdue_at__isnull=True, due_at__lt=now).values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            t = ticket_lock(pk)
            if (
                t.overdue_at
                or t.paused_since
                or t.status not in CLOCK_STATUSES
                or not t.due_at
                or t.due_at >= now
            ):
                continue
            t.overdue_at = now
            if not t.warned_at:
                t.warned_at = now
            ticket_save(t, ["overdue_at", "warned_at"])
            ticket_event(
                t, action="overdue", by=None, from_status=t.status, data={"due_at": t.due_at.isoformat()}
            )
            ticket_urge(ticket=t, by=None, note="超期自动催办", automatic=True)
            counts["overdue"] += 1
    late_acks = Assignment.objects.filter(
        active=True,
        state=Assignment.State.PENDING,
        ack_due_at__lte=now,
        ack_urged_at__isnull=True,
        ticket__status=Ticket.Status.DISPATCHED,
    ).values_list("pk", "ticket_id")[:limit]
    for apk, tpk in late_acks:
        with transaction.atomic():
            claimed = Assignment.objects.filter(pk=apk, ack_urged_at__isnull=True).update(ack_urged_at=now)
            if not claimed:
                continue
            try:
                ticket_urge(ticket=tpk, by=None, note="超时未签收，自动催办", automatic=True)
            except ServiceError as exc:
                log.info("ack urge skipped for ticket %s: %s", tpk, exc.message)
                continue
            counts["ack_overdue"] += 1
    return counts


def tickets_archive_finished(
    *, now: datetime | None = None, days: int = ARCHIVE_AFTER_DAYS, limit: int = 5000
) -> int:
    """Archive tickets finished more than `days` days ago."""
    now = now or timezone.now()
    done = 0
    finished = Ticket.objects.filter(
        status__in=[Ticket.Status.CLOSED, Ticket.Status.ANSWERED, Ticket.Status.INVALID],
        closed_at__lte=now - timedelta(days=days),
    ).values_list("pk", flat=True)[:limit]
    for pk in finished:
        try:
            ticket_archive(ticket=pk, by=None)
            done += 1
        except ServiceError as exc:
            log.info("archive skipped for ticket %s: %s", pk, exc.message)
    return done
