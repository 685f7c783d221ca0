"""Outbound webhooks against a real HTTP receiver on 127.0.0.1: signed, once per event, retried, logged."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hotline.exchange.models import WebhookDelivery, WebhookSubscription
from hotline.exchange.services.webhooks import (
    MAX_ATTEMPTS,
    webhook_deliver,
    webhook_event_publish,
    webhook_ping,
    webhook_redeliver,
    webhooks_retry_due,
)
from hotline.exchange.webhook_signing import backoff_seconds, signature_header, signature_verify
from hotline.tickets import services as svc
from hotline.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


class Receiver:
    """A tiny HTTP server that records what it gets and answers with the status it is told to."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def subscription(receiver):
    sub = WebhookSubscription(name="区数据平台", url=receiver.url)
    sub.set_new_secret()
    sub.save()
    return sub


def test_ticket_changes_are_posted_signed_once_each(
    city, subscription, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(by=city.agent)
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_dispatch(ticket=ticket, lead=city.bureau, by=city.dispatcher)
    assert [json.loads(b)["type"] for _, b in receiver.received] == ["ticket.create", "ticket.dispatch"]
    headers, body = receiver.received[1]
    assert signature_verify(subscription.secret, headers["x-hotline-signature"], body, now=int(time.time()))
    assert not signature_verify("whsec_other", headers["x-hotline-signature"], body, now=int(time.time()))
    payload = json.loads(body)
    assert payload["ticket"]["number"] == ticket.number and payload["ticket"]["lead_department"] == "CGJ"
    assert payload["event"]["to_status"] == "dispatched"
    assert "张三" not in body.decode() and "13912345678" not in body.decode()  # no citizen details
    assert headers["x-hotline-event"] == "ticket.dispatch"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    # Publishing the same event again (a retried job) queues and sends nothing new.
    assert (
        webhook_event_publish(
            event_id=payload["id"], event_type="ticket.dispatch", action="dispatch", payload=payload
        )
        == []
    )
    assert len(receiver.received) == 2 and WebhookDelivery.objects.count() == 2


def test_event_filter_and_inactive_subscriptions(
    city, subscription, receiver, django_capture_on_commit_callbacks
):
    subscription.events = "dispatch, reply"
    subscription.save()
    other = WebhookSubscription.objects.create(name="停用方", url=receiver.url, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(by=city.agent)
        svc.ticket_dispatch(ticket=ticket, lead=city.bureau, by=city.dispatcher)
    assert [json.loads(b)["type"] for _, b in receiver.received] == ["ticket.dispatch"]
    assert not WebhookDelivery.objects.filter(subscription=other).exists()


def test_no_subscribers_costs_no_query(city, django_assert_num_queries, django_capture_on_commit_callbacks):
    ticket = make_ticket(by=city.agent)
    from hotline.exchange.services.webhooks import subscribers, ticket_event_published

    subscribers.get()  # warm
    event = ticket.events.first()
    with django_assert_num_queries(0):
        ticket_event_published(event)


def test_failures_back_off_and_then_deliver(subscription, receiver):
    receiver.status = 503
    (pk,) = webhook_event_publish(event_id="e1", event_type="ticket.x", action="x", payload={"id": "e1"})
    d = WebhookDelivery.objects.get(pk=pk)
    assert d.status == "pending" and d.attempts == 1 and d.last_status_code == 503
    wait = (d.next_attempt_at - timezone.now()).total_seconds()
    assert backoff_seconds(1) - 2 <= wait <= backoff_seconds(1)
    assert webhook_deliver(pk).attempts == 1  # not due yet: nothing sent
    assert len(receiver.received) == 1
    WebhookDelivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    receiver.status = 204
    assert webhooks_retry_due() == 1
    d.refresh_from_db()
    assert d.status == "delivered" and d.attempts == 2 and d.last_status_code == 204 and d.last_error == ""
    assert webhooks_retry_due() == 0  # idempotent


def test_gives_up_after_max_attempts_and_admin_can_redeliver(subscription, receiver):
    receiver.status = 500
    (pk,) = webhook_event_publish(event_id="e2", event_type="ticket.x", action="x", payload={"id": "e2"})
    for _ in range(MAX_ATTEMPTS - 1):
        WebhookDelivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        webhook_deliver(pk)
    d = WebhookDelivery.objects.get(pk=pk)
    assert d.status == "gave_up" and d.attempts == MAX_ATTEMPTS and len(receiver.received) == MAX_ATTEMPTS
    receiver.status = 200
    webhook_redeliver(delivery=d)
    d.refresh_from_db()
    assert d.status == "delivered" and d.attempts == 1


def test_unreachable_receiver_is_logged_as_an_error(subscription, receiver):
    url = receiver.url
    receiver.close()
    subscription.url = url
    subscription.save()
    d = webhook_ping(subscription=subscription)
    assert d.status == "pending" and d.last_status_code is None and "Error" in d.last_error


def test_a_claimed_delivery_is_left_to_its_worker(subscription, receiver):
    d = WebhookDelivery.objects.create(subscription=subscription, event_id="e3", event_type="x", payload={})
    # Another worker claimed it a moment ago (attempt counted, lease set) and is sending it now.
    WebhookDelivery.objects.filter(pk=d.pk).update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(seconds=60)
    )
    assert webhook_deliver(d.pk).attempts == 1
    assert webhooks_retry_due() == 0
    assert receiver.received == []


def test_signature_rules():
    body = b'{"a":1}'
    header = signature_header("s3cret", 1_000_000, body)
    assert signature_verify("s3cret", header, body, now=1_000_100)
    assert not signature_verify("s3cret", header, body + b" ", now=1_000_100)  # tampered
    assert not signature_verify("s3cret", header, body, now=1_000_000 + 301)  # replayed late
    assert not signature_verify("s3cret", "garbage", body, now=1_000_000)
    assert [backoff_seconds(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_subscription_url_must_be_http(db):
    sub = WebhookSubscription(name="x", url="ftp://example.org/x")
    with pytest.raises(ValidationError):
        sub.full_clean()
