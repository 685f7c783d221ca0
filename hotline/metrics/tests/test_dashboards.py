"""Department evaluation pages and the district × category heat grid, on constructed data."""

from __future__ import annotations

from datetime import date

from hotline.accounts.models import Department
from hotline.metrics.breakdown import district_category_grid
from hotline.metrics.department_views import department_trend
from hotline.metrics.indicators import Filters, Period
from hotline.metrics.tests.helpers import at, closed, in_period, place, redo, visit_round
from hotline.metrics.tests.test_views import client_for
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import CategoryFactory, DepartmentFactory

P = Period(date(2025, 10, 1), date(2025, 10, 31))
S = Ticket.Status


def _made(city, lead, result, *, cat=None, district=None, day=10):  # type: ignore[no-untyped-def]
    t = closed(city, result, lead=lead, category=cat, district=district)
    while t.status != S.CLOSED:
        t = visit_round(city, redo(city, t), result)
    place(t, created_at=at(date(2025, 10, day - 1)))
    return in_period(t, date(2025, 10, day))


def test_heat_grid_counts_intake_by_district_and_top_level_category(city):
    west = DepartmentFactory(name="西城区", code="XCQ", kind=Department.Kind.COUNTY)
    roads = CategoryFactory(name="城乡建设", code="CS")
    lamp = CategoryFactory(name="路灯", code="CS01", parent=roads, level=2)
    broken = CategoryFactory(name="路灯不亮", code="CS0101", parent=lamp, level=3)
    market = CategoryFactory(name="市场监管", code="SC")
    for cat, district in ((broken, city.district), (lamp, city.district), (roads, west), (market, west)):
        _made(city, city.bureau, "satisfied", cat=cat, district=district)
    _made(city, city.bureau, "unsatisfied", cat=market, district=west)
    place(drive(city, S.PENDING_DISPATCH, category=broken, district=west), created_at=at(date(2025, 10, 3)))
    place(drive(city, S.PENDING_DISPATCH, category=broken), created_at=at(date(2025, 11, 3)))  # outside
    drive(city, S.DRAFT, category=broken, district=west)  # drafts are not intake

    grid = district_category_grid(P)
    cells = {k: (c.intake, c.closed, c.rated, c.satisfied) for k, c in grid.cells.items()}
    assert cells == {
        ("东城区", "城乡建设"): (2, 2, 2, 2),  # a level-3 and a level-2 category roll up to 城乡建设
        ("西城区", "城乡建设"): (2, 1, 1, 1),  # one closed, one still waiting for dispatch
        ("西城区", "市场监管"): (2, 2, 2, 1),
    }
    heat = grid.heat()
    assert heat["categories"] == ["城乡建设", "市场监管"] and heat["districts"] == ["西城区", "东城区"]
    assert sorted(heat["cells"]) == [[0, 0, 2], [0, 1, 2], [1, 0, 2]] and heat["max"] == 2
    by_cat = {r["name"]: r for r in grid.by("category")}
    assert by_cat["市场监管"]["satisfaction"] == 0.5
    # the board's filters narrow it
    only_west = district_category_grid(P, Filters(district_id=west.pk))
    assert {k[0] for k in only_west.cells} == {"西城区"}


def test_department_ranking_page_orders_by_score_and_links_each_department(city):
    for _ in range(3):
        _made(city, city.district, "satisfied")
    _made(city, city.bureau, "satisfied")
    _made(city, city.bureau, "unsatisfied")  # 满意率 50 %, reopened: the bureau ranks second
    r = client_for(city.analyst).get("/metrics/departments/", {"from": "2025-10-01", "to": "2025-10-31"})
    assert r.status_code == 200
    body = r.content.decode()
    rows = r.context["departments"]
    assert [(x.rank, x.name) for x in rows] == [(1, "东城区"), (2, "市城市管理局")]
    assert rows[1].figures["dept_satisfaction"].value == 0.5
    assert rows[1].figures["dept_reopen_rate"].value == 0.5
    assert rows[0].score is not None and rows[1].score is not None and rows[0].score > rows[1].score
    assert "/metrics/departments/CGJ/" in body and 'id="chart-rank"' in body


def test_department_page_shows_its_figures_and_monthly_trend(city):
    _made(city, city.bureau, "satisfied", day=10)
    t = _made(city, city.bureau, "satisfied", day=12)
    place(
        t, closed_at=at(date(2025, 9, 12)), replied_at=at(date(2025, 9, 11)), created_at=at(date(2025, 9, 10))
    )
    trend = department_trend("CGJ", date(2025, 10, 31), n=3)
    assert trend["months"] == ["2025-08", "2025-09", "2025-10"]
    assert trend["dept_satisfaction"] == [None, 100.0, 100.0]
    assert trend["rank"] == [None, 1, 1]
    r = client_for(city.supervisor).get(
        "/metrics/departments/CGJ/", {"from": "2025-10-01", "to": "2025-10-31"}
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "市城市管理局" in body and "第 1 名 / 1 家" in body and 'id="chart-dept-trend"' in body
    assert client_for(city.supervisor).get("/metrics/departments/NOPE/").status_code == 404
    bad = client_for(city.supervisor).get("/metrics/departments/CGJ/", {"from": "2025-10-99"})
    assert bad.status_code == 400 and "请填写有效的统计期间" in bad.content.decode()


def test_board_shows_the_heat_grid_and_links_hotspots(city):
    _made(city, city.bureau, "satisfied", district=city.district)
    r = client_for(city.supervisor).get("/metrics/", {"from": "2025-10-01", "to": "2025-10-31"})
    body = r.content.decode()
    assert 'id="chart-heat"' in body and 'id="data-heat"' in body and "/assist/hotspots/" in body
    assert r.context["heat"]["districts"] == ["东城区"]
