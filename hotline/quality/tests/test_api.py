"""API: GET /api/v1/quality/scores — QA inspectors and supervisors see every agent, anyone else only themselves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.accounts.services import token_issue
from hotline.metrics.tests.test_api import api_error
from hotline.metrics.tests.test_views import client_for
from hotline.quality import services as svc
from hotline.quality.models import QualityCheck
from hotline.quality.tests.helpers import agent_for, call, full, plan, rubric
from hotline.tickets.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/quality/scores"


def _inspected(city, user: User, code: str, **less: int) -> QualityCheck:  # type: ignore[no-untyped-def]
    agent_for(user, code)
    c = call(code)
    check = QualityCheck.objects.create(
        plan=plan("random"), rubric=rubric(), key=f"call:{c.pk}", call=c, agent=user, agent_code=code
    )
    return svc.qa_inspect(check=check, by=city.qa, points=full(rubric(), **less), comment="")


@pytest.fixture
def second(city) -> User:  # type: ignore[no-untyped-def]
    """Two agents inspected this month: 话务员 passes twice, the second passes once in two."""
    other: User = UserFactory(  # type: ignore[assignment]
        username="agent2", role=Role.AGENT, department=city.centre, display_name="李话务"
    )
    _inspected(city, city.agent, "A1")
    _inspected(city, city.agent, "A1")
    _inspected(city, other, "A2")
    _inspected(city, other, "A2", 派单准确=0)
    return other


@pytest.mark.parametrize("role", ["qa", "supervisor"])
def test_qa_and_supervisors_see_every_agent_worst_first(city, second, role) -> None:
    r = client_for(getattr(city, role)).get(URL)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (
        body["month"] == f"{timezone.localdate():%Y-%m}" and body["scope"] == "all" and body["target"] == 0.98
    )
    rows = body["results"]
    assert [r["username"] for r in rows] == ["agent2", "agent"]
    worst = rows[0]
    assert (worst["agent_id"], worst["name"], worst["inspected"], worst["passed"]) == (
        second.pk,
        "李话务",
        2,
        1,
    )
    assert worst["pass_rate"] == 0.5 and worst["mean_score"] == 90.0 and worst["meets_target"] is False
    assert rows[1]["pass_rate"] == 1.0 and rows[1]["meets_target"] is True


def test_an_agent_gets_only_their_own_scores(city, second) -> None:
    body = client_for(second).get(URL).json()
    assert body["scope"] == "own" and [r["agent_id"] for r in body["results"]] == [second.pk]
    _, raw = token_issue(user=city.agent)
    body = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(URL).json()
    assert [r["username"] for r in body["results"]] == ["agent"]


@pytest.mark.parametrize("role", ["dispatcher", "analyst", "bureau_handler"])
def test_other_roles_see_nobody_elses_scores(city, second, role) -> None:
    body = client_for(getattr(city, role)).get(URL).json()
    assert body["scope"] == "own" and body["results"] == []


def test_a_month_without_inspections_is_empty(city, second) -> None:
    body = client_for(city.qa).get(URL, {"month": "2024-02"}).json()
    assert body["month"] == "2024-02" and body["results"] == []


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "2026/10", "上个月", "2026-10-01"])
def test_a_bad_month_is_a_structured_error(city, month) -> None:
    body = api_error(client_for(city.qa).get(URL, {"month": month}), 400)
    assert body["errors"] == [{"field": "month", "message": "格式应为 YYYY-MM"}]


def test_scores_need_a_signed_in_caller(city) -> None:
    api_error(Client().get(URL), 401, "unauthorized")
