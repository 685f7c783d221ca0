"""Concurrent actions on one ticket are serialised: one wins, the other gets a clear conflict, events stay gapless."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from hotline.core.errors import Conflict, InvalidTransition, ServiceError
from hotline.core.workdays import SHANGHAI
from hotline.tickets import services as svc
from hotline.tickets.models import Assignment, Ticket, TicketRequest
from hotline.tickets.services._base import ticket_save
from hotline.tickets.tests.drive import assert_events_gapless, drive, event_actions

S = Ticket.Status

on_postgres = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def postgres_only(fn: Callable[..., Any]) -> Callable[..., Any]:
    for mark in reversed(on_postgres):
        fn = mark(fn)
    return fn


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released together; each result is a return value or the exception raised."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = action()
        except Exception as exc:  # noqa: BLE001 - the exception is the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert not any(th.is_alive() for th in threads), "a thread hung: a lock was never released"
    return results


def one_winner(results: list[Any], refusals: tuple[type[ServiceError], ...]) -> int:
    winners = [i for i, r in enumerate(results) if isinstance(r, Ticket)]
    losers = [r for r in results if not isinstance(r, Ticket)]
    assert len(winners) == 1, results
    assert all(isinstance(r, refusals) for r in losers), results
    return winners[0]


@postgres_only
def test_two_dispatchers_dispatching_one_ticket_one_wins(city):
    t = drive(city, S.PENDING_DISPATCH)
    results = race(
        lambda: svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.bureau),
        lambda: svc.ticket_dispatch(ticket=t, by=city.supervisor, lead=city.other_bureau),
    )
    won = one_winner(results, (InvalidTransition, Conflict))
    t.refresh_from_db()
    assert t.status == S.DISPATCHED
    assert t.lead_department == [city.bureau, city.other_bureau][won]
    assert Assignment.objects.filter(ticket=t).count() == 1
    assert event_actions(t) == ["create", "dispatch"]
    assert_events_gapless(t)


@postgres_only
def test_two_dispatchers_with_the_same_version_one_gets_a_conflict(city):
    t = drive(city, S.PENDING_DISPATCH)
    v = t.version
    results = race(
        lambda: svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.bureau, version=v),
        lambda: svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.district, version=v),
    )
    won = one_winner(results, (Conflict,))
    t.refresh_from_db()
    assert t.lead_department == [city.bureau, city.district][won]
    assert_events_gapless(t)


@postgres_only
def test_reply_racing_a_return_request_one_wins(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.bureau)
    results = race(
        lambda: svc.ticket_reply(ticket=t, by=city.bureau_handler, reply="已处理"),
        lambda: svc.ticket_return_request(ticket=t, by=city.bureau_handler, reason="不属本单位职责"),
    )
    won = one_winner(results, (InvalidTransition, Conflict))
    t.refresh_from_db()
    if won == 0:
        assert t.status == S.REPLIED
        assert not TicketRequest.objects.filter(ticket=t).exists()
        assert t.paused_since is None
    else:
        assert t.status == S.RETURN_PENDING
        assert TicketRequest.objects.filter(ticket=t, state="pending").count() == 1
        assert t.paused_since is not None
    assert_events_gapless(t)


@postgres_only
def test_acknowledge_then_reply_racing_a_redispatch(city):
    t = drive(city, S.DISPATCHED, lead=city.bureau)

    def department() -> Ticket:
        done = svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
        return svc.ticket_reply(ticket=done, by=city.bureau_handler, reply="已处理")

    results = race(
        department,
        lambda: svc.ticket_redispatch(ticket=t, by=city.dispatcher, lead=city.other_bureau, note="改派"),
    )
    t.refresh_from_db()
    # Either the redispatch came first (the department is refused at once), or the department's
    # acknowledge came first and one of reply / redispatch won the acknowledged ticket.
    assert_events_gapless(t)
    leads = Assignment.objects.filter(ticket=t, active=True, role="lead", level=1)
    assert leads.count() == 1
    if t.status == S.REPLIED:
        assert isinstance(results[0], Ticket) and isinstance(results[1], (InvalidTransition, Conflict))
        assert leads.get().department == city.bureau
    else:
        assert t.status == S.DISPATCHED
        assert isinstance(results[1], Ticket) and isinstance(results[0], ServiceError)
        assert leads.get().department == city.other_bureau


@postgres_only
def test_approve_and_reject_of_one_reply_one_wins(city):
    t = drive(city, S.REPLIED)
    results = race(
        lambda: svc.ticket_review(ticket=t, by=city.reviewer, approve=True),
        lambda: svc.ticket_review(ticket=t, by=city.supervisor, approve=False, note="答复不完整"),
    )
    won = one_winner(results, (InvalidTransition, Conflict))
    t.refresh_from_db()
    assert t.status == [S.PENDING_VISIT, S.ACKNOWLEDGED][won]
    assert_events_gapless(t)


@postgres_only
def test_concurrent_urges_are_all_counted(city):
    t = drive(city, S.ACKNOWLEDGED)
    results = race(*[lambda: svc.ticket_urge(ticket=t, by=city.dispatcher, note="请尽快") for _ in range(4)])
    assert all(isinstance(r, Ticket) for r in results), results
    t.refresh_from_db()
    assert t.urge_count == 4
    assert event_actions(t).count("urge") == 4
    assert_events_gapless(t)


@postgres_only
def test_two_deadline_scans_at_once_mark_and_urge_once(city):
    t = drive(city, S.ACKNOWLEDGED)
    late = datetime(2099, 1, 5, 9, tzinfo=SHANGHAI)
    results = race(
        lambda: svc.tickets_scan_deadlines(now=late),
        lambda: svc.tickets_scan_deadlines(now=late),
    )
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["overdue"] for r in results) == 1
    t.refresh_from_db()
    assert (t.urge_count, event_actions(t).count("overdue"), event_actions(t).count("urge")) == (1, 1, 1)
    assert_events_gapless(t)


# -- the optimistic version check, on every database ----------------------------------------------


def test_stale_version_is_a_conflict(city):
    t = drive(city, S.DISPATCHED)
    seen = t.version
    t = svc.ticket_acknowledge(ticket=t, by=city.district_handler, version=seen)
    with pytest.raises(Conflict) as err:
        svc.ticket_urge(ticket=t, by=city.dispatcher, version=seen)
    assert err.value.code == "conflict"
    after = Ticket.objects.get(pk=t.pk)
    assert (after.version, after.urge_count) == (seen + 1, 0)
    svc.ticket_urge(ticket=t, by=city.dispatcher, version=after.version)


def test_save_over_a_concurrent_write_is_a_conflict(city):
    t = drive(city, S.DISPATCHED)
    stale = Ticket.objects.get(pk=t.pk)
    Ticket.objects.filter(pk=t.pk).update(version=F("version") + 1)  # somebody else wrote meanwhile
    stale.urge_count = 5
    with pytest.raises(Conflict):
        ticket_save(stale, ["urge_count"])
    assert Ticket.objects.get(pk=t.pk).urge_count == 0
