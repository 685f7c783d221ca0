"""History from the database, forecast-driven roster requirement, the forecast CLI and the new pages."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from hotline.callcenter.models import CallRecord
from hotline.workforce import demand
from hotline.workforce.demo import load_volume_demo
from hotline.workforce.models import CallVolumeDay, Roster, RosterEntry, ShiftSwap, ShiftTemplate, Staff
from hotline.workforce.services import RosterOptions, roster_request, roster_solve
from hotline.workforce.tests.test_services import cleared, posts, register  # noqa: F401

TODAY = timezone.localdate()
NEXT_MONTH = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)


def test_history_prefers_call_records_and_fills_other_days_from_imports(db):
    yesterday = TODAY - timedelta(days=1)
    CallVolumeDay.objects.create(hotline="12345", day=yesterday, counts=[99] * 48)
    CallVolumeDay.objects.create(hotline="12345", day=yesterday - timedelta(days=1), counts=[2] * 48)
    at = timezone.make_aware(datetime.combine(yesterday, time(9, 40)))
    for i, queue in enumerate(["12345", "12345", ""]):  # the last one never asked for a person
        CallRecord.objects.create(
            call_id=f"h{i}", hotline="12345", arrived_at=at, ended_at=at, queue=queue, disposition="answered"
        )
    hist = demand.history(["12345"], end=TODAY)
    assert hist[yesterday][19] == 2 and sum(hist[yesterday]) == 2  # 09:30–10:00
    assert sum(hist[yesterday - timedelta(days=1)]) == 96


def test_demo_history_gives_a_forecast_with_a_backtest(db):
    assert load_volume_demo() > 0
    assert load_volume_demo() == 0  # idempotent
    p = demand.plan(["12345"], [TODAY + timedelta(days=1)], today=TODAY)
    assert p.ok and p.backtest is not None
    assert p.backtest.wape < 0.15
    needs = p.needs[TODAY + timedelta(days=1)]
    assert max(n.scheduled for n in needs) >= max(n.agents for n in needs) > 0


def test_no_history_says_so(db):
    p = demand.plan(["12345"], [TODAY + timedelta(days=1)], today=TODAY)
    assert not p.ok and "至少需要 14 天" in p.message


def test_forecast_cli_prints_wape_last(db):
    load_volume_demo()
    out = io.StringIO()
    call_command("wfm", "forecast", "--hotline", "12345", "--backtest", "14", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("wape=0.") and "test_days=14" in last
    with pytest.raises(CommandError, match="至少需要"):
        call_command("wfm", "forecast", "--hotline", "99999", stdout=io.StringIO())


def test_roster_from_forecast_meets_the_forecast_requirement(city, posts):  # noqa: F811
    rows = []
    for back in range(1, 43):
        d = TODAY - timedelta(days=back)
        counts = [0] * 16 + [4] * 24 + [0] * 8  # 08:00–20:00 only: a few agents a half-hour
        rows.append(CallVolumeDay(hotline="12345", day=d, counts=counts if d.weekday() < 5 else [0] * 48))
    CallVolumeDay.objects.bulk_create(rows)
    for i in range(14):
        cleared(city, register(city, f"F{i:02d}", night_ok=False))
    roster = roster_request(month=NEXT_MONTH, by=city.hr, demand="forecast")
    options = RosterOptions(time_limit_s=15, diagnose_time_s=5, queues={})
    roster = roster_solve(roster_id=roster.pk, options=options)
    assert roster.outcome == "ok", roster.messages
    assert any("需求来自话务预测" in n for n in roster.notes)
    assert RosterEntry.objects.filter(roster=roster, shift__night=True).count() == 0  # no calls at night
    weekday = next(d for d in (NEXT_MONTH + timedelta(days=i) for i in range(7, 14)) if d.weekday() == 2)
    on = RosterEntry.objects.filter(roster=roster, day=weekday).exclude(queue="").count()
    assert on >= 2


def test_bad_staffing_params_on_the_forecast_page_are_explained(client, city, db):
    load_volume_demo()
    client.force_login(city.hr)
    page = client.get("/workforce/forecast/?target=1&answer=0")
    assert page.status_code == 400
    assert "服务水平" in page.content.decode()
    ok = client.get("/workforce/forecast/?hotline=merged")
    body = ok.content.decode()
    assert ok.status_code == 200 and "WAPE" in body and "合并为一个队列" in body and 'id="data-daily"' in body


def test_forecast_page_without_history(client, city):
    client.force_login(city.analyst)
    page = client.get("/workforce/forecast/")
    assert page.status_code == 200 and "暂无法预测" in page.content.decode()


def test_pay_is_for_hr_and_the_workbooks_download(client, city, posts):  # noqa: F811
    client.force_login(city.supervisor)
    page = client.get("/workforce/performance/")
    assert page.status_code == 200 and "应发" not in page.content.decode()
    assert client.get("/workforce/performance/pay.xlsx").status_code == 403
    client.force_login(city.hr)
    register(city, "P001")
    assert "应发" in client.get("/workforce/performance/").content.decode()
    wb = load_workbook(io.BytesIO(client.get("/workforce/performance/pay.xlsx").content))
    assert wb.active["A1"].value == "工号" and wb.active["T1"].value == "应发合计"
    assert wb.active["A2"].value == "P001"
    sheet = load_workbook(io.BytesIO(client.get("/workforce/attendance/xlsx/").content)).active
    assert sheet["A2"].value == "P001"
    assert client.get("/workforce/attendance/?month=2026-13").status_code == 400


def test_agent_sees_own_roster_and_asks_for_a_swap(client, city, posts):  # noqa: F811
    me = cleared(city, register(city, "A100", username="agent", name="本人"))
    other = cleared(city, register(city, "A101", name="同事"))
    draft = Roster.objects.create(
        month=NEXT_MONTH, outcome="ok", solver_status="", required_hours=0, rostered_hours=0, wall_s=0
    )
    RosterEntry.objects.create(
        roster=draft,
        staff=me,
        day=NEXT_MONTH + timedelta(days=4),
        shift=ShiftTemplate.objects.get(code="N"),
        queue="12345",
    )
    client.force_login(city.agent)
    page = client.get("/workforce/me/")
    assert "夜班" not in page.content.decode() and "尚未发布" in page.content.decode()  # drafts stay with HR
    roster = Roster.objects.create(
        month=NEXT_MONTH,
        status="published",
        outcome="ok",
        solver_status="",
        required_hours=0,
        rostered_hours=0,
        wall_s=0,
    )
    RosterEntry.objects.create(
        roster=roster,
        staff=me,
        day=NEXT_MONTH + timedelta(days=4),
        shift=ShiftTemplate.objects.get(code="D"),
        queue="12345",
    )
    client.force_login(city.agent)
    page = client.get("/workforce/me/")
    assert page.status_code == 200 and "白班" in page.content.decode()
    bad = client.post("/workforce/me/", {"action": "swap", "day": "someday", "counterpart": other.pk})
    assert bad.status_code == 400 and "换班日期格式" in bad.content.decode()
    day = (NEXT_MONTH + timedelta(days=4)).isoformat()
    ok = client.post(
        "/workforce/me/", {"action": "swap", "day": day, "counterpart": other.pk, "reason": "看病"}
    )
    assert ok.status_code == 302
    swap = ShiftSwap.objects.get()
    assert client.get("/workforce/swaps/").status_code == 403
    client.force_login(city.supervisor)
    assert "看病" in client.get("/workforce/swaps/").content.decode()
    client.post("/workforce/swaps/", {"action": "swap_approve", "swap": swap.pk})
    assert RosterEntry.objects.get(roster=roster).staff == other


def test_me_page_without_a_staff_record(client, city):
    client.force_login(city.dispatcher)
    assert "还没有关联人员档案" in client.get("/workforce/me/").content.decode()


def test_month_pages_do_not_query_per_person(client, city, posts, django_assert_max_num_queries):  # noqa: F811
    for i in range(25):
        register(city, f"Q{i:03d}")
    roster = Roster.objects.create(
        month=TODAY.replace(day=1), status="published", outcome="ok", solver_status="", required_hours=0,
        rostered_hours=0, wall_s=0,
    )  # fmt: skip
    shift = ShiftTemplate.objects.get(code="D")
    RosterEntry.objects.bulk_create(
        RosterEntry(roster=roster, staff=s, day=TODAY.replace(day=1), shift=shift, queue="12345")
        for s in Staff.objects.all()
    )
    client.force_login(city.hr)
    with django_assert_max_num_queries(25):
        assert client.get("/workforce/attendance/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/workforce/performance/").status_code == 200
