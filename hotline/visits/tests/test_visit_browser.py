"""Browser: the visit desk by keyboard, and the citizen's survey page on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login, screenshot
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import PASSWORD
from hotline.visits import services as vs
from hotline.visits.models import VisitTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Ticket.Status


def test_visit_desk_by_keyboard(page, city):
    calm = drive(city, S.PENDING_VISIT, title="幸福路 12 号路灯不亮")
    late = drive(city, S.PENDING_VISIT, title="东华街道垃圾清运不及时", citizen_phone="13800001234")
    VisitTask.objects.filter(ticket=late).update(due_at=timezone.now() - timedelta(hours=2))
    login(page, "visitor", PASSWORD)
    page.goto(f"{page.base_url}/desk/visit/")
    rows = page.locator("tbody tr")
    assert late.number in rows.nth(0).inner_text() and "已超期" in rows.nth(0).inner_text()
    screenshot(page, "visit-desk")
    # Row 1 (overdue): nobody answers. Tab into the row's form, press 4, save.
    row = page.locator(f"#visit-{late.number}")
    row.locator("input[name=choice]").first.focus()
    page.keyboard.press("4")
    assert row.get_by_role("radio", name="无人接听").is_checked()
    row.locator("button:has-text('保存')").click()
    page.wait_for_load_state("networkidle")
    assert "已登记未接通（第 1 次）" in page.inner_text(".flash")
    row = page.locator(f"#visit-{late.number}")
    assert "无人接听" in row.inner_text() and "电话未接通 1/3" in row.inner_text()
    # A second failed call within two hours is refused, in Chinese, keeping the choice.
    row.locator("input[name=choice]").first.focus()
    page.keyboard.press("5")
    row.locator("button:has-text('保存')").click()
    page.wait_for_load_state("networkidle")
    assert "分钟" in page.inner_text(f"#visit-{late.number} .form-error")
    assert page.locator(f"#visit-{late.number}").get_by_role("radio", name="占线").is_checked()
    screenshot(page, "visit-desk-gap-refused")
    # Row 2: reached and satisfied — press 1, then Enter in the note.
    page.goto(f"{page.base_url}/desk/visit/")
    row = page.locator(f"#visit-{calm.number}")
    row.locator("input[name=choice]").first.focus()
    page.keyboard.press("1")
    row.locator("input[name=note]").fill("市民表示已修好")
    row.locator("input[name=note]").press("Enter")
    page.wait_for_load_state("networkidle")
    assert f"已回访：{calm.number}" in page.inner_text(".flash")
    calm.refresh_from_db()
    assert calm.status == S.CLOSED and calm.visit_result == "satisfied"


def test_survey_page_on_a_phone(browser, live_server, city):
    t = drive(city, S.PENDING_VISIT, title="幸福路 12 号路灯不亮")
    token = vs.visit_link_send(task=VisitTask.objects.get(ticket=t), by=city.visitor)
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = ctx.new_page()
    try:
        url = f"{live_server.url}/visits/s/{token}/"
        page.goto(url)
        assert "幸福路 12 号路灯不亮" in page.inner_text("main")
        screenshot(page, "visit-survey-phone")
        page.click("button:has-text('提交评价')")
        assert "请选择" in page.inner_text(".form-error")
        page.get_by_text("基本满意", exact=True).click()
        page.fill("#s-comment", "处理及时")
        page.click("button:has-text('提交评价')")
        assert "感谢您的评价（基本满意）" in page.inner_text("main")
        screenshot(page, "visit-survey-thanks")
        page.goto(url)
        assert "评价过" in page.inner_text("main")
        page.goto(f"{live_server.url}/visits/s/not-a-real-token-at-all/")
        assert "链接无效" in page.inner_text("main")
        screenshot(page, "visit-survey-invalid")
    finally:
        ctx.close()
    t.refresh_from_db()
    assert t.status == S.CLOSED and t.visit_result == "basically_satisfied"
