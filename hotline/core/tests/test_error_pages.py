"""Error pages speak Chinese: 400, 403, 404, an expired form (CSRF) and 500, never Django's English defaults."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views import defaults

from hotline.accounts.models import Role
from hotline.tickets.tests.factories import PASSWORD, UserFactory


@pytest.fixture
def agent_client(db):
    user = UserFactory(username="err-agent", role=Role.AGENT)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_unknown_page_is_a_chinese_404_inside_the_shell(agent_client):
    response = agent_client.get("/no-such-page/12345/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "/no-such-page/12345/" in body
    assert "工单查询" in body  # the navigation is there: the user can go on from this page
    assert "Not Found" not in body


def test_unknown_ticket_number_is_a_chinese_404(agent_client):
    response = agent_client.get("/tickets/HL000000000000/")  # the ticket page's own not-found page
    assert response.status_code == 404
    body = response.content.decode()
    assert "HL000000000000" in body and "Not Found" not in body


def test_forbidden_page_says_why_in_chinese(agent_client):
    response = agent_client.get("/kb/")  # the knowledge base's management list: editors only
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权访问" in body and "话务员" in body
    assert "403 Forbidden" not in body


def test_expired_form_says_to_refresh_and_keeps_the_user_calm(db):
    UserFactory(username="err-agent2", role=Role.AGENT)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "err-agent2", "password": PASSWORD})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期" in body and "刷新" in body
    assert "CSRF verification failed" not in body


def test_server_error_and_bad_request_pages_render_without_a_database_or_a_user():
    request = RequestFactory().get("/desk/agent/")
    response = defaults.server_error(request)
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()
    response = defaults.bad_request(request, Exception("bad"))
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_a_browser_asking_for_english_still_gets_chinese_durations(agent_client):
    from datetime import timedelta

    from django.template import Context, Template
    from django.utils import timezone

    response = agent_client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    # What LocaleMiddleware activated for that request renders Django's own strings in Chinese.
    later = timezone.now() + timedelta(days=1, hours=11, minutes=5)
    assert "小时" in Template("{{ t|timeuntil }}").render(Context({"t": later}))
