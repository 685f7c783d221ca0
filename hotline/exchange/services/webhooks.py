"""Outbound webhooks: ticket events fanned out to subscribers, signed, retried with backoff, logged."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hotline.core.errors import InvalidInput
from hotline.core.refcache import RefCache
from hotline.exchange.models import WebhookDelivery, WebhookSubscription
from hotline.exchange.services.outbox import retry_due
from hotline.exchange.webhook_signing import backoff_seconds, signature_header
from hotline.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5.0
LEASE = timedelta(seconds=60)  # a claimed delivery is left alone this long by other workers
DUE_BATCH = 200


def _active() -> list[tuple[int, frozenset[str]]]:
    return [(s.pk, s.actions) for s in WebhookSubscription.objects.filter(is_active=True)]


# Every ticket change asks "does anyone listen?": answered from memory, not the database.
subscribers: RefCache[list[tuple[int, frozenset[str]]]] = RefCache("webhook-subscribers", _active)


def webhook_subscription_check(*, url: str) -> None:
    """Only http(s) URLs with a host can receive deliveries."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("接收地址须为 http:// 或 https:// 开头的完整地址。", fields={"url": "地址无效"})


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def event_payload(event: TicketEvent, ticket: Ticket) -> dict[str, Any]:
    """What subscribers get: the change and the ticket's routing facts, never the citizen's details or notes."""
    category = ticket.category.code if ticket.category_id and ticket.category else ""
    lead = ticket.lead_department.code if ticket.lead_department_id and ticket.lead_department else ""
    return {
        "id": f"te-{event.pk}",
        "type": f"ticket.{event.action}",
        "occurred_at": _iso(event.at),
        "event": {
            "seq": event.seq,
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor_role": event.actor_role,
        },
        "ticket": {
            "number": ticket.number,
            "status": ticket.status,
            "channel": ticket.channel,
            "type": ticket.type,
            "urgency": ticket.urgency,
            "category": category,
            "lead_department": lead,
            "created_at": _iso(ticket.created_at),
            "due_at": _iso(ticket.due_at),
        },
    }


def webhook_event_publish(
    *, event_id: str, event_type: str, action: str, payload: dict[str, Any]
) -> list[int]:
    """Queue one delivery per interested active subscriber (once per event) and start sending them."""
    wanted = [pk for pk, actions in subscribers.get() if not actions or action in actions]
    if not wanted:
        return []
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription_id=pk, event_id=event_id, event_type=event_type, payload=payload)
            for pk in wanted
        ],
        ignore_conflicts=True,  # a repeated publish of the same event queues nothing new
    )
    ids = list(
        WebhookDelivery.objects.filter(
            subscription_id__in=wanted, event_id=event_id, status=WebhookDelivery.Status.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )
    from hotline.exchange.tasks import webhook_deliver_task

    for pk in ids:
        webhook_deliver_task(pk)
    return ids


def ticket_event_published(event: TicketEvent) -> None:
    """After the ticket change commits, publish its event (called from the TicketEvent signal)."""
    if not subscribers.get():
        return
    ticket = event.ticket
    payload = event_payload(event, ticket)

    def publish() -> None:
        webhook_event_publish(
            event_id=payload["id"], event_type=payload["type"], action=event.action, payload=payload
        )

    transaction.on_commit(publish)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read(1024)
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"[:300]


def webhook_deliver(delivery_id: int) -> WebhookDelivery | None:
    """One attempt, if the delivery is pending and due; claimed under the row lock, so never sent twice at once."""
    now = timezone.now()
    d = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if d is None or d.status != WebhookDelivery.Status.PENDING or d.next_attempt_at > now:
        return d
    if not d.subscription.is_active:
        WebhookDelivery.objects.filter(pk=d.pk, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.GAVE_UP, last_error="订阅已停用"
        )
        d.refresh_from_db()
        return d
    # Claim by compare-and-swap (works on SQLite too): of two workers, one moves the row, the other sees 0.
    claimed = WebhookDelivery.objects.filter(
        pk=d.pk, status=WebhookDelivery.Status.PENDING, attempts=d.attempts, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if claimed != 1:
        return d
    d.attempts += 1
    body = json.dumps(d.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Hotline-Webhook/1",
        "X-Hotline-Event": d.event_type,
        "X-Hotline-Delivery": str(d.pk),
        "X-Hotline-Signature": signature_header(d.subscription.secret, int(time.time()), body),
    }
    code, error = _post(d.subscription.url, body, headers)
    done = timezone.now()
    d.last_status_code, d.last_error = code, error
    if code is not None and 200 <= code < 300:
        d.status, d.delivered_at, d.last_error = WebhookDelivery.Status.DELIVERED, done, ""
    elif d.attempts >= MAX_ATTEMPTS:
        d.status = WebhookDelivery.Status.GAVE_UP
        log.warning(
            "webhook %s to %s gave up after %s attempts: %s", d.pk, d.subscription.name, d.attempts, error
        )
    else:
        wait = backoff_seconds(d.attempts)
        d.next_attempt_at = done + timedelta(seconds=wait)
        log.info("webhook %s to %s failed (%s); retry in %s s", d.pk, d.subscription.name, error, wait)
        from hotline.exchange.tasks import webhook_deliver_task

        transaction.on_commit(lambda: webhook_deliver_task.schedule((d.pk,), delay=wait))
    d.save(update_fields=["status", "delivered_at", "last_status_code", "last_error", "next_attempt_at"])
    return d


def webhooks_retry_due(*, limit: int = DUE_BATCH) -> int:
    """Try every pending delivery whose time has come, oldest first (the periodic sweep)."""
    return retry_due(WebhookDelivery, webhook_deliver, limit=limit)


def webhook_redeliver(*, delivery: WebhookDelivery) -> None:
    """An admin's "retry now": back to pending, attempts counted afresh."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    webhook_deliver(delivery.pk)


def webhook_ping(*, subscription: WebhookSubscription) -> WebhookDelivery:
    """Send a test event to one subscriber now; it is logged like any delivery."""
    now = timezone.now()
    d = WebhookDelivery.objects.create(
        subscription=subscription,
        event_id=f"ping-{now.timestamp():.6f}",
        event_type="ping",
        payload={"id": f"ping-{now.timestamp():.6f}", "type": "ping", "occurred_at": _iso(now)},
    )
    return webhook_deliver(d.pk) or d
