"""The visit desk, its actions and the public survey page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.visits import services as vs
from hotline.visits.models import SurveyLink, VisitTask

pytestmark = pytest.mark.django_db
S = Ticket.Status


def test_desk_lists_open_tasks_with_masked_phone(client, city):
    t = drive(city, S.PENDING_VISIT)
    client.force_login(city.visitor)
    r = client.get(reverse("tickets:visit_desk"))
    assert r.status_code == 200
    body = r.content.decode()
    assert t.number in body and "13912345678" not in body and "139****5678" in body


def test_desk_refuses_other_roles(client, city):
    client.force_login(city.bureau_handler)
    assert client.get(reverse("tickets:visit_desk")).status_code == 403


def test_recording_a_satisfied_call_closes_the_ticket(client, city):
    t = drive(city, S.PENDING_VISIT)
    task = VisitTask.objects.get(ticket=t)
    client.force_login(city.visitor)
    r = client.post(
        reverse("visits:attempt", args=[task.pk]), {"choice": "reached:satisfied", "version": task.version}
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == S.CLOSED and t.visit_result == "satisfied"


def test_unsatisfied_without_note_is_refused_and_keeps_the_choice(client, city):
    t = drive(city, S.PENDING_VISIT)
    task = VisitTask.objects.get(ticket=t)
    client.force_login(city.visitor)
    r = client.post(reverse("visits:attempt", args=[task.pk]), {"choice": "reached:unsatisfied", "note": ""})
    assert r.status_code == 400
    body = r.content.decode()
    assert "不满意的原因" in body and 'value="reached:unsatisfied" required checked' in body
    t.refresh_from_db()
    assert t.status == S.PENDING_VISIT


def test_garbage_choice_is_a_chinese_error_not_a_500(client, city):
    t = drive(city, S.PENDING_VISIT)
    task = VisitTask.objects.get(ticket=t)
    client.force_login(city.visitor)
    r = client.post(reverse("visits:attempt", args=[task.pk]), {"choice": "<script>"})
    assert r.status_code == 400 and "请选择通话结果" in r.content.decode()
    assert client.post(reverse("visits:attempt", args=[999999]), {"choice": "no_answer"}).status_code == 404


def test_dial_returns_the_number_for_tel(client, city):
    t = drive(city, S.PENDING_VISIT)
    task = VisitTask.objects.get(ticket=t)
    client.force_login(city.visitor)
    r = client.post(reverse("visits:dial", args=[task.pk]))
    assert r.json() == {"tel": "13912345678", "display": "139****5678"}


def test_survey_page_records_once_and_explains_bad_links(client, city):
    t = drive(city, S.PENDING_VISIT)
    token = vs.visit_link_send(task=VisitTask.objects.get(ticket=t), by=city.visitor)
    url = reverse("visits:survey", args=[token])
    r = client.get(url)
    assert r.status_code == 200 and t.title in r.content.decode() and "13912345678" not in r.content.decode()
    r = client.post(url, {"result": ""})
    assert r.status_code == 400 and "请选择" in r.content.decode()
    r = client.post(url, {"result": "satisfied", "comment": "谢谢"})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    r = client.get(url)
    assert r.status_code == 410 and "评价过" in r.content.decode()
    r = client.get(reverse("visits:survey", args=["nonsense-token-that-is-long"]))
    assert r.status_code == 404 and "链接无效" in r.content.decode()


def test_expired_survey_page(client, city):
    t = drive(city, S.PENDING_VISIT)
    token = vs.visit_link_send(task=VisitTask.objects.get(ticket=t), by=city.visitor)
    SurveyLink.objects.update(expires_at=timezone.now() - timedelta(hours=1))
    r = client.post(reverse("visits:survey", args=[token]), {"result": "satisfied"})
    assert r.status_code == 410 and "过期" in r.content.decode()
    t.refresh_from_db()
    assert t.status == S.PENDING_VISIT


def test_desk_query_count_does_not_grow_with_rows(client, city, django_assert_max_num_queries):
    for _ in range(3):
        drive(city, S.PENDING_VISIT)
    client.force_login(city.visitor)
    client.get(reverse("tickets:visit_desk"))
    for _ in range(5):
        drive(city, S.PENDING_VISIT)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("tickets:visit_desk")).status_code == 200


def test_ticket_page_shows_the_visit_rounds_to_centre_roles_only(client, city):
    t = drive(city, S.PENDING_VISIT)
    vs.visit_attempt_record(task=VisitTask.objects.get(ticket=t), by=city.visitor, outcome="busy")
    client.force_login(city.supervisor)
    body = client.get(reverse("tickets:detail", args=[t.number])).content.decode()
    assert 'id="h-visits"' in body and "占线" in body
    client.force_login(city.district_handler)
    body = client.get(reverse("tickets:detail", args=[t.number])).content.decode()
    assert 'id="h-visits"' not in body
