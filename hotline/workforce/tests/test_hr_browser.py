"""HR desk in the browser: register a person, exam and approval gate, staffing, a month's roster."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login, screenshot
from hotline.tickets.tests.factories import PASSWORD
from hotline.workforce.models import OnboardingExam, Roster, Staff
from hotline.workforce.services import StaffInput, posts_ensure, shifts_ensure, staff_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate()
NEXT_MONTH = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def test_hr_registers_gates_and_rosters(page, city, settings):
    shifts_ensure()
    posts_ensure()
    settings.WORKFORCE_ROSTER_TIME_LIMIT_S = 15
    settings.WORKFORCE_DEMAND = {"12345": {"workday": (6, 1), "restday": (3, 1)}}
    for i in range(14):
        s = staff_register(
            data=StaffInput(
                employee_no=f"HL{i:04d}", name=f"话务员{i:02d}", post="agent", hire_date=TODAY - timedelta(days=90),
                mandarin="2a", typing_cpm=70, night_ok=i % 2 == 0,
            ),
            by=city.hr,
        )  # fmt: skip
        OnboardingExam.objects.create(
            staff=s, taken_on=TODAY, score=90, approved_by=city.supervisor, approved_at=timezone.now()
        )
    staff_register(
        data=StaffInput(
            employee_no="HL0100", name="人事专员", post="hr", hire_date=TODAY - timedelta(days=400)
        ),
        by=city.hr,
    )

    login(page, "hr", PASSWORD)
    page.click("nav.mainnav >> text=人员登记")
    # A mistake first: the form comes back with the typed values and the reason.
    page.fill("#f-no", "HL0999")
    page.fill("#f-name", "新同事")
    page.select_option("#f-post", "agent")
    page.fill("#f-typing", "很快")
    page.click("button:has-text('登记')")
    assert "汉字录入速度应为整数" in page.inner_text(".form-error") + page.inner_text("main")
    assert page.input_value("#f-name") == "新同事"
    page.fill("#f-typing", "75")
    page.select_option("#f-mand", "2a")
    page.click("button:has-text('登记')")
    page.wait_for_url("**/workforce/staff/*/")
    assert "未上岗" in page.inner_text(".desk-head")
    page.fill("#e-score", "91")
    page.click("button:has-text('登记成绩')")
    assert "待主管审核" in page.inner_text("main")
    screenshot(page, "workforce-staff-detail")
    detail_url = page.url

    switch_user(page, "supervisor")
    page.goto(detail_url)
    page.click("button:has-text('审核确认上岗')")
    assert "已审核上岗" in page.inner_text(".desk-head")
    assert Staff.objects.get(employee_no="HL0999").pk

    switch_user(page, "hr")
    page.click("nav.mainnav >> text=定编与流失")
    page.fill("#c-calls", "100")
    page.click("button:has-text('测算')")
    assert "95.57%" in page.inner_text("main")
    screenshot(page, "workforce-staffing")

    page.click("nav.mainnav >> text=排班")
    page.fill("#r-month", NEXT_MONTH.strftime("%Y-%m"))
    page.click("button:has-text('生成排班')")
    page.wait_for_selector("text=排班日历", timeout=60_000)
    roster = Roster.objects.get()
    assert roster.outcome == "ok", roster.messages
    assert "满足需求" in page.inner_text(".desk-head")
    assert page.locator("table.wf-grid tbody tr").count() == 16  # 15 agents + the HR officer
    screenshot(page, "workforce-roster")
    with page.expect_download() as dl:
        page.click("text=导出 Excel")
    assert dl.value.suggested_filename == f"roster-{NEXT_MONTH:%Y-%m}.xlsx"
