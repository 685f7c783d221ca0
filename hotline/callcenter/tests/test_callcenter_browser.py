"""The call centre in a browser: the softphone bar and screen pop on the agent desk, the wallboard,
the callback worklist. The floor is stepped by the test (a fake clock), the pages poll it."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import login, screenshot
from hotline.callcenter.demo import load_demo
from hotline.callcenter.engine import events as ev
from hotline.callcenter.models import CallbackTask
from hotline.callcenter.tests.test_views import FakeClock, make_floor
from hotline.tickets.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _click_and_step(page, selector, floor, clock, wait_for):
    page.click(selector)
    page.wait_for_function("() => !document.querySelector('#softphone .htmx-request')")
    clock.t += 1
    floor.step()
    page.wait_for_selector(wait_for, timeout=8000)


def _ring_the_agent(page, call_id: str, *, shot: str = "") -> tuple[Any, FakeClock]:
    """The demo agent signs in on the desk, gets ready, and answers a 12345 call from 13912345678."""
    clock = FakeClock()
    floor = make_floor(clock)
    floor.publish(clock.t)
    login(page, "agent", PASSWORD)
    page.goto(f"{page.base_url}/desk/agent/")
    page.wait_for_selector("#softphone button:has-text('签入')")
    _click_and_step(
        page, "#softphone button:has-text('签入')", floor, clock, "#softphone [data-state=not_ready]"
    )
    _click_and_step(page, "#softphone button:has-text('就绪')", floor, clock, "#softphone [data-state=ready]")
    floor._run(ev.CallArrived(clock.t, call_id, "12345", "13912345678"))
    floor._run(ev.DigitsCollected(clock.t + 2, call_id, ""))
    clock.t += 3
    floor.step()
    floor.publish(clock.t)
    page.wait_for_selector("#softphone .screenpop:has-text('13912345678')", timeout=8000)
    if shot:
        screenshot(page, shot)
    _click_and_step(page, "#softphone button:has-text('接听')", floor, clock, "#softphone [data-state=busy]")
    return floor, clock


def test_agent_signs_in_answers_with_a_screen_pop_and_opens_intake(page, city):
    load_demo(history=False)
    floor, clock = _ring_the_agent(page, "web1", shot="callcenter-softphone-ringing")
    floor.publish(clock.t)
    screenshot(page, "callcenter-softphone-talking")
    page.click("#softphone a:has-text('打开受理')")
    page.wait_for_load_state("domcontentloaded")
    assert page.input_value("#f-phone") == "13912345678"
    assert "call_id=web1" in page.url
    assert page.input_value("#f-call-id") == "web1" and "web1" in page.inner_text("#call-chip")
    screenshot(page, "callcenter-intake-from-screen-pop")


def test_supervisor_watches_the_wallboard_and_visitor_works_callbacks(page, city):
    load_demo(history=False)
    clock = FakeClock()
    floor = make_floor(clock, staffed=16, calls_per_hour=400, patience_s=40)
    for _ in range(600):
        clock.t += 1
        floor.step()
    floor.store()
    floor.publish(clock.t)
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/callcenter/wallboard/")
    page.wait_for_selector("text=坐席状态时间线")
    assert page.locator(".agents-table tbody tr").count() >= 12
    assert page.locator("#wb .wb-live").inner_text().startswith("实时")
    screenshot(page, "callcenter-wallboard")
    assert CallbackTask.objects.exists()
    page.goto(f"{page.base_url}/callcenter/callbacks/")
    rows = page.locator("table.desk-table tbody tr")
    first = rows.first
    first.locator("input[name=note]").fill("无人接听，稍后再拨")
    first.locator("button:has-text('登记')").click()  # no outcome chosen: the browser asks first
    assert "required" in (first.locator("select[name=outcome]").get_attribute("outcome") or "required")
    first.locator("select[name=outcome]").select_option("no_answer")
    first.locator("button:has-text('登记')").click()
    page.wait_for_selector(".msg:has-text('已登记')")
    screenshot(page, "callcenter-callbacks")
    assert CallbackTask.objects.filter(attempts=1, note="无人接听，稍后再拨").count() == 1


def test_agent_transfers_a_call_to_the_switchboard_from_the_softphone(page, city):
    from hotline.exchange.models import Office, SwitchboardTransfer

    load_demo(history=False)
    Office.objects.create(name="投诉举报科", unit="市市场监管局", phone="0571-87654321", extension="801",
                          hours="工作日 9:00–17:00")  # fmt: skip
    floor, clock = _ring_the_agent(page, "sbw1")
    floor.publish(clock.t)
    page.wait_for_selector("#softphone summary:has-text('转政务总机')")
    page.click("#softphone summary:has-text('转政务总机')")
    page.fill("#sp-switchboard input[name=q]", "tsjbk")
    page.wait_for_selector("#sp-offices li:has-text('投诉举报科')")
    screenshot(page, "callcenter-softphone-switchboard")
    page.click("#sp-offices button:has-text('转接')")
    page.wait_for_selector("#softphone .sp-notice:has-text('已转接政务总机')")
    assert SwitchboardTransfer.objects.get().caller_phone == "13912345678"
    clock.t += 1
    floor.step()
    assert ("sbw1", "057187654321,801") in floor.adapter.transfers


def test_ivr_editor_refuses_a_dead_end_then_saves(page, city):
    from hotline.callcenter.models import IvrFlow

    load_demo(history=False)
    login(page, "admin", PASSWORD)
    flow = IvrFlow.objects.get(name="12345 直接转人工")
    page.goto(f"{page.base_url}/callcenter/ivr/{flow.pk}/")
    page.wait_for_selector("text=节点类型")
    screenshot(page, "callcenter-ivr-editor")
    # Blank the first row's next step: the flow now has a dead end.
    first_next = page.locator("input[name='form-0-next']")
    kept = first_next.input_value()
    first_next.fill("")
    page.click("button:has-text('检查并保存')")
    page.wait_for_selector("#ivr-errors")
    assert "未保存" in page.inner_text("#ivr-errors")
    screenshot(page, "callcenter-ivr-editor-refused")
    page.locator("input[name='form-0-next']").fill(kept)
    page.click("button:has-text('检查并保存')")
    page.wait_for_selector(".msg:has-text('已保存')")
    assert IvrFlow.objects.get(pk=flow.pk).flow == flow.flow


def test_ticket_page_lists_its_calls(page, city):
    from django.utils import timezone

    from hotline.callcenter.engine.records import CallRecord as EngineRecord
    from hotline.callcenter.services import call_ticket_link, records_store
    from hotline.tickets.tests.factories import make_ticket

    load_demo(history=False)
    ticket = make_ticket(by=city.agent, submit=True)
    t = timezone.now().timestamp() - 900
    records_store(records=[
        EngineRecord("tp1", "12345", "13912345678", t, ended_at=t + 240, disposition="answered", queue="12345",
                     answered_queue="12345", agent_id="0001", answered_at=t + 12, wait_s=12, talk_s=226, survey="1"),
        EngineRecord("tp2", "12345", "13912345678", t + 600, ended_at=t + 700, disposition="answered",
                     queue="12345", answered_queue="12345", agent_id="0002", answered_at=t + 608, wait_s=8,
                     talk_s=90),
    ])  # fmt: skip
    call_ticket_link(call_id="tp1", ticket=ticket)
    call_ticket_link(call_id="tp2", ticket=ticket)
    login(page, "agent", PASSWORD)
    page.goto(f"{page.base_url}/tickets/{ticket.number}/")
    page.wait_for_selector("#calls table")
    assert page.locator("#calls tbody tr").count() == 2
    assert "满意" in page.inner_text("#calls") and "无录音" in page.inner_text("#calls")
    screenshot(page, "callcenter-ticket-calls")
    page.click("#calls a >> nth=0")
    page.wait_for_selector("text=受理工单")
    assert ticket.number in page.inner_text("main")
    screenshot(page, "callcenter-call-record")
