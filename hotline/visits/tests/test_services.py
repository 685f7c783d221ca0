"""Visit tasks: created once per review round, the attempt rules, survey links, no-callback, reopen."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from hotline.core.calendar import get_calendar
from hotline.core.errors import Conflict, InvalidInput
from hotline.core.models import AuditLog
from hotline.metrics.indicators import Period
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive, handler_of
from hotline.visits import services as vs
from hotline.visits.models import SurveyLink, VisitAttempt, VisitPolicy, VisitTask
from hotline.visits.selectors import visit_coverage, visit_worklist

S = Ticket.Status
T = VisitTask.Status
pytestmark = pytest.mark.django_db


def task_of(t: Ticket) -> VisitTask:
    return VisitTask.objects.get(ticket=t, round=t.reopen_count)


def later(minutes: int):
    """Pretend `minutes` have passed (the gap rule reads the clock)."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=minutes))


def test_review_creates_exactly_one_task_with_a_working_day_deadline(city):
    t = drive(city, S.PENDING_VISIT)
    tasks = list(VisitTask.objects.filter(ticket=t))
    assert len(tasks) == 1 and tasks[0].status == T.OPEN and tasks[0].round == 0
    assert tasks[0].due_at > tasks[0].created_at
    # Calling the hook again (a replayed signal) does not make another.
    vs.visit_task_open(ticket=t)
    assert VisitTask.objects.filter(ticket=t).count() == 1


def test_no_callback_ticket_gets_a_not_needed_task_and_no_worklist_row(city):
    t = drive(city, S.REPLIED, no_callback=True)
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    assert t.status == S.CLOSED
    task = task_of(t)
    assert task.status == T.NOT_NEEDED
    assert not visit_worklist().filter(ticket=t).exists()


def test_satisfied_call_closes_ticket_through_the_ticket_service(city):
    t = drive(city, S.PENDING_VISIT)
    task = vs.visit_attempt_record(task=task_of(t), by=city.visitor, outcome="reached", result="satisfied")
    t.refresh_from_db()
    assert t.status == S.CLOSED and t.visit_result == "satisfied"
    assert task.status == T.DONE and task.source == "phone"
    assert t.events.filter(action="visit").count() == 1


def test_unsatisfied_needs_a_note_and_reopens_against_the_completing_department(city):
    t = drive(city, S.PENDING_VISIT)
    task = task_of(t)
    with pytest.raises(InvalidInput):
        vs.visit_attempt_record(task=task, by=city.visitor, outcome="reached", result="unsatisfied")
    vs.visit_attempt_record(
        task=task, by=city.visitor, outcome="reached", result="unsatisfied", note="路灯仍不亮"
    )
    t.refresh_from_db()
    task.refresh_from_db()
    assert t.status == S.DISPATCHED and t.reopen_count == 1 and t.lead_department == city.district
    assert task.status == T.DONE and task.reopened and task.result == "unsatisfied"
    # The second round gets its own task once the department replies again and it is reviewed.
    h = handler_of(city, city.district)
    t = svc.ticket_acknowledge(ticket=t, by=h)
    t = svc.ticket_reply(ticket=t, by=h, reply="已更换灯具。")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    assert list(VisitTask.objects.filter(ticket=t).values_list("round", "status")) == [
        (0, "done"),
        (1, "open"),
    ]


def test_failed_calls_need_the_gap_then_send_a_survey_link_after_the_third(city):
    t = drive(city, S.PENDING_VISIT)
    task = task_of(t)
    vs.visit_attempt_record(task=task, by=city.visitor, outcome="no_answer")
    with pytest.raises(InvalidInput, match="分钟"):
        vs.visit_attempt_record(task=task, by=city.visitor, outcome="busy")
    with later(121):
        vs.visit_attempt_record(task=task, by=city.visitor, outcome="busy")
    sent = []
    with later(250), mock.patch("hotline.exchange.notify.notify_citizen", wraps=_capture(sent)):
        task = vs.visit_attempt_record(
            task=task, by=city.visitor, outcome="powered_off", base_url="http://h/"
        )
    assert task.status == T.AWAITING and task.phone_attempts == 3
    assert sent and sent[0]["purpose"] == "visit" and sent[0]["ticket_id"] == t.pk
    assert re.match(r"http://h/visits/s/[\w-]+/$", sent[0]["link"])
    t.refresh_from_db()
    assert t.status == S.PENDING_VISIT  # the ticket waits for the citizen's answer
    outcomes = list(task.attempts.values_list("outcome", flat=True))
    assert outcomes == ["no_answer", "busy", "powered_off", "link_sent"]


def _capture(store: list):
    from hotline.exchange.notify import notify_citizen

    def f(**kw):
        store.append(kw)
        return notify_citizen(**kw)

    return f


def test_without_sms_fallback_three_failed_calls_close_as_unreachable(city):
    VisitPolicy.objects.create(sms_fallback=False, attempt_gap_minutes=0)
    t = drive(city, S.PENDING_VISIT)
    for outcome in ("no_answer", "no_answer", "busy"):
        task = vs.visit_attempt_record(task=task_of(t), by=city.visitor, outcome=outcome)
    t.refresh_from_db()
    assert task.status == T.DONE and task.result == "unreachable"
    assert t.status == S.CLOSED and t.visit_result == "unreachable"


def test_wrong_number_ends_the_visit_at_once(city):
    t = drive(city, S.PENDING_VISIT)
    task = vs.visit_attempt_record(task=task_of(t), by=city.visitor, outcome="wrong_number")
    t.refresh_from_db()
    assert task.result == "unreachable" and t.status == S.CLOSED


def test_stale_version_and_finished_task_are_refused(city):
    t = drive(city, S.PENDING_VISIT)
    task = task_of(t)
    with pytest.raises(Conflict):
        vs.visit_attempt_record(task=task, by=city.visitor, outcome="no_answer", version=task.version + 5)
    vs.visit_attempt_record(task=task, by=city.visitor, outcome="reached", result="satisfied")
    with pytest.raises(Conflict, match="已结束"):
        vs.visit_attempt_record(task=task, by=city.visitor, outcome="reached", result="satisfied")


def test_survey_link_is_one_time(city):
    t = drive(city, S.PENDING_VISIT)
    token = vs.visit_link_send(task=task_of(t), by=city.visitor)
    link = vs.survey_answer(token=token, result="basically_satisfied", comment="还行")
    t.refresh_from_db()
    assert link.used_at and t.status == S.CLOSED and t.visit_result == "basically_satisfied"
    assert task_of(t).source == "sms"
    with pytest.raises(vs.SurveyError) as e:
        vs.survey_answer(token=token, result="satisfied")
    assert e.value.code == "used" and "评价过" in e.value.message


def test_survey_link_expired_and_bad_token(city):
    t = drive(city, S.PENDING_VISIT)
    token = vs.visit_link_send(task=task_of(t), by=city.visitor)
    SurveyLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(vs.SurveyError) as e:
        vs.survey_find(token)
    assert e.value.code == "expired" and "过期" in e.value.message
    for bad in ("", "x", token[:-2] + "zz", "a" * 200):
        with pytest.raises(vs.SurveyError) as e:
            vs.survey_find(bad)
        assert e.value.code == "invalid"


def test_expired_links_close_the_visit_as_unreachable_once(city):
    t = drive(city, S.PENDING_VISIT)
    vs.visit_link_send(task=task_of(t), by=city.visitor)
    assert vs.visits_expire_links() == 0  # not expired yet
    assert vs.visits_expire_links(now=timezone.now() + timedelta(days=3)) == 1
    assert vs.visits_expire_links(now=timezone.now() + timedelta(days=3)) == 0
    t.refresh_from_db()
    assert t.status == S.CLOSED and t.visit_result == "unreachable"


def test_confirm_policy_holds_an_online_unsatisfied_for_a_call(city):
    VisitPolicy.objects.create(unsatisfied=VisitPolicy.Unsatisfied.CONFIRM)
    t = drive(city, S.PENDING_VISIT)
    token = vs.visit_link_send(task=task_of(t), by=city.visitor)
    vs.survey_answer(token=token, result="unsatisfied", comment="没修好")
    task = task_of(t)
    t.refresh_from_db()
    assert t.status == S.PENDING_VISIT and task.status == T.OPEN and task.online_result == "unsatisfied"
    assert visit_worklist(show="confirm").filter(pk=task.pk).exists()


def test_visit_from_the_ticket_page_is_followed_by_the_task(city):
    t = drive(city, S.PENDING_VISIT)
    svc.ticket_visit(ticket=t, by=city.visitor, result="unreachable")
    task = task_of(t)
    assert task.status == T.OPEN and task.phone_attempts == 1
    svc.ticket_visit(ticket=t, by=city.visitor, result="satisfied")
    task.refresh_from_db()
    assert task.status == T.DONE and task.source == "ticket" and task.result == "satisfied"


def test_dial_is_audited(city):
    t = drive(city, S.PENDING_VISIT)
    assert vs.visit_dial(task=task_of(t), by=city.visitor) == "13912345678"
    assert AuditLog.objects.filter(action="visit_dial", object_id=t.number, actor=city.visitor).exists()


def test_worklist_puts_overdue_first(city):
    a = drive(city, S.PENDING_VISIT)
    b = drive(city, S.PENDING_VISIT)
    VisitTask.objects.filter(ticket=b).update(due_at=timezone.now() - timedelta(hours=1))
    assert [x.ticket_id for x in visit_worklist()] == [b.pk, a.pk]
    assert [x.ticket_id for x in visit_worklist(show="overdue")] == [b.pk]


def test_coverage_from_tasks_agrees_with_the_kpi_engine(city):
    from hotline.metrics.compute import centre_figures

    drive(city, S.CLOSED)  # visited, satisfied
    nc = drive(city, S.REPLIED, no_callback=True)
    svc.ticket_review(ticket=nc, by=city.reviewer, approve=True)  # not needed: out of the denominator
    nophone = drive(city, S.REPLIED, citizen_phone="")
    svc.ticket_review(ticket=nophone, by=city.reviewer, approve=True)  # a miss
    wrong = drive(city, S.PENDING_VISIT)
    vs.visit_attempt_record(task=task_of(wrong), by=city.visitor, outcome="wrong_number")  # 未联系上: covered
    today = timezone.localdate()
    period = Period(today, today)
    assert visit_coverage(period) == (2, 3)
    fig = next(f for f in centre_figures(period) if f.key == "visit_coverage")
    assert (fig.numerator, fig.denominator) == (2, 3)


def test_attempt_channels_are_recorded(city):
    t = drive(city, S.PENDING_VISIT)
    vs.visit_link_send(task=task_of(t), by=city.visitor)
    assert VisitAttempt.objects.get(task__ticket=t).channel in ("sms", "wechat")


def test_visit_from_the_ticket_page_moves_the_task_version_so_a_stale_desk_is_refused(city):
    t = drive(city, S.PENDING_VISIT)
    seen = task_of(t).version  # the visit desk's copy
    svc.ticket_visit(ticket=t, by=city.visitor, result="unreachable")
    assert task_of(t).version == seen + 1
    with pytest.raises(Conflict):
        vs.visit_attempt_record(task=task_of(t), by=city.visitor, outcome="no_answer", version=seen)


def test_visit_policy_is_read_once_per_process_and_a_change_is_seen_at_once(city, django_assert_num_queries):
    row = VisitPolicy.objects.create(deadline_days=3)  # the centre's rules, saved in the admin
    assert VisitPolicy.get().deadline_days == 3  # loads the per-process cache
    with django_assert_num_queries(0):
        assert VisitPolicy.get().deadline_days == 3
    row.deadline_days = 5
    row.save()  # as the admin saves it
    assert VisitPolicy.get().deadline_days == 5
    t = drive(city, S.PENDING_VISIT)
    task = task_of(t)
    assert task.due_at == get_calendar().add_workdays(task.created_at, 5)
