"""The softphone's 转政务总机 and 三方/转110: the call goes through the engine and the adapter, and is
written down in the switchboard log or against the ticket's 110 linkage record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.records import Disposition
from hotline.callcenter.models import CallRecord, SoftphoneAction
from hotline.callcenter.services import _links_apply, call_ticket_link
from hotline.callcenter.tests.test_views import FakeClock, make_floor
from hotline.exchange.models import Office, PoliceCall, PoliceLink, SwitchboardTransfer
from hotline.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db
ACT = "/callcenter/softphone/action/"


def _talking(client, floor, clock, call_id: str):
    """The demo's agent 0001 (user `agent`) signs in and answers a 12345 call."""
    for action in ("sign_in", "ready"):
        client.post(ACT, {"action": action})
        floor.step()
        clock.t += 1
    floor._run(ev.CallArrived(clock.t, call_id, "12345", "13912345678"))
    floor._run(ev.DigitsCollected(clock.t + 2, call_id, ""))
    clock.t += 3
    floor.step()
    client.post(ACT, {"action": "answer", "call_id": call_id})
    clock.t += 1
    floor.step()
    floor.publish(clock.t)
    assert floor.engine.agent_state("0001") == "busy"


def _end(client, floor, clock, call_id: str, talk_s: float):
    clock.t += talk_s
    client.post(ACT, {"action": "hangup", "call_id": call_id})
    floor.step()
    clock.t += 2
    floor.step()  # the caller pressed a survey key
    floor.store()


@pytest.fixture
def office(db):
    return Office.objects.create(
        name="市市场监管局投诉科", unit="市市场监管局", phone="0571-8765 4321", extension="801"
    )


def test_switchboard_search_and_transfer_goes_through_the_engine_and_is_logged(floor_city, client, office):
    clock = FakeClock()
    floor = make_floor(clock)
    client.force_login(floor_city.agent)
    _talking(client, floor, clock, "sb1")
    ticket = make_ticket(by=floor_city.agent)
    call_ticket_link(call_id="sb1", ticket=ticket)
    found = client.get(
        reverse("callcenter:softphone_offices"), {"q": "tsk", "call_id": "sb1"}
    ).content.decode()
    assert "市市场监管局投诉科" in found and f'name="office" value="{office.pk}"' in found
    bar = client.post(ACT, {"action": "switchboard", "call_id": "sb1", "office": office.pk}).content.decode()
    assert "已转接政务总机" in bar
    t = SwitchboardTransfer.objects.get()
    assert (t.office, t.caller_phone, t.ticket, t.number) == (
        office,
        "13912345678",
        ticket,
        "0571-8765 4321 转 801",
    )
    assert SoftphoneAction.objects.get(action="transfer").target == "057187654321,801"
    clock.t += 1
    floor.step()
    floor.store()
    assert ("sb1", "057187654321,801") in floor.adapter.transfers
    call = CallRecord.objects.get(call_id="sb1")
    assert call.disposition == Disposition.TRANSFERRED_OUT and call.transfers == 1 and call.ticket == ticket
    assert floor.engine.errors == 0


def test_switchboard_transfer_refuses_a_missing_office_or_call_and_logs_nothing(floor_city, client, office):
    client.force_login(floor_city.agent)
    bar = client.post(ACT, {"action": "switchboard", "call_id": "x1", "office": "9999"}).content.decode()
    assert "请从搜索结果中选择要转接的单位" in bar
    bar = client.post(ACT, {"action": "switchboard", "call_id": "", "office": office.pk}).content.decode()
    assert "当前没有通话" in bar
    client.force_login(floor_city.supervisor)  # no agent number: refused before anything is logged
    bar = client.post(ACT, {"action": "switchboard", "call_id": "x1", "office": office.pk}).content.decode()
    assert "未绑定话务员工号" in bar
    assert not SwitchboardTransfer.objects.exists() and not SoftphoneAction.objects.exists()
    assert (
        "没有找到"
        in client.get(reverse("callcenter:softphone_offices"), {"q": "不存在的单位"}).content.decode()
    )


def test_three_way_with_110_is_recorded_against_the_tickets_linkage_once(floor_city, client):
    clock = FakeClock()
    floor = make_floor(clock)
    client.force_login(floor_city.agent)
    _talking(client, floor, clock, "p1")
    ticket = make_ticket(by=floor_city.agent, submit=True)
    call_ticket_link(call_id="p1", ticket=ticket)
    bar = client.post(ACT, {"action": "police", "call_id": "p1"}).content.decode()
    assert f"记入工单 {ticket.number} 的 110 联动记录" in bar
    link = PoliceLink.objects.get(ticket=ticket)
    assert link.direction == "to_110" and link.state == "pending"
    clock.t += 1
    floor.step()
    _end(client, floor, clock, "p1", talk_s=45)
    call = CallRecord.objects.get(call_id="p1")
    assert call.parties == ["110"] and call.ticket == ticket
    pc = PoliceCall.objects.get()
    assert pc.link == link and pc.agent == floor_city.agent and 44 <= pc.duration_s <= 48
    # Linking again, or a retried batch (which re-applies the links), records nothing twice.
    call_ticket_link(call_id="p1", ticket=ticket)
    _links_apply(["p1"])
    assert PoliceCall.objects.count() == 1


def test_three_way_with_110_before_the_ticket_is_recorded_when_the_ticket_is_linked(floor_city, client):
    clock = FakeClock()
    floor = make_floor(clock)
    client.force_login(floor_city.agent)
    _talking(client, floor, clock, "p2")
    bar = client.post(ACT, {"action": "police", "call_id": "p2"}).content.decode()
    assert "受理登记工单后自动记入" in bar
    clock.t += 1
    floor.step()
    _end(client, floor, clock, "p2", talk_s=30)
    assert not PoliceCall.objects.exists()
    ticket = make_ticket(by=floor_city.agent, submit=True)
    call_ticket_link(call_id="p2", ticket=ticket, by=floor_city.agent)
    pc = PoliceCall.objects.get()
    assert pc.link.ticket == ticket and pc.link.reason.startswith("来电涉及警情")
