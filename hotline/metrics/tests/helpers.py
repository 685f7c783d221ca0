"""Build tickets through the services, then place their moments inside a fixed test period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive, handler_of

S = Ticket.Status
# 2025-09-29 … 2025-10-12 crosses the National Day holiday (10-01 … 10-08 off; 09-28 and 10-11 are
# make-up working days), from chinesecalendar via the calendar migration.
FIRST = date(2025, 9, 29)
LAST = date(2025, 10, 12)


def at(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, minute)))


def place(ticket: Ticket, **moments: Any) -> Ticket:
    """Move a ticket's timestamps (the services stamped them with the real now) into the test period."""
    Ticket.objects.filter(pk=ticket.pk).update(**moments)
    ticket.refresh_from_db()
    return ticket


def visit_round(city: Any, t: Ticket, result: str) -> Ticket:
    """From pending visit: the department handles the reopened work again and the visit records `result`."""
    note = "仍未解决" if result == "unsatisfied" else ""
    return svc.ticket_visit(ticket=t, by=city.visitor, result=result, note=note)


def redo(city: Any, t: Ticket) -> Ticket:
    """A reopened (dispatched) ticket back to pending visit through its department."""
    h = handler_of(city, t.lead_department)
    t = svc.ticket_acknowledge(ticket=t, by=h)
    t = svc.ticket_reply(ticket=t, by=h, reply="已再次处理。")
    return svc.ticket_review(ticket=t, by=city.reviewer, approve=True)


def closed(city: Any, result: str = "satisfied", **fields: Any) -> Ticket:
    t = drive(city, S.PENDING_VISIT, **fields)
    return visit_round(city, t, result)


def in_period(t: Ticket, day: date = date(2025, 10, 9)) -> Ticket:
    """Closed (and replied) on `day` of the period."""
    return place(t, closed_at=at(day, 15), replied_at=at(day, 9) if t.replied_at else None)


def later(d: date, days: int) -> date:
    return d + timedelta(days=days)
