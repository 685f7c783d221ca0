"""Reports and dashboards in a real browser: generate and edit a monthly report, the heat grid, department pages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import login, screenshot
from hotline.accounts.models import Department
from hotline.metrics.models import MonthlyReport
from hotline.metrics.reports.data import previous_month
from hotline.metrics.tests.test_board_browser import _month_of_work
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import PASSWORD, CategoryFactory, DepartmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _spread(city) -> None:  # type: ignore[no-untyped-def]
    """Give the month's tickets categories and districts, so the heat grid has something to show."""
    west = DepartmentFactory(name="西城区", code="XCQ", kind=Department.Kind.COUNTY)
    cats = [
        CategoryFactory(name=n, code=f"K{i}")
        for i, n in enumerate(["城乡建设", "市场监管", "交通出行", "教育"])
    ]
    for i, t in enumerate(Ticket.objects.order_by("pk")):
        Ticket.objects.filter(pk=t.pk).update(category=cats[i % 4], district=city.district if i % 3 else west)


def test_analyst_generates_edits_and_downloads_the_monthly_report(city, page):
    _month_of_work(city)
    _spread(city)
    month = f"{timezone.localdate():%Y-%m}"
    login(page, "analyst", PASSWORD)
    page.goto(f"{page.base_url}/metrics/reports/")
    page.fill("#month", month)
    page.click("button:has-text('生成报告')")  # jobs run inline in tests: the draft is there at once
    page.wait_for_selector("textarea#section_overview")
    assert "草稿" in page.inner_text(".desk-head")
    assert page.locator(".kpi-tile").count() >= 10
    page.fill("#section_issues", "本月路灯报修集中在东城区，建议城管局开展专项排查。")
    page.click("button:has-text('保存文字')")
    page.wait_for_selector(".badge-edited")
    assert page.input_value("#section_issues").startswith("本月路灯报修")
    screenshot(page, "metrics_report_draft")
    with page.expect_download() as dl:
        page.click("text=下载 Word 专报")
    assert dl.value.suggested_filename.endswith("专报.docx")
    page.goto(f"{page.base_url}/metrics/reports/")
    screenshot(page, "metrics_reports_list")


def test_progress_is_shown_while_a_report_is_generated(city, page):
    month = previous_month(timezone.localdate())
    MonthlyReport.objects.create(month=month, status="generating", progress=55, stage="分类、区县统计",
                                 started_at=timezone.now())  # fmt: skip
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/metrics/reports/{month:%Y-%m}/")
    page.wait_for_selector("#report-progress progress")
    assert "55%" in page.inner_text("#report-progress")
    screenshot(page, "metrics_report_progress")
    MonthlyReport.objects.filter(month=month).update(status="failed", error="RuntimeError: 演示")
    page.wait_for_selector("text=生成失败", timeout=8000)  # the poll sees the end and reloads the page


def test_board_heat_grid_and_department_pages(city, page):
    _month_of_work(city)
    _spread(city)
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/metrics/")
    page.wait_for_selector("#chart-heat svg")
    assert page.locator("a[href='/assist/hotspots/']").count() >= 1
    screenshot(page, "metrics_board_heat_grid")
    page.click("nav.kpi-tabs >> text=成员单位办理质效")
    page.wait_for_selector("#chart-rank svg")
    assert page.locator("#dept-ranking tbody tr").count() == 3
    screenshot(page, "metrics_department_ranking")
    page.click("#dept-ranking >> text=市城市管理局")
    page.wait_for_selector("#chart-dept-trend svg")
    assert "市城市管理局" in page.inner_text("h1")
    screenshot(page, "metrics_department_detail")
