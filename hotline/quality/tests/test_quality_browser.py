"""Browser: sample, inspect side by side, the agent disputes, the supervisor arbitrates, calibration."""

from __future__ import annotations

import pytest

from conftest import login, screenshot
from hotline.callcenter.models import Recording
from hotline.quality.models import QualityCheck
from hotline.quality.tests.helpers import agent_for, call, defaults, plan
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Ticket.Status


def test_inspection_dispute_and_arbitration(page, city):
    defaults()
    agent_for(city.agent, "A1")
    t = drive(city, S.PENDING_VISIT, title="幸福路 12 号路灯不亮")
    c = call("A1", talk_s=840, ticket=t)
    Recording.objects.create(
        call=c, ticket=t, path="/media/recordings/demo-0001.wav", started_at=c.answered_at, duration_s=840
    )
    login(page, "qa", PASSWORD)
    page.goto(f"{page.base_url}/quality/")
    page.select_option("select[name=plan]", str(plan("long_calls").pk))
    page.click("button:has-text('抽取样本')")
    page.wait_for_load_state("networkidle")
    assert "新抽取 1 条" in page.inner_text(".flash")
    screenshot(page, "quality-desk")
    page.click("table a.button:has-text('质检')")
    page.wait_for_load_state("networkidle")
    assert "幸福路 12 号路灯不亮" in page.inner_text("main") and c.call_id in page.inner_text("main")
    assert "demo-0001.wav" in page.inner_text("main")
    item = page.locator("input[aria-label='派单准确 得分']")
    item.fill("5")
    page.locator("input[aria-label='派单准确 扣分说明']").fill("承办单位选择不当")
    assert "85 分" in page.inner_text("[data-total]")
    screenshot(page, "quality-inspect")
    item.fill("0")
    page.click("button:has-text('提交评分')")
    page.wait_for_load_state("networkidle")
    assert "80 分，不合格" in page.inner_text(".flash")
    check = QualityCheck.objects.get()

    page.context.clear_cookies()
    login(page, "agent", PASSWORD)
    page.goto(f"{page.base_url}/quality/mine/")
    row = page.locator(f"#qa-{check.pk}")
    assert "不合格" in row.inner_text() and "承办单位选择不当" in row.inner_text()
    row.locator("input[name=reason]").fill("按派单目录选择的单位")
    row.locator("button:has-text('申诉')").click()
    page.wait_for_load_state("networkidle")
    assert "申诉已提交" in page.inner_text(".flash")
    screenshot(page, "quality-mine")

    page.context.clear_cookies()
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/quality/{check.pk}/")
    form = page.locator("form[action*='arbitrate']")
    form.locator("input[aria-label='派单准确 得分']").fill("20")
    for name in ("服务用语/规范开头", "记录准确", "政策解答正确", "服务态度"):
        weight = form.locator(f"input[aria-label='{name} 得分']").get_attribute("max")
        form.locator(f"input[aria-label='{name} 得分']").fill(weight)
    form.locator("textarea[name=decision]").fill("派单目录如此，不扣分")
    screenshot(page, "quality-arbitrate")
    form.locator("button:has-text('申诉成立')").click()
    page.wait_for_load_state("networkidle")
    check.refresh_from_db()
    assert check.passed and check.score == 100.0
    page.goto(f"{page.base_url}/quality/?show=done")
    assert "100.0%" in page.inner_text("main")

    # Calibration: two people score the same item, the spread appears.
    page.goto(f"{page.base_url}/quality/{check.pk}/")
    page.fill("input[name=name]", "十一月校准会")
    page.click("button:has-text('发起校准')")
    page.wait_for_load_state("networkidle")
    page.locator("input[aria-label='服务态度 得分']").fill("10")
    page.click("button:has-text('提交校准评分')")
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    login(page, "qa", PASSWORD)
    page.goto(f"{page.base_url}/quality/")
    page.click("a:has-text('十一月校准会')")
    page.click("button:has-text('提交校准评分')")
    page.wait_for_load_state("networkidle")
    assert "极差 5.0" in page.inner_text("main")
    screenshot(page, "quality-calibration")
