"""Forecast, attendance, scorecards and pay, swaps and 我的排班 in the browser (with screenshots)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login, screenshot
from hotline.tickets.tests.factories import PASSWORD
from hotline.workforce.attendance import attendance_record
from hotline.workforce.demo import load_volume_demo
from hotline.workforce.models import OnboardingExam, Roster, RosterEntry, ShiftSwap, ShiftTemplate
from hotline.workforce.services import StaffInput, posts_ensure, shifts_ensure, staff_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate()


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def test_forecast_attendance_pay_and_a_swap(page, city):
    shifts_ensure()
    posts_ensure()
    load_volume_demo()
    people = []
    for i in range(6):
        s = staff_register(
            data=StaffInput(
                employee_no=f"HL{i:04d}", name=f"话务员{i:02d}", post="agent", hire_date=TODAY - timedelta(days=300),
                mandarin="2a", typing_cpm=70, username="agent" if i == 0 else "",
            ),
            by=city.hr,
        )  # fmt: skip
        OnboardingExam.objects.create(
            staff=s, taken_on=TODAY, score=90, approved_by=city.supervisor, approved_at=timezone.now()
        )
        people.append(s)
    month = TODAY.replace(day=1)
    roster = Roster.objects.create(
        month=month, status="published", outcome="ok", solver_status="OPTIMAL",
        required_hours=0, rostered_hours=0, wall_s=1,
    )  # fmt: skip
    sh = {t.code: t for t in ShiftTemplate.objects.all()}
    n_days = ((month + timedelta(days=32)).replace(day=1) - month).days
    for i, s in enumerate(people):
        for d in range(n_days):
            if (d + i) % 7 < 5:
                day = month + timedelta(days=d)
                code = "N" if (d + i) % 7 == 4 and i % 2 == 0 else "DMS"[(d + i) % 3]
                RosterEntry.objects.create(roster=roster, staff=s, day=day, shift=sh[code], queue="12345")
                if day < TODAY and (d * 7 + i) % 11:
                    late = 20 if (d + i) % 9 == 0 else 0
                    start = sh[code].segments[0][0] + late - 3
                    attendance_record(
                        staff=s, day=day, clock_in=f"{start // 60:02d}:{start % 60:02d}", clock_out="", note="",
                        by=city.hr,
                    )  # fmt: skip

    login(page, "hr", PASSWORD)
    page.goto(f"{page.base_url}/workforce/forecast/?hotline=merged")
    page.wait_for_selector("#chart-daily svg")
    assert "WAPE" in page.inner_text(".stats")
    assert "合并为一个队列" in page.inner_text("main")
    screenshot(page, "workforce-forecast")

    page.click(".wf-tabs >> text=考勤")
    assert "月度考勤" in page.inner_text("main")
    page.fill("#m-no", "HL0001")
    page.fill("#m-in", "8点半")
    page.click("button:has-text('登记')")
    assert "时:分" in page.inner_text(".form-error")
    assert page.input_value("#m-no") == "HL0001"
    screenshot(page, "workforce-attendance")

    page.click(".wf-tabs >> text=绩效与薪酬")
    assert "应发" in page.inner_text("table")
    screenshot(page, "workforce-performance")

    switch_user(page, "agent")
    page.goto(f"{page.base_url}/workforce/me/")
    nxt = (month + timedelta(days=32)).replace(day=1)
    later = Roster.objects.create(
        month=nxt,
        status="published",
        outcome="ok",
        solver_status="OPTIMAL",
        required_hours=0,
        rostered_hours=0,
        wall_s=1,
    )
    for d in range(0, 20, 2):
        RosterEntry.objects.create(
            roster=later, staff=people[0], day=nxt + timedelta(days=d), shift=sh["D"], queue="12345"
        )
    target = RosterEntry.objects.get(roster=later, day=nxt + timedelta(days=6))
    page.fill("#s-day", target.day.isoformat())
    page.select_option("#s-who", str(people[1].pk))
    page.fill("#s-reason", "孩子开家长会")
    page.click("button:has-text('提交换班')")
    assert "待审批" in page.inner_text("main")
    screenshot(page, "workforce-me")

    switch_user(page, "supervisor")
    page.goto(f"{page.base_url}/workforce/swaps/")
    assert "孩子开家长会" in page.inner_text("main")
    screenshot(page, "workforce-swaps")
    page.click("button:has-text('批准')")
    assert ShiftSwap.objects.get().state == "approved"
    assert RosterEntry.objects.get(roster=later, day=target.day).staff == people[1]
    page.goto(f"{page.base_url}/workforce/rosters/{roster.pk}/")
    assert "公平性" in page.inner_text("main")
    screenshot(page, "workforce-roster-fairness")
