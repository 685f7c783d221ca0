"""The ticket list (filters, pages, scope, query count), masking and the audited unmask, and /healthz."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.core.models import AuditLog
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.tests.api_helpers import (  # noqa: F401 - fixtures
    _clean_login_counters,
    api_fixture,
    assert_error,
    dispatched_ticket,
)
from hotline.tickets.tests.factories import make_ticket


def _numbers(r) -> list[str]:
    assert r.status_code == 200, r.content
    return [row["number"] for row in r.json()["results"]]


def _at(days_ago: int) -> datetime:
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def board(city):
    """Tickets in several states and places, some older, one overdue."""
    draft = make_ticket(by=city.agent, title="噪音扰民", content="夜间施工噪音", address="和平路 3 号")
    pending = make_ticket(by=city.agent, submit=True, title="井盖缺失")
    district = dispatched_ticket(city, title="路灯不亮")
    street = dispatched_ticket(city, title="垃圾清运不及时")
    street = svc.ticket_acknowledge(ticket=street, by=city.district_handler)
    street = svc.ticket_subdispatch(ticket=street, by=city.district_handler, department=city.street)
    bureau = dispatched_ticket(city, lead=city.bureau, title="占道经营")
    overdue = dispatched_ticket(city, lead=city.bureau, title="违章搭建")
    Ticket.objects.filter(pk=overdue.pk).update(due_at=_at(1))
    Ticket.objects.filter(pk=draft.pk).update(created_at=_at(40))
    Ticket.objects.filter(pk=pending.pk).update(created_at=_at(10))
    return {
        "draft": draft.number,
        "pending": pending.number,
        "district": district.number,
        "street": street.number,
        "bureau": bureau.number,
        "overdue": overdue.number,
    }


def test_list_is_newest_first_with_count_and_page(api, city, board):
    r = api.get("/tickets", city.agent)

    body = r.json()
    assert body["count"] == 6 and body["page"] == 1 and body["page_size"] == 20
    assert _numbers(r)[-2:] == [board["pending"], board["draft"]]
    row = body["results"][0]
    assert set(row) >= {"number", "status", "status_label", "title", "due_at", "overdue", "version"}


def test_status_filter_takes_several_values(api, city, board):
    r = api.get("/tickets?status=draft&status=pending_dispatch", city.agent)

    assert sorted(_numbers(r)) == sorted([board["draft"], board["pending"]])
    assert r.json()["count"] == 2


def test_department_filter_covers_the_subtree(api, city, board):
    district = _numbers(api.get("/tickets?department=DCQ", city.supervisor))
    street = _numbers(api.get("/tickets?department=DCQ-DH", city.supervisor))
    bureau = _numbers(api.get("/tickets?department=CGJ", city.supervisor))

    assert sorted(district) == sorted([board["district"], board["street"]])
    assert street == [board["street"]]
    assert sorted(bureau) == sorted([board["bureau"], board["overdue"]])
    assert len(district) == len(set(district))  # two assignments, one row


def test_overdue_filter(api, city, board):
    overdue = _numbers(api.get("/tickets?overdue=true", city.agent))
    on_time = _numbers(api.get("/tickets?overdue=false", city.agent))

    assert overdue == [board["overdue"]]
    assert sorted(on_time) == sorted(set(board.values()) - {board["overdue"]})  # drafts have no deadline
    row = next(
        x for x in api.get("/tickets", city.agent).json()["results"] if x["number"] == board["overdue"]
    )
    assert row["overdue"] is True


def test_created_date_filters(api, city, board):
    today = timezone.localdate()
    d = lambda days: (today - timedelta(days=days)).isoformat()  # noqa: E731

    assert _numbers(api.get(f"/tickets?created_to={d(30)}", city.agent)) == [board["draft"]]
    assert _numbers(api.get(f"/tickets?created_from={d(11)}&created_to={d(9)}", city.agent)) == [
        board["pending"]
    ]
    assert len(_numbers(api.get(f"/tickets?created_from={today.isoformat()}", city.agent))) == 4
    assert _numbers(api.get(f"/tickets?created_from={d(-1)}", city.agent)) == []


def test_text_search_matches_number_title_content_and_address(api, city, board):
    assert _numbers(api.get(f"/tickets?q={board['street']}", city.agent)) == [board["street"]]
    assert _numbers(api.get("/tickets?q=井盖", city.agent)) == [board["pending"]]
    assert _numbers(api.get("/tickets?q=夜间施工", city.agent)) == [board["draft"]]
    assert _numbers(api.get("/tickets?q=和平路", city.agent)) == [board["draft"]]
    assert _numbers(api.get("/tickets?q=没有这种诉求", city.agent)) == []


def test_filters_combine(api, city, board):
    r = api.get("/tickets?department=CGJ&overdue=false&q=占道", city.agent)

    assert _numbers(r) == [board["bureau"]]


def test_pagination(api, city, board):
    p1 = api.get("/tickets?page_size=4", city.agent).json()
    p2 = api.get("/tickets?page_size=4&page=2", city.agent).json()
    p3 = api.get("/tickets?page_size=4&page=3", city.agent).json()

    assert (p1["count"], p1["page"], p1["page_size"], len(p1["results"])) == (6, 1, 4, 4)
    assert (p2["count"], p2["page"], len(p2["results"])) == (6, 2, 2)
    assert p3["results"] == [] and p3["count"] == 6
    seen = [x["number"] for x in p1["results"] + p2["results"]]
    assert sorted(seen) == sorted(board.values())
    assert p1["count_exact"] is True


def test_count_is_capped_and_says_so(api, city, board, monkeypatch):
    from hotline.tickets import selectors

    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 5)
    capped = api.get("/tickets?page_size=4", city.agent).json()
    assert (capped["count"], capped["count_exact"]) == (5, False)
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 6)
    exact = api.get("/tickets?page_size=4", city.agent).json()
    assert (exact["count"], exact["count_exact"]) == (6, True)


def test_department_users_list_only_their_subtree(api, city, board):
    assert sorted(_numbers(api.get("/tickets", city.district_handler))) == sorted(
        [board["district"], board["street"]]
    )
    assert _numbers(api.get("/tickets", city.street_handler)) == [board["street"]]
    assert _numbers(api.get("/tickets", city.other_street_handler)) == []
    assert _numbers(api.get("/tickets", city.other_handler)) == []
    # Naming another department's code does not widen the scope.
    assert _numbers(api.get("/tickets?department=CGJ", city.district_handler)) == []
    assert api.get(f"/tickets?q={board['bureau']}", city.district_handler).json()["count"] == 0


def test_list_query_count_does_not_grow_with_the_number_of_tickets(api, city):
    def queries_for_list(user) -> int:
        api.token(user)  # sign-in is not part of listing
        api.get("/tickets", user)  # warm: the token's last-use stamp
        with CaptureQueriesContext(connection) as ctx:
            r = api.get("/tickets?page_size=100", user)
        assert r.status_code == 200
        return len(ctx.captured_queries)

    for _ in range(5):
        dispatched_ticket(city, lead=city.district)
    few = {u: queries_for_list(getattr(city, u)) for u in ("agent", "district_handler")}
    for _ in range(20):
        dispatched_ticket(city, lead=city.district)
    many = {u: queries_for_list(getattr(city, u)) for u in ("agent", "district_handler")}

    assert api.get("/tickets?page_size=100", city.agent).json()["count"] == 25
    assert many == few
    assert max(many.values()) <= 6


def test_list_with_the_query_count_guard(api, city, django_assert_max_num_queries):
    for _ in range(12):
        dispatched_ticket(city)
    api.get("/tickets", city.supervisor)

    with django_assert_max_num_queries(6):
        api.get("/tickets?page_size=100", city.supervisor)


# --- Masking and the audited unmask ---------------------------------------------------------------


@pytest.fixture
def person(city):
    t = make_ticket(
        by=city.agent,
        submit=True,
        citizen_phone="13912345678",
        citizen_name="张三丰",
        citizen_id_number="110101199001011234",
    )
    return svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.district)


def test_citizen_is_masked_in_list_and_detail(api, city, person):
    listed = api.get("/tickets", city.agent)
    detail = api.get(f"/tickets/{person.number}", city.agent).json()

    assert "13912345678" not in listed.content.decode()
    assert "110101199001011234" not in listed.content.decode()
    assert detail["citizen"]["phone"] == "139****5678"
    assert detail["citizen"]["name"] == "张**"
    assert detail["citizen"]["id_number"] == "1101**********1234"
    assert detail["citizen"]["masked"] is True
    raw = json.dumps(detail, ensure_ascii=False)
    assert "13912345678" not in raw and "张三丰" not in raw
    assert not AuditLog.objects.filter(action="citizen_unmask").exists()


@pytest.mark.parametrize("role", ["agent", "dispatcher", "reviewer", "visitor", "supervisor"])
def test_citizen_endpoint_unmasks_for_centre_roles_and_audits(api, city, person, role):
    user = getattr(city, role)

    r = api.get(f"/tickets/{person.number}/citizen", user)

    assert r.status_code == 200
    assert r.json() == {
        "name": "张三丰",
        "phone": "13912345678",
        "id_number": "110101199001011234",
        "confidential": False,
        "anonymous": False,
        "no_callback": False,
        "masked": False,
    }
    log = AuditLog.objects.get(action="citizen_unmask")
    assert (log.actor, log.object_type, log.object_id) == (user, "ticket", person.number)
    assert log.address == "127.0.0.1"


def test_every_unmask_is_audited(api, city, person):
    for _ in range(3):
        api.get(f"/tickets/{person.number}/citizen", city.agent)

    assert AuditLog.objects.filter(action="citizen_unmask", actor=city.agent).count() == 3


@pytest.mark.parametrize("role", ["analyst", "qa", "hr", "admin"])
def test_citizen_endpoint_is_403_for_roles_that_may_not_unmask(api, city, person, role):
    r = api.get(f"/tickets/{person.number}/citizen", getattr(city, role))

    assert_error(r, 403, "forbidden")
    assert not AuditLog.objects.filter(action="citizen_unmask").exists()


def test_assigned_department_may_unmask_unless_confidential(api, city, person):
    r = api.get(f"/tickets/{person.number}/citizen", city.district_handler)
    assert r.status_code == 200 and r.json()["phone"] == "13912345678"
    assert AuditLog.objects.filter(action="citizen_unmask", actor=city.district_handler).count() == 1

    secret = make_ticket(by=city.agent, submit=True, confidential=True, citizen_phone="13700001111")
    svc.ticket_dispatch(ticket=secret, by=city.dispatcher, lead=city.district)

    assert_error(api.get(f"/tickets/{secret.number}/citizen", city.district_handler), 403, "forbidden")
    assert AuditLog.objects.filter(action="citizen_unmask", object_id=secret.number).count() == 0
    assert api.get(f"/tickets/{secret.number}/citizen", city.agent).json()["phone"] == "13700001111"


def test_other_department_gets_404_not_403_for_the_citizen(api, city, person):
    assert_error(api.get(f"/tickets/{person.number}/citizen", city.other_handler), 404, "not_found")
    assert not AuditLog.objects.filter(action="citizen_unmask").exists()


# --- /healthz ------------------------------------------------------------------------------------------


def test_healthz_reports_database_calendar_and_jobs(client, db):
    r = client.get("/healthz")

    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    checks = body["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["database"]["vendor"] == connection.vendor
    assert isinstance(checks["calendar"]["missing_years"], list)
    assert "status" in checks["calendar"] and "known_years" in checks["calendar"]
    assert checks["jobs"]["status"] in {"ok", "stale", "unknown"}
    assert body["status"] in {"ok", "degraded"}


def test_healthz_reports_the_job_runner_once_it_has_beaten(client, db):
    from hotline.core.tasks import heartbeat_task

    heartbeat_task()

    jobs = client.get("/healthz").json()["checks"]["jobs"]

    assert jobs["status"] == "ok" and jobs["age_s"] < 60
