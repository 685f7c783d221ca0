"""The WeChat message webhook: verification, plaintext / compatible / safe mode, tickets once per MsgId,
binding, 查询, rating, and every bad input refused with a structured error and nothing created."""

from __future__ import annotations

import json
import re
import time

import pytest

from hotline.exchange.models import CitizenNotice, WechatBinding, WechatMessage
from hotline.exchange.tests.wechat_helpers import (
    AES_KEY,
    APP_ID,
    APP_SECRET,
    TOKEN,
    URL,
    post_encrypted,
    post_plain,
    reply_text,
    signed_query,
    text_xml,
)
from hotline.exchange.wechat import crypto
from hotline.tickets.models import ExternalRef, Ticket
from hotline.tickets.services import ticket_answer

pytestmark = pytest.mark.django_db

REQUEST = "幸福路12号小区门口路灯连续三晚不亮，晚上很黑，请尽快维修。"


@pytest.fixture(autouse=True)
def wechat(settings):
    settings.WECHAT_TOKEN = TOKEN
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_APP_SECRET = APP_SECRET
    settings.WECHAT_AES_KEY = AES_KEY
    settings.WECHAT_TEMPLATE_STATUS = ""


def _error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = json.loads(response.content)
    assert body["code"] == code and body["message"]


def test_get_verification_echoes_echostr(client):
    q = signed_query() | {"echostr": "123abc"}
    response = client.get(URL, q)
    assert response.status_code == 200 and response.content == b"123abc"


def test_text_message_becomes_a_ticket_and_the_reply_gives_its_number(client):
    response = post_plain(client, text_xml(REQUEST))
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Ticket.Channel.WECHAT and ticket.status == Ticket.Status.PENDING_DISPATCH
    assert ticket.content == REQUEST and ticket.no_callback  # not bound: no phone to call back
    assert ExternalRef.objects.get(ticket=ticket).ref == "msg:7000000001"
    assert ticket.number in reply_text(response)


def test_duplicate_msgid_gives_the_same_reply_and_one_ticket(client):
    first = reply_text(post_plain(client, text_xml(REQUEST)))
    again = reply_text(post_plain(client, text_xml(REQUEST)))
    assert first == again
    assert Ticket.objects.count() == 1 and WechatMessage.objects.count() == 1


def test_encrypted_mode_round_trip(client):
    response = post_encrypted(client, text_xml(REQUEST, msg_id="71"))
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.number in reply_text(response, encrypted=True)


def test_compatible_mode_reads_the_encrypted_part(client):
    response = post_encrypted(client, text_xml(REQUEST, msg_id="72"), compatible=True)
    assert response.status_code == 200
    assert Ticket.objects.get().number in reply_text(response, encrypted=True)


def test_short_text_gets_help_and_no_ticket(client):
    assert "诉求" in reply_text(post_plain(client, text_xml("你好")))
    assert not Ticket.objects.exists()


def test_subscribe_event_gets_a_welcome_and_image_gets_a_hint(client):
    event = f"<xml><ToUserName>a</ToUserName><FromUserName>oX</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"
    assert "感谢关注" in reply_text(post_plain(client, event))
    image = "<xml><ToUserName>a</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><MsgId>99</MsgId></xml>"
    assert "文字" in reply_text(post_plain(client, image))
    assert not Ticket.objects.exists()


# --- bad input ---------------------------------------------------------------------------------


def test_bad_signature_is_refused(client):
    q = signed_query() | {"signature": "0" * 40}
    _error(client.get(URL, q | {"echostr": "x"}), 403, "bad_signature")
    _error(post_plain(client, text_xml(REQUEST), signature="f" * 40), 403, "bad_signature")
    assert not WechatMessage.objects.exists()


def test_old_or_replayed_timestamp_is_refused(client):
    old = signed_query(stamp=int(time.time()) - 3600)
    qs = "&".join(f"{k}={v}" for k, v in old.items())
    _error(
        client.post(f"{URL}?{qs}", data=text_xml(REQUEST).encode(), content_type="text/xml"),
        403,
        "stale_timestamp",
    )
    _error(client.get(URL, {"timestamp": "abc", "nonce": "n", "signature": "s"}), 400, "bad_request")
    assert not Ticket.objects.exists()


def test_malformed_xml_is_refused(client):
    _error(post_plain(client, b"<xml><FromUserName>oX</FromUserName"), 400, "malformed_xml")
    _error(post_plain(client, b"<root><a>1</a></root>"), 400, "malformed_xml")
    _error(post_plain(client, b"<xml><MsgType>text</MsgType></xml>"), 400, "malformed_message")
    assert not WechatMessage.objects.exists()


def test_entity_expansion_is_refused(client):
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>'
    _error(post_plain(client, bomb), 400, "malformed_xml")


def test_oversized_body_is_refused_unread(client, settings):
    settings.WECHAT_MAX_BODY = 1024
    _error(post_plain(client, text_xml("很长" * 2000)), 413, "body_too_large")
    assert not Ticket.objects.exists()


def test_safe_mode_bad_msg_signature_and_wrong_appid(client):
    _error(post_encrypted(client, text_xml(REQUEST), bad_sig=True), 403, "bad_signature")
    _error(post_encrypted(client, text_xml(REQUEST), app_id="wxSOMEBODYELSE"), 400, "bad_encrypt")
    assert not Ticket.objects.exists()


def test_safe_mode_garbage_encrypt_is_refused(client):
    q = signed_query()
    sealed = "bm90IGEgcmVhbCBtZXNzYWdl"
    q |= {
        "encrypt_type": "aes",
        "msg_signature": crypto.sha1_signature(TOKEN, q["timestamp"], q["nonce"], sealed),
    }
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    response = client.post(
        f"{URL}?{qs}", data=f"<xml><Encrypt>{sealed}</Encrypt></xml>".encode(), content_type="text/xml"
    )
    _error(response, 400, "bad_encrypt")


def test_not_configured_is_503(client, settings):
    settings.WECHAT_TOKEN = ""
    _error(client.get(URL, signed_query()), 503, "not_configured")


def test_refusals_are_logged(client, caplog):
    with caplog.at_level("WARNING", logger="hotline.exchange.views.wechat"):
        post_plain(client, b"<xml>")
    assert any("malformed_xml" in r.getMessage() for r in caplog.records)


# --- binding, 查询, rating -----------------------------------------------------------------------


def _bind(client, openid: str, phone: str) -> None:
    reply = reply_text(post_plain(client, text_xml(f"绑定 {phone}", openid=openid, msg_id=f"b-{openid}")))
    assert "验证码已发送" in reply
    notice = CitizenNotice.objects.filter(phone=phone, purpose="bind_code").latest("pk")
    assert notice.channel == CitizenNotice.Channel.SMS
    code = re.search(r"\d{6}", notice.text).group(0)  # type: ignore[union-attr]
    wrong = "000000" if code != "000000" else "111111"
    assert "不正确" in reply_text(
        post_plain(client, text_xml(f"验证 {wrong}", openid=openid, msg_id=f"w-{openid}"))
    )
    assert "绑定成功" in reply_text(
        post_plain(client, text_xml(f"验证 {code}", openid=openid, msg_id=f"v-{openid}"))
    )
    assert WechatBinding.objects.get(openid=openid).phone == phone


def test_bind_then_query_lists_tickets_of_the_phone(client, city):
    from hotline.tickets.tests.factories import make_ticket

    phone_ticket = make_ticket(by=city.users["agent"], submit=True, citizen_phone="13900001111")
    _bind(client, "oBound", "13900001111")
    reply_text(post_plain(client, text_xml(REQUEST, openid="oBound", msg_id="m1")))
    wechat_ticket = Ticket.objects.get(channel=Ticket.Channel.WECHAT)
    assert wechat_ticket.citizen_phone == "13900001111" and not wechat_ticket.no_callback
    listing = reply_text(post_plain(client, text_xml("查询", openid="oBound", msg_id="q1")))
    assert phone_ticket.number in listing and wechat_ticket.number in listing


def test_too_many_wrong_codes_locks_the_code(client):
    post_plain(client, text_xml("绑定 13900002222", openid="oLock", msg_id="l0"))
    for i in range(5):
        post_plain(client, text_xml("验证 999999", openid="oLock", msg_id=f"l{i + 1}"))
    notice = CitizenNotice.objects.get(purpose="bind_code")
    code = re.search(r"\d{6}", notice.text).group(0)  # type: ignore[union-attr]
    assert "次数过多" in reply_text(post_plain(client, text_xml(f"验证 {code}", openid="oLock", msg_id="l9")))
    assert not WechatBinding.objects.get(openid="oLock").verified_at


def test_rating_by_reply_after_the_ticket_is_answered(client, city):
    reply_text(post_plain(client, text_xml(REQUEST, openid="oRate", msg_id="r1")))
    ticket = Ticket.objects.get()
    ticket_answer(ticket=ticket, by=city.users["dispatcher"], answer="已联系路灯所，今晚修复。")
    assert "感谢" in reply_text(post_plain(client, text_xml("1", openid="oRate", msg_id="r2")))
    ticket.refresh_from_db()
    assert ticket.citizen_rating == "satisfied"
    assert "没有待评价" in reply_text(post_plain(client, text_xml("3", openid="oRate", msg_id="r3")))


def test_opt_out_records_the_number(client):
    from hotline.exchange.models import NoticeOptOut

    _bind(client, "oQuiet", "13900003333")
    assert "已退订" in reply_text(post_plain(client, text_xml("退订", openid="oQuiet", msg_id="o1")))
    assert NoticeOptOut.objects.filter(phone="13900003333").exists()


def test_wechat_message_ticket_gets_status_updates_as_template_messages(
    client, city, settings, django_capture_on_commit_callbacks
):
    """Done-when: a WeChat message becomes a ticket and its citizen receives the status updates."""
    from hotline.exchange.tests.mocks import WechatApi
    from hotline.tickets import services as svc

    api = WechatApi(APP_ID, APP_SECRET)
    settings.WECHAT_API_BASE = api.base
    settings.WECHAT_TEMPLATE_STATUS = "TPL-STATUS"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _bind(client, "oE2E", "13900004444")
        with django_capture_on_commit_callbacks(execute=True):
            number = re.search(
                r"\d{13}", reply_text(post_plain(client, text_xml(REQUEST, openid="oE2E", msg_id="e1")))
            )
        ticket = Ticket.objects.get(channel=Ticket.Channel.WECHAT)
        assert number and number.group(0) == ticket.number
        u = city.users
        with django_capture_on_commit_callbacks(execute=True):
            svc.ticket_dispatch(ticket=ticket, lead=city.bureau, by=u["dispatcher"])
            svc.ticket_acknowledge(ticket=ticket, by=u["bureau_handler"])
            svc.ticket_reply(ticket=ticket, by=u["bureau_handler"], reply="路灯已修复。")
            svc.ticket_review(ticket=ticket, by=u["reviewer"], approve=True)
            svc.ticket_visit(ticket=ticket, by=u["visitor"], result="satisfied")
        firsts = [m["data"]["first"]["value"] for m in api.sent]
        assert all(
            m["touser"] == "oE2E" and m["data"]["keyword1"]["value"] == ticket.number for m in api.sent
        )
        assert len(firsts) == 2 and "已答复" in firsts[0] and "已办结" in firsts[1]
    finally:
        api.close()


def test_one_number_gets_at_most_five_codes_a_day(client):
    for i in range(6):
        reply = reply_text(
            post_plain(client, text_xml("绑定 13900005555", openid=f"oBomb{i}", msg_id=f"bomb{i}"))
        )
    assert "上限" in reply
    assert CitizenNotice.objects.filter(purpose="bind_code", phone="13900005555").count() == 5


@pytest.mark.django_db(transaction=True)
def test_wechat_send_command_talks_to_a_live_server(live_server, capsys):
    from django.core.management import call_command

    url = f"{live_server.url}{URL}"
    call_command("exchange", "wechat-send", REQUEST, "--url", url, "--aes")
    ticket = Ticket.objects.get()
    assert ticket.number in capsys.readouterr().out
