"""Concurrent duplicate deliveries (PostgreSQL): one WeChat MsgId, one provincial id → one ticket each."""

from __future__ import annotations

from hotline.exchange.models import ProvinceOutbox, WechatMessage
from hotline.exchange.services.province import province_ticket_take
from hotline.exchange.services.wechat import wechat_message_handle
from hotline.tickets.models import Ticket
from hotline.tickets.tests.test_concurrency import postgres_only, race


@postgres_only
def test_concurrent_wechat_retries_make_one_ticket():
    msg = {
        "ToUserName": "gh_x",
        "FromUserName": "oRace",
        "CreateTime": "1764442800",
        "MsgType": "text",
        "Content": "小区门口路灯连续三晚不亮，请尽快维修。",
        "MsgId": "88001",
    }

    def deliver():
        return wechat_message_handle(dict(msg))

    replies = race(deliver, deliver, deliver, deliver)
    assert all(isinstance(r, str) for r in replies), replies
    ticket = Ticket.objects.get()
    assert all(ticket.number in r for r in replies)
    assert WechatMessage.objects.count() == 1


@postgres_only
def test_concurrent_pulls_of_one_provincial_ticket_make_one_ticket():
    item = {"id": "SJRACE1", "title": "道路塌陷", "content": "幸福路道路塌陷。", "type": "投诉"}

    def take():
        return province_ticket_take(dict(item))

    results = race(take, take, take)
    assert all(isinstance(r, tuple) for r in results), results
    assert sum(1 for r in results if r[1]) == 1
    assert Ticket.objects.count() == 1 and ProvinceOutbox.objects.count() == 1
