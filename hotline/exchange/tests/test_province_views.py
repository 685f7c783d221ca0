"""The 省平台对接 page: who may use it, pull now, reconcile, retry; failures come back as Chinese messages."""

from __future__ import annotations

import pytest

from hotline.exchange.models import ProvinceOutbox
from hotline.exchange.tests.test_province import sim  # noqa: F401 (fixture)
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def test_only_dispatch_and_supervision_roles_see_the_page(client, city):
    _login(client, city.users["agent"])
    assert client.get("/province/").status_code == 403
    _login(client, city.users["dispatcher"])
    response = client.get("/province/")
    assert response.status_code == 200 and "省平台对接" in response.content.decode()


def test_pull_now_then_reconcile(client, city, sim, django_capture_on_commit_callbacks):  # noqa: F811
    sim.state.seed(2)
    _login(client, city.users["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/province/pull/", follow=True)
    assert "新建 2 件工单" in response.content.decode()
    assert Ticket.objects.filter(channel="province").count() == 2
    assert ProvinceOutbox.objects.filter(status="delivered").count() == 2
    page = client.get("/province/reconcile/").content.decode()
    assert "两边一致" in page
    sim.control("/sim/tickets", {"title": "新件", "content": "新的省工单。"})
    page = client.get("/province/reconcile/").content.decode()
    assert "1 处不一致" in page and "未拉取" in page


def test_unreachable_province_is_a_message_not_a_500(client, city, settings):
    settings.PROVINCE_BASE_URL = "http://127.0.0.1:9"
    _login(client, city.users["dispatcher"])
    response = client.post("/province/pull/")
    assert response.status_code == 502 and "拉取失败" in response.content.decode()
    response = client.get("/province/reconcile/")
    assert response.status_code == 502 and "对账失败" in response.content.decode()


def test_retry_button_redelivers(client, city, sim, settings, django_capture_on_commit_callbacks):  # noqa: F811
    sim.state.seed(1)
    settings.PROVINCE_ENABLED = False
    _login(client, city.users["dispatcher"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/province/pull/")
    row = ProvinceOutbox.objects.get()
    assert row.status == "pending"
    settings.PROVINCE_ENABLED = True
    response = client.post(f"/province/outbox/{row.pk}/retry/", follow=True)
    assert "已重新推送" in response.content.decode()
    row.refresh_from_db()
    assert row.status == "delivered"
