"""市民门户 on a phone (390×844): submit, track with the code, a wrong code refused, rate after closure."""

import pytest

from conftest import screenshot
from hotline.intake.tests.conftest import solve
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    context.close()


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _fill_request(page, city):
    page.click("label:has-text('投诉')")
    page.fill("#p-content", "幸福路 12 号小区门口的路灯连续三晚不亮，晚上回家看不清路。")
    page.select_option("#p-district", city.district.code)
    page.fill("#p-address", "幸福路 12 号")
    page.fill("#p-name", "王芳")
    page.fill("#p-phone", "13912345678")
    page.fill("#p-answer", solve(page.inner_text(".challenge-q")))


def test_citizen_submits_tracks_and_rates_on_a_phone(phone, city):
    page = phone
    page.goto(f"{page.base_url}/portal/")
    _no_sideways_scroll(page)
    screenshot(page, "portal-landing-390")
    page.click("a.portal-entry:has-text('我要反映')")
    # A first try with the content missing keeps the rest and says what is wrong.
    _fill_request(page, city)
    page.fill("#p-content", "")
    page.click("button:has-text('提交')")
    assert "请填写诉求内容" in page.inner_text("main")
    assert page.input_value("#p-address") == "幸福路 12 号"
    _no_sideways_scroll(page)
    screenshot(page, "portal-submit-error-390")
    page.fill("#p-content", "幸福路 12 号小区门口的路灯连续三晚不亮，晚上回家看不清路。")
    if not page.input_value("#p-answer"):
        page.fill("#p-answer", solve(page.inner_text(".challenge-q")))
    screenshot(page, "portal-submit-390")
    page.click("button:has-text('提交')")
    page.wait_for_selector("#query-code")
    number = page.inner_text("#ticket-number")
    code = page.inner_text("#query-code")
    _no_sideways_scroll(page)
    screenshot(page, "portal-submitted-390")
    t = Ticket.objects.get(number=number)
    assert t.status == Ticket.Status.PENDING_DISPATCH and t.channel == Ticket.Channel.WEB
    assert page.evaluate("localStorage.getItem('portal-submit')") is None

    # Another visit (this browser forgets the ticket): a wrong code is refused, the right one opens it.
    page.click("a:has-text('查看办理进度')")
    page.click("button:has-text('在本设备上退出查看')")
    page.goto(f"{page.base_url}/portal/track/")
    page.fill("#t-number", number)
    page.fill("#t-code", "ZZZZ-ZZZZ")
    page.click("button:has-text('查询')")
    assert "工单编号或查询码不正确" in page.inner_text("[role=alert]")
    assert "幸福路" not in page.inner_text("main")
    screenshot(page, "portal-track-wrong-code-390")
    page.fill("#t-code", code.lower())
    page.click("button:has-text('查询')")
    page.wait_for_selector("#h-progress")
    assert "已受理，等待派单" in page.inner_text("main")
    assert "工单办结后可以在这里评价" in page.inner_text("#rate")
    _no_sideways_scroll(page)
    screenshot(page, "portal-track-390")

    # The city handles it; after closure the citizen rates once.
    t = svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.bureau)
    t = svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
    t = svc.ticket_reply(
        ticket=t, by=city.bureau_handler, reply="经现场核实，已更换损坏的灯泡，路灯恢复照明。"
    )
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    svc.ticket_visit(ticket=t, by=city.visitor, result="satisfied")
    page.reload()
    main = page.inner_text("main")
    assert "已办结" in main and "已更换损坏的灯泡" in main and "市城市管理局" in main
    assert str(city.bureau_handler) not in main and str(city.dispatcher) not in main
    page.click("#rate label:has-text('基本满意')")
    page.fill("#r-comment", "修得挺快，希望以后定期巡查。")
    screenshot(page, "portal-rate-390")
    page.click("#rate button:has-text('提交评价')")
    page.wait_for_selector("#rate:has-text('感谢您的评价')")
    t.refresh_from_db()
    assert t.citizen_rating == "basically_satisfied" and t.citizen_rating_comment.startswith("修得挺快")
    assert page.locator("#rate form").count() == 0
    _no_sideways_scroll(page)
    screenshot(page, "portal-rated-390")


def test_portal_landing_at_desk_size_has_no_staff_navigation(page, city):
    page.goto(f"{page.base_url}/portal/")
    assert page.locator(".mainnav").count() == 0
    assert page.locator("a.portal-entry").count() == 2
    screenshot(page, "portal-landing-1366")
