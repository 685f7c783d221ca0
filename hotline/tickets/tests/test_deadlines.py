"""Handling deadlines on the working-day calendar: policy, holidays, 调休, pauses, extensions and the scans."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest.mock import patch

import pytest

from hotline.core.calendar import calendar_seed_from_package, calendar_status, get_calendar
from hotline.core.errors import InvalidInput
from hotline.core.models import CalendarDay, CalendarYear
from hotline.core.workdays import SHANGHAI
from hotline.tickets import services as svc
from hotline.tickets.models import Assignment, ClockPause, DeadlinePolicy, Ticket
from hotline.tickets.services.deadlines import closed_pauses, compute_due, policy_for
from hotline.tickets.tests.factories import CategoryFactory, make_ticket

S = Ticket.Status
T = Ticket.Type
U = Ticket.Urgency


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def end_of(y: int, m: int, d: int) -> datetime:
    return at(y, m, d, 23, 59, 59)


@contextmanager
def now_is(moment: datetime) -> Iterator[None]:
    """Freeze django.utils.timezone.now for the services that read the clock themselves."""
    with patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture(autouse=True)
def _published_years(db):
    """2024–2026 come from chinesecalendar (the migration seeds them; a flushed database is reseeded)."""
    if CalendarYear.objects.filter(year__in=[2024, 2025, 2026]).count() != 3:
        calendar_seed_from_package([2024, 2025, 2026])
    assert not CalendarYear.objects.filter(year=2031).exists()


def dispatched(city: Any, when: datetime, **fields: Any) -> Ticket:
    with now_is(when):
        t = make_ticket(by=city.agent, submit=True, **fields)
        return svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.bureau)


def acknowledged(city: Any, when: datetime, ack_at: datetime | None = None, **fields: Any) -> Ticket:
    t = dispatched(city, when, **fields)
    with now_is(ack_at or when):
        return svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)


def recomputed_due(t: Ticket) -> datetime:
    return compute_due(
        started_at=t.clock_started_at,
        budget=t.budget,
        unit=t.budget_unit,
        pauses=closed_pauses(t),
        calendar=get_calendar(),
    )


# -- policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "urgency", "budget", "unit", "ack_hours"),
    [
        (T.CONSULTATION, U.NORMAL, 2, "days", 4),
        (T.HELP, U.NORMAL, 4, "days", 4),
        (T.COMPLAINT, U.NORMAL, 4, "days", 4),
        (T.REPORT, U.NORMAL, 4, "days", 4),
        (T.SUGGESTION, U.NORMAL, 4, "days", 4),
        (T.PRAISE, U.NORMAL, 4, "days", 4),
        (T.OTHER, U.NORMAL, 4, "days", 4),
        (T.CONSULTATION, U.URGENT, 8, "hours", 1),
        (T.COMPLAINT, U.URGENT, 8, "hours", 1),
        (T.COMPLAINT, U.CRITICAL, 2, "hours", 1),
    ],
)
def test_default_policy_follows_the_seed(city, type_, urgency, budget, unit, ack_hours):
    t = make_ticket(by=city.agent, type=type_, urgency=urgency)
    p = policy_for(t)
    assert (p.budget, p.unit, p.ack_hours) == (budget, unit, ack_hours)


def test_consultation_is_due_at_the_end_of_the_second_working_day(city):
    t = dispatched(city, at(2025, 11, 3, 9), type=T.CONSULTATION)  # Monday
    assert (t.budget, t.budget_unit) == (2, "days")
    assert t.clock_started_at == at(2025, 11, 3, 9)
    assert t.due_at == end_of(2025, 11, 5)


def test_complaint_is_due_at_the_end_of_the_fourth_working_day(city):
    t = dispatched(city, at(2025, 11, 6, 16), type=T.COMPLAINT)  # Thursday
    assert t.due_at == end_of(2025, 11, 12)  # Fri, Mon, Tue, Wed


def test_urgent_ticket_runs_on_working_hours(city):
    # Monday 09:00: 3 h before lunch, 4 h after, the eighth hour on Tuesday morning.
    t = dispatched(city, at(2025, 11, 3, 9), type=T.COMPLAINT, urgency=U.URGENT)
    assert (t.budget, t.budget_unit) == (8, "hours")
    assert t.due_at == at(2025, 11, 4, 9, 30)


def test_critical_ticket_is_due_two_working_hours_later_skipping_lunch(city):
    t = dispatched(city, at(2025, 11, 3, 11), type=T.HELP, urgency=U.CRITICAL)
    assert t.due_at == at(2025, 11, 3, 14, 30)


def test_admin_policy_overrides_the_defaults_most_specific_wins(city):
    cat = CategoryFactory()
    other_cat = CategoryFactory()
    DeadlinePolicy.objects.create(budget=10)  # blank type, urgency, category: a city-wide default
    complaint = make_ticket(by=city.agent, type=T.COMPLAINT)
    consult = make_ticket(by=city.agent, type=T.CONSULTATION)
    assert policy_for(consult).budget == 10
    assert policy_for(complaint).budget == 10

    DeadlinePolicy.objects.create(type=T.COMPLAINT, budget=6)
    assert policy_for(complaint).budget == 6
    assert policy_for(consult).budget == 10

    urgent_complaint = make_ticket(by=city.agent, type=T.COMPLAINT, urgency=U.URGENT)
    DeadlinePolicy.objects.create(urgency=U.URGENT, budget=3, unit="days", ack_hours=2)
    assert (policy_for(urgent_complaint).budget, policy_for(urgent_complaint).unit) == (3, "days")
    DeadlinePolicy.objects.create(type=T.COMPLAINT, urgency=U.URGENT, budget=5, unit="hours", ack_hours=1)
    p = policy_for(urgent_complaint)
    assert (p.budget, p.unit, p.ack_hours) == (5, "hours", 1)

    in_cat = make_ticket(by=city.agent, type=T.COMPLAINT, urgency=U.URGENT, category=cat)
    in_other_cat = make_ticket(by=city.agent, type=T.COMPLAINT, urgency=U.URGENT, category=other_cat)
    DeadlinePolicy.objects.create(category=cat, budget=7, warn_ratio=0.5)
    assert (policy_for(in_cat).budget, policy_for(in_cat).unit, policy_for(in_cat).warn_ratio) == (
        7,
        "days",
        0.5,
    )
    assert policy_for(in_other_cat).budget == 5
    DeadlinePolicy.objects.create(category=cat, type=T.COMPLAINT, urgency=U.URGENT, budget=9)
    assert policy_for(in_cat).budget == 9


def test_dispatch_uses_the_admin_policy(city):
    DeadlinePolicy.objects.create(type=T.CONSULTATION, budget=1)
    t = dispatched(city, at(2025, 11, 3, 9), type=T.CONSULTATION)
    assert (t.budget, t.due_at) == (1, end_of(2025, 11, 4))


def test_policy_change_does_not_move_a_running_deadline(city):
    t = dispatched(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    DeadlinePolicy.objects.create(type=T.COMPLAINT, budget=1)
    t.refresh_from_db()
    assert (t.budget, t.due_at) == (4, end_of(2025, 11, 7))


# -- the calendar ---------------------------------------------------------------------------------


def test_national_day_2025_holidays_do_not_count_and_the_make_up_saturday_does(city):
    # Tue 30 Sep: 1–8 Oct are holidays; Thu 9, Fri 10, Sat 11 (调休) and Mon 13 are days 1–4.
    t = dispatched(city, at(2025, 9, 30, 10), type=T.COMPLAINT)
    assert t.due_at == end_of(2025, 10, 13)


def test_consultation_can_fall_due_on_a_make_up_saturday(city):
    t = dispatched(city, at(2025, 10, 9, 10), type=T.CONSULTATION)
    assert t.due_at == end_of(2025, 10, 11)


def test_intake_on_a_rest_day_counts_from_the_make_up_sunday(city):
    t = dispatched(city, at(2025, 9, 27, 10), type=T.CONSULTATION)  # Saturday, a rest day
    assert t.due_at == end_of(2025, 9, 29)  # Sun 28 Sep (调休) is day 1


def test_urgent_hours_stop_over_national_day(city):
    t = dispatched(city, at(2025, 9, 30, 16), type=T.COMPLAINT, urgency=U.URGENT)
    # 1.5 h on 30 Sep, then 3.5 h and 3 h on Thu 9 Oct.
    assert t.due_at == at(2025, 10, 9, 16, 30)


def test_urgent_hours_run_on_a_make_up_saturday(city):
    t = dispatched(city, at(2025, 10, 11, 9), type=T.COMPLAINT, urgency=U.URGENT)
    assert t.due_at == at(2025, 10, 13, 9, 30)


def test_deadline_across_the_2025_to_2026_year_end(city):
    # New Year's Day 2026 is Thu 1 – Sat 3 Jan; Sun 4 Jan is a make-up working day.
    t = dispatched(city, at(2025, 12, 31, 10), type=T.COMPLAINT)
    assert t.due_at == end_of(2026, 1, 7)
    c = dispatched(city, at(2025, 12, 31, 10), type=T.CONSULTATION)
    assert c.due_at == end_of(2026, 1, 5)


def test_year_without_a_schedule_falls_back_to_weekends_with_a_warning(city):
    assert not get_calendar().is_known_year(2031)
    # Wed 1 Oct 2031 would surely be a holiday, but nobody has published the schedule yet.
    t = dispatched(city, at(2031, 9, 30, 10), type=T.COMPLAINT)
    assert t.due_at == end_of(2031, 10, 6)
    status = calendar_status(today=date(2031, 5, 1))
    assert status["status"] == "fallback"
    assert status["missing_years"] == [2031, 2032]
    assert "2031" in status["warning"] and "按周末双休计算工作日" in status["warning"]


def test_admin_entered_schedule_for_a_missing_year_changes_new_deadlines(city):
    before = dispatched(city, at(2031, 9, 30, 10), type=T.COMPLAINT)
    assert before.due_at == end_of(2031, 10, 6)
    # Entered through the admin: the model signals drop the cached calendar, no manual invalidation.
    CalendarYear.objects.create(year=2031, source=CalendarYear.Source.ADMIN)
    for d in (1, 2, 3, 6, 7):
        CalendarDay.objects.create(date=date(2031, 10, d), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    CalendarDay.objects.create(
        date=date(2031, 10, 11), kind=CalendarDay.Kind.WORKDAY, name="国庆节（调休上班）"
    )
    after = dispatched(city, at(2031, 9, 30, 10), type=T.COMPLAINT)
    assert after.due_at == end_of(2031, 10, 11)  # Wed 8, Thu 9, Fri 10, Sat 11 (调休)
    status = calendar_status(today=date(2031, 5, 1))
    assert status["status"] == "ok"
    assert status["missing_years"] == [2032]


def test_admin_correction_of_a_single_day_is_picked_up(city):
    get_calendar()  # warm the cache
    CalendarDay.objects.create(date=date(2025, 11, 4), kind=CalendarDay.Kind.HOLIDAY, name="临时休假")
    t = dispatched(city, at(2025, 11, 3, 9), type=T.CONSULTATION)
    assert t.due_at == end_of(2025, 11, 6)
    CalendarDay.objects.filter(date=date(2025, 11, 4)).delete()
    t = dispatched(city, at(2025, 11, 3, 9), type=T.CONSULTATION)
    assert t.due_at == end_of(2025, 11, 5)


# -- pauses and extensions ------------------------------------------------------------------------


def test_return_request_pauses_the_clock_and_rejection_moves_the_deadline_by_the_paused_days(city):
    t = acknowledged(city, at(2025, 11, 3, 9), at(2025, 11, 3, 10), type=T.COMPLAINT)
    assert t.due_at == end_of(2025, 11, 7)
    with now_is(at(2025, 11, 4, 10)):
        t = svc.ticket_return_request(ticket=t, by=city.bureau_handler, reason="不属本单位职责")
    assert (t.status, t.paused_since, t.due_at) == (
        S.RETURN_PENDING,
        at(2025, 11, 4, 10),
        end_of(2025, 11, 7),
    )
    assert ClockPause.objects.get(ticket=t).ended_at is None
    with now_is(at(2025, 11, 6, 15)):
        t = svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=False, note="属于职责范围")
    assert (t.status, t.paused_since) == (S.ACKNOWLEDGED, None)
    # Paused Wed 5 and Thu 6: two working days later.
    assert t.due_at == end_of(2025, 11, 11)
    assert t.budget == 4
    assert ClockPause.objects.get(ticket=t).ended_at == at(2025, 11, 6, 15)
    assert t.due_at == recomputed_due(t)


def test_pause_over_national_day_moves_the_deadline_by_working_days_only(city):
    t = acknowledged(city, at(2025, 9, 29, 9), type=T.COMPLAINT)
    assert t.due_at == end_of(2025, 10, 11)  # Tue 30, Thu 9, Fri 10, Sat 11
    with now_is(at(2025, 9, 30, 10)):
        t = svc.ticket_return_request(ticket=t, by=city.bureau_handler, reason="不属本单位职责")
    with now_is(at(2025, 10, 9, 10)):
        t = svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=False, note="属于职责范围")
    assert t.due_at == end_of(2025, 10, 13)  # one working day (Thu 9 Oct) paused


def test_pause_started_and_ended_the_same_day_does_not_move_the_deadline(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 4, 10)):
        t = svc.ticket_return_request(ticket=t, by=city.bureau_handler, reason="不属本单位职责")
    with now_is(at(2025, 11, 4, 16)):
        t = svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=False, note="属于职责范围")
    assert t.due_at == end_of(2025, 11, 7)


def test_returned_from_dispatched_goes_back_to_dispatched_with_the_clock_moved(city):
    t = dispatched(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 3, 10)):
        t = svc.ticket_return_request(ticket=t, by=city.bureau_handler, reason="不属本单位职责")
    with now_is(at(2025, 11, 5, 10)):
        t = svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=False, note="请签收")
    assert t.status == S.DISPATCHED
    assert t.due_at == end_of(2025, 11, 11)


def test_approved_extension_moves_the_deadline_by_exactly_the_approved_days_plus_the_pause(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 4, 10)):
        t = svc.ticket_extension_request(ticket=t, by=city.bureau_handler, days=3, reason="需协调施工")
    assert (t.status, t.paused_since) == (S.EXTENSION_PENDING, at(2025, 11, 4, 10))
    with now_is(at(2025, 11, 5, 10)):
        t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=True)
    assert (t.status, t.budget, t.paused_since) == (S.ACKNOWLEDGED, 7, None)
    # Fri 7 + 3 approved days (Mon 10, Tue 11, Wed 12) + 1 paused day (Wed 5) = Thu 13.
    assert t.due_at == end_of(2025, 11, 13)
    event = t.events.order_by("-seq").first()
    assert event.action == "extension_approve"
    assert event.data["days"] == 3
    assert datetime.fromisoformat(event.data["old_due_at"]) == end_of(2025, 11, 7)
    assert datetime.fromisoformat(event.data["due_at"]) == end_of(2025, 11, 13)
    assert t.due_at == recomputed_due(t)


def test_extension_approved_the_same_day_moves_the_deadline_by_exactly_the_days(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 4, 10)):
        t = svc.ticket_extension_request(ticket=t, by=city.bureau_handler, days=3, reason="需协调施工")
    with now_is(at(2025, 11, 4, 16)):
        t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=True)
    assert t.due_at == end_of(2025, 11, 12)
    assert get_calendar().workdays_between(date(2025, 11, 7), t.due_at.date()) == 3


def test_extension_across_national_day_counts_working_days(city):
    t = acknowledged(city, at(2025, 9, 26, 9), type=T.COMPLAINT)
    assert t.due_at == end_of(2025, 10, 9)  # Sun 28 (调休), Mon 29, Tue 30, Thu 9
    with now_is(at(2025, 9, 29, 10)):
        t = svc.ticket_extension_request(ticket=t, by=city.bureau_handler, days=2, reason="节前无法施工")
    with now_is(at(2025, 9, 29, 15)):
        t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=True)
    assert t.due_at == end_of(2025, 10, 11)  # Fri 10, Sat 11 (调休)


def test_rejected_extension_only_shifts_the_deadline_by_the_pause(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 4, 10)):
        t = svc.ticket_extension_request(ticket=t, by=city.bureau_handler, days=3, reason="需协调施工")
    with now_is(at(2025, 11, 5, 10)):
        t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=False, note="时限内可以办完")
    assert (t.status, t.budget) == (S.ACKNOWLEDGED, 4)
    assert t.due_at == end_of(2025, 11, 10)
    assert t.events.order_by("-seq").first().data["days"] == 0


def test_extension_days_are_limited_and_urgent_tickets_cannot_be_extended(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    for days in (0, 31, -1):
        with pytest.raises(InvalidInput):
            svc.ticket_extension_request(ticket=t, by=city.bureau_handler, days=days, reason="需要")
    u = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT, urgency=U.URGENT)
    with pytest.raises(InvalidInput):
        svc.ticket_extension_request(ticket=u, by=city.bureau_handler, days=1, reason="需要")
    assert Ticket.objects.get(pk=u.pk).status == S.ACKNOWLEDGED


def test_urgent_ticket_pause_moves_the_deadline_by_the_paused_working_hours(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT, urgency=U.URGENT)
    assert t.due_at == at(2025, 11, 4, 9, 30)
    with now_is(at(2025, 11, 3, 10)):
        t = svc.ticket_return_request(ticket=t, by=city.bureau_handler, reason="不属本单位职责")
    with now_is(at(2025, 11, 3, 14)):
        t = svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=False, note="属于职责")
    # Paused 10:00–12:00 and 13:30–14:00: 2.5 working hours.
    assert t.due_at == at(2025, 11, 4, 12, 0)


def test_redispatch_restarts_the_clock_and_drops_earlier_pauses(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 4, 10)):
        t = svc.ticket_extension_request(ticket=t, by=city.bureau_handler, days=3, reason="需协调施工")
    with now_is(at(2025, 11, 5, 10)):
        t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=True)
    with now_is(at(2025, 11, 6, 10)):
        t = svc.ticket_redispatch(ticket=t, by=city.dispatcher, lead=city.other_bureau, note="改派")
    assert (t.clock_started_at, t.budget, t.due_at) == (at(2025, 11, 6, 10), 4, end_of(2025, 11, 12))
    assert t.due_at == recomputed_due(t)


# -- the periodic scan ----------------------------------------------------------------------------


def _events(t: Ticket) -> list[tuple[str, bool]]:
    return [(e.action, bool(e.data.get("automatic"))) for e in t.events.order_by("seq")]


def test_scan_warns_once_before_the_deadline(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    assert at(2025, 11, 3, 9) < t.warn_at < t.due_at
    assert svc.tickets_scan_deadlines(now=t.warn_at - timedelta(minutes=1))["warned"] == 0
    moment = t.warn_at
    counts = svc.tickets_scan_deadlines(now=moment)
    assert counts["warned"] == 1
    t.refresh_from_db()
    assert t.warned_at == moment
    version, events = t.version, _events(t)
    assert events[-1] == ("warning", False)
    assert svc.tickets_scan_deadlines(now=moment)["warned"] == 0
    # At the deadline itself the ticket is due, not yet overdue (as Ticket.is_overdue says).
    assert svc.tickets_scan_deadlines(now=t.due_at) == {"warned": 0, "overdue": 0, "ack_overdue": 0}
    t.refresh_from_db()
    assert (t.version, _events(t)) == (version, events)
    with now_is(t.due_at):
        assert not t.is_overdue
    assert svc.tickets_scan_deadlines(now=t.due_at + timedelta(seconds=1))["overdue"] == 1


def test_scan_does_not_warn_before_the_warning_point(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    counts = svc.tickets_scan_deadlines(now=at(2025, 11, 4, 9))
    assert counts == {"warned": 0, "overdue": 0, "ack_overdue": 0}
    t.refresh_from_db()
    assert t.warned_at is None


def test_scan_marks_overdue_once_and_urges_automatically_once(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    moment = at(2025, 11, 8, 9)
    counts = svc.tickets_scan_deadlines(now=moment)
    assert (counts["overdue"], counts["warned"]) == (1, 0)
    t.refresh_from_db()
    assert (t.overdue_at, t.warned_at, t.urge_count) == (moment, moment, 1)
    assert _events(t)[-2:] == [("overdue", False), ("urge", True)]
    version, events = t.version, _events(t)
    for later in (moment, at(2025, 11, 10, 9), at(2025, 12, 1, 9)):
        assert svc.tickets_scan_deadlines(now=later) == {"warned": 0, "overdue": 0, "ack_overdue": 0}
    t.refresh_from_db()
    assert (t.version, _events(t), t.urge_count) == (version, events, 1)
    with now_is(moment):
        assert t.is_overdue


def test_scan_does_not_mark_paused_tickets(city):
    ret = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    ext = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 4, 10)):
        svc.ticket_return_request(ticket=ret, by=city.bureau_handler, reason="不属本单位职责")
        svc.ticket_extension_request(ticket=ext, by=city.bureau_handler, days=5, reason="需协调施工")
    before = {t.pk: (t.version, _events(t)) for t in Ticket.objects.filter(pk__in=[ret.pk, ext.pk])}
    assert svc.tickets_scan_deadlines(now=at(2025, 11, 20, 9)) == {
        "warned": 0,
        "overdue": 0,
        "ack_overdue": 0,
    }
    after = {t.pk: (t.version, _events(t)) for t in Ticket.objects.filter(pk__in=[ret.pk, ext.pk])}
    assert after == before


def test_extension_that_moves_the_deadline_past_now_clears_overdue(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    svc.tickets_scan_deadlines(now=at(2025, 11, 8, 9))
    with now_is(at(2025, 11, 10, 9)):
        t = svc.ticket_extension_request(ticket=t, by=city.bureau_handler, days=5, reason="需协调施工")
    with now_is(at(2025, 11, 10, 10)):
        t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=True)
    assert t.due_at == end_of(2025, 11, 14)
    assert t.overdue_at is None
    assert svc.tickets_scan_deadlines(now=at(2025, 11, 11, 9))["overdue"] == 0
    assert svc.tickets_scan_deadlines(now=at(2025, 11, 15, 9))["overdue"] == 1
    t.refresh_from_db()
    assert t.urge_count == 2


def test_scan_ignores_finished_and_replied_tickets(city):
    t = acknowledged(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 4, 9)):
        t = svc.ticket_reply(ticket=t, by=city.bureau_handler, reply="已处理")
    version = t.version
    assert svc.tickets_scan_deadlines(now=at(2025, 12, 1, 9)) == {"warned": 0, "overdue": 0, "ack_overdue": 0}
    t.refresh_from_db()
    assert t.version == version


def test_late_acknowledgement_is_urged_once(city):
    t = dispatched(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    a = Assignment.objects.get(ticket=t)
    assert a.ack_due_at == at(2025, 11, 3, 14, 30)  # four working hours, lunch excluded
    assert svc.tickets_scan_deadlines(now=at(2025, 11, 3, 14))["ack_overdue"] == 0
    moment = at(2025, 11, 3, 15)
    assert svc.tickets_scan_deadlines(now=moment)["ack_overdue"] == 1
    t.refresh_from_db()
    assert t.urge_count == 1
    assert _events(t)[-1] == ("urge", True)
    version = t.version
    assert svc.tickets_scan_deadlines(now=moment)["ack_overdue"] == 0
    assert svc.tickets_scan_deadlines(now=at(2025, 11, 4, 9))["ack_overdue"] == 0
    t.refresh_from_db()
    assert (t.version, t.urge_count) == (version, 1)
    assert Assignment.objects.get(pk=a.pk).ack_urged_at == moment
    with now_is(at(2025, 11, 4, 9, 30)):
        t = svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
    assert t.events.order_by("-seq").first().data["late"] is True


def test_acknowledgement_in_time_is_not_late_and_not_urged(city):
    t = dispatched(city, at(2025, 11, 3, 9), type=T.COMPLAINT)
    with now_is(at(2025, 11, 3, 14)):
        t = svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
    assert t.events.order_by("-seq").first().data["late"] is False
    assert svc.tickets_scan_deadlines(now=at(2025, 11, 3, 16))["ack_overdue"] == 0


def test_urgent_ticket_must_be_acknowledged_within_one_working_hour(city):
    t = dispatched(city, at(2025, 11, 3, 11, 30), type=T.COMPLAINT, urgency=U.URGENT)
    assert Assignment.objects.get(ticket=t).ack_due_at == at(2025, 11, 3, 14, 0)


def test_clock_fields_always_match_a_recomputation(city):
    t = acknowledged(city, at(2025, 9, 26, 9), type=T.COMPLAINT)
    with now_is(at(2025, 9, 30, 10)):
        t = svc.ticket_return_request(ticket=t, by=city.bureau_handler, reason="不属本单位职责")
    with now_is(at(2025, 10, 10, 10)):
        t = svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=False, note="属于职责")
    with now_is(at(2025, 10, 11, 10)):
        t = svc.ticket_extension_request(ticket=t, by=city.bureau_handler, days=4, reason="需协调")
    with now_is(at(2025, 10, 14, 10)):
        t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=True)
    assert t.budget == 8
    assert t.due_at == recomputed_due(t)
    assert t.warn_at <= t.due_at
    assert t.due_at.timetz() == time(23, 59, 59, tzinfo=t.due_at.tzinfo)
