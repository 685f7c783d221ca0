"""API: the 回访台 worklist (citizens masked) and call outcomes through the desk's service, refusals structured."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.accounts.services import token_issue
from hotline.metrics.tests.test_api import api_error
from hotline.metrics.tests.test_views import client_for
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.visits.models import VisitAttempt, VisitTask

pytestmark = pytest.mark.django_db
S = Ticket.Status
URL = "/api/v1/visits"


def _attempt(c: Client, task: VisitTask, **body: object):  # type: ignore[no-untyped-def]
    return c.post(f"{URL}/{task.pk}/attempts", json.dumps(body), content_type="application/json")


@pytest.fixture
def task(city) -> VisitTask:  # type: ignore[no-untyped-def]
    return VisitTask.objects.get(ticket=drive(city, S.PENDING_VISIT))


def test_worklist_shows_open_visits_with_the_citizen_masked(city, task) -> None:
    r = client_for(city.visitor).get(URL)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 20
    row = body["results"][0]
    assert row["id"] == task.pk and row["number"] == task.ticket.number and row["status"] == "open"
    assert row["citizen_phone"] == "139****5678" and "13912345678" not in r.content.decode()
    assert row["citizen_name"] != task.ticket.citizen_name and row["version"] == task.version
    assert row["department"] and row["reply"]  # what the department answered, as on the desk


def test_worklist_filters_by_status_and_overdue_overdue_first(city, task) -> None:
    late = VisitTask.objects.get(ticket=drive(city, S.PENDING_VISIT))
    VisitTask.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    VisitTask.objects.filter(pk=task.pk).update(status=VisitTask.Status.AWAITING)
    c = client_for(city.supervisor)
    assert [r["id"] for r in c.get(URL).json()["results"]] == [late.pk, task.pk]
    assert [r["id"] for r in c.get(URL, {"overdue": "true"}).json()["results"]] == [late.pk]
    assert [r["id"] for r in c.get(URL, {"overdue": "false"}).json()["results"]] == [task.pk]
    assert [r["id"] for r in c.get(URL, {"status": "awaiting"}).json()["results"]] == [task.pk]
    assert c.get(URL, {"overdue": "true"}).json()["results"][0]["overdue"] is True
    assert c.get(URL, {"page": 2}).json()["results"] == []


def test_worklist_reads_a_constant_number_of_queries(city, task) -> None:
    c = client_for(city.visitor)
    with CaptureQueriesContext(connection) as one:
        c.get(URL)
    for _ in range(3):
        drive(city, S.PENDING_VISIT)
    with CaptureQueriesContext(connection) as four:
        assert len(c.get(URL).json()["results"]) == 4
    assert len(four) == len(one)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "done"}, "status"), ({"overdue": "maybe"}, "overdue"), ({"page": 0}, "page")],
)
def test_bad_worklist_queries_are_structured_errors(city, params, field) -> None:
    body = api_error(client_for(city.visitor).get(URL, params), 400)
    assert field in {e["field"] for e in body["errors"]}


@pytest.mark.parametrize("role", ["agent", "dispatcher", "qa", "analyst", "bureau_handler"])
def test_other_roles_are_refused(city, task, role) -> None:
    c = client_for(getattr(city, role))
    api_error(c.get(URL), 403, "forbidden")
    api_error(_attempt(c, task, outcome="reached", result="satisfied"), 403, "forbidden")
    assert VisitAttempt.objects.count() == 0


def test_a_satisfied_call_closes_the_ticket(city, task) -> None:
    _, raw = token_issue(user=city.visitor, name="外呼系统")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = _attempt(c, task, outcome="reached", result="satisfied", version=task.version)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done" and r.json()["citizen_phone"] == "139****5678"
    task.ticket.refresh_from_db()
    assert task.ticket.status == S.CLOSED and task.ticket.visit_result == "satisfied"


def test_unsatisfied_needs_a_note_then_reopens_the_ticket(city, task) -> None:
    c = client_for(city.visitor)
    body = api_error(_attempt(c, task, outcome="reached", result="unsatisfied"), 400)
    assert "不满意的原因" in body["message"] and body["errors"][0]["field"] == "note"
    r = _attempt(c, task, outcome="reached", result="unsatisfied", note="路灯仍然不亮")
    assert r.status_code == 200
    task.ticket.refresh_from_db()
    assert task.ticket.status == S.DISPATCHED


def test_reached_without_a_result_is_refused(city, task) -> None:
    body = api_error(_attempt(client_for(city.visitor), task, outcome="reached"), 400)
    assert body["errors"][0]["field"] == "result"


def test_a_second_failed_call_within_the_gap_is_refused(city, task) -> None:
    c = client_for(city.visitor)
    r = _attempt(c, task, outcome="no_answer")
    assert r.status_code == 200 and r.json()["phone_attempts"] == 1
    body = api_error(_attempt(c, task, outcome="busy"), 400)
    assert "分钟" in body["message"] and body["errors"][0]["field"] == "outcome"
    assert VisitTask.objects.get(pk=task.pk).phone_attempts == 1


def test_a_stale_version_is_a_conflict(city, task) -> None:
    c = client_for(city.visitor)
    assert _attempt(c, task, outcome="no_answer", version=task.version).status_code == 200
    api_error(_attempt(c, task, outcome="reached", result="satisfied", version=task.version), 409, "conflict")


def test_a_finished_visit_and_an_unknown_one_are_refused(city, task) -> None:
    c = client_for(city.visitor)
    assert _attempt(c, task, outcome="reached", result="satisfied").status_code == 200
    api_error(_attempt(c, task, outcome="reached", result="satisfied"), 409, "invalid_transition")
    r = c.post(
        f"{URL}/999999/attempts", json.dumps({"outcome": "no_answer"}), content_type="application/json"
    )
    api_error(r, 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "reached:satisfied"}, "outcome"),
        ({"outcome": "link_sent"}, "outcome"),
        ({"outcome": "reached", "result": "happy"}, "result"),
        ({"outcome": "no_answer", "note": "长" * 501}, "note"),
        ({}, "outcome"),
    ],
)
def test_bad_attempts_are_structured_errors(city, task, body, field) -> None:
    err = api_error(_attempt(client_for(city.visitor), task, **body), 400)
    assert field in {e["field"] for e in err["errors"]}
    assert VisitAttempt.objects.count() == 0
