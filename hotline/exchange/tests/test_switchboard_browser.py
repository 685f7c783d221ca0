"""政务总机 in the browser: live search by pinyin initials, transfer, see it in the log."""

import pytest

from conftest import login, screenshot
from hotline.exchange.models import Office, SwitchboardTransfer
from hotline.tickets.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory(db):
    rows = [
        (
            "办公室",
            "市市场监督管理局",
            "0571-85170001",
            "8001",
            "综合协调、食品安全投诉转办",
            "工作日 8:30-17:30",
        ),
        ("法规处", "市市场监督管理局", "0571-85170002", "", "行政复议、行政诉讼", "工作日 8:30-17:30"),
        ("总值班室", "市公安局", "0571-87280110", "", "非警情转办、24 小时值班", "24 小时"),
        (
            "住房保障处",
            "市住房保障和房产管理局",
            "0571-85150123",
            "12",
            "公租房、廉租房申请咨询",
            "工作日 9:00-17:00",
        ),
        (
            "市民服务中心",
            "市人力资源和社会保障局",
            "0571-12333",
            "",
            "社保、就业、人才政策咨询",
            "工作日 9:00-17:00",
        ),
    ]
    for n, u, p, e, d, h in rows:
        Office.objects.create(name=n, unit=u, phone=p, extension=e, duties=d, hours=h, address="")


def test_agent_finds_an_office_by_initials_and_records_a_transfer(page, city, directory):
    login(page, city.agent.username, PASSWORD)
    page.goto(f"{page.base_url}/switchboard/")
    assert page.locator(".mainnav a[aria-current=page]").inner_text() == "政务总机"
    page.fill("input[name=q]", "zfbz")
    page.wait_for_function("document.querySelectorAll('#sb-results tbody tr').length === 1")
    assert "住房保障处" in page.inner_text("#sb-results")
    page.click("#sb-results summary")
    page.select_option("#sb-results select[name=outcome]", "busy")
    # A wrong caller number comes back with the choice and the note still filled in.
    page.fill("#sb-results input[name=caller_phone]", "not-a-number")
    page.fill("#sb-results input[name=note]", "市民询问公租房排队进度")
    page.click("#sb-results button:has-text('登记转接')")
    assert "来电号码只能包含数字" in page.inner_text("#sb-results")
    assert page.input_value("#sb-results input[name=note]") == "市民询问公租房排队进度"
    assert page.input_value("#sb-results select[name=outcome]") == "busy"
    screenshot(page, "switchboard-transfer-error")
    page.fill("#sb-results input[name=caller_phone]", "13912345678")
    page.click("#sb-results button:has-text('登记转接')")
    page.wait_for_selector(".flash .msg")
    assert "已记录" in page.inner_text(".flash")
    assert "139****5678" in page.inner_text("#log")
    assert SwitchboardTransfer.objects.get().outcome == "busy"
    page.fill("input[name=q]", "")
    page.wait_for_function("document.querySelectorAll('#sb-results tbody tr').length === 5")
    screenshot(page, "switchboard-agent")
