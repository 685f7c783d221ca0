"""Periodic assist jobs; each calls an idempotent service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from hotline.assist.services import dispatch_model_retrain_due, hotspots_detect


@db_periodic_task(crontab(minute="10", hour="3"))
def dispatch_model_retrain_due_task() -> str:
    """Daily check; retrains only when the active schedule (ASSIST_RETRAIN_DAYS, weekly) is due and data changed."""
    result = dispatch_model_retrain_due()
    return result.version if result else ""


@db_periodic_task(crontab(minute="20", hour="7"))
def hotspots_detect_task() -> int:
    return len(hotspots_detect())
