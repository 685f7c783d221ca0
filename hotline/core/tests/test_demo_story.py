"""The demo's ticket story: what the desks show after `hotline demo` looks like a working centre's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.core import demo as core_demo
from hotline.tickets.models import Ticket, TicketEvent
from hotline.visits.models import VisitTask

pytestmark = pytest.mark.django_db


def test_unreachable_citizens_are_visited_again_so_no_old_visit_stays_open():
    depts = core_demo.build_organisation()
    leaves = core_demo.build_categories()
    core_demo.build_users(depts)
    core_demo.build_tickets(count=200, days=90, seed=12345, depts=depts, leaves=leaves)

    # Some visits found nobody: each such round ends closed after the third unreachable call ...
    unreachable = TicketEvent.objects.filter(action="visit", data__result="unreachable")
    assert unreachable.exists()
    for number in set(unreachable.values_list("ticket__number", flat=True)):
        ticket = Ticket.objects.get(number=number)
        assert ticket.status != Ticket.Status.PENDING_VISIT or ticket.created_at > timezone.now() - timedelta(
            days=7
        )
    # ... so the visit desk holds only recent work, not tickets months overdue.
    stale = VisitTask.objects.filter(
        status=VisitTask.Status.OPEN, due_at__lt=timezone.now() - timedelta(days=3)
    )
    assert list(stale.values_list("ticket__number", flat=True)) == []
