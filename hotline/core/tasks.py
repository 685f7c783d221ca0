"""Periodic jobs of the core: the runner's heartbeat, and keeping the holiday table seeded."""

import socket

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from hotline.core.models import JobHeartbeat

HEARTBEAT = "periodic"


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    JobHeartbeat.objects.update_or_create(
        name=HEARTBEAT, defaults={"beat_at": timezone.now(), "host": socket.gethostname()[:100]}
    )


@db_task()
def heartbeat_task() -> str:
    """A one-off job used by /healthz checks and tests to prove the runner executes work."""
    heartbeat.call_local()
    return "ok"


@db_periodic_task(crontab(minute="17", hour="3"))
def calendar_seed_daily() -> None:
    from hotline.core.calendar import calendar_seed_from_package

    calendar_seed_from_package()
