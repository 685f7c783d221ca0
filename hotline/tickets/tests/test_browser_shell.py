"""Browser: sign-in, the shell, the ticket page, and scope by URL."""

import pytest

from conftest import login, screenshot
from hotline.tickets import services as svc
from hotline.tickets.tests.factories import PASSWORD, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_lockout_shows_a_clear_message(page, city, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        login(page, "agent", "wrong-password-1")
    login(page, "agent", PASSWORD)
    assert "锁定" in page.inner_text("[role=alert]")
    screenshot(page, "login-locked")


def test_ticket_page_shows_role_department_and_only_allowed_actions(page, city):
    t = make_ticket(by=city.agent)
    svc.ticket_dispatch(ticket=t, by=city.agent, lead=city.district)
    login(page, "dcq", PASSWORD)
    page.goto(f"{page.base_url}/tickets/{t.number}/")
    top = page.inner_text("header")
    assert "承办人" in top and "东城区" in top
    buttons = page.locator("#actions button").all_inner_texts()
    assert "签收" in buttons and not any(b == "派单" for b in buttons)
    screenshot(page, "ticket-page-department")
    page.click("#actions button:has-text('签收')")
    assert "已签收" in page.inner_text(".flash")


def test_department_user_cannot_open_another_departments_ticket_by_url(page, city):
    t = make_ticket(by=city.agent)
    svc.ticket_dispatch(ticket=t, by=city.agent, lead=city.bureau)
    login(page, "sjj", PASSWORD)
    response = page.goto(f"{page.base_url}/tickets/{t.number}/")
    assert response is not None and response.status == 404
    assert t.title not in page.content()
