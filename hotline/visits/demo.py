"""Demo data for this app; called by `hotline demo` after tickets and calls exist.

Visit tasks themselves already exist: the demo's tickets went through review, which creates them.
This adds a few attempts so the desk shows every state: a missed call, a sent survey link.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import ServiceError
from hotline.visits.models import SurveyLink, VisitAttempt, VisitTask
from hotline.visits.services import visit_attempt_record


def _age(task: VisitTask, hours: int) -> None:
    """Move the task's latest try back, as if made `hours` earlier (the gap rule reads it)."""
    back = timedelta(hours=hours)
    last = task.attempts.order_by("-at").first()
    if last is not None:
        VisitAttempt.objects.filter(pk=last.pk).update(at=last.at - back)
    VisitTask.objects.filter(pk=task.pk).update(last_attempt_at=timezone.now() - back)


def load_demo(*, seed: int = 12345) -> None:
    visitor = User.objects.filter(username="visitor").first()
    if visitor is None or SurveyLink.objects.exists():
        return
    tasks = VisitTask.objects.filter(status=VisitTask.Status.OPEN, ticket__citizen_phone__gt="")
    open_tasks = list(tasks.order_by("pk")[:40])
    if len(open_tasks) < 2:
        return
    r = random.Random(seed)
    missed, linked = r.sample(open_tasks, 2)
    try:
        visit_attempt_record(task=missed, by=visitor, outcome="busy", note="占线")
        _age(missed, 3)
        for outcome in ("busy", "no_answer", "powered_off"):
            _age(linked, 3)
            done = visit_attempt_record(task=linked, by=visitor, outcome=outcome)
            if done.status != VisitTask.Status.OPEN:
                break
    except ServiceError:  # the demo's data changed under us; leave the rest as it is
        return
