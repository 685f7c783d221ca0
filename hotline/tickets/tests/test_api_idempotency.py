"""Intake is idempotent: retried POSTs, reused keys, external references and concurrent retries."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from hotline.tickets.models import ExternalRef, IdempotencyKey, Ticket, TicketEvent
from hotline.tickets.tests.api_helpers import (  # noqa: F401 - fixtures
    ApiClient,
    _clean_login_counters,
    api_fixture,
    assert_error,
    create_body,
    unchanged,
)


def _create(api, user, key: str | None = None, **body):
    headers = {"Idempotency-Key": key} if key is not None else None
    return api.post("/tickets", create_body(**body), user, headers=headers)


def test_same_key_twice_gives_one_ticket_and_200_on_the_retry(api, city):
    first = _create(api, city.agent, "call-20261128-0001")
    second = _create(api, city.agent, "call-20261128-0001")

    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["number"] == first.json()["number"]
    assert second.json()["version"] == first.json()["version"]
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.count() == 1  # one "create", no second intake


def test_retry_returns_the_ticket_as_it_is_now(api, city):
    number = _create(api, city.agent, "k-now").json()["number"]
    api.post(f"/tickets/{number}/dispatch", {"lead": "DCQ"}, city.agent)

    again = _create(api, city.agent, "k-now")

    assert again.status_code == 200 and again.json()["status"] == "dispatched"
    assert Ticket.objects.count() == 1


def test_without_a_key_each_post_is_a_new_ticket(api, city):
    a = _create(api, city.agent)
    b = _create(api, city.agent)

    assert a.status_code == b.status_code == 201
    assert a.json()["number"] != b.json()["number"]


@pytest.mark.parametrize(
    "changed",
    [
        {"title": "另一个标题"},
        {"content": "另一段诉求内容"},
        {"submit": True},
        {"type": "complaint"},
        {"urgency": "urgent"},
        {"citizen": {"name": "张三", "phone": "13800000000"}},
        {"citizen": {"name": "李四", "phone": "13912345678"}},
        {"citizen": {"name": "张三", "phone": "13912345678", "confidential": True}},
        {"address": "幸福路 14 号"},
        {"district": "DCQ"},
    ],
)
def test_same_key_with_a_different_body_is_refused(api, city, changed):
    first = _create(api, city.agent, "k-reused")
    assert first.status_code == 201

    with unchanged():
        r = _create(api, city.agent, "k-reused", **changed)

    body = assert_error(r, 400, "idempotency_key_reused")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert Ticket.objects.count() == 1


def test_different_users_may_use_the_same_key_independently(api, city):
    a = _create(api, city.agent, "shared-key")
    b = _create(api, city.dispatcher, "shared-key")
    c = _create(api, city.supervisor, "shared-key", title="另一件事")

    assert a.status_code == b.status_code == c.status_code == 201
    assert len({a.json()["number"], b.json()["number"], c.json()["number"]}) == 3
    assert IdempotencyKey.objects.filter(key="shared-key").count() == 3
    assert _create(api, city.dispatcher, "shared-key").json()["number"] == b.json()["number"]


def test_refused_create_does_not_use_up_the_key(api, city):
    bad = _create(api, city.agent, "k-after-error", title="")
    assert bad.status_code == 400

    good = _create(api, city.agent, "k-after-error")

    assert good.status_code == 201
    assert IdempotencyKey.objects.filter(key="k-after-error").count() == 1


def test_over_long_key_is_400(api, city):
    with unchanged():
        r = _create(api, city.agent, "k" * 129)

    assert "Idempotency-Key" in {e["field"] for e in assert_error(r, 400, "invalid")["errors"]}


def test_same_province_reference_twice_is_one_ticket(api, city):
    first = _create(api, city.agent, channel="province", external_refs={"province": "SJ2026112800042"})
    second = _create(
        api, city.dispatcher, channel="province", external_refs={"province": "SJ2026112800042"}, title="重推"
    )

    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1
    assert ExternalRef.objects.get().ref == "SJ2026112800042"


def test_same_reference_in_different_systems_are_different_tickets(api, city):
    a = _create(api, city.agent, external_refs={"province": "X-1"})
    b = _create(api, city.agent, external_refs={"police": "X-1"})

    assert a.status_code == b.status_code == 201
    assert Ticket.objects.count() == 2


def _retry_concurrently(api: ApiClient, user, n: int, key: str | None, **body):
    """n clients POST the same request at once; returns their responses."""
    token = api.token(user)
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        client = ApiClient().client
        try:
            barrier.wait(timeout=10)
            headers = {"Authorization": f"Bearer {token}"}
            if key:
                headers["Idempotency-Key"] = key
            results[i] = client.post(
                "/api/v1/tickets", create_body(**body), content_type="application/json", headers=headers
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite serialises them)"
)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_ticket(city):
    api = ApiClient()
    results = _retry_concurrently(api, city.agent, 8, "call-race-1")

    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] * 7 + [201], [r.content for r in results]
    assert len({r.json()["number"] for r in results}) == 1
    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_of_one_province_reference_create_one_ticket(city):
    api = ApiClient()
    results = _retry_concurrently(
        api, city.dispatcher, 6, None, channel="province", external_refs={"province": "SJ-RACE-7"}
    )

    assert sorted(r.status_code for r in results) == [200] * 5 + [201], [r.content for r in results]
    assert Ticket.objects.count() == 1
    assert ExternalRef.objects.count() == 1
