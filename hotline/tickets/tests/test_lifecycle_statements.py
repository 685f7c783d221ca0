"""The statement budget of one full lifecycle (bench/lifecycle.py's loop), so it cannot creep back silently.

create (submitted) → dispatch → acknowledge → reply → review → visit → archive, with the hooks that
ride on ticket events (citizen notices, the visit task, webhooks, province pushes). Each step's commit
hooks run inside the count, as they do after a real commit; the notices' delivery jobs are queued,
not run (the job runner sends them, and looks up the opt-out and the WeChat binding then).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.exchange.models import CitizenNotice
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import event_actions
from hotline.visits.models import VisitPolicy, VisitTask

pytestmark = pytest.mark.django_db
S = Ticket.Status

# 49 on PostgreSQL and SQLite when this was written (61 before the notices were queued inside the
# change's own transaction and the visit policy was cached); two of slack.
LIFECYCLE_MAX_STATEMENTS = 51


def _lifecycle(city: Any, n: int, hooks: Callable[[Callable[[], Ticket]], Ticket]) -> Ticket:
    data = svc.TicketInput(
        title="路灯不亮",
        content=f"幸福路{n}号附近路灯连续多晚不亮，请安排维修。",
        type=Ticket.Type.COMPLAINT,
        address=f"东城区幸福路{n}号",
        district=city.district,
        citizen_name="王伟",
        citizen_phone=f"139{n:08d}",
    )
    t = hooks(lambda: svc.ticket_create(data=data, by=city.agent, submit=True)[0])
    t = hooks(lambda: svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.bureau))
    t = hooks(lambda: svc.ticket_acknowledge(ticket=t, by=city.bureau_handler))
    t = hooks(lambda: svc.ticket_reply(ticket=t, by=city.bureau_handler, reply="经现场核实，路灯已修复。"))
    t = hooks(lambda: svc.ticket_review(ticket=t, by=city.reviewer, approve=True))
    t = hooks(lambda: svc.ticket_visit(ticket=t, by=city.visitor, result="satisfied"))
    return hooks(lambda: svc.ticket_archive(ticket=t, by=city.supervisor))


@pytest.fixture
def jobs_queued():
    """Background jobs wait in the (in-memory) queue instead of running inline, as they wait for the
    job runner in production."""
    from huey.contrib.djhuey import HUEY

    assert HUEY.immediate  # the test-wide fixture's in-memory queue; the setter would swap it for the file
    HUEY._immediate = False
    yield HUEY
    HUEY._immediate = True
    HUEY.flush()


def test_one_lifecycle_stays_within_its_statement_budget(
    city, jobs_queued, django_capture_on_commit_callbacks
):
    def with_commit_hooks(step: Callable[[], Ticket]) -> Ticket:
        with django_capture_on_commit_callbacks(execute=True):
            return step()

    VisitPolicy.objects.create()  # the centre's rules, saved once as an admin would
    _lifecycle(city, 1, with_commit_hooks)  # warm: per-process caches, the day's number row
    queued = jobs_queued.pending_count()
    with CaptureQueriesContext(connection) as ctx:
        t = _lifecycle(city, 2, with_commit_hooks)

    assert t.status == S.ARCHIVED
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) <= LIFECYCLE_MAX_STATEMENTS, "\n".join(statements)
    # Every audit row and side effect is still there.
    steps = ["create", "dispatch", "acknowledge", "reply", "review_approve", "visit", "archive"]
    assert event_actions(t) == steps
    notices = CitizenNotice.objects.filter(ticket=t).order_by("pk").values_list("purpose", flat=True)
    assert list(notices) == ["accepted", "replied", "closed"]
    assert jobs_queued.pending_count() - queued == 3  # one delivery job per notice
    task = VisitTask.objects.get(ticket=t)
    assert (task.status, task.result, task.source) == (VisitTask.Status.DONE, "satisfied", "ticket")
