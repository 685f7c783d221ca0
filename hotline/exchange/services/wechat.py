"""WeChat official-account messages: a text becomes a ticket; 绑定/验证/查询/评价/退订 commands; once per MsgId."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from hotline.core.errors import ServiceError
from hotline.exchange.models import CitizenNotice, NoticeOptOut, WechatBinding, WechatMessage
from hotline.exchange.services.notices import notice_queue
from hotline.exchange.wechat.crypto import WechatError
from hotline.tickets.models import ExternalRef, Ticket
from hotline.tickets.services import TicketInput, ticket_create
from hotline.tickets.services.citizen import ticket_rate

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=10)
CODE_RESEND = timedelta(minutes=1)
CODE_MAX_TRIES = 5
CODES_PER_PHONE_PER_DAY = 5  # no SMS bombing of one number from many accounts
TEXT_MAX = 2000
MIN_REQUEST_CHARS = 5
TITLE_CHARS = 20
S = Ticket.Status

HELP = (
    "12345 热线微信服务：\n"
    "· 直接发送文字描述您的诉求，即可生成工单；\n"
    "· 回复“绑定 手机号”绑定手机，之后可查询和评价；\n"
    "· 回复“查询”查看工单办理进度；\n"
    "· 工单办结后回复 1 满意、2 基本满意、3 不满意进行评价；\n"
    "· 回复“退订”不再接收进度通知。"
)
_BIND = re.compile(r"^绑定\s*(1\d{10})$")
_VERIFY = re.compile(r"^验证\s*(\d{6})$")
_RATINGS = {
    "1": "satisfied",
    "满意": "satisfied",
    "2": "basically_satisfied",
    "基本满意": "basically_satisfied",
    "3": "unsatisfied",
    "不满意": "unsatisfied",
}


def _mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else phone


def _code_hash(openid: str, phone: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{openid}|{phone}|{code}".encode(), hashlib.sha256
    ).hexdigest()


def _binding(openid: str) -> WechatBinding:
    binding, _ = WechatBinding.objects.get_or_create(openid=openid)
    return binding


def wechat_bind_start(*, openid: str, phone: str) -> str:
    """Send a 6-digit code to `phone` by SMS; the follower proves the number by replying with it."""
    now = timezone.now()
    b = WechatBinding.objects.select_for_update().get(pk=_binding(openid).pk)
    if b.code_expires_at and b.code_expires_at - CODE_TTL + CODE_RESEND > now:
        return "验证码已发送，请稍等 1 分钟后再试。"
    sent_today = CitizenNotice.objects.filter(
        phone=phone, purpose="bind_code", created_at__gte=now - timedelta(days=1)
    ).count()
    if sent_today >= CODES_PER_PHONE_PER_DAY:
        return "该号码今日获取验证码次数已达上限，请明天再试或拨打 12345。"
    code = f"{secrets.randbelow(10**6):06d}"
    b.pending_phone, b.code_hash = phone, _code_hash(openid, phone, code)
    b.code_expires_at, b.code_attempts = now + CODE_TTL, 0
    b.save(update_fields=["pending_phone", "code_hash", "code_expires_at", "code_attempts"])
    notice_queue(
        phone=phone, text=f"您正在绑定 12345 微信服务，验证码 {code}，10 分钟内有效。", purpose="bind_code"
    )
    return f"验证码已发送到 {_mask(phone)}，请在 10 分钟内回复“验证 六位验证码”。"


def wechat_bind_verify(*, openid: str, code: str) -> str:
    """Check the code; five wrong tries or an expired code and the follower must ask again."""
    b = WechatBinding.objects.select_for_update().filter(openid=openid).first()
    now = timezone.now()
    if b is None or not b.code_hash or not b.code_expires_at or b.code_expires_at < now:
        return "验证码已失效，请回复“绑定 手机号”重新获取。"
    if b.code_attempts >= CODE_MAX_TRIES:
        return "验证码错误次数过多，请回复“绑定 手机号”重新获取。"
    if not hmac.compare_digest(b.code_hash, _code_hash(openid, b.pending_phone, code)):
        b.code_attempts += 1
        b.save(update_fields=["code_attempts"])
        return f"验证码不正确，还可尝试 {CODE_MAX_TRIES - b.code_attempts} 次。"
    b.phone, b.verified_at = b.pending_phone, now
    b.pending_phone, b.code_hash, b.code_expires_at, b.code_attempts = "", "", None, 0
    b.save()
    return f"绑定成功：{_mask(b.phone)}。回复“查询”可查看该号码的工单进度。"


def _citizen_tickets(openid: str, binding: WechatBinding | None) -> QuerySet[Ticket]:
    mine = Q(pk__in=WechatMessage.objects.filter(openid=openid, ticket__isnull=False).values("ticket_id"))
    if binding is not None and binding.verified_at and binding.phone:
        mine |= Q(citizen_phone=binding.phone)
    return Ticket.objects.filter(mine).exclude(status__in=[S.DRAFT, S.INVALID]).order_by("-created_at")


def wechat_status_query(*, openid: str) -> str:
    binding = WechatBinding.objects.filter(openid=openid).first()
    rows = list(_citizen_tickets(openid, binding)[:5])
    hint = "" if binding and binding.verified_at else "\n（回复“绑定 手机号”可查询电话等渠道提交的工单）"
    if not rows:
        return "暂未查到您的工单。" + hint
    lines = [f"{t.number} {t.title[:12]}：{t.get_status_display()}" for t in rows]
    return "您最近的工单：\n" + "\n".join(lines) + hint


def wechat_rate(*, openid: str, rating: str) -> str:
    """Rate the follower's most recent finished, unrated ticket."""
    binding = WechatBinding.objects.filter(openid=openid).first()
    ticket = (
        _citizen_tickets(openid, binding)
        .filter(status__in=[S.CLOSED, S.ANSWERED], citizen_rated_at__isnull=True)
        .order_by("-closed_at", "-created_at")
        .first()
    )
    if ticket is None:
        return "没有待评价的已办结工单。" + ("" if binding and binding.verified_at else "\n" + HELP)
    try:
        ticket_rate(ticket=ticket, rating=rating)
    except ServiceError as exc:
        return exc.message
    return f"感谢您对工单 {ticket.number} 的评价！"


def wechat_opt_out(*, openid: str) -> str:
    binding = WechatBinding.objects.filter(openid=openid, verified_at__isnull=False).first()
    if binding is None:
        return "您尚未绑定手机，不会收到进度通知。"
    NoticeOptOut.objects.get_or_create(phone=binding.phone, defaults={"note": "微信回复退订"})
    return "已退订，今后不再向您发送工单进度通知。"


def wechat_ticket_create(*, openid: str, text: str, msg_key: str) -> Ticket:
    """The text becomes a ticket waiting for dispatch (channel 微信); the MsgId is its external reference."""
    binding = WechatBinding.objects.filter(openid=openid, verified_at__isnull=False).first()
    phone = binding.phone if binding else ""
    words = re.sub(r"\s+", " ", text)
    data = TicketInput(
        title=words[:TITLE_CHARS] + ("…" if len(words) > TITLE_CHARS else ""),
        content=text,
        type=Ticket.Type.HELP,
        channel=Ticket.Channel.WECHAT,
        citizen_phone=phone,
        no_callback=not phone,
        external_refs={ExternalRef.System.WECHAT: f"msg:{msg_key}"[:100]},
    )
    ticket, _ = ticket_create(data=data, by=None, submit=True)
    return ticket


def _text_reply(m: WechatMessage, text: str) -> str:
    if text in ("帮助", "?", "？", "help"):
        return HELP
    if text == "查询":
        return wechat_status_query(openid=m.openid)
    if text in _RATINGS:
        return wechat_rate(openid=m.openid, rating=_RATINGS[text])
    if text == "退订":
        return wechat_opt_out(openid=m.openid)
    if bind := _BIND.match(text):
        return wechat_bind_start(openid=m.openid, phone=bind.group(1))
    if verify := _VERIFY.match(text):
        return wechat_bind_verify(openid=m.openid, code=verify.group(1))
    if len(text) < MIN_REQUEST_CHARS:
        return "请用一句完整的话描述您的诉求（时间、地点、事情）。\n\n" + HELP
    ticket = wechat_ticket_create(openid=m.openid, text=text, msg_key=m.msg_key)
    m.ticket = ticket
    bound = WechatBinding.objects.filter(openid=m.openid, verified_at__isnull=False).exists()
    tail = "" if bound else "\n绑定手机（回复“绑定 手机号”）后可接收办理进度通知。"
    return f"您的诉求已受理，工单编号：{ticket.number}。\n回复“查询”可查看办理进度。{tail}"


def wechat_message_handle(msg: dict[str, str]) -> str:
    """Handle one message and return the passive reply ("" = none); a repeated MsgId gets the first reply."""
    openid, kind = msg.get("FromUserName", ""), msg.get("MsgType", "")
    if not openid or not kind or len(openid) > 64:
        raise WechatError("malformed_message", "消息缺少 FromUserName 或 MsgType。")
    key = msg.get("MsgId") or f"{openid}:{msg.get('CreateTime', '')}"
    if len(key) > 100:
        raise WechatError("malformed_message", "MsgId 无效。")
    text = msg.get("Content", "").strip()
    if len(text) > TEXT_MAX:
        raise WechatError("too_long", f"文字消息不能超过 {TEXT_MAX} 字。")
    seen = WechatMessage.objects.filter(msg_key=key).first()
    if seen is not None:
        return seen.reply
    try:
        with transaction.atomic():
            m = WechatMessage.objects.create(msg_key=key, openid=openid, msg_type=kind[:20], content=text)
            if kind == "text":
                m.reply = _text_reply(m, text)
            elif kind == "event":
                event = msg.get("Event", "").lower()
                m.content = event
                m.reply = "感谢关注 12345 政务服务便民热线！\n\n" + HELP if event == "subscribe" else ""
            else:
                m.reply = "目前仅支持文字留言，请用文字描述您的诉求，或拨打 12345。"
            m.save(update_fields=["reply", "ticket", "content"])
    except IntegrityError:
        # A concurrent twin delivery inserted the MsgId first: answer as it did.
        twin = WechatMessage.objects.filter(msg_key=key).first()
        if twin is None:
            raise
        return twin.reply
    if m.ticket_id:
        log.info("wechat: message %s created ticket %s", key, m.ticket.number if m.ticket else "")
    return m.reply
