"""The call-centre API: KPIs, callbacks, the floor; structured errors, nothing changed on refusal."""

from __future__ import annotations

import pytest

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.acd import Engine
from hotline.callcenter.models import CallbackTask
from hotline.callcenter.selectors import centre_config
from hotline.callcenter.services import records_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(centre):
    engine = Engine(centre_config())
    from datetime import datetime, time

    from django.utils import timezone

    # A few minutes after midnight today: always today and always in the past.
    now = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 6))).timestamp()
    engine.handle(ev.AgentSignedIn(now - 300, "0001", ready=True))
    engine.handle(ev.CallArrived(now - 200, "a1", "12345", "13800000001"))
    engine.handle(ev.CallAnswered(now - 190, "a1", "0001"))
    engine.handle(ev.CallEnded(now - 100, "a1"))
    engine.handle(ev.CallArrived(now - 90, "m1", "12315", "13900000009"))
    engine.handle(ev.CallAbandoned(now - 60, "m1"))
    records, log = engine.drain()
    records_store(records=records, entries=log)
    return CallbackTask.objects.get()


def test_kpis_for_today(client, city, task):
    client.force_login(city.supervisor)
    body = client.get("/api/v1/callcenter/kpis").json()
    assert (body["offered"], body["answered"], body["abandoned"]) == (2, 1, 1)
    assert body["service_level"] == 0.5 and body["asa_s"] == 10 and body["short_abandon_s"] == 5
    assert client.get("/api/v1/callcenter/kpis?queue=12315").json()["answered"] == 0
    # The schema is the Kpis dataclass plus the period: every figure, nothing else.
    from dataclasses import fields

    from hotline.callcenter.kpis import Kpis

    assert set(body) == {f.name for f in fields(Kpis)} | {"start", "end", "queue"}
    doc = client.get("/api/v1/schema").json()["components"]["schemas"]["KpiOut"]
    assert set(doc["properties"]) == set(body) and doc["properties"]["answer_rate"]["anyOf"]


def test_kpis_refuse_bad_ranges_and_other_roles(client, city, task):
    client.force_login(city.supervisor)
    bad = client.get("/api/v1/callcenter/kpis?start=2026-03-05&end=2026-03-01")
    assert bad.status_code == 400 and bad.json()["errors"] == [{"field": "end", "message": "早于开始日期"}]
    assert client.get("/api/v1/callcenter/kpis?start=notadate").status_code == 400
    client.force_login(city.bureau_handler)
    denied = client.get("/api/v1/callcenter/kpis")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"


def test_callback_worklist_and_attempts(client, city, task):
    client.force_login(city.visitor)
    rows = client.get("/api/v1/callcenter/callbacks").json()
    assert [(r["phone"], r["reason"], r["missed_count"]) for r in rows] == [
        ("13900000009", "abandoned_queue", 1)
    ]
    url = f"/api/v1/callcenter/callbacks/{task.pk}/attempts"
    done = client.post(url, {"outcome": "reached", "version": task.version}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post(url, {"outcome": "busy"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    bad = client.post(url, {"outcome": "maybe"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "outcome"
    assert CallbackTask.objects.get().attempts == 1


def test_floor_endpoint_masks_callers(client, city, centre):
    from django.utils import timezone

    from hotline.callcenter.models import FloorState

    FloorState.objects.create(
        pk=1,
        updated_at=timezone.now(),
        snapshot={"agents": [{"code": "0001", "ani": "13912345678"}], "queues": {}},
    )
    client.force_login(city.supervisor)
    body = client.get("/api/v1/callcenter/floor").json()
    assert body["live"] is True and body["agents"][0]["ani"] == "139****5678"
