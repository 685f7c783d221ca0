"""省平台对接 in the browser: pull from the simulator, see the pushes, reconcile."""

import pytest

from conftest import login, screenshot
from hotline.exchange.province.sim import ProvinceState, serve
from hotline.tickets.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def province(settings):
    state = ProvinceState(app_id="city-b", secret="s-b")
    server = serve(state, "127.0.0.1", 0)
    settings.PROVINCE_ENABLED = True
    settings.PROVINCE_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.PROVINCE_APP_ID, settings.PROVINCE_SECRET = "city-b", "s-b"
    yield state
    server.shutdown()
    server.server_close()


def test_supervisor_pulls_and_reconciles(page, city, province):
    province.seed(4)
    login(page, city.supervisor.username, PASSWORD)
    page.goto(f"{page.base_url}/province/")
    page.click("button:has-text('立即拉取省工单')")
    page.wait_for_selector(".flash .msg")
    assert "新建 4 件工单" in page.inner_text(".flash")
    province.add({"title": "新件", "content": "另一件省工单。"})
    page.click("a:has-text('对账')")
    page.wait_for_selector("text=处不一致")
    assert "未拉取" in page.inner_text("main")
    screenshot(page, "province-reconcile")
