"""Every indicator on constructed data with a known answer, edge cases included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hotline.callcenter.models import CallbackTask, CallRecord
from hotline.core.calendar import get_calendar
from hotline.metrics.calls import call_parts
from hotline.metrics.compute import centre_figures, daily_trend
from hotline.metrics.departments import department_rows
from hotline.metrics.indicators import Filters, Period, filters_parse
from hotline.metrics.tests.helpers import FIRST, LAST, at, closed, in_period, place, redo, visit_round
from hotline.tickets import services as svc
from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.tests.drive import drive

S = Ticket.Status
P = Period(FIRST, LAST)
NOW = timezone.now()


def figures(period: Period = P, filters: Filters | None = None) -> dict[str, tuple[float, float]]:
    return {f.key: (f.numerator, f.denominator) for f in centre_figures(period, filters, now=NOW)}


def dept(rows, name):  # type: ignore[no-untyped-def]
    row = next(r for r in rows if r.name == name)
    return {k: (f.numerator, f.denominator) for k, f in row.figures.items()}


def test_the_test_period_crosses_national_day_2025(db):
    cal = get_calendar()
    assert not cal.is_workday(date(2025, 10, 1))
    assert cal.is_workday(date(2025, 9, 28))  # Sunday make-up day
    assert cal.is_workday(date(2025, 10, 11))  # Saturday make-up day


# --- 按时办结率 and 延期率 ------------------------------------------------------------------------------


def _replied_on(city, day: date, *, late: bool, **kw):  # type: ignore[no-untyped-def]
    t = drive(city, S.REPLIED, **kw)
    due = at(day, 23, 59)
    return place(t, due_at=due, replied_at=due + (timedelta(hours=2) if late else -timedelta(hours=10)))


def test_ontime_rate_counts_replies_and_open_overdue_work_but_not_paused_returned_or_merged(city):
    day = date(2025, 10, 9)
    _replied_on(city, day, late=False)  # on time
    _replied_on(city, day, late=True)  # late
    # Approved extension: replied after the original deadline but before the extended one.
    t = drive(city, S.EXTENSION_PENDING)
    t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=True)
    ev = t.events.get(action="extension_approve")
    old_due = timezone.datetime.fromisoformat(ev.data["old_due_at"])
    t = svc.ticket_reply(ticket=t, by=city.district_handler, reply="已协调施工队处理。")
    assert t.due_at > old_due + timedelta(hours=1)
    shift = at(day, 12) - (old_due + timedelta(hours=1))
    place(t, replied_at=old_due + timedelta(hours=1) + shift, due_at=t.due_at + shift)
    # Held and unreplied, due inside the period: overdue.
    place(drive(city, S.ACKNOWLEDGED), due_at=at(day, 23, 59))
    # Paused (pending extension), returned, merged: their deadlines do not stand.
    place(drive(city, S.EXTENSION_PENDING), due_at=at(day, 23, 59))
    r = drive(city, S.RETURN_PENDING)
    place(svc.ticket_return_decide(ticket=r, by=city.dispatcher, approve=True), due_at=at(day, 23, 59))
    parent = drive(city, S.PENDING_DISPATCH, title="首次来电")
    m = svc.ticket_merge(ticket=drive(city, S.ACKNOWLEDGED), by=city.dispatcher, parent=parent)
    place(m, due_at=at(day, 23, 59))
    # Replied after the period: not counted here.
    _replied_on(city, date(2025, 10, 20), late=False)
    # Redispatched to the bureau, which replies on time: counted once, for the bureau.
    rd = drive(city, S.DISPATCHED)
    rd = svc.ticket_redispatch(ticket=rd, by=city.dispatcher, lead=city.bureau, note="职责不符")
    rd = svc.ticket_acknowledge(ticket=rd, by=city.bureau_handler)
    rd = svc.ticket_reply(ticket=rd, by=city.bureau_handler, reply="已处理。")
    place(rd, due_at=at(day, 23, 59), replied_at=at(day, 11))

    assert figures()["ontime_rate"] == (3, 5)
    rows = department_rows(P, now=NOW)
    assert dept(rows, "东城区")["dept_ontime_rate"] == (2, 4)
    assert dept(rows, "东城区")["dept_extension_rate"] == (1, 3)
    assert dept(rows, "市城市管理局")["dept_ontime_rate"] == (1, 1)
    assert dept(rows, "市城市管理局")["dept_extension_rate"] == (0, 1)


# --- Closed tickets: 综合满意率, 派单准确率, 回访覆盖率, 重办率 --------------------------------------------------


def test_closed_ticket_indicators_with_reopens_unreached_visits_and_redispatch(city):
    made = []
    made.append(closed(city, "satisfied"))  # a
    made.append(closed(city, "basically_satisfied"))  # b
    c = closed(city, "unsatisfied")  # reopened 1
    c = visit_round(city, redo(city, c), "unsatisfied")  # reopened 2
    c = visit_round(city, redo(city, c), "unsatisfied")  # closed unsatisfied after 2 reopens
    assert c.status == S.CLOSED and c.reopen_count == 2
    made.append(c)
    d = drive(city, S.PENDING_VISIT)
    for _ in range(3):
        d = svc.ticket_visit(ticket=d, by=city.visitor, result="unreachable")
    assert d.status == S.CLOSED and d.visit_result == "unreachable"
    made.append(d)
    e = drive(city, S.REPLIED, no_callback=True)  # the citizen asked for no callback
    made.append(svc.ticket_review(ticket=e, by=city.reviewer, approve=True))
    j = drive(city, S.REPLIED, citizen_phone="")  # no number: closed without a visit
    made.append(svc.ticket_review(ticket=j, by=city.reviewer, approve=True))
    f = drive(city, S.DISPATCHED)
    f = svc.ticket_redispatch(ticket=f, by=city.dispatcher, lead=city.bureau, note="职责不符")
    f = svc.ticket_acknowledge(ticket=f, by=city.bureau_handler)
    f = svc.ticket_reply(ticket=f, by=city.bureau_handler, reply="已处理。")
    f = svc.ticket_review(ticket=f, by=city.reviewer, approve=True)
    made.append(svc.ticket_visit(ticket=f, by=city.visitor, result="satisfied"))
    g = closed(city, "unsatisfied")
    made.append(visit_round(city, redo(city, g), "satisfied"))
    for t in made:
        assert t.status == S.CLOSED
        in_period(t)
    place(closed(city), closed_at=at(date(2025, 10, 20)))  # outside
    in_period(drive(city, S.ANSWERED))  # answered at first contact: not a dispatched ticket

    got = figures()
    assert got["satisfaction"] == (4, 5)  # a b f g of a b c f g (unreached and unvisited are unrated)
    assert got["dispatch_accuracy"] == (7, 8)  # f: first 东城区, completed by 市城市管理局
    assert got["visit_coverage"] == (6, 7)  # all but j; e asked for no callback
    assert got["reopen_rate"] == (2, 8)  # c and g
    rows = department_rows(P, now=NOW)
    assert dept(rows, "东城区")["dept_satisfaction"] == (3, 4)
    assert dept(rows, "东城区")["dept_reopen_rate"] == (2, 7)
    assert dept(rows, "市城市管理局")["dept_satisfaction"] == (1, 1)


# --- 签收及时率 and 退单率 -------------------------------------------------------------------------------


def _lead(t: Ticket) -> Assignment:
    return Assignment.objects.get(ticket=t, role=Assignment.Role.LEAD, level=1, department__code="DCQ")


def test_acknowledgement_and_return_rates_per_department(city):
    day = date(2025, 10, 9)
    on_time = drive(city, S.ACKNOWLEDGED)
    late = drive(city, S.ACKNOWLEDGED)
    waiting = drive(city, S.DISPATCHED)
    returned = svc.ticket_return_decide(
        ticket=drive(city, S.RETURN_PENDING), by=city.dispatcher, approve=True
    )
    drive(city, S.DISPATCHED)  # assigned now, outside the period
    for t, acked in ((on_time, at(day, 10)), (late, at(day, 14)), (waiting, None), (returned, at(day, 10))):
        Assignment.objects.filter(pk=_lead(t).pk).update(
            assigned_at=at(day, 9), ack_due_at=at(day, 13), acknowledged_at=acked
        )
    row = dept(department_rows(P, now=NOW), "东城区")
    assert row["dept_ack_rate"] == (2, 4)  # on time and the returned one (signed before its return)
    assert row["dept_return_rate"] == (1, 4)
    assert _lead(returned).state == Assignment.State.RETURNED


# --- 平均处理时长 across the National Day holiday ----------------------------------------------------------


def test_average_handling_time_in_working_days_across_the_holiday(city):
    def finished(created, done, **kw):  # type: ignore[no-untyped-def]
        t = drive(city, S.REPLIED, **kw)
        place(t, created_at=created, replied_at=done)

    finished(at(date(2025, 9, 30)), at(date(2025, 10, 9), 16))  # 10-01…08 off → 1 working day
    finished(at(date(2025, 9, 26)), at(date(2025, 9, 29)))  # Sat off, Sun 09-28 worked → 2
    finished(at(date(2025, 10, 9)), at(date(2025, 10, 11)), type="complaint")  # Sat 10-11 worked → 2
    a = drive(city, S.ANSWERED, type="help")
    place(a, created_at=at(date(2025, 10, 10), 9), closed_at=at(date(2025, 10, 10), 9, 5))  # same day → 0
    finished(at(date(2025, 9, 1)), at(date(2025, 9, 5)))  # finished before the period

    got = {f.key: f for f in centre_figures(P, now=NOW)}
    assert (got["handling_days_consultation"].numerator, got["handling_days_consultation"].denominator) == (
        3,
        2,
    )
    assert got["handling_days_consultation"].value == 1.5
    assert got["handling_days_consultation"].status == "green"
    assert (got["handling_days_other"].numerator, got["handling_days_other"].denominator) == (2, 2)


# --- 热线百科信息引用率 ------------------------------------------------------------------------------------


def test_citation_rate_matches_the_knowledge_selector_and_honours_filters(city):
    from hotline.knowledge.selectors import citation_rate
    from hotline.knowledge.services import (
        article_create,
        article_publish,
        article_review,
        article_submit,
        citations_record,
    )

    art = article_create(
        title="路灯报修指南",
        body="<p>路灯由城管局维护。</p>",
        keywords="路灯",
        synonyms="",
        department=city.bureau,
        is_public=True,
        by=city.annotator,
    )
    article_submit(article=art, by=city.annotator)
    article_review(article=art, by=city.reviewer)
    art = article_publish(article=art, by=city.reviewer)
    cited = drive(city, S.ANSWERED)
    citations_record(ticket=cited, event=cited.events.get(action="answer"), articles=[art], by=city.agent)
    plain = drive(city, S.ANSWERED)
    other_line = drive(city, S.ANSWERED, hotline="12315")
    for t in (cited, plain, other_line):
        place(t, created_at=at(date(2025, 10, 9)))

    assert figures()["citation_rate"] == (1, 3)
    selector = citation_rate(start=P.start, end=P.end)
    assert (selector.cited, selector.total) == (1, 3)
    assert figures(filters=filters_parse(hotline="12345"))["citation_rate"] == (1, 2)


# --- Calls: 接通率, 30秒接通率, 漏接回拨率, 坐席接听评价满意率 ------------------------------------------------------


def _call(
    n: int, disposition: str, wait: float, *, queue: str = "general", survey: str = "", line: str = "12345"
):  # type: ignore[no-untyped-def]
    arrived = at(date(2025, 10, 9), 10, n)
    return CallRecord.objects.create(
        call_id=f"c{n}",
        hotline=line,
        arrived_at=arrived,
        ended_at=arrived + timedelta(minutes=3),
        queue=queue,
        disposition=disposition,
        wait_s=wait,
        talk_s=100 if disposition == "answered" else 0,
        survey=survey,
    )


def test_call_indicators_exclude_short_abandons_and_agree_with_the_callcenter_kpis(city):
    from hotline.callcenter.selectors import kpis_between

    _call(1, "answered", 10, survey="1")
    _call(2, "answered", 40, survey="3")
    _call(3, "abandoned_queue", 3)  # 秒挂 within 5 s: out of the denominator
    _call(4, "abandoned_queue", 20)
    _call(5, "ivr_completed", 0, queue="")  # never asked for a person
    _call(6, "answered", 5, survey="2", line="12315")
    now = at(date(2025, 10, 10), 12)
    base = {"phone": "13900000000", "hotline": "12345", "reason": "abandoned_queue"}
    for i, (due, first) in enumerate(
        [
            (at(date(2025, 10, 9), 18), at(date(2025, 10, 9), 11)),  # on time
            (at(date(2025, 10, 9), 18), at(date(2025, 10, 9), 19)),  # late
            (at(date(2025, 10, 9), 18), None),  # overdue, never tried
            (at(date(2025, 10, 11), 9), None),  # not yet due
        ]
    ):
        CallbackTask.objects.create(
            **{**base, "phone": f"1390000000{i}"},
            day=date(2025, 10, 9),
            missed_at=at(date(2025, 10, 9), 10),
            due_at=due,
            first_attempt_at=first,
        )
    got = call_parts(P, Filters(), now=now)
    assert got["answer_rate"] == (3, 4)
    assert got["service_level"] == (2, 4)
    assert got["agent_satisfaction"] == (2, 3)
    assert got["callback_rate"] == (1, 3)
    theirs = kpis_between(P.start, P.end, now=now)
    assert theirs.answer_rate == 3 / 4 and theirs.service_level == 2 / 4 and theirs.callback_rate == 1 / 3
    only = call_parts(P, filters_parse(hotline="12345"), now=now)
    assert only["answer_rate"] == (2, 3) and only["service_level"] == (1, 3)
    f = {x.key: x for x in centre_figures(P, filters_parse(hotline="12345"), now=now)}
    assert f["answer_rate"].status == "red" and f["answer_rate"].note == ""
    dept_filtered = {x.key: x for x in centre_figures(P, filters_parse(department="DCQ"), now=now)}
    assert dept_filtered["answer_rate"].note == "不按单位筛选"


def test_attrition_is_the_workforce_staffing_table_of_the_last_month(city):
    from hotline.workforce.selectors import staffing_table

    table = staffing_table(date(2025, 10, 1))
    got = figures()["attrition"]
    assert got == (max(0, table.required - table.actual), table.required)


# --- Filters and trend ------------------------------------------------------------------------------


def test_department_category_and_district_filters_narrow_ticket_indicators(city):
    from hotline.tickets.tests.factories import CategoryFactory

    top = CategoryFactory(name="城市管理", code="CS")
    leaf = CategoryFactory(name="路灯", code="CS-LD", parent=top)
    in_period(closed(city, category=leaf, district=city.district))
    in_period(closed(city, lead=city.bureau))
    assert figures()["satisfaction"] == (2, 2)
    assert figures(filters=filters_parse(department="DCQ"))["satisfaction"] == (1, 1)
    assert figures(filters=filters_parse(department="SJJ"))["satisfaction"] == (0, 0)
    assert figures(filters=filters_parse(category="CS"))["satisfaction"] == (1, 1)
    assert figures(filters=filters_parse(district="DCQ"))["satisfaction"] == (1, 1)


def test_unknown_filter_codes_and_bad_periods_are_refused_in_chinese(city):
    from hotline.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as e:
        filters_parse(hotline="99999", department="NOPE", district="CGJ")
    assert set(e.value.fields) == {"hotline", "department", "district"}
    with pytest.raises(InvalidInput):
        Period.parse("2025-10-09", "2025-10-01")
    with pytest.raises(InvalidInput):
        Period.parse("2025-10-09", "2025/10/10")
    with pytest.raises(InvalidInput):
        Period.parse("2024-01-01", "2025-12-31")


def test_daily_trend_has_a_point_per_day(city):
    t = in_period(closed(city))
    place(t, created_at=at(date(2025, 10, 9), 8))
    trend = daily_trend(P, now=NOW)
    assert len(trend["days"]) == 14 and trend["days"][0] == "09-29"
    i = trend["days"].index("10-09")
    assert trend["intake"][i] == 1 and trend["satisfaction"][i] == 100.0 and trend["ontime"][i] == 100.0
    assert trend["answer"] == [None] * 14


def test_query_count_does_not_grow_with_tickets(city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> tuple[int, int]:
        centre_figures(P, now=NOW)  # settings rows created on first use
        with CaptureQueriesContext(connection) as centre:
            centre_figures(P, now=NOW)
        with CaptureQueriesContext(connection) as depts:
            department_rows(P, now=NOW)
        return len(centre), len(depts)

    in_period(closed(city))
    one = count()
    for lead in (city.district, city.bureau, city.other_bureau, city.bureau):
        in_period(closed(city, lead=lead))
    assert count() == one
    # On PostgreSQL each also opens a transaction (or savepoint) to set JIT and work_mem (metrics.db): +3.
    assert one[0] <= 23 and one[1] <= 9
