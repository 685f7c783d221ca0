"""Citizen notices: the outbox, delivery by SMS or WeChat template message, retries, lifecycle notices."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hotline.exchange import conf
from hotline.exchange.models import CitizenNotice, NoticeOptOut, WechatBinding
from hotline.exchange.services.outbox import retry_due
from hotline.exchange.sms import sms_send
from hotline.exchange.webhook_signing import backoff_seconds
from hotline.exchange.wechat.api import GatewayError, template_send
from hotline.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = timedelta(seconds=60)
DUE_BATCH = 200
TEXT_MAX = 500
S = Ticket.Status
# Codes go by SMS whatever the binding: they prove the phone, so they must reach the phone.
SMS_ONLY = {"bind_code"}
STALE_EVENT_SECONDS = 3600


def _wechat_ready() -> bool:
    return bool(conf.get("WECHAT_APP_ID") and conf.get("WECHAT_TEMPLATE_STATUS"))


def bound_openid(phone: str) -> str:
    """The openid that proved this phone most recently, if any."""
    row = (
        WechatBinding.objects.filter(phone=phone, verified_at__isnull=False)
        .order_by("-verified_at")
        .values_list("openid", flat=True)
        .first()
    )
    return row or ""


def _route(phone: str, purpose: str) -> tuple[str, str] | None:
    """(channel, to) for a notice to `phone`: WeChat when the phone has a bound account, else SMS;
    None when the number opted out (codes are exempt: they go by SMS whatever the binding)."""
    if purpose in SMS_ONLY:
        return CitizenNotice.Channel.SMS, phone
    if NoticeOptOut.objects.filter(phone=phone).exists():
        return None
    openid = bound_openid(phone) if _wechat_ready() else ""
    return (CitizenNotice.Channel.WECHAT, openid) if openid else (CitizenNotice.Channel.SMS, phone)


def notice_queue(
    *,
    phone: str,
    text: str,
    link: str = "",
    purpose: str,
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
    known_new: bool = False,
    route_now: bool = False,
) -> CitizenNotice | None:
    """Put a notice in the outbox and send it after commit; None when there is no number to reach.

    The opt-out and the WeChat binding are looked up at delivery (`notice_deliver`), which records
    the channel used or marks the row opted out; with `route_now` (a caller that must know the
    channel, e.g. the visit desk recording how a survey link went) they are looked up here, and an
    opted-out number gets no row (None). `known_new`: the caller knows no notice with this
    `dedupe_key` can exist yet (its event was appended a moment ago), so skip the look-up."""
    phone = (phone or "").strip().replace(" ", "")
    if not phone:
        return None
    channel, to = "", phone
    if route_now or purpose in SMS_ONLY:
        route = _route(phone, purpose)
        if route is None:
            log.info("notice %s to %s skipped: opted out", purpose, phone[-4:])
            return None
        channel, to = route
    fields = {
        "channel": channel,
        "to": to,
        "phone": phone,
        "text": text[:TEXT_MAX],
        "link": link[:300],
        "purpose": purpose[:30],
        "ticket_id": ticket_id,
    }
    if dedupe_key and not known_new:
        notice, created = CitizenNotice.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
        if not created:
            return notice
    else:
        notice = CitizenNotice.objects.create(dedupe_key=dedupe_key, **fields)
    from hotline.exchange.tasks import notice_deliver_task

    transaction.on_commit(lambda: notice_deliver_task(notice.pk))
    return notice


def _send(n: CitizenNotice) -> str:
    if n.channel == CitizenNotice.Channel.WECHAT:
        number = n.ticket.number if n.ticket_id and n.ticket else ""
        status = n.ticket.get_status_display() if n.ticket_id and n.ticket else ""
        return template_send(
            openid=n.to,
            template_id=conf.get("WECHAT_TEMPLATE_STATUS"),
            url=n.link,
            data={
                "first": n.text,
                "keyword1": number,
                "keyword2": status,
                "keyword3": timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M"),
                "remark": "如有疑问请拨打 12345。",
            },
        )
    text = f"{n.text} {n.link}".strip()
    return sms_send(phone=n.to, text=text, ref=f"n{n.pk}")


def notice_deliver(notice_id: int) -> CitizenNotice | None:
    """One attempt for a pending, due notice; claimed by compare-and-swap so never sent twice at once."""
    now = timezone.now()
    n = CitizenNotice.objects.select_related("ticket").filter(pk=notice_id).first()
    if n is None or n.status != CitizenNotice.Status.PENDING or n.next_attempt_at > now:
        return n
    claimed = CitizenNotice.objects.filter(
        pk=n.pk, status=CitizenNotice.Status.PENDING, attempts=n.attempts, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if claimed != 1:
        return n
    n.attempts += 1
    if not n.channel:
        route = _route(n.phone, n.purpose)
        if route is None:
            log.info("notice %s (%s) not sent: the number opted out", n.pk, n.purpose)
            n.status, n.last_error = CitizenNotice.Status.OPTED_OUT, "号码已退订通知"
            n.save(update_fields=["status", "last_error"])
            return n
        n.channel, n.to = route
    try:
        n.gateway_ref = _send(n)[:100]
    except GatewayError as exc:
        n.last_error = exc.message[:300]
        if exc.permanent and n.channel == CitizenNotice.Channel.WECHAT and n.phone:
            # The follower left or the openid is wrong: the phone still works.
            log.info("notice %s: wechat refused (%s); falling back to SMS", n.pk, exc.message)
            n.channel, n.to, n.attempts, n.next_attempt_at = CitizenNotice.Channel.SMS, n.phone, 0, now
            transaction.on_commit(lambda: _deliver_later(n.pk, 0))
        elif exc.permanent or n.attempts >= MAX_ATTEMPTS:
            n.status = CitizenNotice.Status.GAVE_UP
            log.warning(
                "notice %s (%s) gave up after %s attempts: %s", n.pk, n.channel, n.attempts, exc.message
            )
        else:
            wait = backoff_seconds(n.attempts)
            n.next_attempt_at = timezone.now() + timedelta(seconds=wait)
            log.info("notice %s (%s) failed (%s); retry in %s s", n.pk, n.channel, exc.message, wait)
            transaction.on_commit(lambda: _deliver_later(n.pk, wait))
    else:
        n.status, n.sent_at, n.last_error = CitizenNotice.Status.SENT, timezone.now(), ""
    n.save(
        update_fields=[
            "channel",
            "to",
            "attempts",
            "status",
            "sent_at",
            "last_error",
            "gateway_ref",
            "next_attempt_at",
        ]
    )
    return n


def _deliver_later(pk: int, wait: int) -> None:
    from hotline.exchange.tasks import notice_deliver_task

    if wait:
        notice_deliver_task.schedule((pk,), delay=wait)
    else:
        notice_deliver_task(pk)


def notices_retry_due(*, limit: int = DUE_BATCH) -> int:
    """Try every pending notice whose time has come, oldest first (the periodic sweep)."""
    return retry_due(CitizenNotice, notice_deliver, limit=limit)


def _lifecycle(event: TicketEvent, ticket: Ticket) -> tuple[str, str, str] | None:
    """(purpose, text, link) for a ticket change the citizen hears about, or None."""
    track = f"{conf.get('PUBLIC_BASE_URL').rstrip('/')}/track/"
    before, after = event.from_status, event.to_status
    if after == S.ANSWERED and before != S.ANSWERED:
        return "closed", f"您的诉求（工单 {ticket.number}）已答复办结，欢迎对办理结果评价。", track
    if before in ("", S.DRAFT) and after in (S.PENDING_DISPATCH, S.DISPATCHED):
        if ticket.channel == Ticket.Channel.WECHAT:
            return None  # the passive reply already gave the number
        return "accepted", f"您的诉求已受理，工单编号 {ticket.number}，可凭编号和查询码查询办理进度。", track
    if event.action == "reply":
        return "replied", f"您的工单 {ticket.number} 承办单位已答复，正在审核。", ""
    if after == S.CLOSED and before != S.CLOSED:
        return (
            "closed",
            f"您的工单 {ticket.number} 已办结，欢迎对办理结果评价（微信回复 1 满意 2 基本满意 3 不满意）。",
            track,
        )
    return None


def _lifecycle_notice(event: TicketEvent, ticket: Ticket) -> dict[str, object] | None:
    """The notice_queue arguments for a ticket change, or None when the citizen hears nothing of it."""
    if not ticket.citizen_phone or ticket.channel == Ticket.Channel.PROVINCE:
        return None  # the province informs its own citizens; we push it the status instead
    what = _lifecycle(event, ticket)
    if what is None:
        return None
    purpose, text, link = what
    return {
        "phone": ticket.citizen_phone,
        "text": text,
        "link": link,
        "purpose": purpose,
        "ticket_id": ticket.pk,
        "dedupe_key": f"te-{event.pk}",
    }


def ticket_event_notices(event_id: int) -> CitizenNotice | None:
    """The citizen's notice for a committed ticket change, once per event (replays find the first)."""
    event = TicketEvent.objects.select_related("ticket").filter(pk=event_id).first()
    if event is None:
        return None
    args = _lifecycle_notice(event, event.ticket)
    if args is None:
        return None
    with transaction.atomic():
        return notice_queue(**args)  # type: ignore[arg-type]


# Moves that may produce a notice; every other event costs nothing.
NOTICE_MOVES = {S.ANSWERED, S.PENDING_DISPATCH, S.DISPATCHED, S.CLOSED}


def ticket_event_noticed(event: TicketEvent) -> None:
    """Called from the TicketEvent signal: queue the citizen's notice with the change, if it needs one."""
    if event.action != "reply" and event.to_status not in NOTICE_MOVES:
        return
    if abs(time.time() - event.at.timestamp()) > STALE_EVENT_SECONDS:
        return  # an event stamped far from the wall clock (an import, the demo's history) is not news
    ticket = event.ticket  # the writer's own instance
    if not ticket.citizen_phone:
        return
    if event.action != "create":
        # Inside the change's own transaction, from the objects in hand: one INSERT, committed (or
        # rolled back) with the event, and no look-up for an earlier notice of a brand-new event.
        args = _lifecycle_notice(event, ticket)
        if args is not None:
            notice_queue(**args, known_new=True)  # type: ignore[arg-type]
        return

    def queue() -> None:
        # A new ticket takes its number last in its transaction (the day's counter lock is held for
        # two statements), so the "accepted" text is made right after commit, when the number is set.
        # In a transaction of its own, so notice_queue's on_commit (the delivery job) always has one
        # to wait for. Without it, a live-server browser test on SQLite (whose threads share one
        # connection) raised TransactionManagementError when another request's transaction was open.
        args = _lifecycle_notice(event, ticket)
        if args is not None:
            with transaction.atomic():
                notice_queue(**args, known_new=True)  # type: ignore[arg-type]

    transaction.on_commit(queue)
