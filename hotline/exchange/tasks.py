"""Background jobs for data exchange; each calls an idempotent service."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from hotline.exchange import conf
from hotline.exchange.province.client import ProvinceError
from hotline.exchange.services.notices import notice_deliver, notices_retry_due
from hotline.exchange.services.province import province_deliver, province_pull, province_retry_due
from hotline.exchange.services.webhooks import webhook_deliver, webhooks_retry_due

log = logging.getLogger(__name__)


@db_task()
def webhook_deliver_task(delivery_id: int) -> None:
    webhook_deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def webhooks_retry_due_task() -> int:
    return webhooks_retry_due()


@db_task()
def notice_deliver_task(notice_id: int) -> None:
    notice_deliver(notice_id)


@db_periodic_task(crontab(minute="*"))
def notices_retry_due_task() -> int:
    return notices_retry_due()


@db_task()
def province_deliver_task(row_id: int) -> None:
    province_deliver(row_id)


@db_periodic_task(crontab(minute="*"))
def province_retry_due_task() -> int:
    return province_retry_due() if conf.get_bool("PROVINCE_ENABLED") else 0


@db_periodic_task(crontab(minute="*/2"))
def province_pull_task() -> int:
    if not conf.get_bool("PROVINCE_ENABLED"):
        return 0
    try:
        return len(province_pull().created)
    except ProvinceError as exc:
        log.warning("province pull failed: %s (the next run tries again)", exc.message)
        return 0
