"""The call centre in a browser: the softphone bar and screen pop on the agent desk, the wallboard,
the callback worklist. The floor is stepped by the test (a fake clock), the pages poll it."""

from __future__ import annotations

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


def test_agent_signs_in_answers_with_a_screen_pop_and_opens_intake(page, city):
    load_demo(history=False)
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
    floor._run(ev.CallArrived(clock.t, "web1", "12345", "13912345678"))
    floor._run(ev.DigitsCollected(clock.t + 2, "web1", ""))
    clock.t += 3
    floor.step()
    floor.publish(clock.t)
    page.wait_for_selector("#softphone .screenpop:has-text('13912345678')", timeout=8000)
    screenshot(page, "callcenter-softphone-ringing")
    _click_and_step(page, "#softphone button:has-text('接听')", floor, clock, "#softphone [data-state=busy]")
    floor.publish(clock.t)
    screenshot(page, "callcenter-softphone-talking")
    page.click("#softphone a:has-text('打开受理')")
    page.wait_for_load_state("domcontentloaded")
    assert page.input_value("#f-phone") == "13912345678"
    assert "call_id=web1" in page.url


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
