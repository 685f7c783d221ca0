"""Periodic knowledge-base jobs; each calls an idempotent service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from hotline.knowledge.services import articles_expire_due


@db_periodic_task(crontab(minute="7"))
def articles_expire_due_task() -> dict[str, int]:
    # Hourly although expiry is by date: a runner that was down at midnight catches up within the hour.
    return articles_expire_due()
