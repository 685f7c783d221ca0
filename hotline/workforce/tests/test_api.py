"""/api/v1/wfm: staffing figures, registry writes, the gate, rosters; structured errors, nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.workforce.models import OnboardingExam, Roster, Staff
from hotline.workforce.services import posts_ensure, shifts_ensure

API = "/api/v1/wfm"
TODAY = timezone.localdate()


@pytest.fixture
def as_user(client, city):
    shifts_ensure()
    posts_ensure()

    def login(name: str):
        client.force_login(city.users[name])
        return client

    return login


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_erlang_endpoint_gives_the_reference_figures(as_user):
    r = as_user("agent").get(f"{API}/erlang?calls=100&aht_s=180")
    assert r.status_code == 200
    body = r.json()
    assert body["agents"] == 15 and round(body["sl"], 4) == 0.9557 and body["model"] == "erlang_c"
    a = as_user("agent").get(f"{API}/erlang?calls=100&aht_s=180&patience_s=60").json()
    assert a["agents"] == 14 and round(a["abandon"], 4) == 0.0303


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("calls=100&aht_s=180&target=1&answer_s=0", "target"),
        ("calls=-3&aht_s=180", "calls"),
        ("calls=5&aht_s=0", "aht_s"),
    ],
)
def test_erlang_endpoint_bad_input_is_structured(as_user, query, field):
    r = as_user("agent").get(f"{API}/erlang?{query}")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and body["errors"][0]["field"] == field and body["message"]


def test_register_exam_and_approve_through_the_api(as_user):
    hr = as_user("hr")
    r = post(hr, f"{API}/staff", {"employee_no": "API1", "name": "接口人员", "post": "agent",
                                  "hire_date": TODAY.isoformat(), "mandarin": "2a", "typing_cpm": 66})  # fmt: skip
    assert r.status_code == 201 and r.json()["cleared"] is False
    sid = r.json()["id"]
    r = post(hr, f"{API}/staff/{sid}/exams", {"taken_on": TODAY.isoformat(), "score": 90})
    assert r.status_code == 201 and r.json()["passed"] is True
    exam_id = r.json()["id"]
    assert post(hr, f"{API}/exams/{exam_id}/approve", {}).status_code == 403
    sup = as_user("supervisor")
    assert post(sup, f"{API}/exams/{exam_id}/approve", {}).json()["approved"] is True
    assert as_user("hr").get(f"{API}/staff?q=接口").json()[0]["cleared"] is True


def test_bad_registration_changes_nothing(as_user):
    hr = as_user("hr")
    r = post(
        hr, f"{API}/staff", {"employee_no": "API2", "name": "", "post": "nope", "hire_date": "2026-02-30"}
    )
    assert r.status_code == 400 and r.json()["errors"]
    r = post(
        hr,
        f"{API}/staff",
        {"employee_no": "API2", "name": "", "post": "nope", "hire_date": TODAY.isoformat()},
    )
    fields = {e["field"] for e in r.json()["errors"]}
    assert r.status_code == 400 and {"name", "post"} <= fields
    assert not Staff.objects.exists()


def test_staff_list_is_for_hr_roles_only(as_user):
    assert as_user("agent").get(f"{API}/staff").status_code == 403


def test_roster_through_the_api(as_user, city, settings):
    settings.WORKFORCE_ROSTER_TIME_LIMIT_S = 3
    settings.WORKFORCE_DEMAND = {"12345": {"workday": (2, 1), "restday": (2, 1)}}
    hr = as_user("hr")
    for i in range(8):
        sid = post(hr, f"{API}/staff", {"employee_no": f"R{i}", "name": f"人员{i}", "post": "agent",
                                        "hire_date": TODAY.isoformat(), "mandarin": "2a", "typing_cpm": 70}).json()["id"]  # fmt: skip
        OnboardingExam.objects.create(staff_id=sid, taken_on=TODAY, score=90, approved_at=timezone.now())
    month = (TODAY.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    r = post(hr, f"{API}/rosters", {"month": month})
    assert r.status_code == 202
    body = hr.get(f"{API}/rosters/{r.json()['id']}").json()
    assert (
        body["outcome"] == "ok"
        and body["short_hours"] == 0
        and body["rostered_hours"] >= body["required_hours"]
    )
    assert post(hr, f"{API}/rosters", {"month": "2026-13"}).status_code == 400
    assert post(as_user("agent"), f"{API}/rosters", {"month": month}).status_code == 403
    assert Roster.objects.count() == 1
