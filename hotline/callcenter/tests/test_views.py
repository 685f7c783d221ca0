"""Wallboard, callback worklist and softphone views; the floor process that feeds them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.callcenter.engine import events as ev
from hotline.callcenter.floor import Floor
from hotline.callcenter.models import Agent, CallbackTask, CallRecord, FloorState, SoftphoneAction
from hotline.callcenter.selectors import centre_config

pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self, t: float = 1_780_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def make_floor(
    clock: FakeClock, *, staffed: int = 0, calls_per_hour: float = 1.0, patience_s: float = 1e6
) -> Floor:
    human = set(Agent.objects.filter(user__isnull=False).values_list("code", flat=True))
    return Floor(
        centre_config(), calls_per_hour=calls_per_hour, staffed=staffed, human_agents=human, clock=clock,
        patience_s=patience_s,
    )  # fmt: skip


def test_floor_carries_out_softphone_actions_and_publishes_screen_pop(floor_city, client):
    clock = FakeClock()
    floor = make_floor(clock)
    client.force_login(floor_city.agent)
    for action in ("sign_in", "ready"):
        assert client.post(reverse("callcenter:softphone_action"), {"action": action}).status_code == 200
        floor.step()
        clock.t += 1
    assert floor.engine.agent_state("0001") == "ready"
    floor._run(ev.CallArrived(clock.t, "pop1", "12345", "13912345678"))
    floor._run(ev.DigitsCollected(clock.t + 2, "pop1", ""))  # 12345's English-key pause times out
    clock.t += 3
    floor.step()
    assert floor.engine.agent_state("0001") == "ringing"
    page = client.get(reverse("callcenter:softphone")).content.decode()
    assert "13912345678" in page and "/desk/agent/?citizen_phone=13912345678&amp;call_id=pop1" in page
    assert "接听" in page
    client.post(reverse("callcenter:softphone_action"), {"action": "answer", "call_id": "pop1"})
    clock.t += 1
    floor.step()
    assert floor.engine.agent_state("0001") == "busy"
    client.post(reverse("callcenter:softphone_action"), {"action": "hangup", "call_id": "pop1"})
    clock.t += 20
    floor.step()  # the agent hangs up; the caller hears the satisfaction survey
    clock.t += 2
    floor.step()  # the caller pressed a key
    floor.store()
    call = CallRecord.objects.get(call_id="pop1")
    assert call.agent_code == "0001" and call.disposition == "answered" and call.survey in ("1", "2")
    assert not SoftphoneAction.objects.filter(done_at=None).exists()


def test_floor_with_simulated_agents_fills_the_wallboard(floor_city, client):
    clock = FakeClock()
    floor = make_floor(clock, staffed=10, calls_per_hour=3600)
    for _ in range(120):
        clock.t += 1
        floor.step()
    snap = FloorState.objects.get().snapshot
    assert snap["queues"]["12345"]["offered"] > 50
    assert sum(1 for a in snap["agents"] if a["state"] != "signed_out") == 10
    assert any(a["timeline"] for a in snap["agents"])
    client.force_login(floor_city.supervisor)
    page = client.get(reverse("callcenter:wallboard")).content.decode()
    assert "话务实时监控" in page and "12345 综合" in page and "坐席状态时间线" in page
    assert floor.engine.errors == 0


def test_wallboard_without_a_floor_says_so_and_is_for_supervisors(floor_city, client):
    client.force_login(floor_city.supervisor)
    page = client.get(reverse("callcenter:wallboard_live")).content.decode()
    assert "话务现场未运行" in page and "30 秒接通率" in page
    client.force_login(floor_city.agent)
    assert client.get(reverse("callcenter:wallboard")).status_code == 403


def _missed_task() -> CallbackTask:
    from hotline.callcenter.engine.acd import Engine
    from hotline.callcenter.services import records_store

    engine = Engine(centre_config())
    engine.handle(ev.CallArrived(1_780_000_000, "m1", "12315", "13512345678"))
    engine.handle(ev.CallAbandoned(1_780_000_040, "m1"))
    records_store(records=engine.drain()[0])
    return CallbackTask.objects.get()


def test_callback_worklist_records_an_outcome(floor_city, client):
    task = _missed_task()
    client.force_login(floor_city.visitor)
    page = client.get(reverse("callcenter:callbacks")).content.decode()
    assert "13512345678" in page and "排队中放弃" in page
    url = reverse("callcenter:callback_record", args=[task.pk])
    response = client.post(url, {"outcome": "reached", "note": "已受理", "version": task.version})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == floor_city.visitor
    done = client.get(reverse("callcenter:callbacks") + "?status=done").content.decode()
    assert "已接通，诉求已受理" in done


def test_callback_bad_input_keeps_the_note_and_explains(floor_city, client):
    task = _missed_task()
    client.force_login(floor_city.visitor)
    response = client.post(
        reverse("callcenter:callback_record", args=[task.pk]), {"outcome": "", "note": "打了两次"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "请选择回拨结果" in page and 'value="打了两次"' in page
    stale = client.post(
        reverse("callcenter:callback_record", args=[task.pk]), {"outcome": "busy", "version": "99"}
    )
    assert stale.status_code == 409 and "已被他人处理" in stale.content.decode()


def test_callback_worklist_masks_phones_for_roles_that_may_not_see_them(floor_city, client):
    _missed_task()
    client.force_login(floor_city.dispatcher)  # may unmask: sees the number to dial
    assert "13512345678" in client.get(reverse("callcenter:callbacks")).content.decode()
    client.force_login(floor_city.analyst)
    assert client.get(reverse("callcenter:callbacks")).status_code == 403


def test_softphone_refuses_bad_requests_in_chinese(floor_city, client):
    client.force_login(floor_city.agent)
    bad = client.post(reverse("callcenter:softphone_action"), {"action": "fly"}).content.decode()
    assert "未知的软电话操作" in bad
    bad = client.post(reverse("callcenter:softphone_action"), {"action": "answer"}).content.decode()
    assert "当前没有通话" in bad
    bad = client.post(
        reverse("callcenter:softphone_action"), {"action": "transfer", "call_id": "x", "target": "nosuch"}
    ).content.decode()
    assert "请选择要转接的队列" in bad
    assert not SoftphoneAction.objects.exists()
    client.force_login(floor_city.supervisor)  # not bound to an agent
    page = client.post(reverse("callcenter:softphone_action"), {"action": "sign_in"}).content.decode()
    assert "未绑定话务员工号" in page


def test_agent_desk_includes_the_softphone_bar(floor_city, client):
    client.force_login(floor_city.agent)
    page = client.get("/desk/agent/").content.decode()
    assert 'id="softphone"' in page and reverse("callcenter:softphone") in page
