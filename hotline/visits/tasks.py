"""Periodic visit jobs; each calls an idempotent service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from hotline.visits.services import visits_expire_links


@db_periodic_task(crontab(minute="*/10"))
def visits_expire_links_task() -> int:
    return visits_expire_links()
