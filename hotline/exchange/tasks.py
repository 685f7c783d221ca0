"""Background jobs for data exchange; each calls an idempotent service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from hotline.exchange.services.webhooks import webhook_deliver, webhooks_retry_due


@db_task()
def webhook_deliver_task(delivery_id: int) -> None:
    webhook_deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def webhooks_retry_due_task() -> int:
    return webhooks_retry_due()
