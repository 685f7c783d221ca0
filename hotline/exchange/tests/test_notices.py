"""Citizen notices: the outbox, SMS gateways (console, signed HTTP to a local gateway), retries with backoff,
WeChat template messages to a local server playing WeChat's API, lifecycle notices, opt-out."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hotline.exchange.models import CitizenNotice, NoticeOptOut, WechatBinding
from hotline.exchange.notify import Notice, notify_citizen
from hotline.exchange.services.notices import MAX_ATTEMPTS, notice_deliver, notices_retry_due
from hotline.exchange.tests.mocks import SmsGateway, WechatApi
from hotline.exchange.tests.wechat_helpers import APP_ID, APP_SECRET
from hotline.exchange.webhook_signing import signature_verify
from hotline.tickets import services as svc
from hotline.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def gateway(settings):
    gw = SmsGateway()
    settings.SMS_GATEWAY = "http"
    settings.SMS_HTTP_URL = gw.base + "/send"
    settings.SMS_HTTP_KEY = "sms-key"
    yield gw
    gw.close()


@pytest.fixture
def wechat_api(settings):
    api = WechatApi(APP_ID, APP_SECRET)
    settings.WECHAT_API_BASE = api.base
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_APP_SECRET = APP_SECRET
    settings.WECHAT_TEMPLATE_STATUS = "TPL-STATUS"
    yield api
    api.close()


def _bound(openid: str = "oBound", phone: str = PHONE) -> WechatBinding:
    return WechatBinding.objects.create(openid=openid, phone=phone, verified_at=timezone.now())


def test_notify_citizen_persists_and_sends_by_console(django_capture_on_commit_callbacks, caplog):
    with caplog.at_level("INFO"), django_capture_on_commit_callbacks(execute=True):
        notice = notify_citizen(phone=PHONE, text="请对回访评价", link="http://x/v/1", purpose="visit")
    assert isinstance(notice, Notice) and notice.id and notice.channel == "sms"
    row = CitizenNotice.objects.get(pk=notice.id)
    assert row.status == CitizenNotice.Status.SENT and row.attempts == 1
    assert any("console gateway" in r.getMessage() for r in caplog.records)


def test_http_gateway_gets_a_signed_post(gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify_citizen(phone=PHONE, text="您的工单已受理", purpose="accepted")
    headers, body = gateway.received[0]
    assert signature_verify("sms-key", headers["x-hotline-signature"], body, now=int(time.time()))
    assert json.loads(body)["phone"] == PHONE and "已受理" in json.loads(body)["text"]
    row = CitizenNotice.objects.get(pk=notice.id)
    assert row.status == CitizenNotice.Status.SENT and row.gateway_ref == "sms-1"


def test_gateway_failure_backs_off_then_delivers(gateway):
    gateway.status = 503
    row = CitizenNotice.objects.create(channel="sms", to=PHONE, phone=PHONE, text="t", purpose="status")
    notice_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == CitizenNotice.Status.PENDING and row.attempts == 1 and row.last_error == "HTTP 503"
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert notices_retry_due() == 0  # not due yet
    gateway.status = 200
    CitizenNotice.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert notices_retry_due() == 1
    row.refresh_from_db()
    assert row.status == CitizenNotice.Status.SENT and len(gateway.received) == 2


def test_gives_up_after_max_attempts(gateway):
    gateway.status = 500
    row = CitizenNotice.objects.create(channel="sms", to=PHONE, phone=PHONE, text="t", purpose="status")
    for _ in range(MAX_ATTEMPTS + 2):
        CitizenNotice.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        notice_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == CitizenNotice.Status.GAVE_UP and row.attempts == MAX_ATTEMPTS
    assert len(gateway.received) == MAX_ATTEMPTS


def test_opted_out_numbers_get_nothing(gateway, django_capture_on_commit_callbacks):
    NoticeOptOut.objects.create(phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify_citizen(phone=PHONE, text="x", purpose="status")
    assert notice.id is None and not CitizenNotice.objects.exists() and not gateway.received


def test_bound_phone_gets_a_wechat_template_message(wechat_api, gateway, django_capture_on_commit_callbacks):
    _bound()
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify_citizen(phone=PHONE, text="您的工单已办结", purpose="closed")
    assert notice.channel == "wechat" and notice.to == "oBound"
    sent = wechat_api.sent[0]
    assert sent["touser"] == "oBound" and sent["template_id"] == "TPL-STATUS"
    assert sent["data"]["first"]["value"] == "您的工单已办结"
    assert not gateway.received


def test_stale_token_is_refreshed_once(wechat_api, django_capture_on_commit_callbacks):
    _bound()
    with django_capture_on_commit_callbacks(execute=True):
        notify_citizen(phone=PHONE, text="a", purpose="status")
    wechat_api.tokens_issued += 1  # WeChat invalidated the cached token (e.g. another server fetched one)
    with django_capture_on_commit_callbacks(execute=True):
        notify_citizen(phone=PHONE, text="b", purpose="status")
    assert [m["data"]["first"]["value"] for m in wechat_api.sent] == ["a", "b"]
    assert CitizenNotice.objects.filter(status="sent").count() == 2


def test_unfollowed_account_falls_back_to_sms(wechat_api, gateway, django_capture_on_commit_callbacks):
    _bound()
    wechat_api.errors = [43004]  # the follower unsubscribed
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify_citizen(phone=PHONE, text="您的工单已办结", purpose="closed")
    row = CitizenNotice.objects.get(pk=notice.id)
    assert row.channel == "sms" and row.status == CitizenNotice.Status.SENT
    assert gateway.messages()[0]["phone"] == PHONE


def test_bind_codes_always_go_by_sms(wechat_api, gateway, django_capture_on_commit_callbacks):
    _bound()
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify_citizen(phone=PHONE, text="验证码 123456", purpose="bind_code")
    assert notice.channel == "sms" and not wechat_api.sent


def test_ticket_lifecycle_notices_accepted_replied_closed(city, gateway, django_capture_on_commit_callbacks):
    u = city.users
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(by=u["agent"], citizen_phone=PHONE)
    assert not gateway.received  # a draft: nothing accepted yet
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_dispatch(ticket=ticket, lead=city.bureau, by=u["dispatcher"])
    ticket.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_acknowledge(ticket=ticket, by=u["bureau_handler"])
        svc.ticket_reply(ticket=ticket, by=u["bureau_handler"], reply="路灯已修复。")
    ticket.refresh_from_db()
    ticket.no_callback = True
    ticket.save(update_fields=["no_callback"])
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_review(ticket=ticket, by=u["reviewer"], approve=True)
    texts = [m["text"] for m in gateway.messages()]
    assert len(texts) == 3, texts
    assert ticket.number in texts[0] and "受理" in texts[0]
    assert "已答复" in texts[1] and "已办结" in texts[2]
    purposes = list(CitizenNotice.objects.order_by("pk").values_list("purpose", flat=True))
    assert purposes == ["accepted", "replied", "closed"]


def test_lifecycle_notice_is_queued_once_per_event(city, django_capture_on_commit_callbacks):
    from hotline.exchange.services.notices import ticket_event_notices
    from hotline.tickets.models import TicketEvent

    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(by=city.users["agent"], submit=True, citizen_phone=PHONE)
    event = TicketEvent.objects.get(action="create")
    ticket_event_notices(event.pk)
    assert CitizenNotice.objects.filter(purpose="accepted").count() == 1


def test_no_phone_no_notice(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(by=city.users["agent"], submit=True, citizen_phone="")
    assert not CitizenNotice.objects.exists()


def test_events_stamped_in_the_past_send_nothing(city, django_capture_on_commit_callbacks):
    """The demo's history (and imports) run on a moved clock: citizens are not told about old news."""
    from hotline.core.clock import clock_at

    with clock_at(timezone.now() - timedelta(days=30)), django_capture_on_commit_callbacks(execute=True):
        make_ticket(by=city.users["agent"], submit=True, citizen_phone=PHONE)
    assert not CitizenNotice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_notice_is_queued_and_sent_after_a_real_commit(transactional_db, city):
    """Outside a test transaction the commit hooks run for real (the other tests capture them): the
    ticket's commit queues the notice from the objects in hand and the delivery job sends it."""
    make_ticket(by=city.users["agent"], submit=True, citizen_phone=PHONE)
    row = CitizenNotice.objects.get(purpose="accepted")
    assert row.status == CitizenNotice.Status.SENT and row.phone == PHONE


# -- lifecycle notices: queued with the change, routed at delivery --------------------------------


def test_lifecycle_notice_to_an_opted_out_number_is_marked_and_never_sent(
    city, gateway, django_capture_on_commit_callbacks
):
    NoticeOptOut.objects.create(phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        t = make_ticket(by=city.users["agent"], submit=True, citizen_phone=PHONE)
        svc.ticket_dispatch(ticket=t, lead=city.bureau, by=city.users["dispatcher"])
        svc.ticket_acknowledge(ticket=t, by=city.users["bureau_handler"])
        svc.ticket_reply(ticket=t, by=city.users["bureau_handler"], reply="路灯已修复。")
    rows = set(CitizenNotice.objects.values_list("purpose", "status", "channel"))
    assert rows == {
        ("accepted", CitizenNotice.Status.OPTED_OUT, ""),
        ("replied", CitizenNotice.Status.OPTED_OUT, ""),
    }
    assert not gateway.received
    assert notices_retry_due() == 0  # not pending: the sweep leaves them alone


def test_lifecycle_notice_goes_by_wechat_when_bound_at_delivery(
    city, wechat_api, gateway, django_capture_on_commit_callbacks
):
    t = make_ticket(by=city.users["agent"], citizen_phone=PHONE)  # a draft: nothing to tell yet
    with django_capture_on_commit_callbacks():  # committed, the delivery job not yet run
        svc.ticket_dispatch(ticket=t, lead=city.bureau, by=city.users["dispatcher"])
    row = CitizenNotice.objects.get(purpose="accepted")
    assert (row.channel, row.status) == ("", CitizenNotice.Status.PENDING)
    _bound()  # the citizen binds WeChat before the job runner gets to the notice
    notice_deliver(row.pk)
    row.refresh_from_db()
    assert (row.channel, row.to, row.status) == ("wechat", "oBound", CitizenNotice.Status.SENT)
    assert wechat_api.sent[0]["touser"] == "oBound" and not gateway.received


def test_a_citizen_who_opts_out_before_delivery_gets_nothing(
    city, gateway, django_capture_on_commit_callbacks
):
    t = make_ticket(by=city.users["agent"], citizen_phone=PHONE)
    with django_capture_on_commit_callbacks():  # committed, the delivery job not yet run
        svc.ticket_dispatch(ticket=t, lead=city.bureau, by=city.users["dispatcher"])
    row = CitizenNotice.objects.get(purpose="accepted")
    assert row.status == CitizenNotice.Status.PENDING
    NoticeOptOut.objects.create(phone=PHONE)
    notice_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == CitizenNotice.Status.OPTED_OUT and not gateway.received


def test_lifecycle_notice_is_part_of_the_change_and_rolls_back_with_it(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        t = svc.ticket_dispatch(
            ticket=make_ticket(by=city.users["agent"], citizen_phone=PHONE),
            lead=city.bureau,
            by=city.users["dispatcher"],
        )
        svc.ticket_acknowledge(ticket=t, by=city.users["bureau_handler"])
    before = CitizenNotice.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.ticket_reply(ticket=t, by=city.users["bureau_handler"], reply="路灯已修复。")
        assert CitizenNotice.objects.filter(purpose="replied").exists()
        raise RuntimeError("the caller's transaction fails after the reply")
    assert CitizenNotice.objects.count() == before
