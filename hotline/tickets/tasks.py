"""Periodic ticket jobs; each calls an idempotent service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from hotline.tickets.services import tickets_archive_finished, tickets_scan_deadlines


@db_periodic_task(crontab(minute="*/5"))
def tickets_scan_deadlines_task() -> dict[str, int]:
    return tickets_scan_deadlines()


@db_periodic_task(crontab(minute="40", hour="2"))
def tickets_archive_finished_task() -> int:
    return tickets_archive_finished()
