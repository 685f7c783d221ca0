"""Attendance from sign-in/out and pay on a constructed month (holiday overtime, night allowance)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hotline.callcenter.models import Agent, CallRecord, QueueLogEntry
from hotline.core.calendar import calendar_invalidate
from hotline.core.errors import InvalidInput, NotAllowed
from hotline.core.models import CalendarDay
from hotline.workforce.attendance import attendance_month, attendance_record, attendance_sync
from hotline.workforce.models import (
    LeaveRequest,
    PayRule,
    Roster,
    RosterEntry,
    ServiceComplaint,
    ShiftTemplate,
)
from hotline.workforce.performance import CallFigures, pay_for, score_components, weighted_score
from hotline.workforce.performance import scorecards as make_scorecards
from hotline.workforce.tests.test_services import cleared, posts, register  # noqa: F401

MONTH = date(2026, 10, 1)
TODAY = date(2026, 11, 29)  # the month is over


def at(d: int, hh: int, mm: int = 0, next_day: bool = False) -> datetime:
    day = date(2026, 10, d) + timedelta(days=int(next_day))
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def state(code: str, when: datetime, value: str) -> None:
    QueueLogEntry.objects.create(at=when, queue="", agent_code=code, event="STATE", data={"state": value})


@pytest.fixture
def month(city, posts):  # noqa: F811
    """One agent's October: a holiday day shift, two nights, a late day, an absence, a day of leave."""
    CalendarDay.objects.update_or_create(
        date=date(2026, 10, 1), defaults={"kind": "holiday", "name": "国庆节"}
    )
    for d in (12, 13, 15, 16):
        CalendarDay.objects.filter(date=date(2026, 10, d)).delete()
    calendar_invalidate()
    a = cleared(city, register(city, "HL0001", name="甲", hire_date=date(2025, 1, 1)))
    hr = register(city, "HL0900", post="hr", name="人事乙", hire_date=date(2025, 1, 1))
    Agent.objects.create(code="HL0001", name="甲")
    roster = Roster.objects.create(
        month=MONTH, status="published", outcome="ok", solver_status="OPTIMAL",
        required_hours=0, rostered_hours=0, wall_s=1,
    )  # fmt: skip
    sh = {t.code: t for t in ShiftTemplate.objects.all()}
    for d, code in [(1, "D"), (12, "D"), (13, "D"), (15, "N"), (16, "N")]:
        RosterEntry.objects.create(
            roster=roster, staff=a, day=date(2026, 10, d), shift=sh[code], queue="12345"
        )
    RosterEntry.objects.create(roster=roster, staff=hr, day=date(2026, 10, 14), shift=sh["A"], queue="")
    LeaveRequest.objects.create(
        staff=a, kind="annual", start=date(2026, 10, 20), end=date(2026, 10, 20), state="approved"
    )
    state("HL0001", at(1, 7, 55), "ready")
    state("HL0001", at(1, 16, 2), "signed_out")
    state("HL0001", at(12, 8, 20), "ready")  # 20 minutes late
    state("HL0001", at(12, 16, 1), "signed_out")
    state("HL0001", at(15, 19, 58), "ready")
    state("HL0001", at(15, 8, 1, next_day=True), "signed_out")
    state("HL0001", at(16, 19, 59), "not_ready")
    state("HL0001", at(16, 20, 0), "ready")
    state("HL0001", at(16, 8, 0, next_day=True), "signed_out")
    return a, hr, roster


def test_sign_in_becomes_clock_in_and_the_sheet_classifies_each_day(city, month):
    a, hr, _ = month
    assert attendance_sync(month=MONTH, now=at(31, 23)) == 4
    assert attendance_sync(month=MONTH, now=at(31, 23)) == 4  # idempotent
    attendance_record(
        staff=hr, day=date(2026, 10, 14), clock_in="08:41", clock_out="17:30", note="", by=city.hr
    )
    sheet = attendance_month(MONTH, today=TODAY)
    row = next(r for r in sheet.rows if r.staff == a)
    cells = {d.day: c for d, c in zip(sheet.days, row.cells, strict=True)}
    assert (cells[1].status, cells[1].holiday) == ("ok", True)
    assert (cells[12].status, cells[12].late_min) == ("late", 20)
    assert cells[13].status == "absent"
    assert cells[15].status == cells[16].status == "ok"
    assert cells[20].status == "leave"
    assert cells[2].status == "rest"
    assert (row.shifts, row.attended, row.late, row.absent, row.leave_days, row.nights) == (5, 4, 1, 1, 1, 2)
    assert row.holiday_h == 8
    office = next(r for r in sheet.rows if r.staff == hr)
    assert office.cells[13].status == "late"  # 行政班 starts 08:30; 08:41 is 11 minutes late


def test_pay_for_the_constructed_month(city, month):
    a, _, _ = month
    attendance_sync(month=MONTH, now=at(31, 23))
    for i in range(10):
        CallRecord.objects.create(
            call_id=f"c{i}", hotline="12345", arrived_at=at(12, 9, i), answered_at=at(12, 9, i),
            ended_at=at(12, 9, i + 3), queue="12345", agent_code="HL0001", talk_s=180,
            disposition="answered", survey="1" if i < 6 else ("3" if i < 8 else ""),
        )  # fmt: skip
    report = make_scorecards(MONTH, today=TODAY)
    card = next(c for c in report.cards if c.staff == a)
    assert card.calls is not None and card.calls.answered == 10
    assert card.components["calls"] == 100 and card.components["aht"] == 100
    assert card.components["satisfaction"] == 75  # 6 of 8 rated
    assert card.components["attendance"] == 75  # one late (−5), one absent (−20)
    assert card.components["complaints"] == 100
    assert card.components["qa"] is None  # no inspections: its weight is shared out
    assert any("质检" in n for n in report.notes)
    assert card.score == pytest.approx((25 * 100 + 10 * 100 + 15 * 75 + 15 * 75 + 5 * 100) / 70)
    pay = card.pay
    hourly = Decimal("4200") / Decimal("21.75") / 8
    assert pay.base == Decimal("4200.00")
    assert pay.night == Decimal("160.00")  # two nights × 80
    assert pay.holiday_ot == (hourly * 8 * 3).quantize(Decimal("0.01"))  # 8 h on 国庆节 × 3 = 579.31
    assert pay.holiday_ot == Decimal("579.31")
    assert pay.absence == Decimal("193.10")  # one day's pay
    assert pay.performance == Decimal("1339.29")
    assert pay.total == Decimal("4200.00") + Decimal("1339.29") + Decimal("160.00") + Decimal(
        "579.31"
    ) - Decimal("193.10")


def test_pay_rules_are_rows_per_post_and_the_multiplier_is_configurable(city, month):
    a, _, _ = month
    attendance_sync(month=MONTH, now=at(31, 23))
    PayRule.objects.create(
        post=a.post,
        base_monthly=Decimal("5000"),
        holiday_multiplier=Decimal("2"),
        night_allowance=Decimal("100"),
    )
    ServiceComplaint.objects.create(staff=a, day=date(2026, 10, 12), summary="态度生硬")
    card = next(c for c in make_scorecards(MONTH, today=TODAY).cards if c.staff == a)
    assert card.pay.night == Decimal("200.00")
    assert card.pay.holiday_ot == (Decimal("5000") / Decimal("21.75") / 8 * 8 * 2).quantize(Decimal("0.01"))
    assert card.complaints == 1 and card.components["complaints"] == 75


def test_scoring_is_pure_arithmetic_with_qa_present():
    comps = score_components(
        calls=CallFigures(answered=50, talk_s=50 * 200, acw_s=50 * 40, rated=10, satisfied=9),
        peer_calls=100, peer_aht=120, qa_mean=90.0, late=0, early=1, absent=0, shifts_due=20, complaints=0,
    )  # fmt: skip
    assert comps == {
        "calls": 50,
        "aht": 50,
        "qa": 90.0,
        "satisfaction": 90,
        "attendance": 90,
        "complaints": 100,
    }
    weights = {"calls": 25, "aht": 10, "qa": 30, "satisfaction": 15, "attendance": 15, "complaints": 5}
    assert weighted_score(comps, weights) == pytest.approx(
        (25 * 50 + 10 * 50 + 30 * 90 + 15 * 90 + 15 * 90 + 5 * 100) / 100
    )
    pay = pay_for(PayRule(), score=0, nights=0, holiday_h=0, restday_h=0, absent=0)
    assert pay.total == Decimal("4200.00")


def test_manual_attendance_refuses_bad_input(city, month):
    a, hr, _ = month
    with pytest.raises(InvalidInput, match="时:分"):
        attendance_record(staff=hr, day=date(2026, 10, 14), clock_in="8点", clock_out="", note="", by=city.hr)
    with pytest.raises(InvalidInput, match="至少填写"):
        attendance_record(staff=hr, day=date(2026, 10, 14), clock_in="", clock_out="", note="", by=city.hr)
    with pytest.raises(NotAllowed):
        attendance_record(
            staff=hr, day=date(2026, 10, 14), clock_in="08:30", clock_out="", note="", by=city.agent
        )
    night = attendance_record(
        staff=a, day=date(2026, 10, 15), clock_in="20:00", clock_out="08:00", note="补卡", by=city.hr
    )
    assert night.clock_out - night.clock_in == timedelta(hours=12)  # ends the next morning
    attendance_sync(month=MONTH, now=at(31, 23))
    night.refresh_from_db()
    assert night.source == "manual"  # the sync never overwrites a manual record


def test_an_agent_who_never_signed_in_is_absent(city, month):
    _, _, roster = month
    b = cleared(city, register(city, "HL0002", name="丙", hire_date=date(2025, 1, 1)))
    Agent.objects.create(code="HL0002", name="丙")
    RosterEntry.objects.create(
        roster=roster,
        staff=b,
        day=date(2026, 10, 12),
        shift=ShiftTemplate.objects.get(code="M"),
        queue="12345",
    )
    attendance_sync(month=MONTH, now=at(31, 23))
    row = next(r for r in attendance_month(MONTH, today=TODAY).rows if r.staff == b)
    assert (row.shifts, row.absent, row.attended) == (1, 1, 0)
