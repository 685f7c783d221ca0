"""Outbound notices to citizens (SMS, or WeChat when the citizen has bound an account).

The one entry point other apps call. The visit desk sends its survey links through it, the ticket
lifecycle its status notices. Gateways sit behind adapters (exchange's own modules); tests mock only
the gateway's far side.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    channel: str  # "sms" | "wechat"
    to: str  # phone number or openid
    text: str
    link: str
    purpose: str  # e.g. "visit", "status", "accepted"
    ticket_id: int | None
    id: int | None = None  # the outbox row, once persisted


def notify_citizen(
    *, phone: str, text: str, link: str = "", purpose: str, ticket_id: int | None = None
) -> Notice:
    """Queue a notice to the citizen behind `phone`; returns what was queued, with the channel it
    will go by (never raises on a gateway failure: delivery is retried from the outbox)."""
    from hotline.exchange.services.notices import notice_queue

    # The channel is decided now (the lifecycle's own notices decide it at delivery): callers such as
    # the visit desk record how the citizen was reached.
    row = notice_queue(
        phone=phone, text=text, link=link, purpose=purpose, ticket_id=ticket_id, route_now=True
    )
    if row is None:  # opted out, or no number
        log.info("notice not queued purpose=%s ticket=%s", purpose, ticket_id)
        return Notice("sms", phone, text, link, purpose, ticket_id)
    log.info("notice queued channel=%s purpose=%s ticket=%s", row.channel, purpose, ticket_id)
    return Notice(row.channel, row.to, row.text, row.link, purpose, ticket_id, row.pk)
