"""The KPI board in a real browser: tiles coloured by target, the trend and ranking charts, the filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login, screenshot
from hotline.callcenter.models import CallRecord
from hotline.metrics.tests.helpers import closed, place, redo, visit_round
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Ticket.Status


def _month_of_work(city) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    start = timezone.localtime(now).replace(day=1, hour=10, minute=0)
    span = max(1, (timezone.localtime(now) - start).days)
    made = []
    for i, (lead, result) in enumerate(
        [
            (city.district, "satisfied"),
            (city.district, "satisfied"),
            (city.district, "basically_satisfied"),
            (city.bureau, "satisfied"),
            (city.bureau, "unsatisfied"),
            (city.other_bureau, "satisfied"),
            (city.other_bureau, "satisfied"),
        ]
    ):
        t = closed(city, result, lead=lead, type="consultation" if i % 2 else "complaint")
        if t.status == S.DISPATCHED:  # reopened after 不满意: handled again, then satisfied
            t = visit_round(city, redo(city, t), "satisfied")
        made.append(t)
    for i, t in enumerate(made):
        day = start + timedelta(days=(i * 3) % span)
        place(
            t,
            created_at=day,
            replied_at=day + timedelta(days=1),
            closed_at=day + timedelta(days=1, hours=2),
            due_at=day + timedelta(days=1 if i != 4 else 0, hours=4),
        )
    place(drive(city, S.ACKNOWLEDGED, lead=city.bureau), due_at=start + timedelta(hours=30))  # overdue
    for n in range(40):
        arrived = start + timedelta(days=n % span, minutes=n)
        CallRecord.objects.create(
            call_id=f"b{n}",
            hotline="12345",
            arrived_at=arrived,
            ended_at=arrived + timedelta(minutes=4),
            queue="general",
            disposition="answered" if n % 9 else "abandoned_queue",
            wait_s=12 if n % 5 else 45,
            talk_s=180,
            survey="1" if n % 7 else "3",
        )


def test_supervisor_reads_the_kpi_board(city, page):
    _month_of_work(city)
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/metrics/")
    page.wait_for_selector("#chart-trend svg")
    page.wait_for_selector("#chart-rank svg")
    assert page.locator(".kpi-tile").count() == 15  # incl. QA pass rate and service complaints
    assert page.get_attribute('[data-kpi="satisfaction"]', "data-status") == "green"
    assert page.get_attribute('[data-kpi="ontime_rate"]', "data-status") == "red"
    assert page.locator("#h-dept >> text=成员单位办理质效").count() == 1
    screenshot(page, "metrics_kpi_board")
    # Narrow to one department: the figures follow, the entered filter stays selected.
    page.select_option("#department", "CGJ")
    page.click("button:has-text('统计')")
    page.wait_for_selector("#chart-trend svg")
    assert page.input_value("#department") == "CGJ"
    assert "不按单位筛选" in page.inner_text('[data-kpi="answer_rate"]')
    # A bad period is explained and kept.
    page.fill("#from", "2026-12-31")
    page.fill("#to", "2026-01-01")
    page.click("button:has-text('统计')")
    assert "结束日期不能早于开始日期" in page.inner_text("form[role=search]")
    assert page.input_value("#from") == "2026-12-31"
    screenshot(page, "metrics_kpi_board_error")
