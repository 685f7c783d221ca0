"""The four desks without a browser: who may open them, which rows they show, bulk actions, query counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.core.models import AuditLog
from hotline.tickets.models import Ticket, TicketRequest
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
S = Ticket.Status

DISPATCH = "/desk/dispatch/"
DEPARTMENT = "/desk/department/"
OVERVIEW = "/desk/department/overview/"
VISIT = "/desk/visit/"
SUPERVISOR = "/desk/supervisor/"


def login(client, username: str):
    assert client.login(username=username, password=PASSWORD)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Access -------------------------------------------------------------------------------------

ACCESS = [
    (DISPATCH, ["dispatcher", "reviewer", "supervisor"]),
    (DEPARTMENT, ["cgj", "dcq", "dcq-mgr", "dh"]),
    (OVERVIEW, ["dcq-mgr"]),
    (VISIT, ["visitor", "supervisor"]),
    (SUPERVISOR, ["supervisor", "analyst", "admin"]),
]
EVERYONE = [
    "agent",
    "dispatcher",
    "reviewer",
    "visitor",
    "supervisor",
    "qa",
    "analyst",
    "hr",
    "admin",
    "cgj",
    "dcq",
    "dcq-mgr",
    "dh",
]


@pytest.mark.parametrize(("url", "allowed"), ACCESS)
def test_desk_is_open_to_its_roles_and_forbidden_to_others(client, city, url, allowed):
    for username in EVERYONE:
        login(client, username)
        response = client.get(url)
        expected = 200 if username in allowed else 403
        assert response.status_code == expected, (url, username, response.status_code)
        client.logout()


@pytest.mark.parametrize("url", [DISPATCH, DEPARTMENT, OVERVIEW, VISIT, SUPERVISOR])
def test_desk_sends_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Dispatch desk --------------------------------------------------------------------------------


def test_dispatch_desk_lists_pending_tickets_with_channel_and_counts(client, city):
    web = drive(city, S.PENDING_DISPATCH, title="网站来信：路灯不亮", channel=Ticket.Channel.WEB)
    drive(city, S.DISPATCHED, title="已派出的工单")
    drive(city, S.RETURN_PENDING)
    body = login(client, "dispatcher").get(DISPATCH).content.decode()
    assert web.number in body and "网站" in body
    assert "已派出的工单" not in body
    assert 'name="lead"' in body and f"/tickets/{web.number}/act/dispatch/" in body
    response = client.get(DISPATCH)
    tabs = {key: count for key, _, count in response.context["tabs"]}
    assert tabs == {"pending": 1, "returns": 1, "extensions": 0, "replies": 0}


def test_dispatch_desk_filters_by_channel(client, city):
    web = drive(city, S.PENDING_DISPATCH, channel=Ticket.Channel.WEB)
    phone = drive(city, S.PENDING_DISPATCH, channel=Ticket.Channel.PHONE)
    body = login(client, "dispatcher").get(DISPATCH, {"tab": "pending", "channel": "web"}).content.decode()
    assert web.number in body and phone.number not in body


def test_reviewer_sees_pending_tickets_without_dispatch_controls(client, city):
    t = drive(city, S.PENDING_DISPATCH)
    body = login(client, "reviewer").get(DISPATCH).content.decode()
    assert t.number in body and f"/tickets/{t.number}/act/dispatch/" not in body


def test_return_tab_shows_reason_basis_and_department(client, city):
    t = drive(city, S.ACKNOWLEDGED)
    from hotline.tickets import services as svc

    svc.ticket_return_request(
        ticket=t, by=city.district_handler, reason="属于供水企业职责", legal_basis="供水条例第十条"
    )
    body = login(client, "dispatcher").get(DISPATCH, {"tab": "returns"}).content.decode()
    assert "属于供水企业职责" in body and "供水条例第十条" in body and "东城区" in body
    assert f"/tickets/{t.number}/act/return_approve/" in body
    assert f"/tickets/{t.number}/act/return_reject/" in body


def test_extension_tab_shows_days_current_due_and_due_if_approved(client, city):
    t = drive(city, S.EXTENSION_PENDING)
    response = login(client, "reviewer").get(DISPATCH, {"tab": "extensions"})
    (req,) = response.context["rows"]
    assert req.days == 2 and req.new_due_at > t.due_at
    body = response.content.decode()
    assert timezone.localtime(req.new_due_at).strftime("%Y-%m-%d %H:%M") in body
    assert timezone.localtime(t.due_at).strftime("%Y-%m-%d %H:%M") in body


def test_extension_preview_matches_the_deadline_after_approval(client, city):
    from hotline.tickets import services as svc

    t = drive(city, S.EXTENSION_PENDING)
    response = login(client, "reviewer").get(DISPATCH, {"tab": "extensions"})
    preview = response.context["rows"][0].new_due_at
    t = svc.ticket_extension_decide(ticket=t, by=city.reviewer, approve=True)
    # Both resume the paused clock "now"; a few seconds apart, so compare to the minute.
    assert abs((t.due_at - preview).total_seconds()) < 120


def test_reply_tab_shows_the_reply_text_and_review_buttons_only_to_reviewers(client, city):
    t = drive(city, S.REPLIED)
    body = login(client, "reviewer").get(DISPATCH, {"tab": "replies"}).content.decode()
    assert "已处理完毕。" in body and f"/tickets/{t.number}/act/review_approve/" in body
    client.logout()
    body = login(client, "dispatcher").get(DISPATCH, {"tab": "replies"}).content.decode()
    assert "已处理完毕。" in body and f"/tickets/{t.number}/act/review_approve/" not in body


def test_dispatch_desk_tab_switch_by_htmx_returns_only_the_list(client, city):
    drive(city, S.REPLIED)
    response = login(client, "reviewer").get(DISPATCH, {"tab": "replies"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "答复审核" in body


def test_single_dispatch_from_the_desk_goes_back_to_the_desk(client, city):
    t = drive(city, S.PENDING_DISPATCH)
    login(client, "dispatcher")
    response = client.post(
        f"/tickets/{t.number}/act/dispatch/",
        {"lead": city.district.code, "version": t.version, "next": "/desk/dispatch/?tab=pending"},
    )
    assert response.status_code == 302 and response["Location"] == "/desk/dispatch/?tab=pending"
    t.refresh_from_db()
    assert t.status == S.DISPATCHED and t.lead_department == city.district


def test_stale_desk_action_redirects_back_with_a_conflict_message(client, city):
    t = drive(city, S.PENDING_DISPATCH)
    login(client, "dispatcher")
    response = client.post(
        f"/tickets/{t.number}/act/dispatch/",
        {"lead": city.district.code, "version": t.version - 1, "next": DISPATCH},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == DISPATCH
    assert any("已被他人处理" in m for m in messages_of(response))
    t.refresh_from_db()
    assert t.status == S.PENDING_DISPATCH


def test_bulk_dispatch_reports_each_ticket(client, city):
    ok1 = drive(city, S.PENDING_DISPATCH)
    ok2 = drive(city, S.PENDING_DISPATCH)
    gone = drive(city, S.DISPATCHED)  # somebody dispatched it meanwhile
    login(client, "dispatcher")
    response = client.post(
        "/desk/dispatch/bulk/",
        {
            "action": "dispatch",
            "lead": city.bureau.code,
            "numbers": [ok1.number, ok2.number, gone.number],
            "next": DISPATCH,
        },
        follow=True,
    )
    msgs = messages_of(response)
    assert any("批量派单成功 2 张" in m and ok1.number in m and ok2.number in m for m in msgs)
    assert any(gone.number in m and "待签收" in m for m in msgs)
    for t in (ok1, ok2):
        t.refresh_from_db()
        assert t.status == S.DISPATCHED and t.lead_department == city.bureau
        assert t.events.filter(action="dispatch", actor=city.dispatcher).exists()


def test_bulk_dispatch_without_a_department_keeps_the_selection(client, city):
    t = drive(city, S.PENDING_DISPATCH)
    login(client, "dispatcher")
    response = client.post(
        "/desk/dispatch/bulk/",
        {"action": "dispatch", "lead": "", "numbers": [t.number], "note": "请尽快", "next": DISPATCH},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请选择批量派往的承办单位" in body and 'value="请尽快"' in body
    assert f'value="{t.number}" form="bulk-dispatch" aria-label="选择 {t.number}" checked' in body
    t.refresh_from_db()
    assert t.status == S.PENDING_DISPATCH


def test_bulk_approve_by_a_dispatcher_is_refused_per_ticket(client, city):
    t = drive(city, S.REPLIED)
    login(client, "dispatcher")
    response = client.post(
        "/desk/dispatch/bulk/",
        {"action": "review_approve", "numbers": [t.number], "next": DISPATCH},
        follow=True,
    )
    assert any(t.number in m and "无权" in m for m in messages_of(response))
    t.refresh_from_db()
    assert t.status == S.REPLIED


def test_bulk_review_approve(client, city):
    a, b = drive(city, S.REPLIED), drive(city, S.REPLIED)
    login(client, "reviewer")
    client.post(
        "/desk/dispatch/bulk/",
        {"action": "review_approve", "numbers": [a.number, b.number], "next": DISPATCH + "?tab=replies"},
    )
    for t in (a, b):
        t.refresh_from_db()
        assert t.status == S.PENDING_VISIT


def test_bulk_rejects_a_foreign_next_url(client, city):
    t = drive(city, S.PENDING_DISPATCH)
    login(client, "dispatcher")
    response = client.post(
        "/desk/dispatch/bulk/",
        {"action": "dispatch", "lead": city.bureau.code, "numbers": [t.number], "next": "//evil.example/"},
    )
    assert response["Location"] == DISPATCH


# --- Department desk ------------------------------------------------------------------------------


def test_department_desk_shows_only_the_subtree_tickets(client, city):
    mine = drive(city, S.DISPATCHED, lead=city.district, title="东城区的工单")
    other = drive(city, S.DISPATCHED, lead=city.other_bureau, title="市场监管的工单")
    body = login(client, "dcq").get(DEPARTMENT).content.decode()
    assert mine.number in body and other.number not in body
    client.logout()
    body = login(client, "sjj").get(DEPARTMENT).content.decode()
    assert other.number in body and mine.number not in body
    client.logout()
    # A street sees only what was passed down to it.
    body = login(client, "dh").get(DEPARTMENT).content.decode()
    assert mine.number not in body


def test_department_desk_shows_a_subdispatched_ticket_once_with_the_street_holding_it(client, city):
    from hotline.tickets import services as svc

    t = drive(city, S.ACKNOWLEDGED)
    svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    response = login(client, "dcq").get(DEPARTMENT)
    (row,) = response.context["rows"]
    assert row.number == t.number and row.holder.department == city.street
    client.logout()
    response = login(client, "dh").get(DEPARTMENT)
    (row,) = response.context["rows"]
    assert "reply" in row.acts and "subdispatch" in row.acts


def test_department_filters(client, city):
    pending = drive(city, S.DISPATCHED)
    doing = drive(city, S.ACKNOWLEDGED)
    asking = drive(city, S.EXTENSION_PENDING)
    replied = drive(city, S.REPLIED)
    login(client, "dcq")
    expected = {"pending": pending, "doing": doing, "requests": asking, "replied": replied}
    for tab, ticket in expected.items():
        numbers = {t.number for t in client.get(DEPARTMENT, {"tab": tab}).context["rows"]}
        assert numbers == {ticket.number}, tab
    counts = {key: n for key, _, n in client.get(DEPARTMENT).context["tabs"]}
    assert counts == {"": 4, "pending": 1, "doing": 1, "requests": 1, "replied": 1}


def test_department_overdue_filter_and_countdown(client, city):
    late = drive(city, S.ACKNOWLEDGED)
    fine = drive(city, S.ACKNOWLEDGED)
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=3))
    response = login(client, "dcq").get(DEPARTMENT, {"overdue": "1"})
    assert [t.number for t in response.context["rows"]] == [late.number]
    body = client.get(DEPARTMENT).content.decode()
    assert "data-due=" in body and "data-warn=" in body and fine.number in body


def test_department_row_offers_only_allowed_actions(client, city):
    d = drive(city, S.DISPATCHED)
    a = drive(city, S.ACKNOWLEDGED)
    response = login(client, "dcq").get(DEPARTMENT)
    acts = {t.number: t.acts for t in response.context["rows"]}
    assert acts[d.number] == {"acknowledge", "return_request"}
    assert acts[a.number] == {"subdispatch", "reply", "extension_request", "return_request"}
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body and f'data-autosave="reply-{a.number}"' in body


def test_assisting_department_gets_only_the_assist_reply(client, city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.bureau, assists=[city.district])
    response = login(client, "dcq").get(DEPARTMENT)
    (row,) = response.context["rows"]
    assert row.number == t.number and row.acts == {"assist_reply"}


def test_bulk_acknowledge(client, city):
    a, b = drive(city, S.DISPATCHED), drive(city, S.DISPATCHED)
    foreign = drive(city, S.DISPATCHED, lead=city.other_bureau)
    login(client, "dcq")
    response = client.post(
        "/desk/department/bulk/",
        {"action": "acknowledge", "numbers": [a.number, b.number, foreign.number], "next": DEPARTMENT},
        follow=True,
    )
    msgs = messages_of(response)
    assert any("批量签收成功 2 张" in m for m in msgs)
    assert any(foreign.number in m and "不存在" in m for m in msgs)
    for t in (a, b):
        t.refresh_from_db()
        assert t.status == S.ACKNOWLEDGED
    foreign.refresh_from_db()
    assert foreign.status == S.DISPATCHED


def test_reply_with_a_disguised_attachment_is_refused_and_nothing_is_committed(client, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    t = drive(city, S.ACKNOWLEDGED)
    login(client, "dcq")
    fake = SimpleUploadedFile("现场照片.jpg", b"MZ this is not a picture", content_type="image/jpeg")
    response = client.post(
        f"/tickets/{t.number}/act/reply/",
        {"reply": "已清理占道摊位。", "version": t.version, "next": DEPARTMENT, "attachments": fake},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "内容与扩展名不符" in body and "已清理占道摊位。" in body
    assert f'name="next" value="{DEPARTMENT}"' in body
    t.refresh_from_db()
    assert t.status == S.ACKNOWLEDGED and not t.attachments.exists()


def test_department_overview_counts_load_per_sub_department(client, city):
    from hotline.tickets import services as svc

    at_street = drive(city, S.ACKNOWLEDGED)
    svc.ticket_subdispatch(ticket=at_street, by=city.district_handler, department=city.street)
    late = drive(city, S.ACKNOWLEDGED)
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    drive(city, S.DISPATCHED)
    response = login(client, "dcq-mgr").get(OVERVIEW)
    rows = {r.department.code: r for r in response.context["rows"]}
    assert rows["DCQ"].own and rows["DCQ"].open == 2 and rows["DCQ"].overdue == 1
    assert rows["DCQ"].pending_ack == 1
    assert rows["DCQ-DH"].open == 1 and rows["DCQ-XH"].open == 0
    total = response.context["total"]
    assert total.open == 3 and total.overdue == 1 and total.avg_ack_hours is not None
    assert [t.number for t in response.context["overdue_rows"]] == [late.number]


# --- Visit desk -------------------------------------------------------------------------------------


def test_visit_desk_lists_pending_visits_oldest_first_with_masked_phones(client, city):
    first = drive(city, S.PENDING_VISIT, citizen_phone="13900001111")
    second = drive(city, S.PENDING_VISIT, citizen_phone="13900002222")
    drive(city, S.REPLIED)
    response = login(client, "visitor").get(VISIT)
    rows = response.context["rows"]  # visit tasks (hotline.visits)
    assert [t.ticket.number for t in rows] == [first.number, second.number]
    body = response.content.decode()
    assert "139****1111" in body and "13900001111" not in body
    assert f"/tickets/{first.number}/citizen/" in body and f"/visits/{rows[0].pk}/attempt/" in body


def test_visit_desk_counts_attempts(client, city):
    from hotline.tickets import services as svc

    t = drive(city, S.PENDING_VISIT)
    svc.ticket_visit(ticket=t, by=city.visitor, result="unreachable")
    response = login(client, "visitor").get(VISIT)
    (row,) = response.context["rows"]
    assert row.phone_attempts == 1


def test_show_number_from_the_visit_desk_is_audited(client, city):
    t = drive(city, S.PENDING_VISIT, citizen_phone="13900001111")
    response = login(client, "visitor").post(f"/tickets/{t.number}/citizen/", HTTP_HX_REQUEST="true")
    assert "13900001111" in response.content.decode()
    assert AuditLog.objects.filter(action="citizen_unmask", object_id=t.number, actor=city.visitor).exists()


def test_unsatisfied_visit_without_a_note_is_refused_in_chinese(client, city):
    t = drive(city, S.PENDING_VISIT)
    response = login(client, "visitor").post(
        f"/tickets/{t.number}/act/visit/", {"result": "unsatisfied", "note": "", "next": VISIT}
    )
    assert response.status_code == 400 and "请填写回访记录" in response.content.decode()
    t.refresh_from_db()
    assert t.status == S.PENDING_VISIT


# --- Supervisor overview ------------------------------------------------------------------------------


def test_supervisor_overview_counts_lists_and_chart_data(client, city):
    late = drive(city, S.ACKNOWLEDGED, lead=city.bureau)
    soon = drive(city, S.DISPATCHED, lead=city.bureau)
    drive(city, S.PENDING_DISPATCH)
    now = timezone.now()
    Ticket.objects.filter(pk=late.pk).update(due_at=now - timedelta(hours=5))
    Ticket.objects.filter(pk=soon.pk).update(due_at=now + timedelta(hours=5))
    response = login(client, "supervisor").get(SUPERVISOR)
    ctx = response.context
    assert [t.number for t in ctx["overdue"].object_list] == [late.number]
    assert [t.number for t in ctx["soon"].object_list] == [soon.number]
    (dept,) = ctx["by_department"]
    assert (dept["name"], dept["open"], dept["overdue"], dept["due_soon"]) == ("市城市管理局", 2, 1, 1)
    tiles = {s: n for s, _, n in ctx["tiles"]}
    assert tiles[S.PENDING_DISPATCH] == 1 and tiles[S.ACKNOWLEDGED] == 1
    body = response.content.decode()
    daily = json.loads(body.split('id="data-daily" type="application/json">')[1].split("</script>")[0])
    assert len(daily["days"]) == 30 and daily["intake"][-1] == 3
    assert "vendor/echarts/echarts.min.js" in body and 'class="slot"' in body
    assert f"/tickets/{late.number}/act/urge/" in body and f"/tickets/{late.number}/act/supervise/" in body


def test_analyst_sees_the_overview_without_action_buttons(client, city):
    late = drive(city, S.ACKNOWLEDGED)
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=5))
    body = login(client, "analyst").get(SUPERVISOR).content.decode()
    assert late.number in body and "/act/urge/" not in body and "/act/supervise/" not in body


def test_urge_from_the_overview_goes_back_to_it(client, city):
    late = drive(city, S.ACKNOWLEDGED)
    login(client, "supervisor")
    response = client.post(f"/tickets/{late.number}/act/urge/", {"note": "请加快", "next": SUPERVISOR})
    assert response["Location"] == SUPERVISOR
    late.refresh_from_db()
    assert late.urge_count == 1


# --- Query counts: a page's queries do not grow with its rows ------------------------------------


def _queries(client, url: str, params: dict | None = None) -> int:
    client.get(url, params or {})  # warm per-process caches (calendar, session)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx)


def _make(city, state: str, n: int) -> None:
    for _ in range(n):
        drive(city, state)


DESK_CASES = [
    ("dispatcher", DISPATCH, {"tab": "pending"}, S.PENDING_DISPATCH),
    ("dispatcher", DISPATCH, {"tab": "returns"}, S.RETURN_PENDING),
    ("reviewer", DISPATCH, {"tab": "extensions"}, S.EXTENSION_PENDING),
    ("reviewer", DISPATCH, {"tab": "replies"}, S.REPLIED),
    ("dcq", DEPARTMENT, {}, S.ACKNOWLEDGED),
    ("dcq", DEPARTMENT, {"tab": "pending"}, S.DISPATCHED),
    ("dcq-mgr", OVERVIEW, {}, S.ACKNOWLEDGED),
    ("visitor", VISIT, {}, S.PENDING_VISIT),
    ("supervisor", SUPERVISOR, {}, S.ACKNOWLEDGED),
]


@pytest.mark.parametrize(("username", "url", "params", "state"), DESK_CASES)
def test_desk_query_count_does_not_grow_with_rows(client, city, username, url, params, state):
    login(client, username)
    _make(city, state, 3)
    if url in (SUPERVISOR, OVERVIEW):
        Ticket.objects.update(due_at=timezone.now() - timedelta(hours=1))
    few = _queries(client, url, params)
    _make(city, state, 12)
    if url in (SUPERVISOR, OVERVIEW):
        Ticket.objects.update(due_at=timezone.now() - timedelta(hours=1))
    many = _queries(client, url, params)
    assert many == few, (url, params, few, many)


def test_pending_requests_are_those_of_the_right_kind(client, city):
    drive(city, S.RETURN_PENDING)
    drive(city, S.EXTENSION_PENDING)
    login(client, "dispatcher")
    returns = client.get(DISPATCH, {"tab": "returns"}).context["rows"]
    extensions = client.get(DISPATCH, {"tab": "extensions"}).context["rows"]
    assert [r.kind for r in returns] == [TicketRequest.Kind.RETURN]
    assert [r.kind for r in extensions] == [TicketRequest.Kind.EXTENSION]
