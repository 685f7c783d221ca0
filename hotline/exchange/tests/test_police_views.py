"""The 110 linkage page: hand over, answer, rule, call; bad input keeps what was typed."""

from __future__ import annotations

import pytest

from conftest import login, screenshot
from hotline.exchange.models import PoliceCall, PoliceLink
from hotline.tickets.tests.factories import PASSWORD, make_ticket


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.django_db
def test_page_flow_out_refused_ruled_with_a_call(client, city):
    ticket = make_ticket(by=city.agent, submit=True)
    _login(client, city.dispatcher)
    r = client.get("/police/")
    assert r.status_code == 200 and "110 联动" in r.content.decode()
    r = client.post("/police/out/", {"ticket": ticket.number, "reason": "现场斗殴，属警情"})
    assert r.status_code == 302
    link = PoliceLink.objects.get()
    assert client.post(f"/police/{link.pk}/answer/", {"accepted": "no", "note": "非警情"}).status_code == 302
    assert (
        client.post(f"/police/{link.pk}/call/", {"duration": "2:30", "police_operator": "110-07"}).status_code
        == 302
    )
    assert client.post(f"/police/{link.pk}/rule/", {"note": ""}).status_code == 302
    link.refresh_from_db()
    assert link.state == "ruled" and link.owner == "12345"
    assert PoliceCall.objects.get().duration_s == 150
    html = client.get("/police/").content.decode()
    assert "首接负责认定" in html and "由 12345 负责" in html and "150 秒" in html


@pytest.mark.django_db
def test_bad_input_keeps_what_was_typed(client, city):
    _login(client, city.agent)
    r = client.post("/police/out/", {"ticket": "2099", "reason": "打架"})
    assert (
        r.status_code == 400 and "工单不存在" in r.content.decode() and 'value="打架"' in r.content.decode()
    )
    r = client.post("/police/in/", {"police_ref": "JJ1", "content": "求助", "citizen_phone": "abc"})
    html = r.content.decode()
    assert r.status_code == 400 and "联系电话" in html and "求助</textarea>" in html
    ticket = make_ticket(by=city.agent, submit=True)
    client.post("/police/out/", {"ticket": ticket.number, "reason": "警情"})
    link = PoliceLink.objects.get()
    r = client.post(f"/police/{link.pk}/answer/", {"accepted": "yes"})
    assert r.status_code == 400 and "接警单号" in r.content.decode()
    r = client.post(f"/police/{link.pk}/call/", {"duration": "abc"})
    assert r.status_code == 400 and "分:秒" in r.content.decode()
    assert client.post(f"/police/{link.pk}/rule/", {}).status_code == 403  # agents do not rule
    assert client.post("/police/999/answer/", {"accepted": "no"}).status_code == 400
    assert PoliceLink.objects.get().state == "pending"


@pytest.mark.django_db
def test_department_users_cannot_open_the_page(client, city):
    _login(client, city.bureau_handler)
    assert client.get("/police/").status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dispatcher_registers_a_110_hand_over_in_the_browser(page, city):
    ticket = make_ticket(by=city.agent, submit=True)
    login(page, city.dispatcher.username, PASSWORD)
    page.goto(f"{page.base_url}/police/")
    page.fill("input[name=police_ref] >> nth=-1", "JJ20261129088")
    page.fill("textarea[name=content]", "市民报警称邻居装修噪音扰民，经核实非警情，转 12345 协调。")
    page.fill("input[name=address] >> nth=-1", "幸福路 8 号")
    page.click("button:has-text('登记为工单')")
    page.wait_for_selector(".flash .msg")
    assert "110 转入" in page.inner_text(".flash")
    page.fill("input[name=ticket]", ticket.number)
    page.fill("input[name=reason]", "现场有人持械斗殴，属警情")
    page.click("button:has-text('转 110') >> nth=-1")
    page.wait_for_selector(f"text={ticket.number}")
    row = page.locator("tr", has_text=ticket.number).first
    row.locator("summary:has-text('登记答复')").click()
    row.locator("select[name=accepted]").select_option("yes")
    row.locator("button:has-text('保存')").click()
    assert "110 接收时请填写接警单号" in page.inner_text(".form-error")
    screenshot(page, "police-linkage")
    assert PoliceLink.objects.count() == 2
