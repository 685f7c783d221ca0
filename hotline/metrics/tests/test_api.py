"""API: the KPI board's figures and the monthly reports under /api/v1/metrics, roles and structured errors."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from hotline.accounts.services import token_issue
from hotline.core.models import AuditLog
from hotline.metrics.compute import board_figures
from hotline.metrics.indicators import CENTRE, Period, filters_parse
from hotline.metrics.models import KpiTarget, MonthlyReport
from hotline.metrics.reports import services as rsvc
from hotline.metrics.tests.helpers import FIRST, LAST, at, closed, in_period, place
from hotline.metrics.tests.test_views import client_for

pytestmark = pytest.mark.django_db
KPIS = "/api/v1/metrics/kpis"
PERIOD = {"start": FIRST.isoformat(), "end": LAST.isoformat()}


def api_error(r, status: int, code: str = "invalid") -> dict:  # type: ignore[type-arg]
    """The structured error every /api/v1 refusal is: {code, Chinese message, errors[]}."""
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code and body["message"] and isinstance(body["errors"], list)
    return body


@pytest.fixture
def period_tickets(city):  # type: ignore[no-untyped-def]
    """Two tickets closed in the test period, one satisfied, one basically satisfied."""
    made = []
    for i, result in enumerate(("satisfied", "basically_satisfied")):
        t = closed(city, result, district=city.district)
        place(t, created_at=at(date(2025, 10, 9 + i), 9))
        made.append(in_period(t, date(2025, 10, 9 + i)))
    return made


def test_kpis_are_the_boards_figures_with_targets_and_status(city, period_tickets) -> None:
    r = client_for(city.supervisor).get(KPIS, PERIOD)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["start"] == "2025-09-29" and body["end"] == "2025-10-12" and body["filters"] == {}
    board = board_figures(Period(FIRST, LAST)).figures
    assert [f["key"] for f in body["figures"]] == [i.key for i in CENTRE] == [f.key for f in board]
    for got, want in zip(body["figures"], board, strict=True):
        assert (got["value"], got["numerator"], got["denominator"]) == (
            want.value,
            want.numerator,
            want.denominator,
        )
        assert (got["target"], got["status"], got["unit"]) == (want.target, want.status, want.unit)
    sat = next(f for f in body["figures"] if f["key"] == "satisfaction")
    assert sat["denominator"] == 2 and sat["value"] == 1.0 and sat["status_label"] == "达标"


def test_kpi_status_labels_follow_the_targets(city, period_tickets) -> None:
    KpiTarget.objects.update_or_create(
        key="satisfaction", defaults={"target": 1.5, "comparison": ">=", "amber_margin": 0.6}
    )
    body = client_for(city.analyst).get(KPIS, PERIOD).json()
    labels = {f["key"]: f["status_label"] for f in body["figures"]}
    assert labels["satisfaction"] == "临界"
    KpiTarget.objects.filter(key="satisfaction").update(amber_margin=0.1)
    body = client_for(city.admin).get(KPIS, {**PERIOD, "end": "2025-10-11"}).json()
    assert {f["key"]: f["status_label"] for f in body["figures"]}["satisfaction"] == "未达标"
    empty = client_for(city.admin).get(KPIS, {"start": "2024-01-01", "end": "2024-01-02"}).json()
    assert {f["status_label"] for f in empty["figures"] if f["denominator"] == 0} == {"无数据"}


def test_kpis_narrow_by_district_like_the_board(city, period_tickets) -> None:
    body = client_for(city.supervisor).get(KPIS, {**PERIOD, "district": "DCQ", "hotline": "12345"}).json()
    assert body["filters"] == {"district": "东城区", "hotline": "12345"}
    want = board_figures(Period(FIRST, LAST), filters_parse(district="DCQ", hotline="12345")).figures
    assert [f["value"] for f in body["figures"]] == [f.value for f in want]


def test_a_machine_token_of_an_analyst_reads_the_kpis(city) -> None:
    _, raw = token_issue(user=city.analyst, name="数据平台")
    r = Client().get(KPIS, PERIOD, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200 and len(r.json()["figures"]) == len(CENTRE)


@pytest.mark.parametrize("role", ["agent", "dispatcher", "visitor", "qa", "hr", "bureau_handler"])
def test_kpis_are_refused_to_roles_the_board_refuses(city, role) -> None:
    api_error(client_for(getattr(city, role)).get(KPIS, PERIOD), 403, "forbidden")


def test_kpis_need_a_signed_in_caller(city) -> None:
    api_error(Client().get(KPIS, PERIOD), 401, "unauthorized")


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"start": "2025-13-01", "end": "2025-10-12"}, "start", "YYYY-MM-DD"),
        ({"start": "2025-10-01", "end": "yesterday"}, "end", "YYYY-MM-DD"),
        ({"start": "2025-10-12", "end": "2025-10-01"}, "end", "不能早于"),
        ({"start": "2024-01-01", "end": "2025-01-01"}, "end", "366"),
        ({**PERIOD, "department": "NOPE"}, "department", "单位编码不存在"),
        ({**PERIOD, "category": "NOPE"}, "category", "分类编码不存在"),
        ({**PERIOD, "district": "CGJ"}, "district", "区县编码不存在"),
        ({**PERIOD, "hotline": "99999"}, "hotline", "热线号码无效"),
    ],
)
def test_bad_kpi_queries_are_structured_chinese_errors(city, params, field, words) -> None:
    body = api_error(client_for(city.supervisor).get(KPIS, params), 400)
    assert words in body["message"] + "".join(e["message"] for e in body["errors"])
    assert field in {e["field"] for e in body["errors"]}


def test_a_period_of_366_days_is_accepted(city) -> None:
    r = client_for(city.supervisor).get(KPIS, {"start": "2024-01-01", "end": "2024-12-31"})
    assert r.status_code == 200, r.content


# --- monthly reports ----------------------------------------------------------------------------------


def test_reports_list_months_with_status_and_download_links_once_generated(city, period_tickets) -> None:
    report = rsvc.monthly_report_request(month=date(2025, 10, 1), by=city.analyst)
    rsvc.monthly_report_generate(report_id=report.pk)
    MonthlyReport.objects.create(month=date(2025, 11, 1), status=MonthlyReport.Status.GENERATING, progress=40)
    rows = client_for(city.analyst).get("/api/v1/metrics/reports").json()
    assert [(r["month"], r["status"], r["status_label"]) for r in rows] == [
        ("2025-11", "generating", "生成中"),
        ("2025-10", "draft", "草稿"),
    ]
    assert rows[0]["xlsx_url"] is None and rows[0]["docx_url"] is None and rows[0]["progress"] == 40
    assert rows[1]["xlsx_url"] == "http://testserver/api/v1/metrics/reports/2025-10/xlsx"
    assert rows[1]["page_url"] == "http://testserver/metrics/reports/2025-10/"


def test_report_downloads_through_the_api_are_files_and_audited(city, period_tickets) -> None:
    report = rsvc.monthly_report_request(month=date(2025, 10, 1), by=city.analyst)
    rsvc.monthly_report_generate(report_id=report.pk)
    _, raw = token_issue(user=city.analyst)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for kind in ("xlsx", "docx"):
        r = c.get(f"/api/v1/metrics/reports/2025-10/{kind}")
        assert r.status_code == 200 and r.content[:2] == b"PK"  # both are zip containers
        assert r["Content-Disposition"].startswith("attachment;")
    assert AuditLog.objects.filter(action="monthly_report_export", actor=city.analyst).count() == 2
    api_error(c.get("/api/v1/metrics/reports/2025-10/pdf"), 400)
    api_error(c.get("/api/v1/metrics/reports/2025-09/xlsx"), 404, "not_found")
    api_error(c.get("/api/v1/metrics/reports/garbage/xlsx"), 404, "not_found")


def test_a_report_still_generating_cannot_be_downloaded(city) -> None:
    MonthlyReport.objects.create(month=date(2025, 11, 1), status=MonthlyReport.Status.GENERATING)
    api_error(
        client_for(city.supervisor).get("/api/v1/metrics/reports/2025-11/docx"), 409, "report_not_ready"
    )


@pytest.mark.parametrize("role", ["agent", "qa", "bureau_handler"])
def test_reports_are_refused_to_other_roles(city, role) -> None:
    c = client_for(getattr(city, role))
    api_error(c.get("/api/v1/metrics/reports"), 403, "forbidden")
    api_error(c.get("/api/v1/metrics/reports/2025-10/xlsx"), 403, "forbidden")


def test_openapi_schema_lists_the_metrics_paths(city) -> None:
    paths = client_for(city.analyst).get("/api/v1/schema").json()["paths"]
    for path in (
        "/api/v1/metrics/kpis",
        "/api/v1/metrics/reports",
        "/api/v1/metrics/reports/{month}/{kind}",
        "/api/v1/assist/suggest",
        "/api/v1/visits",
        "/api/v1/visits/{task_id}/attempts",
        "/api/v1/quality/scores",
    ):
        assert path in paths, path
    # Component names are global in the document: a clash would silently replace another app's schema.
    components = client_for(city.analyst).get("/api/v1/schema").json()["components"]["schemas"]
    assert {"figures", "filters"} <= set(components["BoardFiguresOut"]["properties"])
    assert "queue" in components["KpiOut"]["properties"]  # the call centre's own KPI schema
