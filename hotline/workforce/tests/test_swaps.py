"""Shift swaps: asked by the agent, approved by a supervisor, labour rules re-checked and named."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hotline.core.errors import InvalidInput, NotAllowed
from hotline.workforce.models import LeaveRequest, Roster, RosterEntry, ShiftSwap, ShiftTemplate
from hotline.workforce.selectors import roster_fairness
from hotline.workforce.swaps import swap_cancel, swap_decide, swap_request
from hotline.workforce.tests.test_services import cleared, posts, register  # noqa: F401

TODAY = timezone.localdate()
MONTH = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)


def day(n: int) -> date:
    return MONTH + timedelta(days=n - 1)


@pytest.fixture
def floor(city, posts):  # noqa: F811
    a = cleared(city, register(city, "A1", name="甲", username="agent"))
    b = cleared(city, register(city, "B1", name="乙"))
    merged = cleared(city, register(city, "M1", post="merged", name="丙"))
    roster = Roster.objects.create(
        month=MONTH, outcome="ok", solver_status="OPTIMAL", required_hours=0, rostered_hours=0, wall_s=1,
        rules={"min_rest_h": 11, "max_consecutive_days": 6, "max_nights": 8, "max_week_hours": 44},
    )  # fmt: skip
    return roster, a, b, merged


def put(roster: Roster, staff, n: int, code: str = "D", queue: str = "12345") -> RosterEntry:
    return RosterEntry.objects.create(
        roster=roster, staff=staff, day=day(n), shift=ShiftTemplate.objects.get(code=code), queue=queue
    )


def shift_of(roster: Roster, staff, n: int) -> str | None:
    e = RosterEntry.objects.filter(roster=roster, staff=staff, day=day(n)).select_related("shift").first()
    return e.shift.code if e else None


def test_agent_asks_supervisor_approves_and_the_roster_changes(city, floor):
    roster, a, b, _ = floor
    put(roster, a, 10, "D")
    put(roster, b, 10, "M")
    swap = swap_request(
        roster=roster, day=day(10), requester=a, counterpart=b, reason="家中有事", by=city.agent
    )
    assert swap.state == ShiftSwap.State.PENDING
    assert shift_of(roster, a, 10) == "D"  # nothing moves before approval
    swap_decide(swap=swap, approve=True, by=city.supervisor)
    assert (shift_of(roster, a, 10), shift_of(roster, b, 10)) == ("M", "D")
    assert ShiftSwap.objects.get().state == ShiftSwap.State.APPROVED


def test_giving_a_shift_to_a_colleague_who_is_off(city, floor):
    roster, a, b, _ = floor
    put(roster, a, 12, "N")
    swap = swap_request(roster=roster, day=day(12), requester=a, counterpart=b, reason="", by=city.hr)
    swap_decide(swap=swap, approve=True, by=city.hr)
    assert (shift_of(roster, a, 12), shift_of(roster, b, 12)) == (None, "N")


def test_swap_that_breaks_the_rest_rule_is_refused_naming_it(city, floor):
    roster, a, b, _ = floor
    put(roster, b, 9, "N")  # night 20:00 – 08:00 on the 10th
    put(roster, a, 10, "D")  # 08:00 – 16:00
    with pytest.raises(InvalidInput, match="班次间休息不少于 11 小时") as exc:
        swap_request(roster=roster, day=day(10), requester=a, counterpart=b, reason="", by=city.agent)
    assert "乙" in exc.value.message
    assert not ShiftSwap.objects.exists()


def test_swap_that_makes_seven_days_in_a_row_is_refused(city, floor):
    roster, a, b, _ = floor
    for n in range(4, 10):
        put(roster, b, n, "D")  # six days, 4th – 9th
    put(roster, a, 10, "D")
    with pytest.raises(InvalidInput, match="连续工作不超过 6 天"):
        swap_request(roster=roster, day=day(10), requester=a, counterpart=b, reason="", by=city.agent)


def test_swap_over_the_week_hours_is_refused(city, floor):
    roster, a, b, _ = floor
    monday = next(n for n in range(1, 8) if day(n).weekday() == 0)
    for n in range(monday, monday + 5):
        put(roster, b, n, "D")  # 40 h Monday to Friday
    put(roster, a, monday + 6, "D")  # Sunday, after a rest day
    with pytest.raises(InvalidInput, match="每周工时不超过 44 小时"):
        swap_request(roster=roster, day=day(monday + 6), requester=a, counterpart=b, reason="", by=city.agent)


def test_skill_leave_and_night_eligibility_are_checked(city, floor):
    roster, a, b, merged = floor
    put(roster, a, 15, "D")
    with pytest.raises(InvalidInput, match="没有「12345」队列的技能"):
        swap_request(roster=roster, day=day(15), requester=a, counterpart=merged, reason="", by=city.agent)
    LeaveRequest.objects.create(staff=b, kind="annual", start=day(15), end=day(15), state="approved")
    with pytest.raises(InvalidInput, match="已批准请假"):
        swap_request(roster=roster, day=day(15), requester=a, counterpart=b, reason="", by=city.agent)
    put(roster, a, 16, "N")
    b.night_ok = False
    b.save(update_fields=["night_ok"])
    with pytest.raises(InvalidInput, match="不可上夜班"):
        swap_request(roster=roster, day=day(16), requester=a, counterpart=b, reason="", by=city.agent)


def test_approval_rechecks_a_roster_that_changed_meanwhile(city, floor):
    roster, a, b, _ = floor
    put(roster, a, 10, "D")
    swap = swap_request(roster=roster, day=day(10), requester=a, counterpart=b, reason="", by=city.agent)
    put(roster, b, 9, "N")  # HR moved b onto the night before
    with pytest.raises(InvalidInput, match="现在不能换班.*班次间休息"):
        swap_decide(swap=swap, approve=True, by=city.supervisor)
    assert ShiftSwap.objects.get().state == ShiftSwap.State.PENDING
    assert shift_of(roster, a, 10) == "D"


def test_only_supervisors_and_hr_approve_and_agents_ask_only_for_themselves(city, floor):
    roster, a, b, _ = floor
    put(roster, a, 10, "D")
    with pytest.raises(NotAllowed):
        swap_request(roster=roster, day=day(10), requester=b, counterpart=a, reason="", by=city.agent)
    swap = swap_request(roster=roster, day=day(10), requester=a, counterpart=b, reason="", by=city.agent)
    with pytest.raises(NotAllowed):
        swap_decide(swap=swap, approve=True, by=city.agent)
    swap_decide(swap=swap, approve=False, by=city.supervisor, note="人手不足")
    swap.refresh_from_db()
    assert (swap.state, swap.refusal) == (ShiftSwap.State.REJECTED, "人手不足")
    with pytest.raises(InvalidInput, match="不能再次审批"):
        swap_decide(swap=swap, approve=True, by=city.supervisor)


def test_requester_withdraws_and_nothing_to_swap_is_refused(city, floor):
    roster, a, b, _ = floor
    with pytest.raises(InvalidInput, match="都没有排班"):
        swap_request(roster=roster, day=day(10), requester=a, counterpart=b, reason="", by=city.agent)
    put(roster, a, 10, "D")
    swap = swap_request(roster=roster, day=day(10), requester=a, counterpart=b, reason="", by=city.agent)
    swap_cancel(swap=swap, by=city.agent)
    assert ShiftSwap.objects.get().state == ShiftSwap.State.CANCELLED


def test_fairness_report_gives_the_spread_of_nights_per_pool(city, floor):
    roster, a, b, _ = floor
    for n in (3, 6, 9):
        put(roster, a, n, "N")
    put(roster, b, 3 + 1, "N")
    put(roster, b, 12, "D")
    spreads = {s.pool: s for s in roster_fairness(roster)}
    s = spreads["12345"]
    assert (s.people, s.nights_min, s.nights_max) == (2, 1, 3)
    assert s.nights_sd == pytest.approx(1.0)
