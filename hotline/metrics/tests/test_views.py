"""The KPI board: who may open it, what it shows, and bad input kept and explained."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from hotline.metrics.models import KpiTarget
from hotline.metrics.tests.helpers import closed
from hotline.tickets.tests.factories import PASSWORD


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.mark.parametrize("role", ["supervisor", "analyst", "admin"])
def test_board_opens_for_supervisors_analysts_and_admins(city, role):
    closed(city)
    r = client_for(city.users[role]).get("/metrics/")
    assert r.status_code == 200
    assert "metrics/board.html" in [t.name for t in r.templates]
    body = r.content.decode()
    assert "考核指标看板" in body and "综合满意率" in body and "成员单位办理质效" in body
    assert 'data-kpi="satisfaction" data-status="green"' in body


@pytest.mark.parametrize("role", ["agent", "bureau_handler", "hr"])
def test_board_is_refused_to_other_roles(city, role):
    assert client_for(city.users[role]).get("/metrics/").status_code == 403


def test_board_explains_a_bad_period_and_keeps_what_was_typed(city):
    r = client_for(city.supervisor).get(
        "/metrics/", {"from": "2025-13-01", "to": "2025-10-01", "department": "CGJ"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "请填写有效的统计期间" in body
    assert 'value="2025-13-01"' in body and '<option value="CGJ" selected>' in body


def test_board_explains_an_unknown_filter(city):
    r = client_for(city.supervisor).get("/metrics/", {"district": "CGJ"})
    assert r.status_code == 400
    assert "区县编码不存在" in r.content.decode()


def test_a_changed_target_recolours_the_tile(city):
    from hotline.metrics.services import kpi_target_set

    closed(city)  # no 热线百科 citation: 0 % against the seed's 80 %
    c = client_for(city.supervisor)
    assert 'data-kpi="citation_rate" data-status="red"' in c.get("/metrics/").content.decode()
    kpi_target_set(key="citation_rate", target=0.0, comparison=">=", amber_margin=0.05, by=city.admin)
    cache.clear()  # the board shares a question's figures for 60 s
    assert 'data-kpi="citation_rate" data-status="green"' in c.get("/metrics/").content.decode()


def test_supervisor_navigation_links_the_board(city):
    body = client_for(city.supervisor).get("/metrics/").content.decode()
    assert 'href="/metrics/"' in body


def test_admin_edits_targets_in_the_admin_through_the_service(city):
    from hotline.core.models import AuditLog

    city.admin.is_staff = city.admin.is_superuser = True
    city.admin.save()
    c = client_for(city.admin)
    r = c.get("/admin/metrics/kpitarget/")
    assert r.status_code == 200 and "30秒接通率" in r.content.decode()
    row = KpiTarget.objects.get(key="service_level")
    url = f"/admin/metrics/kpitarget/{row.pk}/change/"
    bad = c.post(url, {"target": "95", "comparison": ">=", "amber_margin": "0.02"})
    assert bad.status_code == 200 and "比率目标请填 0–1 之间的小数" in bad.content.decode()
    ok = c.post(url, {"target": "0.9", "comparison": ">=", "amber_margin": "0.03"})
    assert ok.status_code == 302
    row.refresh_from_db()
    assert (row.target, row.amber_margin) == (0.9, 0.03)
    log = AuditLog.objects.get(action="kpi_target_set", object_id="service_level")
    assert log.actor == city.admin and log.data["before"]["target"] == 0.95


def test_the_board_exports_the_same_figures_as_xlsx(city):
    from io import BytesIO

    from openpyxl import load_workbook

    closed(city)
    r = client_for(city.analyst).get("/metrics/export.xlsx", {"district": ""})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r["Content-Disposition"]
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames == ["考核指标", "成员单位办理质效", "逐日趋势"]
    rows = {row[0]: row for row in wb["考核指标"].iter_rows(min_row=3, values_only=True)}
    assert rows["综合满意率"][1:4] == (1, 1, 1.0) and rows["综合满意率"][5] == "达标"
    assert "业务解答及工单质量合格率" in rows
    dept = list(wb["成员单位办理质效"].iter_rows(min_row=2, values_only=True))
    assert dept[0][:3] == (1, "东城区", 1)


def test_export_with_bad_input_shows_the_board_with_the_message(city):
    r = client_for(city.analyst).get("/metrics/export.xlsx", {"from": "昨天"})
    assert r.status_code == 400
    assert "请填写有效的统计期间" in r.content.decode()


def test_export_is_refused_to_other_roles(city):
    assert client_for(city.agent).get("/metrics/export.xlsx").status_code == 403
