"""12345–110 linkage: shared reference, one pending hand-over, 110's answer, 首接负责, calls, volume, API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.accounts.models import ApiToken
from hotline.core.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from hotline.exchange.models import PoliceCall, PoliceLink
from hotline.exchange.selectors import police_volume
from hotline.exchange.services.police import (
    PoliceIntake,
    police_call_record,
    police_dispute_rule,
    police_link_answer,
    police_transfer_in,
    police_transfer_out,
)
from hotline.tickets.models import ExternalRef, Ticket
from hotline.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_transfer_out_waits_for_110_and_binds_the_reference(city):
    ticket = make_ticket(by=city.agent, submit=True)
    link = police_transfer_out(ticket=ticket, by=city.agent, reason="现场有人打架，属警情")
    assert link.state == "pending" and link.first_receiver == "12345" and link.owner == ""
    with pytest.raises(Conflict):
        police_transfer_out(ticket=ticket, by=city.agent, reason="再转一次")
    with pytest.raises(InvalidInput):
        police_link_answer(link=link, by=city.agent, accepted=True)  # 110 accepting gives a reference
    link = police_link_answer(link=link, by=city.agent, accepted=True, police_ref="JJ20261129001")
    assert link.state == "accepted" and link.owner == "110"
    assert ExternalRef.objects.get(system="police").ticket == ticket
    with pytest.raises(InvalidTransition):
        police_link_answer(link=link, by=city.agent, accepted=False)


def test_reference_belongs_to_one_ticket(city):
    a = make_ticket(by=city.agent, submit=True)
    b = make_ticket(by=city.agent, submit=True)
    police_transfer_out(ticket=a, by=city.agent, reason="警情", police_ref="JJ1")
    with pytest.raises(Conflict):
        police_transfer_out(ticket=b, by=city.agent, reason="警情", police_ref="JJ1")
    assert not PoliceLink.objects.filter(ticket=b).exists()


def test_finished_tickets_and_other_roles_cannot_transfer(city):
    ticket = make_ticket(by=city.agent, submit=True)
    with pytest.raises(NotAllowed):
        police_transfer_out(ticket=ticket, by=city.bureau_handler, reason="x")
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)
    ticket.refresh_from_db()
    with pytest.raises(InvalidTransition):
        police_transfer_out(ticket=ticket, by=city.agent, reason="x")
    with pytest.raises(InvalidInput):
        police_transfer_out(ticket=make_ticket(by=city.agent), by=city.agent, reason="  ")


def test_refused_hand_over_is_ruled_to_the_first_receiver(city):
    ticket = make_ticket(by=city.agent, submit=True)
    link = police_transfer_out(ticket=ticket, by=city.agent, reason="噪音扰民")
    link = police_link_answer(link=link, by=city.agent, accepted=False, note="110 认为属行政管理事项")
    assert link.state == "refused"
    with pytest.raises(NotAllowed):
        police_dispute_rule(link=link, by=city.agent)
    link = police_dispute_rule(link=link, by=city.supervisor, note="协调会确认")
    assert link.state == "ruled" and link.owner == "12345" and "首接负责" in link.ruling_note
    with pytest.raises(InvalidTransition):
        police_dispute_rule(link=link, by=city.supervisor)


def test_transfer_in_makes_one_ticket_per_reference_and_may_be_ruled_back(city):
    data = PoliceIntake(police_ref="JJ77", content="邻居装修噪音，非警情", citizen_phone="13912345678")
    link, created = police_transfer_in(data=data, by=city.agent)
    again, created_again = police_transfer_in(data=data, by=city.agent)
    assert created and not created_again and again.pk == link.pk
    t = link.ticket
    assert t.channel == "police" and t.hotline == "110" and t.status == "pending_dispatch"
    assert link.state == "accepted" and link.owner == "12345" and link.first_receiver == "110"
    ruled = police_dispute_rule(link=link, by=city.dispatcher)
    assert ruled.owner == "110"
    assert Ticket.objects.count() == 1
    with pytest.raises(InvalidInput):
        police_transfer_in(data=PoliceIntake(police_ref="", content="x"), by=city.agent)
    with pytest.raises(InvalidInput):
        police_transfer_in(data=PoliceIntake(police_ref="JJ78", content=""), by=city.agent)
    assert Ticket.objects.count() == 1


def test_three_way_calls_and_volume(city):
    ticket = make_ticket(by=city.agent, submit=True)
    out = police_transfer_out(ticket=ticket, by=city.agent, reason="警情")
    police_call_record(
        link=out,
        by=city.agent,
        started_at=timezone.now() - timedelta(minutes=3),
        duration_s=95,
        police_operator="110-023",
    )
    with pytest.raises(InvalidInput):
        police_call_record(
            link=out, by=city.agent, started_at=timezone.now() + timedelta(hours=1), duration_s=0
        )
    police_transfer_in(data=PoliceIntake(police_ref="JJ9", content="路灯不亮"), by=city.agent)
    now = timezone.now()
    v = police_volume(start=now - timedelta(days=1), end=now + timedelta(days=1))
    assert v["to_110"]["pending"] == 1 and v["to_110"]["total"] == 1
    assert v["from_110"]["accepted"] == 1 and v["owners"] == {"12345": 1, "110": 0}
    assert v["calls"] == 1 and v["call_seconds"] == 95
    assert PoliceCall.objects.count() == 1


# --- API ------------------------------------------------------------------------------------------------


def _auth(user):
    _, raw = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_round_trip(client, city):
    ticket = make_ticket(by=city.agent, submit=True)
    h = _auth(city.agent)
    r = client.post(
        "/api/v1/police/links/out",
        {"ticket": ticket.number, "reason": "警情"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201, r.content
    link_id = r.json()["id"]
    r = client.post(
        f"/api/v1/police/links/{link_id}/answer", {"accepted": False}, content_type="application/json", **h
    )
    assert r.json()["state"] == "refused"
    r = client.post(
        f"/api/v1/police/links/{link_id}/rule", {}, content_type="application/json", **_auth(city.supervisor)
    )
    assert r.status_code == 200 and r.json()["owner"] == "12345"
    r = client.post(
        f"/api/v1/police/links/{link_id}/calls",
        {"started_at": timezone.now().isoformat(), "duration_s": 60},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201 and len(r.json()["calls"]) == 1
    body = {"police_ref": "JJ5", "content": "求助开锁"}
    first = client.post("/api/v1/police/links/in", body, content_type="application/json", **h)
    second = client.post("/api/v1/police/links/in", body, content_type="application/json", **h)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["ticket"] == second.json()["ticket"]
    assert len(client.get("/api/v1/police/links", **h).json()) == 2
    v = client.get("/api/v1/police/volume", **h).json()
    assert v["to_110"]["ruled"] == 1 and v["from_110"]["total"] == 1


def test_api_errors_are_structured(client, city):
    h = _auth(city.agent)
    r = client.post(
        "/api/v1/police/links/out", {"ticket": "nope", "reason": "x"}, content_type="application/json", **h
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.post("/api/v1/police/links/in", "{bad json", content_type="application/json", **h)
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = client.post(
        "/api/v1/police/links/in", {"police_ref": "", "content": "x"}, content_type="application/json", **h
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "police_ref"
    r = client.get("/api/v1/police/volume", {"start": "2026-02-01", "end": "2026-01-01"}, **h)
    assert r.status_code == 400
    r = client.get("/api/v1/police/links", **_auth(city.bureau_handler))
    assert r.status_code == 403
    assert Ticket.objects.count() == 0 and PoliceLink.objects.count() == 0
